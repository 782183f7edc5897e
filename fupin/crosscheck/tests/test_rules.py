"""Crafted rosters give exactly the expected suspects, rule by rule."""

from datetime import date

from fupin.crosscheck.choices import DatasetKind
from fupin.crosscheck.models import RosterRow, Suspect
from fupin.crosscheck.services import roster_rerun
from fupin.funds.models import Disbursement
from fupin.registry.models import MemberYear

from .helpers import TOWN_A, VILLAGE_A1, add_member, fifteen, found, head, id_with_x, load, outsider


def test_vehicle_four_haves_with_15_digit_lower_x_and_exempt_types(users, households, tmp_path):
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    xman = add_member(b1, date(1985, 2, 2), name="李四", id_number=id_with_x(date(1985, 2, 2)))
    assert xman.id_number.endswith("X")
    roster = load(users, tmp_path, DatasetKind.VEHICLE, ["身份证号码", "姓名", "车辆类型", "号牌号码"], [
        [fifteen(head(a1).id_number), "王一", "小型轿车", "陕G12345"],   # 15 digits → 18
        [head(a2).id_number, "王二", "农用车", "陕G00001"],              # exempt type
        [head(b1).id_number, "李三", "", "陕G00002"],                    # no type: counts
        [xman.id_number.lower(), "李四", "小型普通客车", "陕G00003"],      # lower-case x
        [outsider(1), "路人", "小型轿车", "陕G99999"],
    ])
    assert found(roster) == {("four_have_vehicle", head(a1).pk), ("four_have_vehicle", head(b1).pk),
                             ("four_have_vehicle", xman.pk)}
    s = Suspect.objects.get(roster=roster, member=head(b1))
    assert "未填车辆类型" in s.reason and head(b1).id_number not in s.reason
    assert s.inputs["policy"][1]["key"] == "crosscheck.vehicle_exempt_types"
    assert s.roster_row.row_no == 4 and s.inputs["roster_row"]["data"]["号牌号码"] == "陕G00002"
    assert roster.row_count == 5
    # A rerun adds nothing.
    roster_rerun(actor=users["county"], roster_id=roster.pk)
    assert Suspect.objects.filter(roster=roster).count() == 3
    roster.refresh_from_db()
    assert roster.match_summary["new"] == 0 and roster.match_summary["rules"]["four_have_vehicle"]["total"] == 3


def test_payroll_housing_business_and_left_members(users, households, tmp_path):
    a1, b1 = households["a1"], households["b1"]
    gone = add_member(a1, date(1990, 1, 1), name="外嫁", left_on=date(2020, 6, 1))
    later = add_member(a1, date(1991, 1, 1), name="后迁", left_on=date(2021, 1, 1))  # left after as_of: present
    header = ["id_number", "name", "工作单位"]
    rows = [[head(b1).id_number, "李三", "平利县教育局"], [gone.id_number, "外嫁", "x"], [later.id_number, "后迁", "y"]]
    for kind, rule in ((DatasetKind.PAYROLL, "four_have_payroll"), (DatasetKind.HOUSING, "four_have_housing"),
                       (DatasetKind.BUSINESS, "four_have_business")):
        roster = load(users, tmp_path, kind, header, rows)
        assert found(roster) == {(rule, head(b1).pk), (rule, later.pk)}


def test_removed_household_not_checked(users, households, tmp_path):
    b1 = households["b1"]
    b1.status = "removed"
    b1.save()
    roster = load(users, tmp_path, DatasetKind.PAYROLL, ["证件号码"], [[head(b1).id_number]])
    assert found(roster) == set()


def _pay(users, id_number, paid_on):
    from fupin.funds.tests.helpers import chain, pay
    if not Disbursement.objects.exists():
        c = chain(users)
        pay(users, c["project"], c["line"], amount="10.00", kind="company", name="公司", item="工程款")
    base = Disbursement.objects.order_by("id").first()
    return Disbursement.objects.create(
        funding_id=base.funding_id, project_id=base.project_id, allocation_id=base.allocation_id,
        source_id=base.source_id, year=2020, holder_code=base.holder_code, location_code=base.location_code,
        paid_on=paid_on, amount="500.00", payee_kind="household", payee_name="x", payee_id_number=id_number,
        item="产业奖补")


def test_death_boundaries(users, households, tmp_path):
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    as_of = date(2020, 6, 30)
    paid_next_day = add_member(b1, date(1950, 1, 1), name="老一", left_on=date(2020, 3, 1), left_reason="deceased")
    paid_same_day = add_member(b1, date(1951, 1, 1), name="老二", left_on=date(2020, 3, 1), left_reason="deceased")
    _pay(users, paid_next_day.id_number, date(2020, 3, 2))
    _pay(users, paid_same_day.id_number, date(2020, 3, 1))
    roster = load(users, tmp_path, DatasetKind.DEATH, ["证件号码", "姓名", "死亡日期"], [
        [head(a1).id_number, "王一", "2020-06-30"],   # died on the as_of day, still registered
        [head(a2).id_number, "王二", "2020/7/1"],     # dies after as_of: not counted
        [paid_next_day.id_number, "老一", "2020年3月1日"],
        [paid_same_day.id_number, "老二", "20200301"],
        [outsider(2), "路人", "2019-01-01"],
    ], as_of=as_of)
    assert found(roster) == {("death_registered", head(a1).pk), ("death_paid", paid_next_day.pk)}
    s = Suspect.objects.get(roster=roster, rule="death_paid")
    assert "2020-03-01" in s.reason and "1 笔共 500.00 元" in s.reason
    assert s.inputs["registry"]["payments_after_death"][0]["paid_on"] == "2020-03-02"
    assert RosterRow.objects.get(roster=roster, row_no=4).data["死亡日期"] == "2020-03-01"


def test_low_income_and_destitute_unmarked(users, households, tmp_path):
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    MemberYear.objects.filter(member=head(a2), year=2020).update(on_low_income_support=True)
    no_year = add_member(a1, date(1960, 1, 1), name="无年度", year=None)
    roster = load(users, tmp_path, DatasetKind.LOW_INCOME, ["证件号码", "救助类型"], [
        [head(a1).id_number, "农村低保"], [head(a2).id_number, "低保"], [head(b1).id_number, "特困供养"],
        [no_year.id_number, ""], [outsider(3), "低保"]])
    assert found(roster) == {("low_income_unmarked", head(a1).pk), ("destitute_unmarked", head(b1).pk),
                             ("low_income_unmarked", no_year.pk)}
    assert "没有该年度成员数据" in Suspect.objects.get(roster=roster, member=no_year).reason


def test_disability_absent_and_without_subsidy_limited_to_region(users, households, tmp_path):
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    MemberYear.objects.filter(member__in=[head(a1), head(b1)], year=2020).update(health="disabled")
    roster = load(users, tmp_path, DatasetKind.DISABILITY, ["证件号码", "残疾类别", "享受残疾人补贴"], [
        [head(a2).id_number, "肢体", "否"], [outsider(4), "视力", "否"]], region=TOWN_A)
    # b1 (兴隆镇) is disabled and absent too, but outside the roster's region.
    assert found(roster) == {("disability_unregistered", head(a1).pk), ("disability_no_subsidy", head(a2).pk)}


def test_school_age_boundaries_and_region(users, households, tmp_path):
    a1, a2 = households["a1"], households["a2"]
    ages = {15: date(2005, 12, 31), 16: date(2004, 1, 1), 6: date(2014, 12, 31), 5: date(2015, 1, 1)}
    kids = {age: add_member(a1, born, name=f"孩{age}") for age, born in ages.items()}
    son_a1 = a1.members.get(name="王一家属1")  # born 2006, on the roster
    son_a2 = a2.members.get(name="王二家属1")  # born 2006, absent
    roster = load(users, tmp_path, DatasetKind.SCHOOL, ["学籍号", "证件号码", "学校"],
                  [["G1", son_a1.id_number, "龙头小学"], ["G2", outsider(5), "城关中学"]], region=TOWN_A)
    assert found(roster) == {("school_not_enrolled", kids[15].pk), ("school_not_enrolled", kids[6].pk),
                             ("school_not_enrolled", son_a2.pk)}
    s = Suspect.objects.get(roster=roster, member=kids[15])
    assert s.inputs["registry"]["age_on_dec_31"] == 15 and "满 15 周岁" in s.reason


def test_medical_insurance_absence(users, households, tmp_path):
    a1 = households["a1"]
    employee = add_member(a1, date(1988, 1, 1), name="职工", employee_medical_insurance=True)
    son = a1.members.get(name="王一家属1")
    roster = load(users, tmp_path, DatasetKind.MEDICAL_INSURANCE, ["证件号码", "参保类型"],
                  [[head(a1).id_number, "城乡居民"]], region=VILLAGE_A1)
    assert found(roster) == {("no_medical_insurance", son.pk)}
    assert employee.pk not in {m for _, m in found(roster)}


def test_screening_kinds_only_count(users, households, tmp_path):
    a1, b1 = households["a1"], households["b1"]
    roster = load(users, tmp_path, DatasetKind.MEDICAL_EXPENSE, ["证件号码", "自付费用"],
                  [[head(a1).id_number, "30000"], [head(b1).id_number, "5000"], [outsider(6), "80000"]])
    assert found(roster) == set()
    assert roster.match_summary["matched_members"] == 2 and roster.row_count == 3

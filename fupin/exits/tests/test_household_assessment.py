"""Household exit assessment (贫困户退出评估): each indicator at its thresholds, policy overrides,
scope and the query budget."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.conftest import YEAR, make_household, make_id_number
from fupin.exits.household import INDICATORS, assess_household, assess_households, policy_rows, summarize
from fupin.policy.models import PolicyValue
from fupin.policy.selectors import PolicyMissing, resolve_many, resolver
from fupin.policy.services import policy_set
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear

VILLAGE = "610926100001"
PROVINCE = "610000000000"
LINE_2020 = Decimal("4000")  # national default poverty_line for 2020 (policy/defaults.py)


def exit_ready(no: str, village: str = VILLAGE, *, income: Decimal = Decimal("5000"), **kwargs) -> Household:
    """A household meeting every indicator for YEAR: head (40) and a son of 14 in junior school."""
    return make_household(no, village, income=income, **kwargs)


def add_child(h: Household, birth: date, *, school_status: str | None = "primary", dropout: bool = False,
              name: str = "小明", **year_fields) -> Member:
    m = Member.objects.create(household=h, name=name, id_number=make_id_number(birth, 77), gender="M",
                              birth_date=birth, relation="son")
    if school_status is not None:
        MemberYear.objects.create(member=m, year=YEAR, school_status=school_status, dropout=dropout, **year_fields)
    return m


def year_row(h: Household, **changes) -> None:
    HouseholdYear.objects.filter(household=h, year=YEAR).update(**changes)


def codes(a) -> dict[str, bool]:
    return {i.code: i.passed for i in a.indicators}


def test_a_household_meeting_every_indicator_passes(households):
    h = exit_ready("610926100001501")
    a = assess_household(household_id=h.pk, year=YEAR)
    assert a.passed and a.failed_labels() == []
    assert [i.code for i in a.indicators] == [c for c, _, _ in INDICATORS]
    assert (a.household_no, a.head_name, a.village_code, a.status, a.year) == (
        "610926100001501", "张三", VILLAGE, "not_exited", YEAR)
    income = a.indicator("income")
    assert income.values == {"per_capita_income": "5000.00", "poverty_line": 4000,
                             "poverty_line_region": "000000000000", "poverty_line_year_from": 2020}
    assert "高于扶贫标准 4000 元" in income.reason
    education = a.indicator("education")
    assert education.values["age_from"] == 6 and education.values["age_to"] == 15
    assert [(c["age"], c["school_status"], c["dropout"]) for c in education.values["children"]] == [
        (14, "junior", False)]
    assert a.indicator("medical").values["uninsured"] == []
    assert [p["key"] for p in a.policy] == ["poverty_line", "exit.compulsory_school_age_from",
                                            "exit.compulsory_school_age_to", "exit.unsafe_danger_grades"]
    assert all(p["source"] and p["region_code"] == "000000000000" for p in a.policy)


@pytest.mark.parametrize(("income", "passed"), [
    (LINE_2020 - Decimal("0.01"), False),
    (LINE_2020, False),  # exactly at the line: not *above* it
    (LINE_2020 + Decimal("0.01"), True),
])
def test_income_must_be_strictly_above_the_line(households, income, passed):
    h = exit_ready("610926100001502", income=income)
    a = assess_household(household_id=h.pk, year=YEAR)
    ind = a.indicator("income")
    assert ind.passed is passed and a.passed is passed
    assert ind.values["per_capita_income"] == f"{income:.2f}"
    if not passed:
        assert ind.reason == f"年人均纯收入 {income:.2f} 元，未超过扶贫标准 4000 元"
        assert a.failed_labels() == ["收入稳定超过扶贫标准"]


@pytest.mark.parametrize(("food", "clothing", "reason"), [
    (False, True, "愁吃"), (True, False, "愁穿"), (False, False, "愁吃、愁穿")])
def test_two_no_worries(households, food, clothing, reason):
    h = exit_ready("610926100001503")
    year_row(h, food_secure=food, clothing_secure=clothing)
    ind = assess_household(household_id=h.pk, year=YEAR).indicator("two_no_worries")
    assert not ind.passed and ind.reason == reason
    assert ind.values == {"food_secure": food, "clothing_secure": clothing}


@pytest.mark.parametrize(("birth", "age", "checked"), [
    (date(YEAR - 6, 12, 31), 6, True),    # turns 6 on the reference day: the lower bound counts
    (date(YEAR - 5, 1, 1), 5, False),     # 5 on 31 December: not yet of compulsory age
    (date(YEAR - 15, 1, 1), 15, True),    # 15: the upper bound counts
    (date(YEAR - 16, 12, 31), 16, False),  # 16: past compulsory age
])
def test_compulsory_age_boundaries(households, birth, age, checked):
    h = exit_ready("610926100001504", members=1)
    add_child(h, birth, school_status="not_student")
    ind = assess_household(household_id=h.pk, year=YEAR).indicator("education")
    assert ind.passed is not checked
    if checked:
        assert ind.values["children"] == [{"member_id": ind.values["children"][0]["member_id"], "name": "小明",
                                           "age": age, "year_data": True, "school_status": "not_student",
                                           "school_status_label": "非在校生", "dropout": False,
                                           "problem": "非在校生"}]
        assert ind.reason == f"小明（{age}岁）非在校生"
    else:
        assert ind.values["children"] == [] and "无义务教育适龄" in ind.reason


def test_education_counts_any_student_status_and_fails_dropouts_and_missing_data(households):
    h = exit_ready("610926100001505", members=1)
    add_child(h, date(YEAR - 6, 6, 1), school_status="preschool", name="甲")
    ind = assess_household(household_id=h.pk, year=YEAR).indicator("education")
    assert ind.passed and ind.reason == "1 名义务教育适龄儿童均在校"
    add_child(h, date(YEAR - 12, 6, 1), school_status="primary", dropout=True, name="乙")
    add_child(h, date(YEAR - 10, 6, 1), school_status=None, name="丙")  # no member-year row
    ind = assess_household(household_id=h.pk, year=YEAR).indicator("education")
    assert not ind.passed
    assert ind.reason == f"乙（12岁）义务教育阶段失学辍学；丙（10岁）缺少{YEAR}年度数据"
    assert [c["name"] for c in ind.values["children"]] == ["甲", "乙", "丙"]
    assert ind.values["children"][2]["year_data"] is False


def test_medical_insurance_of_every_current_member(households):
    h = exit_ready("610926100001506")
    head = h.members.order_by("id").first()
    MemberYear.objects.filter(member=head, year=YEAR).update(resident_medical_insurance=False)
    ind = assess_household(household_id=h.pk, year=YEAR).indicator("medical")
    assert not ind.passed and ind.values["uninsured"] == ["张三"]
    assert ind.reason == "未参加基本医疗保险：张三"
    MemberYear.objects.filter(member=head, year=YEAR).update(employee_medical_insurance=True)
    assert assess_household(household_id=h.pk, year=YEAR).indicator("medical").passed
    newcomer = add_child(h, date(1990, 1, 1), school_status=None, name="李四")
    ind = assess_household(household_id=h.pk, year=YEAR).indicator("medical")
    assert not ind.passed and ind.values["missing_data"] == ["李四"]
    assert ind.reason == f"缺少{YEAR}年度数据：李四"
    # A member who left during the year no longer counts; one who left after it still does.
    Member.objects.filter(pk=newcomer.pk).update(left_on=date(YEAR, 6, 1), left_reason="married_out")
    assert assess_household(household_id=h.pk, year=YEAR).indicator("medical").passed
    Member.objects.filter(pk=newcomer.pk).update(left_on=date(YEAR + 1, 1, 10))
    assert not assess_household(household_id=h.pk, year=YEAR).indicator("medical").passed


@pytest.mark.parametrize(("grade", "relocated", "passed"), [
    ("", False, True), ("A", False, True), ("B", False, True), ("C", False, False), ("D", False, False),
    ("D", True, True),  # 易地扶贫搬迁: the old dangerous house no longer counts
])
def test_housing_safety(households, grade, relocated, passed):
    h = exit_ready("610926100001507")
    year_row(h, danger_grade=grade, relocated=relocated)
    ind = assess_household(household_id=h.pk, year=YEAR).indicator("housing")
    assert ind.passed is passed
    assert ind.values["danger_grade"] == grade and ind.values["relocated"] is relocated
    assert ind.values["unsafe_danger_grades"] == ["C", "D"]
    if grade == "D":
        assert ind.reason == ("原住房为D级危房，已易地扶贫搬迁" if relocated else "住房为D级危房，未搬迁")


@pytest.mark.parametrize(("safe", "difficult", "reason"), [
    (False, False, "饮水不安全"), (True, True, "饮水困难"), (False, True, "饮水不安全、饮水困难")])
def test_drinking_water(households, safe, difficult, reason):
    h = exit_ready("610926100001508")
    year_row(h, drinking_water_safe=safe, drinking_water_difficult=difficult)
    ind = assess_household(household_id=h.pk, year=YEAR).indicator("water")
    assert not ind.passed and ind.reason == reason


def test_missing_year_data_fails_and_is_never_guessed(households):
    h = exit_ready("610926100001509")
    a = assess_household(household_id=h.pk, year=YEAR - 1)  # data exists for YEAR only
    assert not a.passed
    for code in ("income", "two_no_worries", "housing", "water"):
        ind = a.indicator(code)
        assert not ind.passed and ind.reason == f"缺少{YEAR - 1}年度数据" and ind.values["year_data"] is False
    assert a.indicator("income").values["poverty_line"] == 3747  # the 2019 line is still shown
    medical = a.indicator("medical")
    assert not medical.passed and medical.values["missing_data"] == ["张三", "张三家属1"]
    assert "张三家属1（13岁）缺少2019年度数据" in a.indicator("education").reason


def test_a_provincial_line_above_the_national_one_turns_a_pass_into_a_fail(households):
    h = exit_ready("610926100001510", income=Decimal("4200"))
    before = assess_household(household_id=h.pk, year=YEAR)
    assert before.passed
    policy_set(actor=None, key="poverty_line", region_code=PROVINCE, year_from=YEAR, value=4500, unit="元/人·年",
               source="陕西省定扶贫标准")
    after = assess_household(household_id=h.pk, year=YEAR)
    income = after.indicator("income")
    assert not after.passed and not income.passed
    assert income.values["poverty_line"] == 4500 and income.values["poverty_line_region"] == PROVINCE
    assert income.reason == "年人均纯收入 4200.00 元，未超过扶贫标准 4500 元"
    assert after.policy[0] == {"key": "poverty_line", "value": 4500, "region_code": PROVINCE, "year_from": YEAR,
                               "source": "陕西省定扶贫标准"}
    # The province's row ends in 2020: the year after, the national line applies again (if any).
    PolicyValue.objects.filter(region_code=PROVINCE, key="poverty_line").update(year_to=YEAR - 1)
    assert assess_household(household_id=h.pk, year=YEAR).passed


def test_unknown_household_and_year_without_a_standard(households):
    with pytest.raises(Household.DoesNotExist):
        assess_household(household_id=10**9, year=YEAR)
    with pytest.raises(PolicyMissing, match="poverty_line"):
        assess_household(household_id=households["a1"].pk, year=2005)
    with pytest.raises(PolicyMissing, match="poverty_line"):
        assess_households(year=2005, region_code="610926000000")


def test_bulk_resolver_agrees_with_resolve_many(regions):
    keys = ["poverty_line", "exit.unsafe_danger_grades", "region_exit.max_incidence"]
    policy_set(actor=None, key="poverty_line", region_code=PROVINCE, year_from=2018, value=3800, year_to=2019)
    policy_set(actor=None, key="poverty_line", region_code="610926000000", year_from=2019, value=3900)
    policy_set(actor=None, key="exit.unsafe_danger_grades", region_code="610926100000", year_from=2016, value=["D"])
    for year in (2016, 2017, 2018, 2019, 2020):
        resolve_for = resolver(keys, year=year)
        for code in ("000000000000", PROVINCE, "610926000000", "610926100001", "610926101001", "620100000000"):
            assert resolve_for(code) == resolve_many(keys, year=year, region_code=code), (year, code)
    with pytest.raises(PolicyMissing):
        resolver(keys, year=2012)("610926100001")


def test_households_in_a_region_by_status_and_scope(users, households):
    # households: a1 (龙头村, paired with the cadre), a2 (三里垭村), b1 (兴隆村), all not_exited, income 3000
    done = exit_ready("610926100001511", status="exited")
    returned = exit_ready("610926100001512", status="returned")
    county = assess_households(year=YEAR, region_code="610926000000")
    assert [a.household_no for a in county] == ["610926100001001", "610926100001512", "610926100002001",
                                                "610926101001001"]
    assert done.pk not in {a.household_id for a in county}
    assert [a.passed for a in county] == [False, True, False, False]
    everyone = assess_households(year=YEAR, region_code="610926000000", statuses={"exited"})
    assert [a.household_id for a in everyone] == [done.pk]
    mine = assess_households(year=YEAR, region_code="610926000000", user=users["clerk_a"])
    assert [a.household_id for a in mine] == [households["a1"].pk, returned.pk]
    paired = assess_households(year=YEAR, region_code="610926000000", user=users["cadre"])
    assert [a.household_id for a in paired] == [households["a1"].pk]
    assert assess_households(year=YEAR, region_code="610926000000", user=users["stranger"]) == []

    summary = summarize(county)
    assert (summary["households"], summary["passed"], summary["failed"]) == (4, 1, 3)
    by_code = {row["code"]: row for row in summary["indicators"]}
    assert by_code["income"]["failed"] == 3 and by_code["water"]["failed"] == 0
    assert by_code["income"]["label"] == "收入稳定超过扶贫标准" and by_code["income"]["passed"] == 1


def test_policy_rows_show_a_provincial_override_beside_the_national_row(users, households):
    policy_set(actor=None, key="poverty_line", region_code="610926100000", year_from=YEAR, value=4100)
    county = assess_households(year=YEAR, region_code="610926000000")
    lines = [(r["region_code"], r["value"]) for r in policy_rows(county) if r["key"] == "poverty_line"]
    assert lines == [("000000000000", 4000), ("610926100000", 4100)]
    by_no = {a.household_no: a.indicator("income").values["poverty_line"] for a in county}
    assert by_no == {"610926100001001": 4100, "610926100002001": 4100, "610926101001001": 4000}


def _make_many(n: int, start: int) -> None:
    for i in range(n):
        h = exit_ready(f"610926100002{start + i:03d}", "610926100002" if i % 2 else VILLAGE, members=3)
        add_child(h, date(YEAR - 8, 1, 1), name=f"孩{i}")


def test_query_count_is_the_same_for_3_and_30_households(users, regions, django_assert_max_num_queries):
    user = users["county"]
    _make_many(3, 100)
    with CaptureQueriesContext(connection) as small:
        assert len(assess_households(year=YEAR, region_code="610926000000", user=user)) == 3
    _make_many(27, 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        result = assess_households(year=YEAR, region_code="610926000000", user=user)
    assert len(result) == 30 and all(a.passed for a in result)
    assert len(small.captured_queries) <= 4  # households+years, members+years, policy (+ the user's region)
    with django_assert_max_num_queries(3):
        assess_household(household_id=result[0].household_id, year=YEAR)

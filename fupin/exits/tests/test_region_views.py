"""The exit evaluation in the CLI (assess_region), the web pages and the API: shapes, scope, errors."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from fupin.api.tests.conftest import assert_error

from .region_fixtures import (
    COUNTY,
    WEST_VILLAGE,
    WEST_VILLAGE_2,
    WEST_VILLAGE_B,
    YEAR,
    county_samples,
    indicators,
    poor_persons,
    population,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(regions):
    """龙头村 2 of 100 (passes at 3 %), 三里垭村 3 of 100 (fails), 兴隆村 without data; county samples."""
    poor_persons(WEST_VILLAGE, 2)
    poor_persons(WEST_VILLAGE_2, 3)
    population(WEST_VILLAGE, 100)
    population(WEST_VILLAGE_2, 100)
    indicators(WEST_VILLAGE)
    indicators(WEST_VILLAGE_2, bus_service=False)
    population(COUNTY, 10000)
    county_samples(wrong=1, missed=0, unhappy=3)


def run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("assess_region", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


# --- CLI ---------------------------------------------------------------------------------------------

def test_cli_json_shape(data):
    code, out = run("--level", "village", "--year", str(YEAR), "--region", "610926", "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"ok", "region", "level", "level_label", "year", "summary", "poor_definition", "results"}
    assert doc["ok"] is True and doc["level"] == "village" and doc["level_label"] == "贫困村出列"
    assert doc["region"] == {"code": COUNTY, "name": "平利县", "level": "county"}
    assert doc["summary"] == {"total": 3, "passed": 1, "failed": 1, "missing": 1}
    first = doc["results"][0]
    assert set(first) == {"region", "year", "passed", "status", "status_label", "tags", "criteria", "evidence",
                          "policies"}
    assert first["region"]["code"] == WEST_VILLAGE and first["passed"] is True
    incidence = first["criteria"][0]
    assert set(incidence) == {"code", "label", "status", "status_label", "passed", "actual", "actual_display", "op",
                              "op_symbol", "threshold", "threshold_display", "reason", "policy"}
    assert incidence["actual"] == {"numerator": 2, "denominator": 100, "value": "0.02000000", "percent": "2.00%"}
    assert incidence["policy"]["region_code"] == "610000000000" and incidence["threshold"] == 0.03
    second = doc["results"][1]
    assert {c["code"]: c["status"] for c in second["criteria"]}["incidence"] == "fail"
    assert all(set(e) == {"code", "label", "value", "display", "source"} for e in first["evidence"])


def test_cli_text_table_and_county_level(data):
    code, out = run("--level", "village", "--year", str(YEAR), "--region", "610926100")
    assert code == 0
    assert "城关镇（610926100000）2020 年贫困村出列评估" in out
    assert "共 2 个村：符合退出条件 1，不符合 1，缺少数据 0" in out
    assert "    - 贫困发生率：贫困发生率 3.00% 不低于 3.00%，未达标" in out
    code, out = run("--level", "county", "--year", str(YEAR), "--region", "610926", "--json")
    [county] = json.loads(out)["results"]
    assert county["passed"] is True
    assert [c["code"] for c in county["criteria"]] == ["incidence", "comprehensive_incidence", "wrong_exit_rate",
                                                       "missed_rate", "satisfaction"]


def test_cli_errors(data):
    code, out = run("--level", "village", "--year", "2020", "--region", "610926199", "--json")
    assert code == 1 and json.loads(out) == {"ok": False, "error": "区划“610926199000”不存在"}
    with pytest.raises(CommandError, match="乡镇级区划，不能做贫困县摘帽评估"):
        call_command("assess_region", "--level", "county", "--year", "2020", "--region", "610926100")
    with pytest.raises(CommandError, match="评估级别“town”无效"):
        call_command("assess_region", "--level", "town", "--year", "2020", "--region", "610926")
    with pytest.raises(CommandError, match="区划代码“abc”无效"):
        call_command("assess_region", "--level", "village", "--year", "2020", "--region", "abc")
    with pytest.raises(CommandError, match="年度 1999 无效"):
        call_command("assess_region", "--level", "village", "--year", "1999", "--region", "610926")


# --- Web ---------------------------------------------------------------------------------------------

def page(code, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("web:region_exit_evaluation", args=[code]) + (f"?{query}" if query else "")


def detail(code, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("web:region_exit_detail", args=[code]) + (f"?{query}" if query else "")


def test_village_list_page(login, users, data):
    html = login(users["county"]).get(page(COUNTY, level="village", year=YEAR)).content.decode()
    assert "平利县 2020 年贫困村出列评估" in html
    assert "共 3 个村：符合退出条件 1，不符合 1，缺少数据 1" in html
    for name in ("龙头村", "三里垭村", "兴隆村"):
        assert name in html
    assert "贫困发生率 3.00% 不低于 3.00%，未达标" in html  # the reason, as a tooltip
    assert f'href="{detail(WEST_VILLAGE, year=YEAR)}"' in html
    assert 'class="print-only print-title"' in html


def test_defaults_year_and_level(login, users, data):
    html = login(users["township_a"]).get(page("610926100000")).content.decode()
    assert "城关镇 2020 年贫困村出列评估" in html
    html = login(users["county"]).get(page(COUNTY)).content.decode()
    assert "平利县 2020 年贫困县摘帽评估" in html and "错退率" in html


def test_detail_page_shows_evidence_and_policy_sources(login, users, data):
    html = login(users["township_a"]).get(detail(WEST_VILLAGE_2, year=YEAR)).content.decode()
    assert "三里垭村 2020 年贫困村出列评估" in html
    assert "不符合退出条件" in html
    assert "证据表" in html and "乡村人口（人）" in html and "来源 test.csv，导入于 " in html
    assert "region_exit.max_incidence" in html and "[v] 西部地区贫困发生率低于3%" in html
    assert "陕西省（610000000000）" in html
    assert "通客运班车" in html
    county = login(users["county"]).get(detail(COUNTY, year=YEAR)).content.decode()
    assert "平利县 2020 年贫困县摘帽评估" in county and "群众认可度" in county and "其中错退人数" in county


def test_township_cannot_see_another_townships_villages(login, users, data):
    client = login(users["township_a"])
    assert client.get(page("610926101000", level="village", year=YEAR)).status_code == 404
    assert client.get(detail(WEST_VILLAGE_B, year=YEAR)).status_code == 404
    assert client.get(page(COUNTY, level="village", year=YEAR)).status_code == 404
    html = client.get(page("610926100000", level="village", year=YEAR)).content.decode()
    assert "龙头村" in html and "兴隆村" not in html
    assert login(users["stranger"]).get(page(COUNTY)).status_code == 404


def test_cadre_is_refused_and_wrong_level_explained(login, users, data):
    assert login(users["cadre"]).get(page("610926100000")).status_code == 403
    html = login(users["township_a"]).get(page("610926100000", level="county", year=YEAR)).content.decode()
    assert "不能做贫困县摘帽评估" in html
    html = login(users["township_a"]).get(detail("610926100000", year=YEAR)).content.decode()
    assert "只有村（出列）和县（摘帽）有退出评估" in html


def test_anonymous_is_sent_to_login(client, data):
    response = client.get(page(COUNTY))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- API ---------------------------------------------------------------------------------------------

def test_api_county_evaluation(api, data):
    r = api("county").get("/api/v1/regions/610926/exit-evaluation", {"level": "county", "year": YEAR})
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc["level"] == "county" and doc["summary"]["passed"] == 1
    [county] = doc["results"]
    wrong = next(c for c in county["criteria"] if c["code"] == "wrong_exit_rate")
    assert wrong["actual"]["percent"] == "1.00%" and wrong["policy"]["key"] == "county_exit.max_wrong_exit_rate"
    village = api("county").get(f"/api/v1/regions/{COUNTY}/exit-evaluation", {"level": "village"}).json()
    assert village["year"] == YEAR and len(village["results"]) == 3


def test_api_scope_and_errors(api, data):
    assert_error(api("township_a").get("/api/v1/regions/610926101000/exit-evaluation"), 404, "not_found")
    assert_error(api("township_a").get(f"/api/v1/regions/{WEST_VILLAGE_B}/exit-evaluation"), 404)
    assert_error(api("stranger").get("/api/v1/regions/610926/exit-evaluation"), 404)
    own = api("township_a").get("/api/v1/regions/610926100000/exit-evaluation", {"year": YEAR}).json()
    assert [r["region"]["code"] for r in own["results"]] == [WEST_VILLAGE, WEST_VILLAGE_2]
    error = assert_error(api("township_a").get("/api/v1/regions/610926100000/exit-evaluation", {"level": "county"}),
                         400, "invalid")
    assert "不能做贫困县摘帽评估" in error["fields"]["level"][0]
    assert_error(api("county").get("/api/v1/regions/610926/exit-evaluation", {"level": "town"}), 400)
    assert_error(api("county").get("/api/v1/regions/610926/exit-evaluation", {"year": "1900"}), 400)
    assert_error(api("cadre").get("/api/v1/regions/610926100000/exit-evaluation"), 403)

"""Refresh, read, scope, and the same numbers through CLI, API and web."""

import json
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from fupin.exits.models import RegionPopulation
from fupin.registry.models import HouseholdStatusEvent
from fupin.stats.models import RegionYearFact, StatsRefresh
from fupin.stats.services import refresh_stats

YEAR = 2020
COUNTY, TOWN_A, VILLAGE_A1 = "610926000000", "610926100000", "610926100001"


def event(h, on, to_status, kind):
    HouseholdStatusEvent.objects.create(household=h, year=on.year, to_status=to_status, kind=kind, effective_on=on,
                                        source="import", reason="测试")


@pytest.fixture
def data(households):
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    event(a1, date(2016, 5, 1), "not_exited", "new")
    event(a2, date(2016, 5, 1), "not_exited", "new")
    event(b1, date(2016, 5, 1), "not_exited", "new")
    event(a2, date(YEAR, 11, 30), "exited", "exited")
    event(b1, date(YEAR, 12, 31), "exited", "exited")  # the last day of the year still counts
    event(a1, date(YEAR + 1, 1, 1), "exited", "exited")  # the first day of the next year does not
    RegionPopulation.objects.create(region_code=COUNTY, year=YEAR, rural_population=200, imported_at="2020-01-01T00:00Z")
    return households


def value(code, metric, key=""):
    f = RegionYearFact.objects.filter(region_code=code, year=YEAR, metric=metric, key=key).first()
    return f.value if f else 0


def test_refresh_counts_and_rolls_up(data):
    run = refresh_stats(years=[YEAR])
    assert run.rows_written == RegionYearFact.objects.count() > 0
    assert (run.region_code, run.year_from, run.year_to) == ("000000000000", YEAR, YEAR)
    # a1 (2 persons) poor, a2 (2) and b1 (3) exited in the year.
    for code in ("000000000000", "610000000000", "610900000000", COUNTY):
        assert value(code, "households") == 3 and value(code, "persons") == 7
        assert value(code, "poor_persons") == 2
        assert value(code, "event_households", "exited") == 2 and value(code, "event_persons", "exited") == 5
        assert value(code, "rural_population") == 200  # county row: no village rows
    assert value(COUNTY, "population_source", "county") == 1
    assert value(TOWN_A, "households") == 2 and value(TOWN_A, "rural_population") == 0
    assert value(VILLAGE_A1, "poor_households") == 1
    assert RegionYearFact.objects.get(region_code=TOWN_A, year=YEAR, metric="households").level == "township"


def test_region_refresh_updates_the_regions_above(data, users):
    refresh_stats(years=[YEAR])
    event(data["a1"], date(YEAR, 6, 1), "returned", "returned")
    refresh_stats(region_code=VILLAGE_A1, years=[YEAR])  # widened to the county; the rest by its change
    assert StatsRefresh.objects.latest("id").region_code == COUNTY
    for code in ("000000000000", "610000000000", COUNTY, TOWN_A, VILLAGE_A1):
        assert value(code, "event_households", "returned") == 1
        assert value(code, "status_households", "returned") == 1
    assert value("000000000000", "households") == 3


def test_stats_needs_a_refresh(data, users, api):
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("stats", "--region", "610926", "--year", str(YEAR), "--json", stdout=out)
    assert exc.value.code == 1 and "尚未生成" in json.loads(out.getvalue())["error"]
    r = api("county").get("/api/v1/stats", {"region": "610926", "year": YEAR})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_refreshed"
    out = StringIO()
    call_command("stats", "--region", "610926", "--year", str(YEAR), "--json", "--refresh", stdout=out)
    assert json.loads(out.getvalue())["households"] == 3


def test_cli_json_equals_api_json(data, api):
    refresh_stats(years=[YEAR])
    out = StringIO()
    call_command("stats", "--region", "610926", "--year", str(YEAR), "--json", stdout=out)
    cli = json.loads(out.getvalue())
    r = api("county").get("/api/v1/stats", {"region": "610926", "year": YEAR})
    assert r.status_code == 200
    assert r.json() == cli
    assert cli["households"] == 3 and cli["persons"] == 7
    assert cli["exited_households"] == 2 and cli["exited_persons"] == 5 and cli["returned_households"] == 0
    assert cli["incidence"] == {"numerator": 2, "denominator": 200, "ratio": 0.01}
    assert {r["key"]: r["households"] for r in cli["by_status"]}["exited"] == 2
    assert {r["key"]: r["persons"] for r in cli["by_cause"]}["illness"] == 7
    assert [(c["code"], c["households"], c["poor_persons"]) for c in cli["children"]] == [
        (TOWN_A, 2, 2), ("610926101000", 1, 0)]


def test_scope(data, api, users, login, client):
    refresh_stats(years=[YEAR])
    assert api("county").get("/api/v1/stats", {"region": "620000", "year": YEAR}).status_code == 404
    assert api("township_b").get("/api/v1/stats", {"region": TOWN_A, "year": YEAR}).status_code == 404
    assert api("cadre").get("/api/v1/stats", {"region": TOWN_A, "year": YEAR}).status_code == 403
    r = api("county").get("/api/v1/stats", {"region": "6109x", "year": YEAR})
    assert r.status_code == 400 and "region" in r.json()["error"]["fields"]
    login(users["county"])
    assert client.get(reverse("web:region_stats", args=["620000000000"])).status_code == 404
    assert client.get(reverse("web:region_stats", args=[TOWN_A]), {"year": YEAR}).status_code == 200


def test_page_and_export(data, users, login, client, django_assert_max_num_queries):
    refresh_stats(years=[YEAR])
    login(users["county"])
    with django_assert_max_num_queries(18):
        r = client.get(reverse("web:region_stats", args=[COUNTY]), {"year": YEAR})
    body = r.content.decode()
    assert "数据更新于" in body and "1.00%" in body
    assert reverse("web:region_stats", args=[TOWN_A]) in body
    r = client.get(reverse("web:region_stats_xlsx", args=[COUNTY]), {"year": YEAR})
    ws = load_workbook(BytesIO(r.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [row[:4] for row in rows] == [(TOWN_A, "城关镇", 2, 4), ("610926101000", "兴隆镇", 1, 3),
                                         (COUNTY, "平利县（合计）", 3, 7)]
    login(users["clerk_a"])
    assert client.get(reverse("web:region_stats_xlsx", args=[VILLAGE_A1]), {"year": YEAR}).status_code == 403
    r = client.get(reverse("web:region_stats", args=[VILLAGE_A1]), {"year": YEAR + 3})
    assert "尚未生成" in r.content.decode()

"""The rollup benchmark's reference (DuckDB over the exported Parquet) computes exactly what the app
serves, on a small generated county — including the awkward cases (events on the same day, a
household size of 0 in the yearly data, removed households, members who left)."""

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from django.utils import timezone

from fupin.benchmark.context import JobContext
from fupin.benchmark.export import export_registry
from fupin.benchmark.jobs.rollup import app_figures, duckdb_figures, duckdb_sql, province_rollup
from fupin.demo.generator import generate_county
from fupin.ledger.choices import Source
from fupin.ledger.models import LedgerItem
from fupin.regions.codes import NATION_CODE, Level, subtree_range
from fupin.regions.models import Region
from fupin.regions.services import import_regions
from fupin.registry.choices import HouseholdStatus, StatusChangeSource, StatusEventKind
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member
from fupin.stats import services as stats_services
from fupin.stats.models import RegionYearFact, StatsRefresh
from fupin.stats.services import refresh_stats

CSV = Path(__file__).resolve().parents[2] / "demo" / "data" / "610926_regions.csv"
PROVINCE, CITY, COUNTY = "610000000000", "610900000000", "610926000000"
YEAR = 2020


@pytest.fixture
def registry(db):
    """平利县 with a generated registry of 300 households, plus edge cases."""
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in [
        (NATION_CODE, "全国", Level.NATION, None), (PROVINCE, "陕西省", Level.PROVINCE, NATION_CODE),
        (CITY, "安康市", Level.CITY, PROVINCE), ("610100000000", "西安市", Level.CITY, PROVINCE),
        (COUNTY, "平利县", Level.COUNTY, CITY)]])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=300, seed=11)
    households = list(Household.objects.order_by("pk")[:6])
    # The same day twice: the one recorded later wins (status at year end).
    later = timezone.now() + timedelta(days=1)
    for h, (status, kind) in zip(households[:2], [(HouseholdStatus.REMOVED, StatusEventKind.REMOVED),
                                                  (HouseholdStatus.RETURNED, StatusEventKind.RETURNED)], strict=True):
        last = h.status_events.order_by("-effective_on", "-at", "-id").first()
        event = HouseholdStatusEvent.objects.create(
            household=h, year=YEAR, from_status=last.to_status, to_status=status, kind=kind,
            effective_on=date(YEAR, 6, 1), source=StatusChangeSource.CORRECTION, reason="测试")
        HouseholdStatusEvent.objects.filter(pk=event.pk).update(at=later)
        HouseholdStatusEvent.objects.create(
            household=h, year=YEAR, from_status=status, to_status=last.to_status, kind=StatusEventKind.CORRECTION,
            effective_on=date(YEAR, 6, 1), source=StatusChangeSource.CORRECTION, reason="测试")
    # A yearly household size of 0: an event's persons fall back to the members present that day
    # (one who leaves that very day still counts, one who left the day before does not).
    moved = list(HouseholdStatusEvent.objects.filter(effective_on__year=YEAR, household__members__isnull=False)
                 .exclude(household__in=households[:2]).order_by("household_id")
                 .values_list("household_id", "effective_on").distinct()[:4])
    HouseholdYear.objects.filter(household__in=[h for h, _ in moved], year=YEAR).update(household_size=0)
    for household, day in moved[:2]:
        first, *rest = Member.objects.filter(household=household).order_by("pk")
        Member.objects.filter(pk=first.pk).update(left_on=day)
        Member.objects.filter(pk__in=[m.pk for m in rest]).update(left_on=day - timedelta(days=1))
    return households


def test_edge_cases_are_present(registry):
    assert HouseholdStatusEvent.objects.filter(effective_on=date(YEAR, 6, 1), kind=StatusEventKind.CORRECTION).count() == 2
    assert HouseholdYear.objects.filter(year=YEAR, household_size=0).count() >= 4
    assert HouseholdStatusEvent.objects.filter(effective_on__year=YEAR, household__years__year=YEAR,
                                               household__years__household_size=0).count() >= 4
    assert Member.objects.filter(left_on__isnull=False).exists()


@pytest.mark.parametrize("code", [PROVINCE, COUNTY])
def test_duckdb_over_parquet_equals_the_served_rollup(registry, tmp_path, code):
    refresh_stats(region_code=PROVINCE, years=[YEAR])
    ours = app_figures(code, YEAR)
    export = export_registry(region_code=PROVINCE, workdir=tmp_path, tables=(
        "households", "members", "events", "household_years", "regions"))
    assert export["rows"]["households"] == 300
    assert export["rows"]["members"] == Member.objects.count()
    with duckdb.connect() as db:
        ref = duckdb_figures(db, duckdb_sql(export["paths"]), code, YEAR)
    assert ref == ours
    region = ours["region"]
    assert 0 < region["households"] < 300  # the removed one is out
    assert region["by_status"][HouseholdStatus.REMOVED][0] >= 1
    assert sum(v[0] for v in region["by_status"].values()) == 300
    assert sum(v[0] for v in region["by_cause"].values()) == region["households"]
    assert region["changes"][StatusEventKind.CORRECTION] == [2, region["changes"][StatusEventKind.CORRECTION][1]]
    if code == PROVINCE:
        assert set(ours["children"]) == {CITY, "610100000000"}
        assert ours["children"]["610100000000"]["households"] == 0
        assert ours["children"][CITY]["households"] == region["households"]
    else:
        assert len(ours["children"]) == 11


def test_export_keeps_null_apart_from_empty(registry, tmp_path):
    Household.objects.filter(pk=registry[0].pk).update(attribute="")
    export = export_registry(region_code=PROVINCE, workdir=tmp_path, tables=("households", "members", "events"))
    with duckdb.connect() as db:
        members = f"read_parquet('{export['paths']['members']}')"
        assert db.execute(f"SELECT count(*) FROM {members} WHERE left_on IS NULL").fetchone()[0] == \
            Member.objects.filter(left_on__isnull=True).count()
        households = f"read_parquet('{export['paths']['households']}')"
        assert db.execute(f"SELECT count(*) FROM {households} WHERE attribute = ''").fetchone()[0] == 1
        assert db.execute(f"SELECT count(*) FROM {households} WHERE attribute IS NULL").fetchone()[0] == 0
        events = f"read_parquet('{export['paths']['events']}')"
        assert db.execute(f"SELECT count(*), count(recorded_at) FROM {events}").fetchone() == \
            (HouseholdStatusEvent.objects.count(),) * 2


def test_job_checks_and_leaves_the_dataset_unchanged(registry, tmp_path):
    ctx = JobContext(vendor="", persons=0, scale=1, region_code=PROVINCE, county_code=COUNTY, year=YEAR, seed=1,
                     workdir=tmp_path)
    result = province_rollup(ctx=ctx)
    assert result["checked"] is True, result["detail"]["differences"]
    assert result["detail"]["households"] > 0 and result["detail"]["refresh"]["rows_written"] > 0
    assert result["rows"] == Member.objects.count()
    assert RegionYearFact.objects.count() == 0 and StatsRefresh.objects.count() == 0


def _two_more_counties():
    """A county beside 平利县 in 安康市 and one in 西安市, a few households each, and ledger items
    recorded at the city and province codes (between the counties)."""
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in [
        ("610902000000", "汉滨区", Level.COUNTY, CITY), ("610902100000", "老城街道", Level.TOWNSHIP, "610902000000"),
        ("610902100001", "甲村", Level.VILLAGE, "610902100000"),
        ("610102000000", "新城区", Level.COUNTY, "610100000000"),
        ("610102100000", "西一路街道", Level.TOWNSHIP, "610102000000"),
        ("610102100001", "乙村", Level.VILLAGE, "610102100000")]])
    for n, village in enumerate(["610902100001"] * 3 + ["610102100001"] * 2):
        h = Household.objects.create(household_no=f"T{n:03d}", village_id=village, head_name=f"户{n}",
                                     main_cause="illness", registered_year=2014, status=HouseholdStatus.NOT_EXITED)
        Member.objects.create(household=h, name=f"成员{n}", id_number=f"T{n}", gender="M", birth_date=date(1970, 1, 1),
                              relation="head")
        HouseholdStatusEvent.objects.create(household=h, year=YEAR, to_status=HouseholdStatus.NOT_EXITED,
                                            kind=StatusEventKind.NEW, effective_on=date(YEAR, 3, 1),
                                            source=StatusChangeSource.IMPORT, reason="测试")
    for code in (CITY, PROVINCE, "610902100001"):
        LedgerItem.objects.create(source=Source.INSPECTION, region_code=code, title="问题", found_on=date(YEAR, 5, 1),
                                  deadline=date(YEAR, 8, 1))


def _all_facts() -> set:
    return set(RegionYearFact.objects.values_list("region_code", "level", "year", "metric", "key", "value"))


@pytest.mark.parametrize("root", [PROVINCE, None])
def test_refresh_in_county_batches_writes_the_same_facts(registry, monkeypatch, root):
    _two_more_counties()
    refresh_stats(region_code=root, years=[YEAR])
    whole = _all_facts()
    monkeypatch.setattr(stats_services, "BATCH_HOUSEHOLDS", 1)
    batches = stats_services._batches(PROVINCE, subtree_range(PROVINCE))
    assert [(b.low, b.high) for b in batches] == [
        (PROVINCE, "610102999999"), ("610103000000", "610902999999"), ("610903000000", "610926999999"),
        ("610927000000", "619999999999")]
    refresh_stats(region_code=root, years=[YEAR])
    assert _all_facts() == whole
    facts = {(c, m): v for c, _, _, m, k, v in whole if k == ""}
    assert facts[(PROVINCE, "ledger_found")] == 3 and facts[(CITY, "ledger_found")] == 2
    assert facts[(PROVINCE, "households")] == facts[(CITY, "households")] + 2

"""The exit-evaluation demo data: generated for every village of a generated demo county, evaluable."""

import pytest

from fupin.demo.generator import DemoError, generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.exits.demo import generate_region_data
from fupin.exits.models import RegionPopulation, SampleKind, VerificationSample, VillageIndicators
from fupin.exits.region import Status, evaluate
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.regions.services import import_regions

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(db):
    """平利县 with its province and city, and the demo CSV's 11 towns and 137 villages."""
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    return Region.objects.get(code="610926000000")


@pytest.fixture
def demo_county(county):
    stats = generate_county(county_code="610926", households=2000, seed=7, years="2019-2020")
    return county, stats


def test_demo_region_data_is_evaluable(demo_county):
    county, stats = demo_county
    villages = Region.objects.filter(level=Level.VILLAGE, code__startswith="610926").count()
    result = generate_region_data(county_code="610926", year=2020, seed=7)
    assert RegionPopulation.objects.filter(year=2020).count() == villages == result["villages"] == 137
    assert VillageIndicators.objects.filter(year=2020).count() == villages
    # The poor villages as generate_demo recorded them.
    flagged = set(VillageIndicators.objects.filter(poor_village=True).values_list("region_code", flat=True))
    assert flagged == set(stats["poor_village_codes"])
    # Rural population about the county's agricultural population, scaled to the demo's size.
    assert 0.8 * 203_700 * stats["persons"] / 57_568 < result["rural_population"] < 1.2 * 203_700 * stats["persons"] / 57_568

    evaluation = evaluate(county, level="village", year=2020)
    assert len(evaluation.results) == villages
    incidences = [r.criterion("incidence") for r in evaluation.results]
    assert all(c.status != Status.MISSING for c in incidences)
    below = sum(1 for c in incidences if c.status == Status.PASS)
    assert below > 0.9 * villages and below < villages  # most villages below 3 %, some not
    assert villages - below == result["villages_at_or_above_3_percent"]
    missing = [r for r in evaluation.results if any(c.status == Status.MISSING for c in r.criteria)]
    assert 1 <= len(missing) <= 3  # a few villages did not report an indicator
    assert evaluation.summary["passed"] > 0.75 * villages

    [county_result] = evaluate(county, level="county", year=2020).results
    assert all(c.status != Status.MISSING for c in county_result.criteria)
    assert county_result.passed  # the demo county exits in 2020
    kinds = dict.fromkeys(SampleKind.values, 0)
    for kind in VerificationSample.objects.filter(year=2020).values_list("kind", flat=True):
        kinds[kind] += 1
    assert kinds == result["samples"] and kinds[SampleKind.EXITED_CHECK] == 400


def test_demo_region_data_for_an_earlier_year_and_rerun(demo_county):
    county, _ = demo_county
    first = generate_region_data(county_code="610926", year=2019, seed=7)
    assert first["villages_at_or_above_3_percent"] > first["villages"] // 4  # 2019: many villages still poor
    again = generate_region_data(county_code="610926", year=2019, seed=7)
    assert again == first
    assert RegionPopulation.objects.filter(year=2019).count() == 137
    [county_2019] = evaluate(county, level="county", year=2019).results
    assert county_2019.criterion("incidence").status == Status.FAIL
    generate_region_data(county_code="610926", year=2019, seed=7, poor_village_codes=["610926100001"])
    assert list(VillageIndicators.objects.filter(year=2019, poor_village=True)
                .values_list("region_code", flat=True)) == ["610926100001"]


def test_demo_region_data_refuses_a_county_without_villages(county):
    with pytest.raises(DemoError, match="不存在"):
        generate_region_data(county_code="610999", year=2020, seed=1)


def test_statistics_count_a_generated_county_even_after_empty_tables_were_analyzed(county):
    """Autovacuum may analyze the registry tables while they are empty (a fresh database, or tests
    emptying them); without new statistics the joins after a generation are planned as over one
    row each — nested loops over every row: the region exit's count of poor persons for a 2,000-household
    demo county ran for over 14 minutes in a full PostgreSQL test run. The generator analyzes what it
    wrote, inside its transaction."""
    from django.db import connection

    from fupin.core.db import analyze
    from fupin.registry.models import Household, HouseholdYear, Member, MemberYear

    analyze(Household, HouseholdYear, Member, MemberYear)  # as autovacuum may have, with no rows
    stats = generate_county(county_code="610926", households=150, seed=7, years="2019-2020")
    written = MemberYear.objects.count()
    assert written == stats["member_years"] > 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [MemberYear._meta.db_table])
            counted = cur.fetchone()[0]
        else:
            # Every sqlite_stat1 row of a table starts with the table's row count.
            cur.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [MemberYear._meta.db_table])
            counted = int(cur.fetchone()[0].split()[0])
    assert counted == written
    # And the region exit's count of poor persons answers.
    result = evaluate(county, level="village", year=2020)
    assert result.results

"""Every rollup equals a brute-force recomputation from the raw rows, at every level, on random
small registries over the conftest region tree (hypothesis)."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.conftest import REGIONS
from fupin.exits.models import RegionPopulation
from fupin.regions.codes import subtree_range
from fupin.registry.choices import (
    POOR_STATUSES,
    HouseholdAttribute,
    HouseholdStatus,
    PovertyCause,
    StatusEventKind,
)
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member
from fupin.stats.models import RegionYearFact
from fupin.stats.services import refresh_stats

VILLAGES = [c for c, _, level, _ in REGIONS if level == "village"]
COUNTY = "610926000000"
YEARS = [2019, 2020, 2021]
OUT = {HouseholdStatus.REMOVED, HouseholdStatus.CANCELLED}
START = date(2019, 1, 1)

days = st.integers(min_value=0, max_value=3 * 365 + 30)  # a little into 2022 too
member = st.tuples(st.integers(min_value=1950, max_value=2021), st.one_of(st.none(), days))
event = st.tuples(days, st.sampled_from(list(HouseholdStatus)), st.sampled_from(list(StatusEventKind)))
household = st.fixed_dictionaries({
    "village": st.sampled_from(VILLAGES),
    "cause": st.sampled_from([PovertyCause.ILLNESS, PovertyCause.DISABILITY, PovertyCause.LACK_FUNDS]),
    "attribute": st.sampled_from(list(HouseholdAttribute)),
    "members": st.lists(member, max_size=4),
    "events": st.lists(event, max_size=4),
    "size_2020": st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
})
population = st.one_of(st.none(), st.just("county"), st.just("village"))
registry = st.tuples(st.lists(household, max_size=7), population, st.integers(min_value=1, max_value=500))


def build(households, pop_mode, pop):
    for n, h in enumerate(households):
        hh = Household.objects.create(household_no=f"H{n:03d}", village_id=h["village"], head_name=f"户{n}",
                                      main_cause=h["cause"], attribute=h["attribute"], registered_year=2014)
        for i, (birth_year, left) in enumerate(h["members"]):
            left_on = START + timedelta(days=left) if left is not None else None
            Member.objects.create(household=hh, name=f"成员{i}", id_number=f"X{n}{i}", gender="M",
                                  birth_date=date(birth_year, 6, 30), relation="head" if i == 0 else "son",
                                  left_on=left_on, left_reason="deceased" if left_on else "")
        for offset, status, kind in h["events"]:
            on = START + timedelta(days=offset)
            HouseholdStatusEvent.objects.create(household=hh, year=on.year, to_status=status, kind=kind, effective_on=on,
                                                source="import", reason="测试")
        if h["size_2020"] is not None:
            HouseholdYear.objects.create(household=hh, year=2020, status="not_exited", household_size=h["size_2020"])
    for year in YEARS:
        if pop_mode == "county":
            RegionPopulation.objects.create(region_code=COUNTY, year=year, rural_population=pop * 10,
                                            imported_at="2020-01-01T00:00Z")
        elif pop_mode == "village":
            for i, v in enumerate(VILLAGES):
                RegionPopulation.objects.create(region_code=v, year=year, rural_population=pop + i,
                                                imported_at="2020-01-01T00:00Z")


def brute_force(code: str, year: int) -> dict:
    """The facts of one region and year straight from the raw rows, in Python."""
    rng = subtree_range(code)
    end = date(year, 12, 31)
    facts: dict = defaultdict(int)
    sizes = {(y.household_id, y.year): y.household_size for y in HouseholdYear.objects.all()}
    for hh in Household.objects.all():
        if hh.village_id not in rng:
            continue
        members = list(hh.members.all())
        events = sorted(hh.status_events.all(), key=lambda e: (e.effective_on, e.at, e.id))

        def present(on, strict=True, members=members):
            return sum(1 for m in members if m.birth_date <= on and
                       (m.left_on is None or (m.left_on > on if strict else m.left_on >= on)))

        upto = [e for e in events if e.effective_on <= end]
        if upto:
            status, persons = upto[-1].to_status, present(end)
            facts[("status_households", status)] += 1
            facts[("status_persons", status)] += persons
            if status not in OUT:
                for metric, value in (("households", 1), ("persons", persons)):
                    facts[(metric, "")] += value
                facts[("cause_households", hh.main_cause)] += 1
                facts[("cause_persons", hh.main_cause)] += persons
                facts[("attribute_households", hh.attribute)] += 1
                facts[("attribute_persons", hh.attribute)] += persons
                if status in POOR_STATUSES:
                    facts[("poor_households", "")] += 1
                    facts[("poor_persons", "")] += persons
        kinds = set()
        for e in events:
            if e.effective_on.year == year:
                kinds.add(e.kind)
                facts[("event_persons", e.kind)] += sizes.get((hh.pk, e.year)) or present(e.effective_on, strict=False)
        for kind in kinds:
            facts[("event_households", kind)] += 1
    for p in RegionPopulation.objects.filter(year=year):
        if p.region_code not in rng:
            continue
        village_rows = RegionPopulation.objects.filter(year=year, region_code__in=VILLAGES).exists()
        if (p.region_code in VILLAGES) or (p.region_code == COUNTY and not village_rows and code in (
                COUNTY, "610900000000", "610000000000", "000000000000")):
            facts[("rural_population", "")] += p.rural_population
    return {k: v for k, v in facts.items() if v}


def stored(code: str, year: int, metrics) -> dict:
    return {(f.metric, f.key): f.value for f in RegionYearFact.objects.filter(region_code=code, year=year,
                                                                              metric__in=metrics)}


METRICS = {"households", "persons", "status_households", "status_persons", "poor_households", "poor_persons",
           "cause_households", "cause_persons", "attribute_households", "attribute_persons", "event_households",
           "event_persons", "rural_population"}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=registry)
def test_rollup_equals_brute_force_at_every_level(regions, data):
    households, pop_mode, pop = data
    with transaction.atomic():
        build(households, pop_mode, pop)
        refresh_stats(years=YEARS)
        first = list(RegionYearFact.objects.order_by("region_code", "year", "metric", "key")
                     .values_list("region_code", "level", "year", "metric", "key", "value"))
        for code, *_ in REGIONS:
            for year in YEARS:
                assert stored(code, year, METRICS) == brute_force(code, year), (code, year)
        # Idempotent: a second full refresh, and a county refresh, leave every fact as it was.
        refresh_stats(years=YEARS)
        refresh_stats(region_code="610926100001", years=YEARS)
        again = list(RegionYearFact.objects.order_by("region_code", "year", "metric", "key")
                     .values_list("region_code", "level", "year", "metric", "key", "value"))
        assert again == first
        transaction.set_rollback(True)

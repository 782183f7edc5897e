"""Base facts of one year under one region: a fixed number of GROUP BY queries, whatever the
number of villages or households (no query per village). Rows are keyed by the code the data is
recorded at — a village for households, any code for projects and ledger items — and rolled up
the hierarchy by services.refresh_stats. Definitions: metrics.py."""

from collections import defaultdict
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, Sum

from fupin.accounts.scope import in_code_range
from fupin.exits.models import RegionPopulation
from fupin.funds.models import Disbursement, Project
from fupin.helpers.models import HelperAssignment
from fupin.ledger.models import LedgerItem
from fupin.monitoring.models import MonitoringCase
from fupin.plans.choices import ACTIVE_MEASURE_STATUSES, MeasureStatus
from fupin.plans.models import PlanMeasure
from fupin.regions.codes import CodeRange, Level, level_of, prefix_of, subtree_range
from fupin.registry.choices import POOR_STATUSES
from fupin.registry.models import Household, HouseholdStatusEvent
from fupin.registry.selectors_status import OUT_OF_REGISTRY, _event_persons, persons_on_expr, status_on_expr
from fupin.visits.models import Visit

COMPLETED_PROJECT_STATUSES = ("accepted", "disclosed", "closed")

Facts = dict[tuple[str, str, str], int]


def _add(facts: Facts, code: str, metric: str, key: str, value) -> None:
    if value:
        facts[(code, metric, key)] += int(value)


def base_facts(root_code: str, year: int, *, codes: CodeRange | None = None) -> Facts:
    """Every metric of `year` for the data recorded under `root_code` (or only in `codes`, a part of
    it made of whole counties), keyed by (code, metric, key)."""
    codes = codes or subtree_range(root_code)
    year_end = date(year, 12, 31)
    facts: Facts = defaultdict(int)
    _households(facts, codes, year, year_end)
    _events(facts, codes, year)
    _monitoring(facts, codes, year_end)
    _population(facts, codes, year)
    _plans(facts, codes, year)
    _funds(facts, codes, year, year_end)
    return facts


def _households(facts: Facts, codes, year: int, on: date) -> None:
    helped = HelperAssignment.objects.filter(Q(end__isnull=True) | Q(end__gt=on), household_id=OuterRef("pk"),
                                             start__lte=on)
    visited = Visit.objects.filter(household_id=OuterRef("pk"), visited_on__year=year)
    rows = (Household.objects.filter(in_code_range("village_id", codes))
            .annotate(st=status_on_expr(on)).filter(st__isnull=False)
            .annotate(persons_on=persons_on_expr(on), helped=Exists(helped), visited=Exists(visited))
            .order_by().values("village_id", "st", "main_cause", "attribute", "helped", "visited")
            .annotate(n=Count("id"), p=Sum("persons_on")))
    for r in rows:
        code, n, p = r["village_id"], r["n"], r["p"] or 0
        _add(facts, code, "status_households", r["st"], n)
        _add(facts, code, "status_persons", r["st"], p)
        if r["st"] in OUT_OF_REGISTRY:
            continue
        _add(facts, code, "households", "", n)
        _add(facts, code, "persons", "", p)
        _add(facts, code, "cause_households", r["main_cause"], n)
        _add(facts, code, "cause_persons", r["main_cause"], p)
        _add(facts, code, "attribute_households", r["attribute"], n)
        _add(facts, code, "attribute_persons", r["attribute"], p)
        if r["st"] in POOR_STATUSES:
            _add(facts, code, "poor_households", "", n)
            _add(facts, code, "poor_persons", "", p)
        if r["helped"]:
            _add(facts, code, "helped_households", "", n)
        if r["visited"]:
            _add(facts, code, "visited_households", "", n)


def _events(facts: Facts, codes, year: int) -> None:
    rows = (HouseholdStatusEvent.objects.filter(in_code_range("household__village_id", codes))
            .filter(effective_on__gte=date(year, 1, 1), effective_on__lte=date(year, 12, 31))
            .annotate(event_persons=_event_persons())
            .order_by().values("household__village_id", "kind")
            .annotate(households=Count("household_id", distinct=True), persons=Sum("event_persons")))
    for r in rows:
        _add(facts, r["household__village_id"], "event_households", r["kind"], r["households"])
        _add(facts, r["household__village_id"], "event_persons", r["kind"], r["persons"])


def _monitoring(facts: Facts, codes, on: date) -> None:
    rows = (MonitoringCase.objects.filter(in_code_range("village_code", codes), identified_on__lte=on)
            .filter(Q(eliminated_on__isnull=True) | Q(eliminated_on__gt=on))
            .order_by().values("village_code").annotate(n=Count("household_id", distinct=True)))
    for r in rows:
        _add(facts, r["village_code"], "monitored_households", "", r["n"])


def _population(facts: Facts, codes, year: int) -> None:
    """Village rows where a county has any, else the county's own row (one query)."""
    rows = list(RegionPopulation.objects.filter(in_code_range("region_code", codes), year=year)
                .values_list("region_code", "rural_population"))
    village_rows, county_rows = defaultdict(list), {}
    for code, population in rows:
        level = level_of(code)
        county = prefix_of(code, Level.COUNTY).ljust(12, "0")
        if level == Level.VILLAGE:
            village_rows[county].append((code, population))
        elif level == Level.COUNTY:
            county_rows[county] = population
    for county, villages in village_rows.items():
        _add(facts, county, "population_source", "village", 1)
        for code, population in villages:
            _add(facts, code, "rural_population", "", population)
    for county, population in county_rows.items():
        if county not in village_rows:
            _add(facts, county, "population_source", "county", 1)
            _add(facts, county, "rural_population", "", population)


def _plans(facts: Facts, codes, year: int) -> None:
    rows = (PlanMeasure.objects.filter(in_code_range("plan__village_id", codes), plan__year=year,
                                       status__in=ACTIVE_MEASURE_STATUSES)
            .order_by().values("plan__village_id", "measure_type")
            .annotate(n=Count("id"), done=Count("id", filter=Q(status=MeasureStatus.COMPLETED))))
    for r in rows:
        _add(facts, r["plan__village_id"], "measures", r["measure_type"], r["n"])
        _add(facts, r["plan__village_id"], "measures_completed", r["measure_type"], r["done"])


def _funds(facts: Facts, codes, year: int, on: date) -> None:
    for r in (Project.objects.filter(in_code_range("region_id", codes), year=year).order_by().values("region_id")
              .annotate(n=Count("id"), done=Count("id", filter=Q(status__in=COMPLETED_PROJECT_STATUSES)))):
        _add(facts, r["region_id"], "projects", "", r["n"])
        _add(facts, r["region_id"], "projects_completed", "", r["done"])
    for r in (Disbursement.objects.filter(in_code_range("location_code", codes), year=year).order_by()
              .values("location_code").annotate(total=Sum("amount"))):
        _add(facts, r["location_code"], "disbursed", "", round((r["total"] or 0) * 100))
    for r in (LedgerItem.objects.filter(in_code_range("region_code", codes), found_on__year=year).order_by()
              .values("region_code")
              .annotate(n=Count("id"), closed=Count("id", filter=Q(closed_on__isnull=False, closed_on__lte=on)))):
        _add(facts, r["region_code"], "ledger_found", "", r["n"])
        _add(facts, r["region_code"], "ledger_closed", "", r["closed"])

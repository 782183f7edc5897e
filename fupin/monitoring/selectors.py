"""Reads of 防止返贫监测, scoped by the case's village code (a cadre: their paired households)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from fupin.accounts.roles import Cap, role_has
from fupin.accounts.scope import in_code_range, scoped, scoped_get
from fupin.regions.codes import subtree_range

from .choices import OPEN_STATES, CaseState, ObjectType, RiskType
from .models import MonitoringCase, MonitoringMeasure, MonitoringStep

CASE_SCOPE = {"region_field": "village_code", "cadre_field": "household__helper_id"}


def cases_visible_to(user) -> QuerySet[MonitoringCase]:
    return scoped(MonitoringCase.objects.all(), user, **CASE_SCOPE)


def case_list(user, *, region_code: str, state: str | None = None, object_type: str | None = None,
              year: int | None = None) -> QuerySet[MonitoringCase]:
    """Cases under `region_code` the user may see, by village then household number."""
    qs = cases_visible_to(user).filter(in_code_range("village_code", subtree_range(region_code)))
    if state == "open":
        qs = qs.filter(state__in=list(OPEN_STATES))
    elif state:
        qs = qs.filter(state=state)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if year:
        qs = qs.filter(year=year)
    return (qs.select_related("household").annotate(measure_count=Count("measures"))
            .order_by("village_code", "household__household_no", "identified_on", "id"))


def case_counts(user, *, region_code: str, year: int | None = None) -> dict:
    """Cases by object type, by state and by risk type (main and all) — two GROUP BY queries and one
    read of the risk lists."""
    qs = cases_visible_to(user).filter(in_code_range("village_code", subtree_range(region_code)))
    if year:
        qs = qs.filter(year=year)
    grid = {(r["object_type"], r["state"]): r["n"]
            for r in qs.order_by().values("object_type", "state").annotate(n=Count("id"))}
    by_type = [{"object_type": t.value, "label": t.label, "total": sum(grid.get((t.value, s.value), 0) for s in CaseState),
                "states": [{"state": s.value, "label": s.label, "count": grid.get((t.value, s.value), 0)}
                           for s in CaseState]} for t in ObjectType]
    by_state = [{"state": s.value, "label": s.label, "count": sum(grid.get((t.value, s.value), 0) for t in ObjectType)}
                for s in CaseState]
    main, anywhere = dict.fromkeys(RiskType.values, 0), dict.fromkeys(RiskType.values, 0)
    for risks in qs.values_list("risk_types", flat=True):
        for i, r in enumerate(risks or []):
            if r in anywhere:
                anywhere[r] += 1
                if i == 0:
                    main[r] += 1
    by_risk = [{"risk_type": r.value, "label": r.label, "main": main[r.value], "any": anywhere[r.value]}
               for r in RiskType]
    total = sum(grid.values())
    open_ = sum(n for (_, s), n in grid.items() if s in OPEN_STATES)
    return {"total": total, "open": open_, "closed": total - open_, "by_object_type": by_type, "by_state": by_state,
            "by_risk": by_risk}


def case_access(user, pk, *, for_update: bool = False, need: str | None = None) -> MonitoringCase:
    return scoped_get(MonitoringCase.objects.select_related("household", "household__village"), user, pk=pk,
                      for_update=for_update, need=need, **CASE_SCOPE)


def case_detail(user, case: MonitoringCase) -> dict:
    """A case opened through `case_access`, with its steps and measures (two queries)."""
    return {"case": case, "steps": list(MonitoringStep.objects.filter(case=case).order_by("on", "at", "id")),
            "measures": list(MonitoringMeasure.objects.filter(case=case).order_by("started_on", "id"))}


def household_monitoring_context(user, household) -> dict:
    """For the household page (household opened through `household_access`): its cases, newest first,
    with their steps and measures (three queries), and what the user may do."""
    cases = list(cases_visible_to(user).filter(household_id=household.pk)
                 .prefetch_related(Prefetch("steps", queryset=MonitoringStep.objects.order_by("on", "at", "id")),
                                   Prefetch("measures", queryset=MonitoringMeasure.objects.order_by("started_on", "id")))
                 .order_by("-identified_on", "-id"))
    open_case = next((c for c in cases if c.state in OPEN_STATES), None)
    return {"monitoring_section": {
        "household": household, "cases": cases, "open_case": open_case,
        "may_confirm": role_has(user.role, Cap.CONFIRM_MONITORING),
        "may_edit": role_has(user.role, Cap.EDIT_REGISTRY),
    }}

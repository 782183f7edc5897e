"""Scoped reads of plans (一户一策). Views, the API and the household page read plans only through here.

Plans are scoped by their own `village` column (one range condition) and, for a cadre, by the
household's helper. One household's plan, measures, suggestions and flags take a fixed number of
queries whatever the number of measures.
"""

from __future__ import annotations

from django.db.models import QuerySet

from fupin.accounts.scope import scoped, scoped_get
from fupin.core import clock
from fupin.registry.models import Household
from fupin.registry.selectors import frozen_years, household_years, households_visible_to

from .choices import MeasureStatus, PlanStatus, measure_info
from .models import HouseholdPlan, PlanMeasure
from .rights import may_confirm_plan, may_edit_plan

PLAN_SCOPE = {"region_field": "village_id", "cadre_field": "household__helper_id"}
MEASURE_SCOPE = {"region_field": "plan__village_id", "cadre_field": "plan__household__helper_id"}


def plans_visible_to(user) -> QuerySet[HouseholdPlan]:
    return scoped(HouseholdPlan.objects.all(), user, **PLAN_SCOPE)


def measures_visible_to(user) -> QuerySet[PlanMeasure]:
    return scoped(PlanMeasure.objects.all(), user, **MEASURE_SCOPE)


def measure_access(user, pk, *, for_update: bool = False) -> PlanMeasure:
    """The gate for one measure: 404 outside the user's scope (a cadre: another cadre's household)."""
    return scoped_get(PlanMeasure.objects.select_related("plan", "plan__household"), user, pk=pk,
                      for_update=for_update, **MEASURE_SCOPE)


def progress_of(statuses) -> dict:
    """Progress of a plan from its measures' statuses: completed / measures not cancelled."""
    counts = dict.fromkeys(MeasureStatus.values, 0)
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    total = counts[MeasureStatus.PLANNED] + counts[MeasureStatus.IN_PROGRESS] + counts[MeasureStatus.COMPLETED]
    done = counts[MeasureStatus.COMPLETED]
    return {"total": total, "completed": done, "in_progress": counts[MeasureStatus.IN_PROGRESS],
            "planned": counts[MeasureStatus.PLANNED], "cancelled": counts[MeasureStatus.CANCELLED],
            "ratio": round(done / total, 4) if total else None, "percent": round(100 * done / total) if total else 0}


def measure_row(m: PlanMeasure, *, today=None) -> dict:
    today = today or clock.today()
    return {"id": m.id, **measure_info(m.measure_type), "content": m.content,
            "amount": None if m.amount is None else f"{m.amount:.2f}", "responsible": m.responsible,
            "status": m.status, "status_label": m.get_status_display(), "due_on": m.due_on,
            "completed_on": m.completed_on, "note": m.note, "source_rule": m.source_rule,
            "overdue": bool(m.due_on and m.due_on < today and m.status in (MeasureStatus.PLANNED,
                                                                            MeasureStatus.IN_PROGRESS))}


def plan_row(plan: HouseholdPlan | None, measures: list[PlanMeasure]) -> dict | None:
    if plan is None:
        return None
    return {"id": plan.id, "household_id": plan.household_id, "year": plan.year, "status": plan.status,
            "status_label": plan.get_status_display(), "note": plan.note, "drawn_up_at": plan.drawn_up_at,
            "drawn_up_by": plan.drawn_up_by_name, "confirmed_at": plan.confirmed_at,
            "confirmed_by": plan.confirmed_by_name, "progress": progress_of(m.status for m in measures),
            "measures": [measure_row(m) for m in measures]}


def household_plan(user, household: Household, year: int) -> tuple[HouseholdPlan | None, list[PlanMeasure]]:
    """The plan of a household the user has opened through `household_access`, and its measures."""
    plan = plans_visible_to(user).filter(household_id=household.pk, year=year).first()
    if plan is None:
        return None, []
    return plan, list(measures_visible_to(user).filter(plan_id=plan.pk).order_by("id"))


def household_plan_years(user, household: Household) -> list[int]:
    return sorted(plans_visible_to(user).filter(household_id=household.pk).values_list("year", flat=True))


def default_plan_year(user, household: Household) -> int:
    """The latest year with a plan or yearly data (else this year)."""
    years = set(household_plan_years(user, household)) | set(household_years(user, household)
                                                               .values_list("year", flat=True))
    return max(years) if years else clock.today().year


def household_flags(user, household: Household, plan: HouseholdPlan, year: int) -> dict:
    """What the checks say about this plan: plans of the same village it looks copied from (with the
    other household named only when the user may see it) and measures that contradict the household."""
    from .detection import detect

    found = detect(HouseholdPlan.objects.filter(village_id=plan.village_id), year=year, focus=plan.pk)
    if not found:
        return {"copies": [], "contradictions": [], "threshold": None}
    village = found[0]
    others = {p["b"]["household_id"] if p["a"]["plan_id"] == plan.pk else p["a"]["household_id"]
              for p in village.pairs}
    visible = set(households_visible_to(user).filter(pk__in=others).values_list("pk", flat=True)) if others else set()
    copies = []
    for p in village.pairs:
        mine, other = (p["a"], p["b"]) if p["a"]["plan_id"] == plan.pk else (p["b"], p["a"])
        shown = other if other["household_id"] in visible else {
            "household_id": None, "household_no": "", "head_name": "（您无权查看的户）",
            "main_cause": other["main_cause"], "main_cause_label": other["main_cause_label"],
            "cause_labels": other["cause_labels"], "measures": []}
        copies.append({"score": p["score"], "identical": p["identical"], "threshold": p["threshold"],
                       "other": shown, "why": p["why"]})
    return {"copies": copies, "contradictions": village.contradictions, "threshold": village.threshold}


def household_plan_context(user, household: Household, year: int) -> dict:
    """Everything the household page shows of the plan for `year` (web/plans/_household_section.html):
    plan and progress, measures, suggestions (each with its rule and the facts that fired it) and the
    checks' flags. `household` has been opened through `household_access`."""
    from .suggestions import suggest

    plan, measures = household_plan(user, household, year)
    frozen = year in frozen_years(household.village_id)
    suggestions = [s.as_dict() for s in suggest(household, year)]
    flags = household_flags(user, household, plan, year) if plan is not None and measures else {
        "copies": [], "contradictions": [], "threshold": None}
    return {
        "household": household, "year": year, "plan": plan_row(plan, measures), "frozen": frozen,
        "suggestions": suggestions, "open_suggestions": sum(1 for s in suggestions if not s["planned"]),
        "flags": flags, "flag_count": len(flags["copies"]) + len(flags["contradictions"]),
        "may_edit": may_edit_plan(user, household) and not frozen,
        "may_confirm": (may_confirm_plan(user) and not frozen and plan is not None
                        and plan.status == PlanStatus.DRAFT),
    }

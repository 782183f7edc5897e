"""Scoped reads of the visit log: visits, a household's due status, the cadre's own households,
and compliance over a region. Views and the API read visits only through here.

Scope: a visit is seen by whoever sees its village (one range condition on the visit's own
`village` column); a cadre sees the visits of the households paired with them now (including
visits recorded before they took the household over) and nothing else.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, QuerySet

from fupin.accounts.scope import in_code_range, scoped, scoped_get
from fupin.core.clock import today
from fupin.regions.codes import subtree_range
from fupin.registry.models import Household, HouseholdStatusEvent
from fupin.registry.selectors import households_visible_to

from .choices import CLOSED_STATUSES, DueState
from .compliance import ComplianceReport, DueRow, build_report, due_order, due_rows
from .models import Visit
from .rules import may_close_follow_up, may_edit, record_mode

VISIT_SCOPE = {"region_field": "village_id", "cadre_field": "household__helper_id"}
RECENT_VISITS = 5


def visits_visible_to(user) -> QuerySet[Visit]:
    return scoped(Visit.objects.all(), user, **VISIT_SCOPE)


def visit_access(user, pk, *, for_update: bool = False) -> Visit:
    """The gate for one visit: 404 outside the user's scope (a cadre: households not theirs)."""
    return scoped_get(Visit.objects.select_related("household", "cadre", "recorded_by", "village"), user, pk=pk,
                      for_update=for_update, **VISIT_SCOPE)


def household_visits(user, household: Household) -> QuerySet[Visit]:
    """Visits of a household the user opened through `household_access`, newest first."""
    return (visits_visible_to(user).filter(household_id=household.pk).select_related("cadre", "recorded_by")
            .order_by("-visited_on", "-id"))


def household_registered_on(household: Household) -> date:
    """The day the household entered the registry: its first status event (else 1 January of its
    registered year, for households filed without history)."""
    first = (HouseholdStatusEvent.objects.filter(household_id=household.pk).order_by("effective_on", "id")
             .values_list("effective_on", flat=True).first())
    return first or date(household.registered_year, 1, 1)


def household_due(user, household: Household, *, on: date | None = None) -> DueRow | None:
    """The household's standing against the visit rule on `on` (None: not in the registry on that day)."""
    on = on or today()
    rows = due_rows(households_visible_to(user).filter(pk=household.pk), on=on)
    return rows[0] if rows else None


# --- The cadre's own households (我的帮扶户) -------------------------------------------------------

@dataclass
class MyHousehold:
    due: DueRow
    open_follow_ups: list[Visit]

    @property
    def household_id(self) -> int:
        return self.due.household_id


def my_households(user, *, on: date | None = None) -> dict:
    """The households paired with `user` (a cadre's caseload) with what is due: overdue first, then
    due within `visits.due_soon_days`, then the rest; and the open follow-ups. Four queries."""
    on = on or today()
    households = households_visible_to(user).filter(helper_id=user.pk).exclude(status__in=CLOSED_STATUSES)
    rows = sorted(due_rows(households, on=on), key=due_order)
    follow_ups = list(visits_visible_to(user).filter(household__helper_id=user.pk, follow_up_done=False)
                      .exclude(follow_up="").select_related("household")
                      .order_by(F("follow_up_due").asc(nulls_last=True), "visited_on", "id"))
    by_household: dict[int, list[Visit]] = {}
    for v in follow_ups:
        by_household.setdefault(v.household_id, []).append(v)
    items = [MyHousehold(due=r, open_follow_ups=by_household.get(r.household_id, [])) for r in rows]
    counts = {state.value: sum(1 for r in rows if r.state == state) for state in DueState}
    return {"on": on, "households": items, "counts": counts, "follow_ups": follow_ups,
            "overdue_follow_ups": sum(1 for v in follow_ups if v.follow_up_due and v.follow_up_due < on)}


# --- Compliance over a region --------------------------------------------------------------------

def visit_compliance(user, *, region_code: str, on: date) -> ComplianceReport:
    """Compliance of the households the user may see under `region_code` (region already opened
    through `region_access`). Three queries whatever the number of households."""
    households = households_visible_to(user).filter(in_code_range("village_id", subtree_range(region_code)))
    return build_report(due_rows(households, on=on), region_code=region_code, on=on)


def visit_compliance_in_region(*, region_code: str, on: date) -> ComplianceReport:
    """The same over every household of the region (the CLI, an administrator's tool)."""
    households = Household.objects.filter(in_code_range("village_id", subtree_range(region_code)))
    return build_report(due_rows(households, on=on), region_code=region_code, on=on)


# --- The household page's section ----------------------------------------------------------------

def visit_items(user, visits, household: Household | None = None) -> list[dict]:
    items = []
    for v in visits:
        if household is not None:
            v.household = household
        items.append({"visit": v, "may_edit": may_edit(user, v), "may_close": may_close_follow_up(user, v)})
    return items


def household_visits_context(user, household: Household, *, on: date | None = None,
                             limit: int = RECENT_VISITS) -> dict:
    """Context for `web/visits/_household_section.html` on the household page: the household's due
    status, its latest visits and whether the user may record one. Six queries at most."""
    on = on or today()
    qs = household_visits(user, household)
    recent = list(qs[:limit])
    return {"visit_section": {
        "household": household,
        "today": on,
        "due": household_due(user, household, on=on),
        "visits": visit_items(user, recent, household),
        "total": qs.count() if len(recent) == limit else len(recent),
        "can_record": record_mode(user, household) is not None,
        "open_follow_ups": qs.filter(follow_up_done=False).exclude(follow_up="").count(),
    }}

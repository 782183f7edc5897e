"""Scoped reads of the issue ledger (问题台账). Views, the API and the commands read it only through here.

Scope: an item is seen by whoever sees its region (one range condition on `region_code`); a cadre
(帮扶责任人) sees only the items about households paired with them. Statistics are in `stats.py`.
"""

from datetime import date

from django.db.models import QuerySet

from fupin.accounts.masking import mask_dict
from fupin.accounts.roles import Cap, role_has
from fupin.accounts.scope import in_code_range, scoped, scoped_get
from fupin.core.clock import today
from fupin.policy.selectors import resolve
from fupin.regions.codes import subtree_range
from fupin.registry.models import Household

from .choices import ItemState
from .models import Evidence, ItemEvent, LedgerItem
from .rules import DUE_SOON_KEY, allowed_actions, due_soon_q, is_overdue, overdue_q

LEDGER_SCOPE = {"region_field": "region_code", "cadre_field": "household__helper_id"}
EVIDENCE_SCOPE = {"region_field": "item__region_code", "cadre_field": "item__household__helper_id"}


def items_visible_to(user) -> QuerySet[LedgerItem]:
    return scoped(LedgerItem.objects.all(), user, **LEDGER_SCOPE)


def item_access(user, pk, *, for_update: bool = False, need: str | None = None) -> LedgerItem:
    """The gate for one item: 404 outside the user's scope, 403 in scope without capability `need`."""
    qs = LedgerItem.objects.all() if for_update else LedgerItem.objects.select_related("household", "responsible")
    return scoped_get(qs, user, pk=pk, for_update=for_update, need=need, **LEDGER_SCOPE)


def evidence_access(user, pk) -> Evidence:
    return scoped_get(Evidence.objects.select_related("item"), user, pk=pk, **EVIDENCE_SCOPE)


def due_soon_days(region_code: str, on: date) -> int:
    return int(resolve(DUE_SOON_KEY, year=on.year, region_code=region_code).value)


def item_list(user, *, region_code: str, on: date | None = None, state: str = "", source: str = "",
              overdue: bool = False, due_soon: bool = False, household_id: int | None = None,
              responsible_id: int | None = None) -> QuerySet[LedgerItem]:
    """Items under `region_code` (already opened through `region_access`) the user may see, filtered;
    overdue/due soon as defined in `rules`, on `on` (default today). Annotates nothing per row."""
    on = on or today()
    qs = (items_visible_to(user).filter(in_code_range("region_code", _range(region_code)))
          .select_related("household", "responsible"))
    if state:
        qs = qs.filter(state=state)
    if source:
        qs = qs.filter(source=source)
    if overdue:
        qs = qs.filter(overdue_q(on))
    if due_soon:
        qs = qs.filter(due_soon_q(on, due_soon_days(region_code, on)))
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    if responsible_id is not None:
        qs = qs.filter(responsible_id=responsible_id)
    return qs.order_by("deadline", "id")


def _range(code: str):
    return subtree_range(code)


def overdue_items(qs: QuerySet[LedgerItem], *, on: date) -> QuerySet[LedgerItem]:
    """The overdue list: longest overdue first."""
    return qs.filter(overdue_q(on)).select_related("household", "responsible").order_by("deadline", "id")


def item_events(item: LedgerItem) -> list[ItemEvent]:
    return list(ItemEvent.objects.filter(item_id=item.pk).order_by("on", "at", "id"))


def item_evidence(item: LedgerItem) -> list[Evidence]:
    return list(Evidence.objects.filter(item_id=item.pk).order_by("uploaded_at", "id"))


def item_detail(user, item: LedgerItem, *, on: date | None = None) -> dict:
    """An item opened through `item_access`, with its history, evidence, standing and what the user may do."""
    on = on or today()
    events = item_events(item)
    submitter = next((e.actor_id for e in reversed(events) if e.kind == "submitted"), None)
    days = (item.deadline - on).days
    return {
        "item": item, "events": events, "evidence": item_evidence(item), "on": on,
        "overdue": is_overdue(item.state, item.deadline, on),
        "overdue_days": max(0, -days) if item.state in (ItemState.OPEN, ItemState.RECTIFYING) else 0,
        "days_left": days, "late_submitted": bool(item.submitted_on and item.submitted_on > item.deadline),
        "actions": allowed_actions(user, item.state), "submitted_by_id": submitter,
        "closure_days": (item.closed_on - item.found_on).days if item.closed_on else None,
        # The finding's inputs may carry ID numbers (a suspect's roster row): masked per role.
        "inputs": mask_dict(item.inputs if isinstance(item.inputs, dict) else {}, user=user, in_list=False),
    }


def ref_items(user, refs) -> dict[str, LedgerItem]:
    """The not-yet-closed item of each source reference the user may see (one query)."""
    refs = [r for r in refs if r]
    if not refs:
        return {}
    qs = items_visible_to(user).filter(source_ref__in=refs).exclude(state=ItemState.CLOSED)
    return {i.source_ref: i for i in qs.only("id", "source_ref", "state")}


def household_ledger_context(user, household: Household, *, on: date | None = None) -> dict:
    """Context for `web/ledger/_household_section.html` on the household page (household already opened
    through `household_access`): its items, open ones first, with overdue marked."""
    on = on or today()
    items = list(items_visible_to(user).filter(household_id=household.pk).select_related("responsible")
                 .order_by("closed_on", "deadline", "id"))
    rows = [{"item": i, "overdue": is_overdue(i.state, i.deadline, on)} for i in items]
    return {"ledger_section": {
        "household": household, "on": on, "rows": rows,
        "open": sum(1 for i in items if i.state != ItemState.CLOSED),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "can_manage": role_has(getattr(user, "role", ""), Cap.MANAGE_LEDGER),
    }}


def ledger_stats(user, *, region, on: date | None = None):
    """Statistics (stats.py) over what `user` may see under `region` (opened through `region_access`)."""
    from .stats import build_stats

    return build_stats(items_visible_to(user), region=region, on=on or today())


def ledger_stats_in_region(*, region, on: date | None = None):
    """The same over the whole region (the CLI, an administrator's tool)."""
    from .stats import build_stats

    return build_stats(LedgerItem.objects.all(), region=region, on=on or today())


RECTIFY_ROLES = ("village_clerk", "township_reviewer", "county_approver")
CHOICES_LIMIT = 1000


def responsible_candidates(user, *, region_code: str | None = None) -> list:
    """Active users who may be made responsible: roles that rectify, bound to `region_code` or above it
    (when given), else anywhere in the user's scope or above it. One query, capped."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from fupin.accounts.scope import scope_of
    from fupin.regions.codes import ancestor_codes

    roles = [r for r in RECTIFY_ROLES if role_has(r, Cap.RECTIFY)]
    qs = get_user_model().objects.filter(is_active=True, role__in=roles).select_related("region")
    if region_code:
        qs = qs.filter(region_id__in=ancestor_codes(region_code))
    else:
        scope = scope_of(user)
        qs = qs.filter(Q(in_code_range("region_id", scope.codes)) | Q(region_id__in=ancestor_codes(scope.region_code)))
    return list(qs.order_by("region_id", "username")[:CHOICES_LIMIT])


def regions_for_items(user) -> list:
    """The user's region and the townships and villages of their scope (where a problem may be placed)."""
    from django.db.models import Q

    from fupin.accounts.scope import scope_of
    from fupin.regions.codes import Level
    from fupin.regions.models import Region

    scope = scope_of(user)
    return list(Region.objects.filter(in_code_range("code", scope.codes))
                .filter(Q(code=scope.region_code) | Q(level__in=(Level.TOWNSHIP, Level.VILLAGE)))
                .order_by("code")[:CHOICES_LIMIT])


def household_by_no(user, household_no: str):
    """A household the user may see, by its number (None if not found or not visible)."""
    from fupin.registry.selectors import households_visible_to

    return households_visible_to(user).filter(household_no=household_no.strip()).select_related("village").first()


def quality_ledger_map(user, findings, *, year: int) -> dict[str, LedgerItem]:
    """For the quality page: the open ledger item of each finding, keyed "<code>:<household>:<member or ->"."""
    from .services import quality_ref

    refs = {quality_ref(f.code, f.household_id, f.member_id, year): f"{f.code}:{f.household_id}:{f.member_id or '-'}"
            for f in findings}
    found = ref_items(user, list(refs))
    return {refs[ref]: item for ref, item in found.items()}

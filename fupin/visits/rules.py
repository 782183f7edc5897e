"""Who may record and change visits. Scope (which households) is decided by accounts.scope; these
answer what a user may do with a household or visit they can already see.

- A cadre (帮扶责任人) records visits to their own households (a cadre sees no other household).
- A village clerk, township reviewer or county approver (capability edit_registry) may record on
  the cadre's behalf (代录), with a note saying why; the visit is the household's current helper's.
- Viewers, auditors and administrators only read.
- A visit is changed only by whoever recorded it; a follow-up may also be closed by the
  household's current helper.
"""

from fupin.accounts.roles import Cap, Role

CADRE = "cadre"
ON_BEHALF = "on_behalf"


def record_mode(user, household) -> str | None:
    """CADRE, ON_BEHALF, or None when the user may not record visits to this (visible) household."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role == Role.CADRE:
        return CADRE if household.helper_id == user.pk else None
    if user.can(Cap.EDIT_REGISTRY):
        return ON_BEHALF
    return None


def may_edit(user, visit) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and visit.recorded_by_id == user.pk)


def may_close_follow_up(user, visit) -> bool:
    if not visit.follow_up or visit.follow_up_done:
        return False
    return may_edit(user, visit) or (user.is_active and visit.household.helper_id == user.pk)

"""Who may do what in 结对帮扶 (decided here, on top of the roles and scope of fupin.accounts).

- 贫困村, 帮扶单位, 单位包村, 驻村工作队 and its members are arranged by the county: a
  **县级审批员** manages them for villages in their county. Township reviewers and village clerks
  see them; city and province viewers and auditors see them read-only.
- A household's 帮扶责任人 is assigned (and reassigned) by the **村级信息员, 乡镇审核员 or 县级审批员**
  whose scope holds the household — the pairing is recorded where the household is kept; bulk
  reassignment of a cadre's households (调整帮扶责任人) by the township reviewer or county approver.
- A cadre's profile (ID number, unit, position) is kept by the **乡镇审核员 or 县级审批员** whose
  scope holds the cadre's region.
- A **帮扶责任人** (cadre) sees their own households, their history and their own cadre page, and
  nothing of the village-level arrangements (coverage, units, teams: 403).
"""

from django.core.exceptions import PermissionDenied

from fupin.accounts.roles import Cap, Role
from fupin.accounts.scope import require, scope_of

MANAGE_ROLES = frozenset({Role.COUNTY_APPROVER})
ASSIGN_ROLES = frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER})
BULK_ASSIGN_ROLES = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER})
PROFILE_ROLES = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER})

DENIED = "您的角色无权执行此操作"


def _require_role(user, roles: frozenset[str], message: str) -> None:
    scope_of(user)  # PermissionDenied when not logged in or inactive
    if user.role not in roles:
        raise PermissionDenied(message)


def require_view_arrangements(user) -> None:
    """Reading village-level arrangements (coverage, units, teams): not for a cadre."""
    require(user, Cap.VIEW)
    if scope_of(user).cadre_only:
        raise PermissionDenied("帮扶责任人只能查看与自己结对的户，不能查看驻村帮扶安排")


def require_manage(user) -> None:
    _require_role(user, MANAGE_ROLES, "只有县级审批员可以管理贫困村、帮扶单位、单位包村和驻村工作队")


def require_assign(user) -> None:
    _require_role(user, ASSIGN_ROLES, "只有村级信息员、乡镇审核员或县级审批员可以调整户的帮扶责任人")


def require_bulk_assign(user) -> None:
    _require_role(user, BULK_ASSIGN_ROLES, "只有乡镇审核员或县级审批员可以成批调整帮扶责任人")


def require_profile(user) -> None:
    _require_role(user, PROFILE_ROLES, "只有乡镇审核员或县级审批员可以登记帮扶责任人档案")


def may(user, check) -> bool:
    """Whether `check(user)` passes (for showing or hiding a form)."""
    try:
        check(user)
    except PermissionDenied:
        return False
    return True

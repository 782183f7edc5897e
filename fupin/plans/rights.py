"""Who may do what with plans (decided here, on top of the roles and scope of fupin.accounts).

- A plan (一户一策) is drawn up and kept up to date — measures added, changed, their status and
  completion recorded, cancelled — by the household's own **帮扶责任人** (the cadre it is paired
  with: Household.helper; a cadre sees no other household) and by the **村级信息员, 乡镇审核员 or
  县级审批员** whose scope holds the household (capability edit_registry), as with visits recorded
  on the cadre's behalf.
- A plan is **confirmed** (确认) by a village clerk, township reviewer or county approver in scope,
  not by the cadre who drew it up. Confirmation records who and when; the plan stays editable
  through the year (measure status and completion are its progress), every change audited.
- Viewers, auditors and administrators read plans; nobody changes a year that is frozen
  (年度数据固化) — those plans are read-only.
- Suggestion and contradiction rules are kept like policy values: by a **系统管理员** (capability
  manage_policy) for their region or a region under it; a province overrides or disables a national
  rule for itself. Everyone who sees a region reads the rules in force there.
- Region reports (coverage, statistics, copy-paste findings) are about whole villages: a cadre is
  refused (403), like the exit evaluation.
"""

from django.core.exceptions import PermissionDenied

from fupin.accounts.roles import Cap, Role
from fupin.accounts.scope import require, scope_of


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def may_edit_plan(user, household) -> bool:
    """For a household the user has already opened through the scope gate."""
    if not _active(user):
        return False
    if user.role == Role.CADRE:
        return household.helper_id == user.pk
    return user.can(Cap.EDIT_REGISTRY)


def may_confirm_plan(user) -> bool:
    return _active(user) and user.role != Role.CADRE and user.can(Cap.EDIT_REGISTRY)


def may_edit_rules(user) -> bool:
    return _active(user) and user.can(Cap.MANAGE_POLICY)


def require_edit_plan(user, household) -> None:
    if not may_edit_plan(user, household):
        raise PermissionDenied("只有该户的帮扶责任人，或村级信息员、乡镇审核员、县级审批员可以制定和修改帮扶计划")


def require_confirm_plan(user) -> None:
    if not may_confirm_plan(user):
        raise PermissionDenied("帮扶计划须由村级信息员、乡镇审核员或县级审批员确认")


def require_edit_rules(user) -> None:
    if not may_edit_rules(user):
        raise PermissionDenied("只有有权维护政策参数的系统管理员可以修改帮扶措施规则")


def require_region_reports(user) -> None:
    require(user, Cap.VIEW)
    if scope_of(user).cadre_only:
        raise PermissionDenied("帮扶责任人只能查看与自己结对的户，不能查看区域帮扶计划统计和雷同检查")

"""Roles (角色) and what each may do. The access model is code; poverty policy is data.

Every user holds exactly one role bound to exactly one region. What they *see* is their region
subtree (scope.py); what they may *do* inside it is the capability set below.
"""

from fupin.regions.codes import Level


class Role:
    VILLAGE_CLERK = "village_clerk"
    TOWNSHIP_REVIEWER = "township_reviewer"
    COUNTY_APPROVER = "county_approver"
    CITY_VIEWER = "city_viewer"
    PROVINCE_VIEWER = "province_viewer"
    AUDITOR = "auditor"
    CADRE = "cadre"
    SYSADMIN = "sysadmin"

    CHOICES = [
        (VILLAGE_CLERK, "村级信息员"),
        (TOWNSHIP_REVIEWER, "乡镇审核员"),
        (COUNTY_APPROVER, "县级审批员"),
        (CITY_VIEWER, "市级查看员"),
        (PROVINCE_VIEWER, "省级查看员"),
        (AUDITOR, "审计员"),
        (CADRE, "帮扶责任人"),
        (SYSADMIN, "系统管理员"),
    ]
    LABELS = dict(CHOICES)


class Cap:
    """Capabilities (权限)."""

    VIEW = "view"  # read data in scope
    EDIT_REGISTRY = "edit_registry"  # create/change registry records in scope
    EXPORT = "export"  # download lists and reports
    VIEW_PERSONAL = "view_personal"  # see full ID numbers, phones, bank accounts on detail pages
    VIEW_PERSONAL_IN_LISTS = "view_personal_in_lists"  # … and in lists and exports
    MANAGE_USERS = "manage_users"  # create, disable, unlock users in scope
    VIEW_AUDIT = "view_audit"  # read the audit trail and verify its chain
    MANAGE_POLICY = "manage_policy"  # set a region's own policy values (poverty line, thresholds, steps)
    CONFIRM_MONITORING = "confirm_monitoring"  # 审核确认: identify a monitoring object, confirm risk elimination
    RUN_CROSSCHECK = "run_crosscheck"  # upload department rosters and run the cross-check rules
    MANAGE_LEDGER = "manage_ledger"  # register problems, set responsible/deadline, verify, close (销号), reopen
    RECTIFY = "rectify"  # work on a problem: start, add measures and evidence, submit the rectification


ROLE_CAPS: dict[str, frozenset[str]] = {
    Role.VILLAGE_CLERK: frozenset({Cap.VIEW, Cap.EDIT_REGISTRY, Cap.VIEW_PERSONAL, Cap.RECTIFY}),
    Role.TOWNSHIP_REVIEWER: frozenset({Cap.VIEW, Cap.EDIT_REGISTRY, Cap.VIEW_PERSONAL, Cap.EXPORT,
                                       Cap.CONFIRM_MONITORING, Cap.MANAGE_LEDGER, Cap.RECTIFY}),
    Role.COUNTY_APPROVER: frozenset({Cap.VIEW, Cap.EDIT_REGISTRY, Cap.VIEW_PERSONAL, Cap.EXPORT,
                                     Cap.CONFIRM_MONITORING, Cap.RUN_CROSSCHECK, Cap.MANAGE_LEDGER, Cap.RECTIFY}),
    Role.CITY_VIEWER: frozenset({Cap.VIEW, Cap.EXPORT}),
    Role.PROVINCE_VIEWER: frozenset({Cap.VIEW, Cap.EXPORT}),
    # 审计员: reads the registry (unmasked ID numbers, export) without changing it; runs the
    # cross-checks and registers and verifies the problems found (审计发现问题).
    Role.AUDITOR: frozenset({Cap.VIEW, Cap.EXPORT, Cap.VIEW_PERSONAL, Cap.VIEW_PERSONAL_IN_LISTS, Cap.VIEW_AUDIT,
                             Cap.RUN_CROSSCHECK, Cap.MANAGE_LEDGER}),
    # 帮扶责任人: only their paired households, with the contact data needed to visit them.
    Role.CADRE: frozenset({Cap.VIEW, Cap.VIEW_PERSONAL}),
    # A region's system administrator keeps its policy table (a province raising its line).
    Role.SYSADMIN: frozenset({Cap.VIEW, Cap.MANAGE_USERS, Cap.VIEW_AUDIT, Cap.MANAGE_POLICY}),
}

# The region level each role is bound to.
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.VILLAGE_CLERK: frozenset({Level.VILLAGE}),
    Role.TOWNSHIP_REVIEWER: frozenset({Level.TOWNSHIP}),
    Role.COUNTY_APPROVER: frozenset({Level.COUNTY}),
    Role.CITY_VIEWER: frozenset({Level.CITY}),
    Role.PROVINCE_VIEWER: frozenset({Level.PROVINCE}),
    Role.AUDITOR: frozenset({Level.NATION, Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP}),
    Role.CADRE: frozenset({Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY}),
    Role.SYSADMIN: frozenset({Level.NATION, Level.PROVINCE, Level.CITY, Level.COUNTY}),
}


def role_has(role: str, cap: str) -> bool:
    return cap in ROLE_CAPS.get(role, frozenset())

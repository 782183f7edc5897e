"""Coded values of funds and projects (扶贫资金和项目库), the project life cycle and who may move it."""

from decimal import Decimal

from django.db import models

from fupin.accounts.roles import Role

CENT = Decimal("0.01")
SLOW_DAYS_KEY = "funds.slow_spending_days"
SLOW_RATE_KEY = "funds.slow_spending_min_rate"
ELIGIBLE_KEY = "funds.eligible_statuses"
ALERT_KEYS = (SLOW_DAYS_KEY, SLOW_RATE_KEY, ELIGIBLE_KEY)


class FundKind(models.TextChoices):
    CENTRAL = "central", "中央财政专项扶贫资金"
    PROVINCIAL = "provincial", "省级财政专项扶贫资金"
    CITY = "city", "市级财政专项扶贫资金"
    COUNTY = "county", "县级财政专项扶贫资金"
    INTEGRATED = "integrated", "统筹整合涉农资金"
    EAST_WEST = "east_west", "东西部扶贫协作资金"
    PAIRING = "pairing", "定点帮扶资金"
    DONATION = "donation", "社会捐赠资金"
    OTHER = "other", "其他资金"


class ProjectType(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", "基础设施"
    INDUSTRY = "industry", "产业发展"
    HOUSING = "housing", "危房改造"
    WATER = "water", "饮水安全"
    EDUCATION = "education", "教育扶贫"
    HEALTH = "health", "健康扶贫"
    RELOCATION = "relocation", "易地扶贫搬迁"
    EMPLOYMENT = "employment", "就业扶贫"
    OTHER = "other", "其他"


class ProjectStatus(models.TextChoices):
    DECLARED = "declared", "已申报"
    APPROVED = "approved", "已审批入库"
    IMPLEMENTING = "implementing", "实施中"
    ACCEPTED = "accepted", "已验收"
    DISCLOSED = "disclosed", "已公告公示"
    CLOSED = "closed", "已销号"


# The life cycle in order (完成一项销号一项): a project moves one step at a time, never skipping.
STATUS_ORDER = [s.value for s in ProjectStatus]

# Who may move a project INTO each status (the role of the acting user; scope decides where).
TRANSITION_ROLES: dict[str, frozenset[str]] = {
    ProjectStatus.DECLARED: frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}),
    ProjectStatus.APPROVED: frozenset({Role.COUNTY_APPROVER}),
    ProjectStatus.IMPLEMENTING: frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER}),
    ProjectStatus.ACCEPTED: frozenset({Role.COUNTY_APPROVER}),
    ProjectStatus.DISCLOSED: frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}),
    ProjectStatus.CLOSED: frozenset({Role.COUNTY_APPROVER}),
}
TRANSITION_VERBS = {
    ProjectStatus.DECLARED: "申报", ProjectStatus.APPROVED: "审批入库", ProjectStatus.IMPLEMENTING: "开工实施",
    ProjectStatus.ACCEPTED: "验收", ProjectStatus.DISCLOSED: "公告公示", ProjectStatus.CLOSED: "销号",
}

# Budget lines and beneficiaries may change until the project is implemented; money is paid while
# it is carried out and after acceptance (尾款), not before approval nor after disclosure.
EDITABLE_STATUSES = frozenset({ProjectStatus.DECLARED, ProjectStatus.APPROVED, ProjectStatus.IMPLEMENTING})
PAYABLE_STATUSES = frozenset({ProjectStatus.IMPLEMENTING, ProjectStatus.ACCEPTED})
# A project's budget may be set until it is accepted; results are reported while implementing or at acceptance.
FUNDABLE_STATUSES = EDITABLE_STATUSES
RESULT_STATUSES = frozenset({ProjectStatus.IMPLEMENTING, ProjectStatus.ACCEPTED})

# Who manages money: registers sources, allocates down, adds budget lines and records payments.
FUND_MANAGERS = frozenset({Role.COUNTY_APPROVER, Role.SYSADMIN})
PAYMENT_RECORDERS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER})
BENEFICIARY_EDITORS = frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER})
RESULT_RECORDERS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER})


class PayeeKind(models.TextChoices):
    HOUSEHOLD = "household", "农户"
    VILLAGE = "village", "村集体"
    COMPANY = "company", "企业或合作社"
    OTHER = "other", "其他单位"


class AlertKind(models.TextChoices):
    SLOW = "slow_spending", "拨付缓慢"
    DOUBLE = "double_payment", "同一户同一项目事项重复拨付"
    NOT_ELIGIBLE = "not_eligible", "领款户不在册或不符合条件"
    ABOVE_STANDARD = "above_standard", "超过项目到户补助标准"

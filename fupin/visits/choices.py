"""Coded values of the visit log (走访记录) and the policy keys it reads."""

from django.db import models

from fupin.registry.choices import HouseholdStatus


class VisitKind(models.TextChoices):
    HOME = "home", "入户走访"
    PHONE = "phone", "电话联系"
    GROUP = "group", "集中帮扶"
    OTHER = "other", "其他"


class DueState(models.TextChoices):
    """Where a household stands against the visit-frequency rule on a day."""

    OVERDUE = "overdue", "已逾期"
    DUE_SOON = "due_soon", "即将到期"
    OK = "ok", "正常"
    NOT_REQUIRED = "not_required", "无需定期走访"


# Statuses whose households must be visited regularly: 未脱贫, 返贫, 监测户 — and 已脱贫 households
# while they keep their policies (脱贫不脱政策, "摘帽不摘帮扶"): until `policies_kept_until`.
HELPED_STATUSES = frozenset({HouseholdStatus.NOT_EXITED, HouseholdStatus.RETURNED, HouseholdStatus.MONITORED})
# Households no longer in the registry (清退, 自然减少): nobody records visits to them.
CLOSED_STATUSES = frozenset({HouseholdStatus.REMOVED, HouseholdStatus.CANCELLED})

# Policy keys (fupin/policy/defaults.py).
MAX_DAYS_KEY = "visits.max_days_between"
DUE_SOON_KEY = "visits.due_soon_days"
COUNTED_KINDS_KEY = "visits.counted_kinds"
PHOTO_MAX_MB_KEY = "visits.photo_max_mb"
PHOTO_TYPES_KEY = "visits.photo_types"
COMPLIANCE_KEYS = (MAX_DAYS_KEY, DUE_SOON_KEY, COUNTED_KINDS_KEY)

# Quick-pick phrases of the phone form (常用语): tapped ones are put before the typed text.
QUICK_PHRASES = (
    "了解家庭收入和生产生活情况",
    "宣传扶贫政策",
    "核实“两不愁三保障”和饮水安全",
    "了解家庭成员务工情况",
    "了解子女上学情况",
    "了解家庭成员就医和参保情况",
    "查看住房安全情况",
    "指导产业发展",
    "帮助解决实际困难",
    "填写扶贫手册",
)

"""Coded values of 扶贫小额信贷 (poverty micro-credit) and the policy keys it reads."""

from django.db import models

from fupin.registry.choices import HouseholdStatus


class LoanStatus(models.TextChoices):
    """A loan's standing. `normal`/`overdue`/`defaulted`/`repaid` follow from the dates and the
    repayments (see `rules.loan_state_on`); `renewed` is set by a renewal (展期/续贷) and
    `written_off` (核销) by a county approver's decision."""

    NORMAL = "normal", "正常"
    OVERDUE = "overdue", "逾期"
    DEFAULTED = "defaulted", "违约"
    RENEWED = "renewed", "已展期/续贷"
    REPAID = "repaid", "已结清"
    WRITTEN_OFF = "written_off", "已核销"


# Loans that no longer carry a balance of their own.
CLOSED_LOAN_STATUSES = frozenset({LoanStatus.RENEWED, LoanStatus.REPAID, LoanStatus.WRITTEN_OFF})


class UseCategory(models.TextChoices):
    """Declared use (贷款用途). Only productive uses may be financed (DOMAIN: production use only);
    the rest are listed so a refusal can name what was declared."""

    PLANTING = "planting", "种植业"
    LIVESTOCK = "livestock", "养殖业"
    PROCESSING = "processing", "农产品加工"
    TRADE = "trade", "商贸流通、个体经营"
    TOURISM = "tourism", "乡村旅游、农家乐"
    COOPERATIVE = "cooperative", "入股合作社或龙头企业带动生产"
    HOUSING = "housing", "建房、装修"
    CONSUMPTION = "consumption", "购置家庭用品、生活消费"
    MEDICAL = "medical", "看病就医"
    EDUCATION = "education", "子女上学"
    WEDDING = "wedding", "婚丧嫁娶"
    DEBT = "debt", "偿还其他债务"


PRODUCTIVE_USES = frozenset({UseCategory.PLANTING, UseCategory.LIVESTOCK, UseCategory.PROCESSING,
                             UseCategory.TRADE, UseCategory.TOURISM, UseCategory.COOPERATIVE})


class ReminderKind(models.TextChoices):
    NOTICE = "notice", "到期提醒"
    WRITTEN = "written", "书面通知"


# Households counted as 建档立卡户 in 获贷率 (the denominator): poor now or exited.
FILED_STATUSES = frozenset({HouseholdStatus.NOT_EXITED, HouseholdStatus.RETURNED, HouseholdStatus.EXITED})

# Policy keys (fupin/policy/defaults.py).
MAX_AMOUNT_KEY = "credit.max_amount"
MAX_TERM_KEY = "credit.max_term_months"
AGE_MIN_KEY = "credit.borrower_age_min"
AGE_MAX_KEY = "credit.borrower_age_max"
REMINDER_DAYS_KEY = "credit.reminder_days"
ELIGIBLE_KEY = "credit.eligible_statuses"
EXITED_KEPT_KEY = "credit.exited_while_policies_kept"
GRACE_KEY = "credit.overdue_grace_days"
DEFAULT_AFTER_KEY = "credit.default_after_days"
RATING_LEVELS_KEY = "credit.rating_levels"
RATING_VALID_KEY = "credit.rating_valid_months"
MAX_RENEWALS_KEY = "credit.max_renewals"
RETENTION_KEY = "exit.policy_retention_years"

LOAN_KEYS = (MAX_AMOUNT_KEY, MAX_TERM_KEY, AGE_MIN_KEY, AGE_MAX_KEY, ELIGIBLE_KEY, EXITED_KEPT_KEY,
             MAX_RENEWALS_KEY)
STATE_KEYS = (GRACE_KEY, DEFAULT_AFTER_KEY)
REMINDER_KEYS = (REMINDER_DAYS_KEY,)
RATING_KEYS = (RATING_LEVELS_KEY, RATING_VALID_KEY)

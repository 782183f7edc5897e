"""Checks of the credit.* policy values, registered with the policy app (a province's bad value is
refused when saved, not when the next loan is recorded)."""

from django.core.exceptions import ValidationError

from fupin.registry.choices import HouseholdStatus

from . import choices as c


def _whole(label: str, low: int, high: int):
    def check(value) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or not low <= value <= high:
            raise ValidationError(f"{label}应为 {low}–{high} 之间的整数")
    return check


def check_max_amount(value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1_000_000:
        raise ValidationError("扶贫小额信贷额度上限应为大于 0、不超过 1,000,000 的金额（元）")


def check_reminder_days(value) -> None:
    if (not isinstance(value, list) or not value or len(set(value)) != len(value)
            or any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 365 for v in value)):
        raise ValidationError("到期前提醒天数应为不重复的 1–365 之间整数的非空列表，如 [60, 30]")


def check_statuses(value) -> None:
    allowed = set(HouseholdStatus.values)
    if not isinstance(value, list) or not value or any(v not in allowed for v in value):
        raise ValidationError(f"可贷的户状态应为非空列表，可选：{'、'.join(sorted(allowed))}")


def check_bool(value) -> None:
    if not isinstance(value, bool):
        raise ValidationError("应为 true 或 false")


def check_rating_levels(value) -> None:
    if (not isinstance(value, dict) or not value
            or any(not str(k).strip() or isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 1_000_000
                   for k, v in value.items())):
        raise ValidationError("信用等级和授信额度应为非空对象，如 {\"AAA\": 50000, \"AA\": 30000, \"A\": 10000}")


CHECKS = {
    c.MAX_AMOUNT_KEY: check_max_amount,
    c.MAX_TERM_KEY: _whole("贷款期限上限（月）", 1, 120),
    c.AGE_MIN_KEY: _whole("借款人最低年龄", 16, 100),
    c.AGE_MAX_KEY: _whole("借款人最高年龄", 16, 100),
    c.REMINDER_DAYS_KEY: check_reminder_days,
    c.ELIGIBLE_KEY: check_statuses,
    c.EXITED_KEPT_KEY: check_bool,
    c.GRACE_KEY: _whole("逾期宽限天数", 0, 365),
    c.DEFAULT_AFTER_KEY: _whole("违约天数", 1, 3650),
    c.RATING_LEVELS_KEY: check_rating_levels,
    c.RATING_VALID_KEY: _whole("评级授信有效期（月）", 1, 120),
    c.MAX_RENEWALS_KEY: _whole("最多展期续贷次数", 0, 10),
}

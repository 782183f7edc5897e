"""Checks of the funds.* policy values, registered with the policy app (a province's bad value is
refused when saved, not when the next alert report runs)."""

from django.core.exceptions import ValidationError

from fupin.registry.choices import HouseholdStatus

from .choices import ELIGIBLE_KEY, SLOW_DAYS_KEY, SLOW_RATE_KEY


def check_days(value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or not 1 <= value <= 3650:
        raise ValidationError("拨付缓慢预警天数应为 1–3650 之间的整数")


def check_rate(value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ValidationError("拨付缓慢预警的最低拨付率应为大于 0、不超过 1 的小数")


def check_statuses(value) -> None:
    allowed = set(HouseholdStatus.values)
    if not isinstance(value, list) or not value or any(v not in allowed for v in value):
        raise ValidationError(f"可领取到户资金的户状态应为非空列表，可选：{'、'.join(sorted(allowed))}")


CHECKS = {SLOW_DAYS_KEY: check_days, SLOW_RATE_KEY: check_rate, ELIGIBLE_KEY: check_statuses}

"""Checks of the visits.* policy values, registered with the policy app (a province's bad value is
refused when saved, not when the next compliance report runs)."""

from django.core.exceptions import ValidationError

from fupin.core.uploads import IMAGE_TYPES

from .choices import (
    COUNTED_KINDS_KEY,
    DUE_SOON_KEY,
    MAX_DAYS_KEY,
    PHOTO_MAX_MB_KEY,
    PHOTO_TYPES_KEY,
    VisitKind,
)


def _whole_number(value, *, label: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or not low <= value <= high:
        raise ValidationError(f"{label}应为 {low}–{high} 之间的整数")


def check_max_days(value) -> None:
    _whole_number(value, label="两次走访最长间隔（天）", low=1, high=366)


def check_due_soon(value) -> None:
    _whole_number(value, label="即将到期提醒天数", low=0, high=90)


def check_photo_max_mb(value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 50:
        raise ValidationError("走访照片大小上限应为大于 0、不超过 50 的数值（MB）")


def _subset(value, *, allowed, label: str) -> None:
    if not isinstance(value, list) or not value or any(str(v).lower() not in allowed for v in value):
        raise ValidationError(f"{label}应为非空列表，可选：{'、'.join(sorted(allowed))}")


def check_photo_types(value) -> None:
    _subset(value, allowed=IMAGE_TYPES, label="走访照片类型")


def check_counted_kinds(value) -> None:
    _subset(value, allowed=set(VisitKind.values), label="计入走访频次的走访方式")


CHECKS = {MAX_DAYS_KEY: check_max_days, DUE_SOON_KEY: check_due_soon, PHOTO_MAX_MB_KEY: check_photo_max_mb,
          PHOTO_TYPES_KEY: check_photo_types, COUNTED_KINDS_KEY: check_counted_kinds}

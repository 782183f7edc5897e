"""Cleaning of raw input shared by services, forms and the API (Chinese messages naming the field)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from fupin.core.clock import today
from fupin.registry.validation import parse_date
from fupin.registry.validators import validate_phone

EARLIEST = date(2000, 1, 1)


def text(data: dict, name: str, *, label: str, max_length: int, required: bool = False) -> str:
    raw = data.get(name)
    value = "" if raw is None else str(raw).strip()
    if required and not value:
        raise ValidationError({name: [f"{label}不能为空"]})
    if len(value) > max_length:
        raise ValidationError({name: [f"{label}不能超过 {max_length} 个字"]})
    return value


def phone(data: dict, name: str = "phone", *, label: str = "联系电话") -> str:
    try:
        return validate_phone(data.get(name) or "", label=label)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def choice(data: dict, name: str, choices: type[models.TextChoices], *, label: str) -> str:
    """A choice given as its code or its Chinese label."""
    raw = data.get(name)
    value = "" if raw is None else str(raw).strip()
    if not value:
        raise ValidationError({name: [f"{label}不能为空"]})
    for c in choices:
        if value in (c.value, c.label):
            return c.value
    allowed = "、".join(c.label for c in choices)
    raise ValidationError({name: [f"{label}“{value}”无效，应为：{allowed}"]})


def day(raw, *, name: str, label: str, required: bool = True, not_future: bool = False) -> date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise ValidationError({name: [f"{label}不能为空"]})
        return None
    try:
        value = parse_date(raw, label=label)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None
    if value < EARLIEST:
        raise ValidationError({name: [f"{label} {value} 早于 {EARLIEST.year} 年"]})
    if not_future and value > today():
        raise ValidationError({name: [f"{label} {value} 不能晚于今天"]})
    return value


def year(raw, *, name: str, label: str, required: bool = True) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise ValidationError({name: [f"{label}不能为空"]})
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValidationError({name: [f"{label}“{raw}”应为四位年份"]}) from None
    if not EARLIEST.year <= value <= today().year + 1:
        raise ValidationError({name: [f"{label} {value} 超出范围（{EARLIEST.year}–{today().year + 1}）"]})
    return value


def pk(raw, *, name: str, label: str, required: bool = True) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise ValidationError({name: [f"请选择{label}"]})
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValidationError({name: [f"{label}“{raw}”无效"]}) from None
    if value < 1 or value > 2**63 - 1:
        raise ValidationError({name: [f"{label}“{raw}”无效"]})
    return value


def end_after(start: date, end: date, *, name: str = "end", what: str = "结束日期", start_label: str = "开始日期",
              strict: bool = True) -> None:
    if end < start or (strict and end == start):
        raise ValidationError({name: [f"{what} {end} 应晚于{start_label} {start}"]})

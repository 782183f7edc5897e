import re

from django.core.exceptions import ValidationError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
BANK_ACCOUNT_RE = re.compile(r"^\d{12,25}$")


def validate_phone(value: str, *, label: str = "联系电话") -> str:
    value = (value or "").strip().replace(" ", "")
    if value and not (MOBILE_RE.match(value) or LANDLINE_RE.match(value)):
        raise ValidationError(f"{label}“{value}”无效：应为 11 位手机号或带区号的固定电话")
    return value


def validate_bank_account(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if value and not BANK_ACCOUNT_RE.match(value):
        raise ValidationError(f"银行账号“{value}”无效：应为 12–25 位数字")
    return value

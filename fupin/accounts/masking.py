"""Masking of personal data (个人敏感信息脱敏) for display and export."""

from .roles import Cap, role_has

PERSONAL_FIELDS = frozenset({"id_number", "phone", "bank_account"})


def mask_id_number(value: str) -> str:
    if not value:
        return value
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str) -> str:
    if not value:
        return value
    return "*" * max(len(value) - 4, 0) + value[-4:]


MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_bank_account}


def may_see_personal(user, *, in_list: bool) -> bool:
    return role_has(user.role, Cap.VIEW_PERSONAL_IN_LISTS if in_list else Cap.VIEW_PERSONAL)


def mask_value(field: str, value, *, user, in_list: bool):
    if field not in MASKERS or not isinstance(value, str) or may_see_personal(user, in_list=in_list):
        return value
    return MASKERS[field](value)


def _mask_nested(value, *, user, in_list: bool):
    if isinstance(value, dict):
        return {k: _mask_nested(mask_value(k, v, user=user, in_list=in_list), user=user, in_list=in_list)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_nested(v, user=user, in_list=in_list) for v in value]
    return value


def mask_dict(data: dict | None, *, user, in_list: bool) -> dict | None:
    """Mask personal fields at any depth (audit snapshots nest member records in households)."""
    if data is None:
        return None
    return _mask_nested(data, user=user, in_list=in_list)

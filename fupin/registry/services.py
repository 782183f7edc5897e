"""State changes of the registry. Each is one transaction and writes its audit rows in it."""

from django.core.exceptions import ValidationError
from django.db import transaction

from fupin.accounts.roles import Cap
from fupin.audit.services import Action, diff, entry_for, record, snapshot

from .models import Household
from .selectors import household_access
from .validators import validate_bank_account, validate_phone

# Fields a clerk may change directly. Status, causes and incomes change through their own
# procedures (identification, exit, monitoring), never by editing.
HOUSEHOLD_EDITABLE = {
    "group_name": "村民小组",
    "address": "住址",
    "phone": "户联系电话",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
}


def _clean_household_changes(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for name, value in changes.items():
        if name not in HOUSEHOLD_EDITABLE:
            errors.setdefault(name, []).append(f"字段“{name}”不能在此修改")
            continue
        value = "" if value is None else str(value).strip()
        try:
            if name == "phone":
                value = validate_phone(value, label="户联系电话")
            elif name == "bank_account":
                value = validate_bank_account(value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
            continue
        max_length = Household._meta.get_field(name).max_length
        if max_length and len(value) > max_length:
            errors.setdefault(name, []).append(f"{HOUSEHOLD_EDITABLE[name]}不能超过 {max_length} 个字")
            continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def household_update(*, actor, household_id: int, changes: dict) -> Household:
    """Change a household's editable fields. Raises Http404 out of scope, PermissionDenied without
    the right, ValidationError (per field, in Chinese) on bad input — and then writes nothing."""
    household = household_access(actor, household_id, for_update=True, need=Cap.EDIT_REGISTRY)
    cleaned = _clean_household_changes(changes)
    before = snapshot(household)
    for name, value in cleaned.items():
        setattr(household, name, value)
    changed_before, changed_after = diff(before, snapshot(household))
    if not changed_after:
        return household
    household.save(update_fields=[*cleaned.keys(), "updated_at"])
    record(actor=actor, entry=entry_for(household, action=Action.UPDATE, region_code=household.village_id,
                                        before=changed_before, after=changed_after))
    return household

"""Changes to the issue ledger (问题台账). Each function is one transaction, audited, and writes an
ItemEvent; an item's state changes nowhere else."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.accounts.roles import Cap, role_has
from fupin.accounts.scope import code_in_scope
from fupin.audit.services import Action, entry_for, record, snapshot
from fupin.core.clock import today
from fupin.policy.selectors import resolve
from fupin.regions.selectors import region_get
from fupin.registry.selectors import household_access

from .choices import EventKind, ItemState, Source
from .models import ItemEvent, LedgerItem


def _actor_fields(actor) -> dict:
    return {"actor_id": getattr(actor, "pk", None), "actor_name": getattr(actor, "username", "system")}


@transaction.atomic
def item_create(*, actor, source: str, region_code: str, title: str, source_ref: str = "",
                household_id: int | None = None, description: str = "", inputs: dict | None = None,
                found_on: date | None = None, deadline: date | None = None, responsible_id: int | None = None,
                responsible_name: str = "", measures: str = "") -> LedgerItem:
    """Register a problem (登记问题). A problem tied to a household belongs to its village. A second
    open item for the same `source_ref` is refused (the first one names where it is followed)."""
    if not role_has(getattr(actor, "role", ""), Cap.MANAGE_LEDGER):
        raise PermissionDenied("您的角色无权登记问题")
    errors: dict[str, list[str]] = {}
    if source not in Source.values:
        errors["source"] = [f"问题来源“{source}”无效"]
    title = (title or "").strip()
    if not title:
        errors["title"] = ["问题不能为空"]
    elif len(title) > LedgerItem._meta.get_field("title").max_length:
        errors["title"] = ["问题不能超过 200 字（详细情况请写在问题描述中）"]
    household = None
    if household_id is not None:
        household = household_access(actor, household_id)
        region_code = household.village_id
    if region_get(region_code or "") is None:
        errors["region_code"] = [f"区划“{region_code}”不存在"]
    elif not code_in_scope(actor, region_code):
        raise PermissionDenied(f"区划“{region_code}”不在您的管辖范围内")
    found_on = found_on or today()
    if found_on > today():
        errors["found_on"] = ["发现日期不能晚于今天"]
    if deadline is None and not errors:
        days = resolve("ledger.default_deadline_days", year=found_on.year, region_code=region_code).value
        deadline = found_on + timedelta(days=int(days))
    if deadline is not None and deadline < found_on:
        errors["deadline"] = ["整改时限不能早于发现日期"]
    if source_ref and LedgerItem.objects.filter(source_ref=source_ref).exclude(state=ItemState.CLOSED).exists():
        errors["source_ref"] = [f"该问题（{source_ref}）已在问题台账中，尚未销号"]
    if errors:
        raise ValidationError(errors)
    item = LedgerItem.objects.create(
        source=source, source_ref=source_ref, region_code=region_code, household=household, title=title,
        description=description.strip(), inputs=inputs or {}, found_on=found_on, deadline=deadline,
        responsible_id=responsible_id, responsible_name=responsible_name.strip(), measures=measures.strip(),
        created_by=actor if getattr(actor, "pk", None) else None)
    ItemEvent.objects.create(item=item, kind=EventKind.CREATED, from_state="", to_state=ItemState.OPEN, on=found_on,
                             note=title, **_actor_fields(actor))
    record(actor=actor, entry=entry_for(item, action=Action.CREATE, region_code=region_code, after=snapshot(item)))
    return item

"""Writing the audit trail. Call these inside the transaction that makes the change."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from fupin.core.bulk import TableWriter

from .chain import row_hash
from .context import current
from .models import AuditEvent, AuditHead


class Action:
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKED = "locked"
    UNLOCK = "unlock"
    DISABLE = "disable"
    ENABLE = "enable"
    IMPORT = "import"

    LABELS = {CREATE: "新增", UPDATE: "修改", DELETE: "删除", LOGIN: "登录", LOGIN_FAILED: "登录失败",
              LOCKED: "账户锁定", UNLOCK: "解除锁定", DISABLE: "停用账户", ENABLE: "启用账户", IMPORT: "导入"}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(obj: models.Model, *, exclude: tuple[str, ...] = ("password",)) -> dict[str, Any]:
    """The object's concrete field values, JSON-safe, keyed by attribute name (FKs as `x_id`)."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude or f.attname in exclude:
            continue
        data[f.attname] = _json_value(getattr(obj, f.attname))
    # Round-trip once so what we hash is exactly what the JSON column gives back.
    return json.loads(json.dumps(data, ensure_ascii=False))


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


@dataclass
class Entry:
    action: str
    object_type: str
    object_id: str = ""
    object_repr: str = ""
    region_code: str = ""
    before: dict | None = None
    after: dict | None = None
    extra: dict = field(default_factory=dict)


def object_type_of(obj_or_model) -> str:
    return obj_or_model._meta.label_lower


def entry_for(obj: models.Model, *, action: str, region_code: str = "", before: dict | None = None,
              after: dict | None = None) -> Entry:
    return Entry(action=action, object_type=object_type_of(obj), object_id=str(obj.pk),
                 object_repr=str(obj)[:200], region_code=region_code, before=before, after=after)


@transaction.atomic
def record_many(*, actor=None, entries: list[Entry], batch_size: int = 2000) -> int:
    """Append entries to the chain in order: one lock, hashes computed in memory, bulk insert."""
    if not entries:
        return 0
    ctx = current()
    actor_id = actor.pk if actor is not None else ctx.actor_id
    actor_name = actor.username if actor is not None else ctx.actor_name
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    seq, prev = head.seq, head.hash
    now = timezone.now()
    rows = []
    for e in entries:
        seq += 1
        values = {
            "seq": seq, "at": now, "actor_id": actor_id, "actor_name": actor_name, "ip": ctx.ip,
            "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
            "object_repr": e.object_repr, "region_code": e.region_code,
            "before": e.before, "after": e.after, "prev_hash": prev,
        }
        values["hash"] = prev = row_hash(values)
        rows.append(values)
    writer = TableWriter(AuditEvent)  # COPY on PostgreSQL: an import writes tens of thousands of entries
    for start in range(0, len(rows), batch_size):
        writer.insert(rows[start:start + batch_size], now=now, keep=False)
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])
    return len(rows)


def record(*, actor=None, entry: Entry) -> None:
    record_many(actor=actor, entries=[entry])

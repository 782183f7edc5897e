"""Changes to the issue ledger (问题台账). Each function is one transaction, audited, and writes an
ItemEvent; an item's state changes nowhere else.

States: open (待整改) → rectifying (整改中) → submitted (已提交整改) → verified (已核验) → closed (已销号);
a submitted item may be returned to rectifying, a verified or closed one reopened (with a reason).
Who: MANAGE_LEDGER registers, assigns, returns, verifies, closes and reopens; RECTIFY starts,
adds evidence and submits. Outside the actor's scope → 404, in scope without the capability → 403.
Dates default to `clock.today()`, may not be in the future, before the item was found, or before
its last recorded step.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from fupin.accounts.roles import Cap, role_has
from fupin.accounts.scope import code_in_scope
from fupin.audit.services import Action, entry_for, record, record_many, snapshot
from fupin.core import uploads
from fupin.core.clock import today
from fupin.policy.selectors import resolve, resolve_many
from fupin.regions.codes import InvalidCode, normalize_code, subtree_range
from fupin.regions.selectors import region_get
from fupin.registry.selectors import household_access

from .choices import EventKind, ItemState, Source
from .models import Evidence, ItemEvent, LedgerItem
from .rules import (
    ACTION_LABELS,
    DEFAULT_DEADLINE_KEY,
    EVIDENCE_MAX_MB_KEY,
    EVIDENCE_TYPES_KEY,
    TRANSITIONS,
)
from .selectors import item_access

UNSET = object()
NOTE_MAX = 500
TEXT_MAX = 4000
EVIDENCE_LABEL = "整改佐证材料"


def _actor_fields(actor) -> dict:
    return {"actor_id": getattr(actor, "pk", None),
            "actor_name": (getattr(actor, "display_name", "") or getattr(actor, "username", "")) or "系统"}


def _text(value, *, field: str, label: str, errors: dict, required: bool = False, max_len: int = TEXT_MAX) -> str:
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        errors.setdefault(field, []).append(f"{label}不能为空")
    elif len(value) > max_len:
        errors.setdefault(field, []).append(f"{label}不能超过 {max_len} 字")
    return value


def _responsible(responsible_id, region_code: str, errors: dict):
    """The responsible person: an active user whose region covers the item's and who may rectify."""
    if responsible_id in (None, ""):
        return None
    try:
        pk = int(responsible_id)
    except (TypeError, ValueError):
        errors.setdefault("responsible_id", []).append(f"整改责任人“{responsible_id}”无效")
        return None
    user = get_user_model().objects.select_related("region").filter(pk=pk).first()
    if user is None or not user.is_active:
        errors.setdefault("responsible_id", []).append(f"整改责任人（ID {pk}）不存在或已停用")
    elif region_code not in subtree_range(user.region_id):
        errors.setdefault("responsible_id", []).append(
            f"整改责任人“{user.display_name}”所在区划（{user.region.name}）不包含该问题所属区划")
    elif not role_has(user.role, Cap.RECTIFY):
        errors.setdefault("responsible_id", []).append(f"整改责任人“{user.display_name}”的角色不能承担整改")
    else:
        return user
    return None


def _event(item: LedgerItem, *, actor, kind: str, from_state: str, on: date, note: str = "") -> ItemEvent:
    return ItemEvent.objects.create(item=item, kind=kind, from_state=from_state, to_state=item.state, on=on,
                                    note=note[:NOTE_MAX], **_actor_fields(actor))


def _open_for(actor, item_id, action: str) -> LedgerItem:
    """Lock the item (404 outside scope, 403 without the action's capability) and check its state."""
    cap, states = TRANSITIONS[action]
    item = item_access(actor, item_id, for_update=True, need=cap)
    if item.state not in states:
        allowed = "、".join(ItemState(s).label for s in states)
        raise ValidationError({"state": [f"问题当前为“{item.get_state_display()}”，不能{ACTION_LABELS[action]}"
                                         f"（只有“{allowed}”的问题可以）"]})
    return item


def _day(item: LedgerItem, on: date | None, *, field: str = "on") -> date:
    on = on or today()
    if on > today():
        raise ValidationError({field: [f"日期 {on:%Y-%m-%d} 不能晚于今天"]})
    if on < item.found_on:
        raise ValidationError({field: [f"日期 {on:%Y-%m-%d} 不能早于发现日期 {item.found_on:%Y-%m-%d}"]})
    last = ItemEvent.objects.filter(item_id=item.pk).order_by("-on").values_list("on", flat=True).first()
    if last and on < last:
        raise ValidationError({field: [f"日期 {on:%Y-%m-%d} 不能早于上一次处理日期 {last:%Y-%m-%d}"]})
    return on


def _save(item: LedgerItem, *, actor, before: dict, fields: list[str]) -> None:
    item.save(update_fields=[*fields, "updated_at"])
    record(actor=actor, entry=entry_for(item, action=Action.UPDATE, region_code=item.region_code, before=before,
                                        after=snapshot(item)))


# --- Registering ------------------------------------------------------------------------------------

@transaction.atomic
def item_create(*, actor, source: str, title: str, region_code: str = "", source_ref: str = "",
                household_id: int | None = None, description: str = "", inputs: dict | None = None,
                found_on: date | None = None, deadline: date | None = None, responsible_id: int | None = None,
                responsible_name: str = "", measures: str = "") -> LedgerItem:
    """Register a problem (登记问题). A problem tied to a household belongs to its village. A second
    open item for the same `source_ref` is refused (the first one names where it is followed)."""
    if not role_has(getattr(actor, "role", ""), Cap.MANAGE_LEDGER):
        raise PermissionDenied("您的角色无权登记问题")
    errors: dict[str, list[str]] = {}
    if source not in Source.values:
        errors["source"] = [f"问题来源“{source}”无效（可选：{'、'.join(f'{v} {lb}' for v, lb in Source.choices)}）"]
    title = _text(title, field="title", label="问题", errors=errors, required=True,
                  max_len=LedgerItem._meta.get_field("title").max_length)
    description = _text(description, field="description", label="问题描述", errors=errors)
    measures = _text(measures, field="measures", label="整改措施", errors=errors)
    responsible_name = _text(responsible_name, field="responsible_name", label="责任人（单位）", errors=errors,
                             max_len=100)
    source_ref = _text(source_ref, field="source_ref", label="来源编号", errors=errors, max_len=120)
    household = None
    if household_id not in (None, ""):
        household = household_access(actor, household_id)  # 404 outside scope
        region_code = household.village_id
    elif region_code:
        try:
            region_code = normalize_code(region_code)
        except InvalidCode as exc:
            errors["region_code"] = [str(exc)]
    if not region_code:
        errors.setdefault("region_code", ["请指定问题所属区划或涉及的户"])
    elif "region_code" not in errors:
        if region_get(region_code) is None:
            errors["region_code"] = [f"区划“{region_code}”不存在"]
        elif not code_in_scope(actor, region_code):
            raise PermissionDenied(f"区划“{region_code}”不在您的管辖范围内")
    found_on = found_on or today()
    if found_on > today():
        errors["found_on"] = ["发现日期不能晚于今天"]
    if deadline is None and "region_code" not in errors:
        days = resolve(DEFAULT_DEADLINE_KEY, year=found_on.year, region_code=region_code).value
        deadline = found_on + timedelta(days=int(days))
    if deadline is not None and deadline < found_on:
        errors["deadline"] = [f"整改时限 {deadline:%Y-%m-%d} 不能早于发现日期 {found_on:%Y-%m-%d}"]
    responsible = _responsible(responsible_id, region_code, errors) if "region_code" not in errors else None
    if source_ref:
        existing = LedgerItem.objects.filter(source_ref=source_ref).exclude(state=ItemState.CLOSED).first()
        if existing is not None:
            errors["source_ref"] = [f"该问题（{source_ref}）已在问题台账中（编号 {existing.pk}，"
                                    f"{existing.get_state_display()}），尚未销号"]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            item = LedgerItem.objects.create(
                source=source, source_ref=source_ref, region_code=region_code, household=household, title=title,
                description=description, inputs=inputs or {}, found_on=found_on, deadline=deadline,
                responsible=responsible, responsible_name=responsible_name, measures=measures,
                created_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:  # a concurrent registration of the same reference
        raise ValidationError({"source_ref": [f"该问题（{source_ref}）已在问题台账中，尚未销号"]}) from None
    _event(item, actor=actor, kind=EventKind.CREATED, from_state="", on=found_on, note=title)
    record(actor=actor, entry=entry_for(item, action=Action.CREATE, region_code=region_code, after=snapshot(item)))
    return item


def quality_ref(code: str, household_id: int, member_id: int | None, year: int) -> str:
    return f"quality:{code}:{household_id}:{member_id or '-'}:{year}"


@transaction.atomic
def item_from_quality_finding(*, actor, household_id: int, rule_code: str, year: int, member_id: int | None = None,
                              deadline: date | None = None, responsible_id: int | None = None,
                              responsible_name: str = "", found_on: date | None = None) -> LedgerItem:
    """A data-quality finding chosen for follow-up: the rule is run again for the household, and the
    item is refused if the finding is gone (already corrected)."""
    from fupin.registry.quality.engine import UnknownRule, check_household, select_rules
    from fupin.registry.selectors import households_visible_to

    if not role_has(getattr(actor, "role", ""), Cap.MANAGE_LEDGER):
        raise PermissionDenied("您的角色无权登记问题")
    household = household_access(actor, household_id)
    try:
        rule = select_rules([rule_code])[0]
    except UnknownRule as exc:
        raise ValidationError({"rule_code": [str(exc)]}) from None
    member_id = int(member_id) if member_id not in (None, "", "-") else None
    findings = check_household(household, year=int(year), rules=[rule.code], visible=households_visible_to(actor))
    finding = next((f for f in findings if f.member_id == member_id), None)
    if finding is None:
        raise ValidationError({"rule_code": [f"户 {household.household_no} 在 {year} 年度已不存在“{rule.code} "
                                             f"{rule.title}”问题（可能已更正），无需列入问题台账"]})
    inputs = {"rule": rule.code, "rule_title": rule.title, "severity": finding.severity, "year": int(year),
              "message": finding.message, "household_no": finding.household_no, "member_id": finding.member_id,
              "member_name": finding.member_name, "fields": list(finding.fields), "policy": finding.inputs}
    return item_create(actor=actor, source=Source.QUALITY, household_id=household.pk,
                       source_ref=quality_ref(rule.code, household.pk, member_id, int(year)),
                       title=f"{rule.code} {finding.title}"[:200], description=finding.message, inputs=inputs,
                       deadline=deadline, responsible_id=responsible_id, responsible_name=responsible_name,
                       found_on=found_on)


# --- Assigning --------------------------------------------------------------------------------------

@transaction.atomic
def item_update(*, actor, item_id, responsible_id=UNSET, responsible_name=UNSET, deadline=UNSET, measures=UNSET,
                note: str = "", on: date | None = None) -> LedgerItem:
    """指定责任人、整改时限、整改措施 (only the arguments given change). Not once closed."""
    item = _open_for(actor, item_id, "assign")
    day = _day(item, on)
    before = snapshot(item)
    errors: dict[str, list[str]] = {}
    changed, parts = [], []
    if responsible_id is not UNSET:
        person = _responsible(responsible_id, item.region_code, errors)
        if person is not None or responsible_id in (None, ""):
            item.responsible = person
            changed.append("responsible")
            parts.append(f"整改责任人：{person.display_name if person else '（无）'}")
    if responsible_name is not UNSET:
        item.responsible_name = _text(responsible_name, field="responsible_name", label="责任人（单位）",
                                      errors=errors, max_len=100)
        changed.append("responsible_name")
        parts.append(f"责任人（单位）：{item.responsible_name or '（无）'}")
    if deadline is not UNSET:
        if deadline is None:
            errors["deadline"] = ["整改时限不能为空"]
        elif deadline < item.found_on:
            errors["deadline"] = [f"整改时限 {deadline:%Y-%m-%d} 不能早于发现日期 {item.found_on:%Y-%m-%d}"]
        else:
            parts.append(f"整改时限：{item.deadline:%Y-%m-%d} → {deadline:%Y-%m-%d}")
            item.deadline = deadline
            changed.append("deadline")
    if measures is not UNSET:
        item.measures = _text(measures, field="measures", label="整改措施", errors=errors)
        changed.append("measures")
        parts.append("整改措施已更新")
    note = _text(note, field="note", label="说明", errors=errors, max_len=200)
    if not changed and not errors:
        errors["non_field_errors"] = ["没有要修改的内容"]
    if errors:
        raise ValidationError(errors)
    _save(item, actor=actor, before=before, fields=changed)
    _event(item, actor=actor, kind=EventKind.ASSIGNED, from_state=item.state, on=day,
           note="；".join(parts + ([note] if note else [])))
    return item


item_assign = item_update


# --- Rectifying -------------------------------------------------------------------------------------

@transaction.atomic
def item_start(*, actor, item_id, measures: str, on: date | None = None, note: str = "") -> LedgerItem:
    """开始整改 (open → rectifying) with the rectification measures."""
    item = _open_for(actor, item_id, "start")
    day = _day(item, on)
    errors: dict = {}
    measures = _text(measures, field="measures", label="整改措施", errors=errors, required=True)
    note = _text(note, field="note", label="说明", errors=errors, max_len=200)
    if errors:
        raise ValidationError(errors)
    before = snapshot(item)
    item.measures, item.state = measures, ItemState.RECTIFYING
    _save(item, actor=actor, before=before, fields=["measures", "state"])
    _event(item, actor=actor, kind=EventKind.STARTED, from_state=ItemState.OPEN, on=day, note=note or measures)
    return item


def check_evidence(files, *, region_code: str, year: int) -> list[uploads.CheckedFile]:
    """Every file checked (type by extension and content, size) against ledger.evidence_*; raises
    ValidationError({"files": [...]}) naming each bad file. Nothing is written."""
    files = list(files or ())
    if not files:
        raise ValidationError({"files": ["请选择要上传的整改佐证材料"]})
    p = resolve_many([EVIDENCE_MAX_MB_KEY, EVIDENCE_TYPES_KEY], year=year, region_code=region_code)
    errors, checked = [], []
    for f in files:
        try:
            checked.append(uploads.check_upload(f, max_mb=p[EVIDENCE_MAX_MB_KEY].value,
                                                allowed=list(p[EVIDENCE_TYPES_KEY].value), label=EVIDENCE_LABEL))
        except ValidationError as exc:
            errors += exc.messages
    if errors:
        raise ValidationError({"files": errors})
    return checked


@transaction.atomic
def evidence_add(*, actor, item_id, files, on: date | None = None, note: str = "") -> list[Evidence]:
    """上传整改佐证材料 (open or rectifying, also after a return). Files are stored by content hash;
    those written here are removed again if the transaction fails."""
    item = _open_for(actor, item_id, "evidence")
    day = _day(item, on)
    checked = check_evidence(files, region_code=item.region_code, year=day.year)
    errors: dict = {}
    note = _text(note, field="note", label="说明", errors=errors, max_len=200)
    if errors:
        raise ValidationError(errors)
    written: list[str] = []
    try:
        rows = []
        for f in checked:
            name, created = uploads.store(f, folder=f"ledger/{item.pk}")
            if created:
                written.append(name)
            rows.append(Evidence(item=item, file_name=f.name, stored_path=name, content_type=f.content_type,
                                 size=f.size, sha256=f.sha256, uploaded_by_name=_actor_fields(actor)["actor_name"]))
        Evidence.objects.bulk_create(rows)
        names = "、".join(r.file_name for r in rows)
        _event(item, actor=actor, kind=EventKind.EVIDENCE, from_state=item.state, on=day,
               note=(f"{note}（{names}）" if note else names))
        record_many(actor=actor, entries=[entry_for(r, action=Action.CREATE, region_code=item.region_code,
                                                    after=snapshot(r)) for r in rows])
    except BaseException:
        uploads.discard(written)
        raise
    return rows


@transaction.atomic
def item_submit(*, actor, item_id, on: date | None = None, note: str = "", measures: str | None = None) -> LedgerItem:
    """提交整改 (rectifying → submitted): needs the measures and at least one evidence file."""
    item = _open_for(actor, item_id, "submit")
    day = _day(item, on)
    errors: dict = {}
    if measures is not None:
        item.measures = _text(measures, field="measures", label="整改措施", errors=errors)
    note = _text(note, field="note", label="说明", errors=errors, max_len=200)
    if not item.measures.strip():
        errors.setdefault("measures", []).append("提交整改前请填写整改措施")
    if not Evidence.objects.filter(item_id=item.pk).exists():
        errors.setdefault("files", []).append("提交整改前请至少上传一份整改佐证材料")
    if errors:
        raise ValidationError(errors)
    before = snapshot(item)
    item.state, item.submitted_on = ItemState.SUBMITTED, day
    _save(item, actor=actor, before=before, fields=["state", "submitted_on", "measures"])
    late = f"（超过整改时限 {(day - item.deadline).days} 天）" if day > item.deadline else ""
    _event(item, actor=actor, kind=EventKind.SUBMITTED, from_state=ItemState.RECTIFYING, on=day,
           note=(note or "提交整改") + late)
    return item


# --- Checking and closing ---------------------------------------------------------------------------

def _reason(reason, label: str) -> str:
    errors: dict = {}
    reason = _text(reason, field="reason", label=label, errors=errors, required=True, max_len=300)
    if errors:
        raise ValidationError(errors)
    return reason


@transaction.atomic
def item_return(*, actor, item_id, reason: str, on: date | None = None) -> LedgerItem:
    """核验未通过，退回重新整改 (submitted → rectifying) with the reason."""
    item = _open_for(actor, item_id, "return")
    reason = _reason(reason, "退回原因")
    day = _day(item, on)
    before = snapshot(item)
    item.state, item.submitted_on = ItemState.RECTIFYING, None
    _save(item, actor=actor, before=before, fields=["state", "submitted_on"])
    _event(item, actor=actor, kind=EventKind.RETURNED, from_state=ItemState.SUBMITTED, on=day, note=reason)
    return item


def last_submitter_id(item: LedgerItem) -> int | None:
    return (ItemEvent.objects.filter(item_id=item.pk, kind=EventKind.SUBMITTED).order_by("-on", "-at", "-id")
            .values_list("actor_id", flat=True).first())


@transaction.atomic
def item_verify(*, actor, item_id, on: date | None = None, note: str = "") -> LedgerItem:
    """核验通过 (submitted → verified). Whoever submitted the rectification may not verify it."""
    item = _open_for(actor, item_id, "verify")
    if last_submitter_id(item) == actor.pk:
        raise ValidationError({"non_field_errors": ["整改由您本人提交，须由其他人员核验"]})
    day = _day(item, on)
    errors: dict = {}
    note = _text(note, field="note", label="核验意见", errors=errors, max_len=300)
    if errors:
        raise ValidationError(errors)
    before = snapshot(item)
    item.state, item.verified_on = ItemState.VERIFIED, day
    _save(item, actor=actor, before=before, fields=["state", "verified_on"])
    _event(item, actor=actor, kind=EventKind.VERIFIED, from_state=ItemState.SUBMITTED, on=day, note=note or "核验通过")
    return item


@transaction.atomic
def item_close(*, actor, item_id, on: date | None = None, note: str = "") -> LedgerItem:
    """销号 (verified → closed). Nothing is closed without verification."""
    cap, _ = TRANSITIONS["close"]
    item = item_access(actor, item_id, for_update=True, need=cap)
    if item.state != ItemState.VERIFIED:
        why = "已销号" if item.state == ItemState.CLOSED else f"当前为“{item.get_state_display()}”，尚未核验通过"
        raise ValidationError({"state": [f"不能销号：问题{why}；整改须经核验通过后才能销号"]})
    day = _day(item, on)
    errors: dict = {}
    note = _text(note, field="note", label="说明", errors=errors, max_len=300)
    if errors:
        raise ValidationError(errors)
    before = snapshot(item)
    item.state, item.closed_on = ItemState.CLOSED, day
    _save(item, actor=actor, before=before, fields=["state", "closed_on"])
    _event(item, actor=actor, kind=EventKind.CLOSED, from_state=ItemState.VERIFIED, on=day, note=note or "销号")
    return item


@transaction.atomic
def item_reopen(*, actor, item_id, reason: str, on: date | None = None) -> LedgerItem:
    """重新打开 (verified or closed → rectifying) with the reason; the verification and closing are cleared."""
    item = _open_for(actor, item_id, "reopen")
    reason = _reason(reason, "重新打开的原因")
    day = _day(item, on)
    if item.state == ItemState.CLOSED and item.source_ref:
        other = (LedgerItem.objects.filter(source_ref=item.source_ref).exclude(pk=item.pk)
                 .exclude(state=ItemState.CLOSED).first())
        if other is not None:
            raise ValidationError({"state": [f"同一来源的问题已另行登记（编号 {other.pk}，{other.get_state_display()}），"
                                             "请在该问题中继续整改"]})
    before = snapshot(item)
    from_state = item.state
    item.state, item.reopen_count = ItemState.RECTIFYING, item.reopen_count + 1
    item.submitted_on = item.verified_on = item.closed_on = None
    _save(item, actor=actor, before=before,
          fields=["state", "reopen_count", "submitted_on", "verified_on", "closed_on"])
    _event(item, actor=actor, kind=EventKind.REOPENED, from_state=from_state, on=day, note=reason)
    return item

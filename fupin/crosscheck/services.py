"""Changes of the cross-check engine: load a roster and run its rules, rerun, dismiss a suspect, send
a suspect to the issue ledger. Each is one transaction with one audit row (not one per roster row)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.accounts.roles import Cap, role_has
from fupin.accounts.scope import code_in_scope
from fupin.audit.services import Action, entry_for, record, snapshot
from fupin.core.clock import today
from fupin.policy.selectors import PolicyMissing, resolve
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.regions.selectors import region_get

from .choices import DatasetKind, SuspectStatus
from .loading import Loader, RosterRefused, load_file, load_rows
from .models import Roster
from .rules import run_rules
from .selectors import roster_access, suspect_access

NOTE_MAX = 300


def _may(actor, cap: str, message: str) -> None:
    """A system run (actor None: demo, scheduled jobs) may do everything; a user needs the capability."""
    if actor is not None and not role_has(getattr(actor, "role", ""), cap):
        raise PermissionDenied(message)


def _check_params(actor, *, kind, region_code, as_of, name, department, year) -> tuple:
    errors: dict[str, list[str]] = {}
    if kind not in DatasetKind.values:
        allowed = "、".join(f"{v}（{label}）" for v, label in DatasetKind.choices)
        errors["kind"] = [f"数据类别“{kind}”无效，应为：{allowed}"]
    try:
        code = normalize_code(region_code or "")
    except InvalidCode as exc:
        errors["region_code"] = [str(exc)]
        code = ""
    if code and region_get(code) is None:
        errors["region_code"] = [f"区划“{code}”不存在"]
    elif code and actor is not None and not code_in_scope(actor, code):
        raise PermissionDenied(f"区划“{code}”不在您的管辖范围内")
    as_of = as_of or today()
    if not isinstance(as_of, date):
        errors["as_of"] = ["数据截止日期应为 YYYY-MM-DD"]
    elif as_of > today():
        errors["as_of"] = ["数据截止日期不能晚于今天"]
    if year is not None and not (2000 <= int(year) <= 2100):
        errors["year"] = [f"比对年度 {year} 无效（应在 2000–2100 之间）"]
    name = (name or "").strip()
    if len(name) > 200:
        errors["name"] = ["数据集名称不能超过 200 字"]
    if len((department or "").strip()) > 100:
        errors["department"] = ["提供部门不能超过 100 字"]
    if errors:
        raise ValidationError(errors)
    return code, as_of, name


@transaction.atomic
def roster_load(*, actor, kind: str, region_code: str, file=None, rows: list | None = None, as_of: date | None = None,
                name: str = "", department: str = "", year: int | None = None, file_name: str | None = None,
                progress=None) -> Roster:
    """Load a roster (a file path / uploaded file, or pushed `rows`) and run its rules in the same
    transaction. A refused file writes nothing; the ValidationError names the rows."""
    _may(actor, Cap.RUN_CROSSCHECK, "您的角色无权导入比对数据")
    code, as_of, name = _check_params(actor, kind=kind, region_code=region_code, as_of=as_of, name=name,
                                      department=department, year=year)
    if (file is None) == (rows is None):
        raise ValidationError({"file": ["请上传一个文件，或推送数据行（rows），二者选一"]})
    try:
        max_mb = resolve("crosscheck.max_file_mb", year=as_of.year, region_code=code).value
    except PolicyMissing as exc:
        raise ValidationError({"as_of": [str(exc)]}) from None
    label = DatasetKind(kind).label
    roster = Roster.objects.create(kind=kind, name=name or f"{label} {as_of:%Y-%m-%d}", department=department.strip(),
                                   region_code=code, as_of=as_of, year=year,
                                   uploaded_by=actor if getattr(actor, "pk", None) else None)
    loader = Loader(roster=roster, kind=kind, progress=progress)
    try:
        if rows is not None:
            result = load_rows(rows, loader=loader)
        else:
            result = load_file(file, loader=loader, max_mb=max_mb, name=file_name)
    except RosterRefused as exc:
        transaction.set_rollback(True)
        raise ValidationError({"rows" if rows is not None else "file": [str(exc)]}) from None
    roster.file_name = result.file_name[:255]
    roster.sha256 = result.sha256
    roster.row_count = result.rows
    roster.columns = result.columns
    roster.match_summary = {"load": {"rows": result.rows, "empty_rows": result.empty_rows, "notes": result.notes}}
    roster.save(update_fields=["file_name", "sha256", "row_count", "columns", "match_summary"])
    try:
        run_rules(roster, year=year)
    except PolicyMissing as exc:
        transaction.set_rollback(True)
        raise ValidationError({"as_of": [str(exc)]}) from None
    record(actor=actor, entry=entry_for(roster, action=Action.IMPORT, region_code=code, after=snapshot(roster)))
    return roster


@transaction.atomic
def roster_rerun(*, actor, roster_id: int, year: int | None = None) -> Roster:
    """Run the roster's rules again (after registry corrections or policy changes); existing suspects stay."""
    if actor is not None:
        roster = roster_access(actor, roster_id, need=Cap.RUN_CROSSCHECK)
    else:
        roster = Roster.objects.get(pk=roster_id)
    before = snapshot(roster)
    try:
        run_rules(roster, year=year)
    except PolicyMissing as exc:
        raise ValidationError({"year": [str(exc)]}) from None
    record(actor=actor, entry=entry_for(roster, action=Action.UPDATE, region_code=roster.region_code,
                                        before=before, after=snapshot(roster)))
    return roster


def _open_suspect(actor, suspect_id, cap: str):
    suspect = suspect_access(actor, suspect_id, need=cap, for_update=True)
    if suspect.status != SuspectStatus.NEW:
        raise ValidationError({"status": [f"该疑点已处理（{suspect.get_status_display()}），不能再次处理"]})
    return suspect


@transaction.atomic
def suspect_dismiss(*, actor, suspect_id: int, reason: str):
    """排除: checked on the spot, not a problem. The reason is required."""
    suspect = _open_suspect(actor, suspect_id, Cap.RUN_CROSSCHECK)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写排除理由（核查情况）"]})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": [f"排除理由不能超过 {NOTE_MAX} 字"]})
    before = snapshot(suspect)
    suspect.status, suspect.status_note = SuspectStatus.DISMISSED, reason
    suspect.save(update_fields=["status", "status_note"])
    record(actor=actor, entry=entry_for(suspect, action=Action.UPDATE, region_code=suspect.village_code,
                                        before=before, after=snapshot(suspect)))
    return suspect


@transaction.atomic
def suspect_to_ledger(*, actor, suspect_id: int, deadline: date | None = None, responsible_id: int | None = None,
                      responsible_name: str = "", measures: str = ""):
    """列入问题台账: registers a ledger item for the suspect and marks it; returns (suspect, item)."""
    from fupin.ledger.services import item_create

    suspect = _open_suspect(actor, suspect_id, Cap.MANAGE_LEDGER)
    from .rules import rule_title

    item = item_create(actor=actor, source="crosscheck", source_ref=f"crosscheck.suspect:{suspect.pk}",
                       region_code=suspect.village_code, household_id=suspect.household_id,
                       title=f"大数据比对：{rule_title(suspect.rule)}"[:200], description=suspect.reason,
                       inputs={"suspect_id": suspect.pk, "rule": suspect.rule, "roster_id": suspect.roster_id,
                               **suspect.inputs},
                       deadline=deadline, responsible_id=responsible_id, responsible_name=responsible_name or "",
                       measures=measures or "")
    before = snapshot(suspect)
    suspect.status, suspect.status_note = SuspectStatus.LEDGER, f"问题台账 #{item.pk}"
    suspect.save(update_fields=["status", "status_note"])
    record(actor=actor, entry=entry_for(suspect, action=Action.UPDATE, region_code=suspect.village_code,
                                        before=before, after=snapshot(suspect)))
    return suspect, item

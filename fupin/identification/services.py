"""Cases of the identification and exit procedures: opening them and acting on their steps.

Every function is one transaction, keyword-only, audited in the same transaction, and takes the
business date `on` (default today; never in the future, never before the case's previous step).

Rules the engine enforces:
- a case acts on its current step only (no skipping): the step code named must be the current one;
- only a user whose role is the step's role and whose scope contains the village may act
  (out of scope → Http404 from the gate, wrong role → PermissionDenied);
- a vote step needs the counts and passes when for/total > pass_ratio, else the case ends;
- a rejection needs a reason and ends the case; a case never reopens;
- a notice step completes only after its notice period (on > ends_on) with every objection on it
  resolved (an upheld objection has already ended the case); an announcement step completes when
  its announcement is published (services_notices);
- identification cases: approving a step marked `assess` (default: "verify") needs per-capita
  income strictly BELOW the poverty line resolved for the round and village (at the line is not
  below it); the error names the income and the line;
- exit cases: the household is assessed against the exit standard (fupin.exits.household) when a
  step marked `assess` (default: "verify") is approved and again at 销号; a failing household
  cannot pass and the error names the failed indicators;
- the effect step makes the registry change in the same transaction: 建档立卡 files the household,
  its members and the round's yearly data; 销号 marks the household exited (policies kept).
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.accounts.roles import Role
from fupin.audit.services import Action, diff, entry_for, record_many, snapshot
from fupin.core.clock import today
from fupin.regions.models import Region
from fupin.registry.choices import POOR_STATUSES, HouseholdStatus, IdentificationStandard, Relation
from fupin.registry.validation import parse_date

from . import attachments as files
from .application import INCOME_FIELDS, clean_application
from .choices import ENDING_DECISIONS, CaseState, Decision, Procedure, StepKind
from .engine import StepDef, count_votes, load_steps
from .models import Attachment, Case, CaseStep, NoticeEntry, Objection
from .selectors import case_access

COMMENT_MAX = 2000
# Fields of a case an audit row follows when a step moves it on.
CASE_PROGRESS_FIELDS = ("current_index", "current_step", "state", "end_reason", "last_acted_on", "closed_on",
                        "closed_at", "closed_by_id", "closed_by_name", "household_id", "per_capita_income",
                        "net_income", "household_size")


# --- Shared checks -------------------------------------------------------------------------

def act_date(on, *, not_before: date | None = None, label: str = "办理日期") -> date:
    """The business date of an act: given or today, not in the future, not before `not_before`."""
    day = today() if on in (None, "") else parse_date(on, label=label)
    if day > today():
        raise ValidationError({"on": [f"{label} {day} 晚于今天，不能预先登记"]})
    if not_before is not None and day < not_before:
        raise ValidationError({"on": [f"{label} {day} 早于上一步的办理日期 {not_before}"]})
    return day


def clean_comment(comment, *, label: str = "意见") -> str:
    text = str(comment or "").strip()
    if len(text) > COMMENT_MAX:
        raise ValidationError({"comment": [f"{label}不能超过 {COMMENT_MAX} 个字"]})
    return text


def require_step_role(actor, step: StepDef) -> None:
    """Only the role the step names may act on it (the scope was checked by the gate)."""
    if getattr(actor, "role", None) != step.role:
        mine = Role.LABELS.get(getattr(actor, "role", ""), "无")
        raise PermissionDenied(f"“{step.name}”须由{step.role_label}办理，您的角色为{mine}")


def village_for_cases(actor, code: str) -> Region:
    """A village inside the actor's scope (404 otherwise, existence not revealed)."""
    from fupin.regions.codes import Level
    from fupin.regions.selectors import region_access

    region = region_access(actor, str(code or "").strip())
    if region.level != Level.VILLAGE:
        raise ValidationError({"village": [f"“{region.name}”不是行政村：识别和退出以行政村为单位办理"]})
    return region


def _actor_fields(actor) -> dict:
    return {"actor_id": getattr(actor, "pk", None), "actor_name": getattr(actor, "username", "system"),
            "actor_role": getattr(actor, "role", "")}


# --- Moving cases on (shared with services_notices) --------------------------------------------

def complete_current_steps(*, actor, cases: list[Case], decision: str, on: date, comment: str = "",
                           notice=None, votes=None, data: dict | None = None,
                           data_by_case: dict[int, dict] | None = None, end_reason: str = "") -> list[CaseStep]:
    """Record each case's current step as done with `decision` and move the case on: to the next
    step, to completed after the last one, or to rejected with `end_reason` on an ending decision.
    Set-based: one insert of the step records, one update of the cases, one batch of audit rows."""
    records, entries = [], []
    now = timezone.now()
    befores = []
    for case in cases:
        step = case.current_step_def
        befores.append({f: v for f, v in snapshot(case).items() if f in CASE_PROGRESS_FIELDS})
        records.append(CaseStep(
            case=case, index=case.current_index, code=step.code, name=step.name, kind=step.kind, decision=decision,
            comment=comment, notice=notice, data=(data_by_case or {}).get(case.pk, data or {}), acted_on=on, **_actor_fields(actor),
            votes_for=votes.votes_for if votes else None, votes_against=votes.votes_against if votes else None,
            votes_abstain=votes.votes_abstain if votes else None))
        case.last_acted_on, case.updated_at = on, now
        last = case.current_index == len(case.steps) - 1
        if decision in ENDING_DECISIONS or last:
            case.state = CaseState.REJECTED if decision in ENDING_DECISIONS else CaseState.COMPLETED
            case.end_reason = end_reason[:1000] if decision in ENDING_DECISIONS else ""
            case.current_step = ""
            case.closed_on, case.closed_at = on, now
            case.closed_by_id, case.closed_by_name = getattr(actor, "pk", None), getattr(actor, "username", "system")
        else:
            case.current_index += 1
            case.current_step = case.steps[case.current_index]["code"]
    CaseStep.objects.bulk_create(records)
    Case.objects.bulk_update(cases, fields=[f for f in CASE_PROGRESS_FIELDS if f != "household_id"]
                             + ["household", "updated_at"])
    for case, record, before in zip(cases, records, befores, strict=True):
        entries.append(entry_for(record, action=Action.CREATE, region_code=case.village_id, after=snapshot(record)))
        after = {f: v for f, v in snapshot(case).items() if f in CASE_PROGRESS_FIELDS}
        changed_before, changed_after = diff(before, after)
        entries.append(entry_for(case, action=Action.UPDATE, region_code=case.village_id,
                                 before=changed_before, after=changed_after))
    record_many(actor=actor, entries=entries)
    return records


def end_case(*, actor, case: Case, on: date, reason: str, decision: str = Decision.FAILED, notice=None,
             data: dict | None = None) -> CaseStep:
    """End an open case at its current step with a reason (an upheld objection, a failed vote …)."""
    return complete_current_steps(actor=actor, cases=[case], decision=decision, on=on, comment=reason,
                                  notice=notice, data=data, end_reason=reason)[0]


# --- Opening cases -------------------------------------------------------------------------

def _snapshot_steps(steps: list[StepDef]) -> list[dict]:
    return [s.as_dict() for s in steps]


def _check_not_registered(members: list[dict], *, year: int, village_code: str) -> None:
    """Nobody applying may already be a member of a household in the registry (other than one
    taken out of it), nor be the head of, or a member in the same village of, another case of the
    round. Two queries."""
    from fupin.accounts.masking import mask_id_number
    from fupin.registry.models import Member

    numbers = [m["id_number"] for m in members]
    names = {m["id_number"]: m["name"] for m in members}
    taken = (Member.objects.filter(id_number__in=numbers, left_on__isnull=True)
             .exclude(household__status__in=[HouseholdStatus.REMOVED, HouseholdStatus.CANCELLED])
             .values_list("id_number", flat=True))
    problems = [f"{names[n]}（{mask_id_number(n)}）已是建档立卡户成员，不能重复申请" for n in sorted(set(taken))]
    others = Case.objects.filter(procedure=Procedure.IDENTIFICATION, year=year).exclude(state=CaseState.REJECTED)
    heads = set(others.filter(id_number__in=numbers).values_list("id_number", flat=True))
    for case_members in others.filter(village_id=village_code).values_list("members", flat=True):
        heads.update(m.get("id_number") for m in case_members or [])
    problems += [f"{names[n]}（{mask_id_number(n)}）已在 {year} 年度的其他识别申请中" for n in sorted(heads & set(numbers))]
    if problems:
        raise ValidationError({"members": problems})


@transaction.atomic
def identification_case_open(*, actor, village_code: str, year: int, data: dict, on=None) -> Case:
    """Record a household's application (农户申请) in a village for a round. `data`: head_name,
    id_number, group_name, address, phone, main_cause, other_causes, attribute, note, the income
    components (wage_income, business_income, business_cost, property_income, transfer_income) and
    members (list of member dicts: name, id_number, relation … and optional yearly fields; the head
    is added from head_name/id_number when missing). Per-capita income is derived."""
    village = village_for_cases(actor, village_code)
    year = _check_year(year)
    steps, resolved = load_steps(Procedure.IDENTIFICATION, year=year, region_code=village.code)
    require_step_role(actor, steps[0])
    day = act_date(on, label="申请日期")
    cleaned = clean_application(data, year=year)
    _check_not_registered(cleaned["members"], year=year, village_code=village.code)
    case = Case.objects.create(
        procedure=Procedure.IDENTIFICATION, year=year, village=village, steps=_snapshot_steps(steps),
        steps_policy=resolved.explain(), current_index=0, current_step=steps[0].code, opened_on=day,
        last_acted_on=day, opened_by_id=actor.pk, opened_by_name=actor.username, **cleaned)
    record_many(actor=actor, entries=[entry_for(case, action=Action.CREATE, region_code=village.code,
                                                after=snapshot(case))])
    return case


def _check_year(year) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [f"年度“{year}”无效"]}) from None
    if not 2000 <= value <= today().year + 1:
        raise ValidationError({"year": [f"年度 {value} 无效（2000 至明年）"]})
    return value


@transaction.atomic
def exit_case_open(*, actor, household_id: int, year: int, on=None, note: str = "") -> Case:
    """Propose a registered poor household for exit (村两委提出) in a round. The household is read
    through the registry's gate (404 out of scope); its status must be poor; one exit case per
    household and round (a rejected one does not count)."""
    from fupin.registry.models import HouseholdYear, Member
    from fupin.registry.selectors import household_access

    household = household_access(actor, household_id, for_update=True)
    year = _check_year(year)
    steps, resolved = load_steps(Procedure.EXIT, year=year, region_code=household.village_id)
    require_step_role(actor, steps[0])
    day = act_date(on, label="提出日期")
    note = clean_comment(note, label="提出说明")
    if household.status not in POOR_STATUSES:
        raise ValidationError({"household": [f"{household}当前状态为“{household.get_status_display()}”，不能提出退出"]})
    existing = Case.objects.filter(procedure=Procedure.EXIT, household=household, year=year).exclude(
        state=CaseState.REJECTED).first()
    if existing is not None:
        raise ValidationError({"household": [f"{household}在 {year} 年度已有退出案件（#{existing.pk}，"
                                             f"{existing.get_state_display()}）"]})
    head = (Member.objects.filter(household=household, relation=Relation.HEAD, left_on__isnull=True)
            .order_by("id").values_list("id_number", flat=True).first())
    hy = HouseholdYear.objects.filter(household=household, year=year).first()
    size = hy.household_size if hy else Member.objects.filter(household=household, left_on__isnull=True).count()
    incomes = {f: getattr(hy, f) for f in INCOME_FIELDS} if hy else {}
    case = Case.objects.create(
        procedure=Procedure.EXIT, year=year, village_id=household.village_id, household=household,
        head_name=household.head_name, id_number=head or "", group_name=household.group_name,
        address=household.address, phone=household.phone, main_cause=household.main_cause,
        other_causes=household.other_causes, attribute=household.attribute, household_size=size, **incomes,
        net_income=hy.net_income if hy else None, per_capita_income=hy.per_capita_income if hy else None,
        note=note, steps=_snapshot_steps(steps), steps_policy=resolved.explain(), current_index=0,
        current_step=steps[0].code, opened_on=day, last_acted_on=day, opened_by_id=actor.pk,
        opened_by_name=actor.username)
    record_many(actor=actor, entries=[entry_for(case, action=Action.CREATE, region_code=case.village_id,
                                                after=snapshot(case))])
    return case


# --- Acting on the current step -------------------------------------------------------------

def _assess_exit(case: Case, *, verb: str) -> dict:
    """The exit standard for the case's household and round; failing → ValidationError naming the
    failed indicators. Returns the assessment with its inputs and policy rows (stored on the step)."""
    from fupin.exits.household import assess_household

    assessment = assess_household(household_id=case.household_id, year=case.year)
    if not assessment.passed:
        failed = assessment.failed()
        detail = "；".join(f"{i.label}（{i.reason}）" for i in failed)
        raise ValidationError({"decision": [f"{case.head_name}户 {case.year} 年度未达到退出标准，不能{verb}。"
                                            f"未达标：{detail}"]})
    return assessment.as_dict()


def _check_eligible(case: Case, *, step: StepDef) -> dict:
    """Identification: per-capita income strictly below the poverty line of the round and village."""
    from decimal import Decimal

    from fupin.policy.selectors import resolve

    line = resolve("poverty_line", year=case.year, region_code=case.village_id)
    income = case.per_capita_income if case.per_capita_income is not None else Decimal("0.00")
    under = income < Decimal(str(line.value))
    if not under:
        raise ValidationError({"decision": [
            f"{case.head_name}户年人均纯收入 {income} 元，不低于 {case.year} 年扶贫标准 {line.value} 元"
            f"（政策参数 poverty_line，区划 {line.region_code}），不符合识别条件，不能通过“{step.name}”"]})
    return {"per_capita_income": str(income), "under_line": under, "poverty_line": line.explain()}


def _refresh_exit_income(case: Case) -> None:
    """The case shows the household's income as verified (the notice prints it)."""
    from fupin.registry.models import HouseholdYear

    hy = HouseholdYear.objects.filter(household_id=case.household_id, year=case.year).first()
    if hy is not None:
        case.household_size, case.net_income, case.per_capita_income = (hy.household_size, hy.net_income,
                                                                         hy.per_capita_income)


def _next_household_no(village_code: str) -> str:
    """Village code + a running number (at least 3 digits) after the highest one in use."""
    from django.db.models.functions import Length

    from fupin.registry.models import Household

    numbers = Household.objects.filter(household_no__startswith=village_code).annotate(n=Length("household_no"))
    last = numbers.order_by("-n", "-household_no").values_list("household_no", flat=True).first()
    suffix = last[len(village_code):] if last else "0"
    nxt = int(suffix) + 1 if suffix.isdigit() else numbers.count() + 1
    while True:
        candidate = f"{village_code}{nxt:03d}"
        if not Household.objects.filter(household_no=candidate).exists():
            return candidate
        nxt += 1


def _identification_standard(case: Case) -> str:
    """National, provincial or city line: where the poverty line applied to the village comes from."""
    from fupin.policy.selectors import resolve
    from fupin.regions.codes import Level, level_of

    line = resolve("poverty_line", year=case.year, region_code=case.village_id)
    return {Level.NATION: IdentificationStandard.NATIONAL, Level.PROVINCE: IdentificationStandard.PROVINCIAL,
            Level.CITY: IdentificationStandard.CITY}.get(level_of(line.region_code), IdentificationStandard.NATIONAL)


def _register(*, actor, case: Case, on: date) -> dict:
    """建档立卡: the household, its members, their yearly rows and the round's household data."""
    from fupin.registry.services import household_create, household_year_save, member_add, member_year_save
    from fupin.registry.validation import MEMBER_INPUT

    household = household_create(actor=actor, year=case.year, effective_on=on, data={
        "household_no": _next_household_no(case.village_id), "village": case.village_id,
        "group_name": case.group_name, "address": case.address, "head_name": case.head_name, "phone": case.phone,
        "main_cause": case.main_cause, "other_causes": case.other_causes, "attribute": case.attribute,
        "registered_year": case.year, "identification_standard": _identification_standard(case)})
    for m in case.members:
        member = member_add(actor=actor, household_id=household.pk,
                            data={k: v for k, v in m.items() if k in MEMBER_INPUT})
        member_year_save(actor=actor, member_id=member.pk, year=case.year,
                         data={k: v for k, v in m.items() if k not in MEMBER_INPUT})
    hy = household_year_save(actor=actor, household_id=household.pk, year=case.year,
                             data={f: getattr(case, f) for f in INCOME_FIELDS})
    case.household = household
    return {"household_id": household.pk, "household_no": household.household_no,
            "per_capita_income": str(hy.per_capita_income), "household_size": hy.household_size}


def _close_exit(*, actor, case: Case, on: date, comment: str) -> dict:
    """销号: the household exits (status 已脱贫, exit year, policies kept for the configured years)."""
    from fupin.registry.services import household_exit

    assessment = _assess_exit(case, verb="销号")
    household = household_exit(actor=actor, household_id=case.household_id, year=case.year, effective_on=on,
                               reason=f"贫困退出程序办结（案件 #{case.pk}）" + (f"：{comment}" if comment else ""))
    return {"assessment": assessment, "exit_year": household.exit_year,
            "policies_kept_from": household.policies_kept_from.isoformat(),
            "policies_kept_until": household.policies_kept_until.isoformat()}


def _notice_ready(case: Case, step: StepDef, on: date):
    entry = NoticeEntry.objects.select_related("notice").filter(case=case, step_code=step.code).first()
    if entry is None:
        raise ValidationError({"step": [f"尚未发布“{step.name}”，请先在公示公告中发布"]})
    notice = entry.notice
    if on <= notice.ends_on:
        raise ValidationError({"on": [f"“{notice.title}”公示期至 {notice.ends_on} 结束，{on} 尚不能办结公示"]})
    objections = Objection.objects.filter(notice=notice, case=case)
    pending = objections.filter(outcome="").count()
    if pending:
        raise ValidationError({"step": [f"公示期间有 {pending} 条异议尚未核查处理，处理后才能办结公示"]})
    return notice, {"notice_id": notice.pk, "starts_on": notice.starts_on.isoformat(),
                    "ends_on": notice.ends_on.isoformat(), "days": notice.days,
                    "objections_dismissed": objections.count()}


def _approve(*, actor, case: Case, step: StepDef, on: date, comment: str) -> dict:
    """What approving an action or effect step checks and does; returns how it was decided."""
    data: dict = {}
    if step.assess and case.procedure == Procedure.EXIT and step.kind != StepKind.EFFECT:  # 销号 assesses itself
        data["assessment"] = _assess_exit(case, verb=f"通过“{step.name}”")
        _refresh_exit_income(case)
    elif step.assess:
        data["eligibility"] = _check_eligible(case, step=step)
    if step.kind == StepKind.EFFECT and case.procedure == Procedure.EXIT:
        data.update(_close_exit(actor=actor, case=case, on=on, comment=comment))
    elif step.kind == StepKind.EFFECT:
        data.update(_register(actor=actor, case=case, on=on))
    return data


@transaction.atomic
def case_act(*, actor, case_id: int, step_code: str, decision: str = "", comment: str = "", votes: dict | None = None,
             attachments=(), on=None) -> Case:
    """Act on the case's current step.

    - action / effect steps: decision "approved" or "rejected" (a rejection needs the reason in
      `comment` and ends the case); the effect step performs the registry change;
    - vote steps: `votes` = {"for", "against", "abstain"}; the decision follows from the counts;
    - notice steps: after the period, with every objection resolved (decision "passed");
    - announcement steps complete by publishing the announcement (services_notices.notice_publish).
    `attachments`: uploaded files (checked against the attachment.* policy keys)."""
    case = case_access(actor, case_id, for_update=True)
    if case.state != CaseState.OPEN:
        raise ValidationError({"step": [f"案件{case.get_state_display()}，不能再办理"]})
    step = case.current_step_def
    if step_code != step.code:
        other = next((s.name for s in case.step_defs if s.code == step_code), step_code)
        raise ValidationError({"step": [f"当前步骤为“{step.name}”，不能办理“{other}”"]})
    require_step_role(actor, step)
    day = act_date(on, not_before=case.last_acted_on)
    comment = clean_comment(comment)
    checked = files.check_files(attachments, year=case.year, region_code=case.village_id)
    data: dict = {}
    votes_result, notice, end_reason = None, None, ""
    if step.kind in (StepKind.ACTION, StepKind.EFFECT):
        if decision not in (Decision.APPROVED, Decision.REJECTED):
            raise ValidationError({"decision": ["请选择办理结论：同意或不同意"]})
        if decision == Decision.REJECTED:
            if not comment:
                raise ValidationError({"comment": [f"不同意须填写理由（“{step.name}”）"]})
            end_reason = f"{step.name}不同意：{comment}"
        else:
            data = _approve(actor=actor, case=case, step=step, on=day, comment=comment)
    elif step.kind == StepKind.VOTE:
        votes_result = count_votes(votes, pass_ratio=step.pass_ratio)
        decision = Decision.PASSED if votes_result.passed else Decision.FAILED
        data = {"votes": votes_result.as_dict()}
        if not votes_result.passed:
            end_reason = f"{step.name}未通过：{votes_result.describe()}" + (f"；{comment}" if comment else "")
    elif step.kind == StepKind.NOTICE:
        notice, data = _notice_ready(case, step, day)
        decision = Decision.PASSED
    else:
        raise ValidationError({"step": [f"“{step.name}”在发布公告时自动完成，请在公示公告中发布"]})
    record = complete_current_steps(actor=actor, cases=[case], decision=decision, on=day, comment=comment,
                                    notice=notice, votes=votes_result, data=data, end_reason=end_reason)[0]
    _attach(actor=actor, case=case, record=record, checked=checked)
    return case


def _attach(*, actor, case: Case, record: CaseStep, checked) -> list[Attachment]:
    """Store checked files and their rows, as the last thing a service does; files written here are
    removed again if this fails. (Should an enclosing transaction roll back later, a stored file
    stays behind unreferenced: harmless, as files are named by their content hash.)"""
    written: list[str] = []
    rows = []
    try:
        for f in checked:
            name, created = files.store(f, year=case.year, case_id=case.pk)
            if created:
                written.append(name)
            rows.append(Attachment(case=case, step=record, file=name, original_name=f.name,
                                   content_type=f.content_type, size=f.size, sha256=f.sha256,
                                   uploaded_by_id=actor.pk, uploaded_by_name=actor.username))
        Attachment.objects.bulk_create(rows)
        record_many(actor=actor, entries=[entry_for(a, action=Action.CREATE, region_code=case.village_id,
                                                    after=snapshot(a)) for a in rows])
    except BaseException:
        files.discard(written)
        raise
    return rows

"""Public notices (公示, 公告) and objections (异议) of the identification and exit procedures.

- `notice_publish`: the role of a notice or announcement step publishes, for one village, the
  cases waiting at that step. A 公示 runs `days` days from its start (ends_on = starts_on + days − 1)
  and must say how to object; a 公告 completes the step of every case it lists at once.
- `objection_file`: an objection against a listed case, only within the notice period.
- `objection_resolve`: the finding; an upheld objection ends the case with the objection as reason.
- `notice_complete`: after the period, completes the notice step of every listed case whose
  objections are all resolved (the same rule as acting on the step of one case).
What a notice prints is copied when it is published (ID numbers masked): the public page shows
exactly the paper that was posted, whatever happens to the cases later.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from fupin.accounts.masking import mask_id_number
from fupin.accounts.roles import Cap
from fupin.accounts.scope import require
from fupin.audit.services import Action, diff, entry_for, record_many, snapshot
from fupin.regions.codes import Level
from fupin.registry.choices import PovertyCause
from fupin.registry.validation import parse_date
from fupin.registry.validators import validate_phone

from .choices import ANONYMOUS, CaseState, Decision, ObjectionOutcome, Procedure, StepKind
from .models import Case, Notice, NoticeEntry, Objection
from .selectors import cases_visible_to, notice_access, objection_access
from .services import (
    act_date,
    clean_comment,
    complete_current_steps,
    end_case,
    require_step_role,
    village_for_cases,
)

TEXT_LIMITS = {"title": 200, "issuer": 100, "objection_contact": 500, "note": 1000}
ISSUER_SUFFIX = {Level.VILLAGE: "村民委员会", Level.TOWNSHIP: "人民政府", Level.COUNTY: "扶贫开发领导小组办公室"}


def default_issuer(actor) -> str:
    region = actor.region
    return f"{region.name}{ISSUER_SUFFIX.get(region.level, '')}"


def default_title(village, *, procedure: str, year: int, step_name: str) -> str:
    return f"{village.name}{year}年度{Procedure(procedure).label}{step_name}"


def _text(value, name: str, label: str) -> str:
    text = str(value or "").strip()
    if len(text) > TEXT_LIMITS[name]:
        raise ValidationError({name: [f"{label}不能超过 {TEXT_LIMITS[name]} 个字"]})
    return text


def _locked_cases(actor, ids) -> list[Case]:
    return list(cases_visible_to(actor).filter(pk__in=ids).select_for_update(of=("self",)).order_by("id"))


@transaction.atomic
def notice_publish(*, actor, village_code: str, procedure: str, year: int, step_code: str, case_ids,
                   title: str = "", issuer: str = "", objection_contact: str = "", note: str = "",
                   starts_on=None, on=None) -> Notice:
    """Publish a 公示 or 公告 for the chosen cases of a village waiting at `step_code`.

    Refused when a case is not in the village and round, not open, not at that step, already on a
    notice for it, or when the cases' step configurations differ; when the actor's role is not the
    step's; a 公示 without how to object (`objection_contact`) or starting before its publication."""
    village = village_for_cases(actor, village_code)
    if procedure not in Procedure.values:
        raise ValidationError({"procedure": [f"程序“{procedure}”无效"]})
    try:
        ids = sorted({int(i) for i in case_ids or ()})
    except (TypeError, ValueError):
        raise ValidationError({"case_ids": ["案件编号无效"]}) from None
    if not ids:
        raise ValidationError({"case_ids": ["请选择要列入的户"]})
    cases = _locked_cases(actor, ids)
    found = {c.pk for c in cases}
    problems = [f"案件 #{i} 不存在或不在您的管辖范围内" for i in ids if i not in found]
    for c in cases:
        if c.village_id != village.code or c.procedure != procedure or c.year != int(year):
            problems.append(f"{c.head_name}户（#{c.pk}）不属于{village.name} {year} 年度{Procedure(procedure).label}")
        elif c.state != CaseState.OPEN:
            problems.append(f"{c.head_name}户（#{c.pk}）{c.get_state_display()}")
        elif c.current_step != step_code:
            problems.append(f"{c.head_name}户（#{c.pk}）当前步骤为“{c.current_step_name}”")
    if problems:
        raise ValidationError({"case_ids": problems})
    step = cases[0].current_step_def
    if step.kind not in (StepKind.NOTICE, StepKind.ANNOUNCEMENT):
        raise ValidationError({"step": [f"“{step.name}”不是公示或公告步骤"]})
    if any(c.current_step_def != step for c in cases[1:]):
        raise ValidationError({"case_ids": [f"所选各户“{step.name}”的步骤配置不一致（天数或角色不同），请分别发布"]})
    require_step_role(actor, step)
    listed = list(NoticeEntry.objects.filter(case_id__in=ids, step_code=step.code).values_list("case__head_name",
                                                                                               flat=True))
    if listed:
        raise ValidationError({"case_ids": [f"{'、'.join(listed)}户已列入“{step.name}”，不能重复发布"]})
    day = act_date(on, not_before=max(c.last_acted_on for c in cases), label="发布日期")
    title = _text(title, "title", "标题") or default_title(village, procedure=procedure, year=int(year),
                                                         step_name=step.name)
    issuer = _text(issuer, "issuer", "发布单位") or default_issuer(actor)
    contact = _text(objection_contact, "objection_contact", "异议受理方式")
    note = _text(note, "note", "说明")
    if step.kind == StepKind.NOTICE:
        # A notice may start later than it is published (posted today, counted from tomorrow).
        start = day if starts_on in (None, "") else parse_date(starts_on, label="公示开始日期")
        if start < day:
            raise ValidationError({"starts_on": [f"公示开始日期 {start} 不能早于发布日期 {day}"]})
        if not contact:
            raise ValidationError({"objection_contact": ["公示须写明异议受理方式（受理人、电话、地址）"]})
        ends, days = start + timedelta(days=step.days - 1), step.days
    else:
        start, ends, days = day, None, None
    notice = Notice.objects.create(
        village=village, procedure=procedure, year=int(year), step_code=step.code, step_name=step.name,
        step_kind=step.kind, title=title, issuer=issuer, starts_on=start, ends_on=ends, days=days,
        objection_contact=contact, note=note, show_income=step.show_income, published_on=day,
        published_by_id=actor.pk, published_by_name=actor.username)
    ordered = sorted(cases, key=lambda c: (c.group_name, c.pk))
    NoticeEntry.objects.bulk_create([NoticeEntry(
        notice=notice, case=c, step_code=step.code, position=i, head_name=c.head_name,
        id_number_masked=mask_id_number(c.id_number), group_name=c.group_name, household_size=c.household_size,
        per_capita_income=c.per_capita_income if step.show_income else None,
        main_cause=PovertyCause(c.main_cause).label if c.main_cause else "") for i, c in enumerate(ordered, 1)])
    record_many(actor=actor, entries=[entry_for(notice, action=Action.CREATE, region_code=village.code,
                                                after={**snapshot(notice), "cases": ids})])
    if step.kind == StepKind.ANNOUNCEMENT:
        complete_current_steps(actor=actor, cases=cases, decision=Decision.PASSED, on=day, notice=notice,
                               comment=f"已发布{step.name}：{title}", data={"notice_id": notice.pk})
    return notice


@dataclass
class NoticeCompletion:
    notice: Notice
    completed: list[Case] = field(default_factory=list)
    # Cases that stay at the step: (case, number of unresolved objections)
    pending: list[tuple[Case, int]] = field(default_factory=list)


@transaction.atomic
def notice_complete(*, actor, notice_id: int, on=None) -> NoticeCompletion:
    """After a 公示's period: complete the notice step of every listed case still waiting at it
    whose objections are all resolved; the others stay (reported as pending)."""
    notice = notice_access(actor, notice_id, for_update=True)
    if notice.step_kind != StepKind.NOTICE:
        raise ValidationError({"notice": ["公告发布时已完成该步骤，无需办结"]})
    case_ids = NoticeEntry.objects.filter(notice=notice).values_list("case_id", flat=True)
    cases = [c for c in _locked_cases(actor, list(case_ids))
             if c.state == CaseState.OPEN and c.current_step == notice.step_code]
    if not cases:
        raise ValidationError({"notice": ["此公示中没有等待办结的户"]})
    require_step_role(actor, cases[0].current_step_def)
    day = act_date(on, not_before=max(c.last_acted_on for c in cases))
    if day <= notice.ends_on:
        raise ValidationError({"on": [f"“{notice.title}”公示期至 {notice.ends_on} 结束，{day} 尚不能办结公示"]})
    counts = {row["case_id"]: row for row in Objection.objects.filter(notice=notice).values("case_id").annotate(
        total=Count("id"), open=Count("id", filter=Q(outcome="")))}
    result = NoticeCompletion(notice=notice)
    for c in cases:
        n_open = counts.get(c.pk, {}).get("open", 0)
        if n_open:
            result.pending.append((c, n_open))
        else:
            result.completed.append(c)
    if not result.completed:
        raise ValidationError({"notice": [f"公示中的 {len(result.pending)} 户均有未处理的异议，处理后才能办结"]})
    data = {c.pk: {"notice_id": notice.pk, "starts_on": notice.starts_on.isoformat(),
                   "ends_on": notice.ends_on.isoformat(), "days": notice.days,
                   "objections_dismissed": counts.get(c.pk, {}).get("total", 0)} for c in result.completed}
    complete_current_steps(actor=actor, cases=result.completed, decision=Decision.PASSED, on=day, notice=notice,
                           data_by_case=data)
    return result


@transaction.atomic
def objection_file(*, actor, notice_id: int, case_id: int, content: str, filer_name: str = "", phone: str = "",
                   on=None) -> Objection:
    """Record an objection (实名 or 匿名) against a case on a 公示, within its period only."""
    notice = notice_access(actor, notice_id)
    require(actor, Cap.EDIT_REGISTRY)
    if notice.step_kind != StepKind.NOTICE:
        raise ValidationError({"notice": ["公告不受理异议，异议应在公示期内提出"]})
    day = act_date(on, label="异议提出日期")
    if not notice.in_period(day):
        raise ValidationError({"on": [f"异议须在公示期内（{notice.starts_on} 至 {notice.ends_on}）提出，"
                                      f"{day} 不在公示期内"]})
    if not NoticeEntry.objects.filter(notice=notice, case_id=case_id).exists():
        raise ValidationError({"case": ["该户不在此公示名单中"]})
    case = _locked_cases(actor, [case_id])[0]
    if case.state != CaseState.OPEN or case.current_step != notice.step_code:
        raise ValidationError({"case": [f"{case.head_name}户的{notice.step_name}已结束，不能再提出异议"]})
    content = str(content or "").strip()
    if not content:
        raise ValidationError({"content": ["请填写异议内容"]})
    if len(content) > 2000:
        raise ValidationError({"content": ["异议内容不能超过 2000 个字"]})
    filer = str(filer_name or "").strip() or ANONYMOUS
    if len(filer) > 50:
        raise ValidationError({"filer_name": ["异议人姓名不能超过 50 个字"]})
    phone = validate_phone(str(phone or ""), label="异议人联系电话")
    objection = Objection.objects.create(notice=notice, case=case, filed_on=day, filer_name=filer, phone=phone,
                                         content=content, recorded_by_id=actor.pk, recorded_by_name=actor.username)
    record_many(actor=actor, entries=[entry_for(objection, action=Action.CREATE, region_code=case.village_id,
                                                after=snapshot(objection))])
    return objection


@transaction.atomic
def objection_resolve(*, actor, objection_id: int, outcome: str, resolution: str, on=None) -> Objection:
    """Record the finding on an objection. Upheld (异议成立): the case ends at the notice step with
    the objection as its reason; dismissed (异议不成立): the case may complete the step after the
    period."""
    from django.utils import timezone

    objection = objection_access(actor, objection_id, for_update=True)
    require(actor, Cap.EDIT_REGISTRY)
    if objection.outcome:
        raise ValidationError({"outcome": [f"该异议已于 {objection.resolved_on} 处理（{objection.get_outcome_display()}）"]})
    if outcome not in ObjectionOutcome.values:
        raise ValidationError({"outcome": ["请选择处理结论：异议成立或异议不成立"]})
    resolution = clean_comment(resolution, label="核查处理意见")
    if not resolution:
        raise ValidationError({"resolution": ["请填写核查处理意见"]})
    day = act_date(on, not_before=objection.filed_on, label="处理日期")
    before = snapshot(objection)
    objection.outcome, objection.resolution, objection.resolved_on = outcome, resolution, day
    objection.resolved_at = timezone.now()
    objection.resolved_by_id, objection.resolved_by_name = actor.pk, actor.username
    objection.save(update_fields=["outcome", "resolution", "resolved_on", "resolved_at", "resolved_by_id",
                                  "resolved_by_name"])
    changed_before, changed_after = diff(before, snapshot(objection))
    case = _locked_cases(actor, [objection.case_id])[0]
    record_many(actor=actor, entries=[entry_for(objection, action=Action.UPDATE, region_code=case.village_id,
                                                before=changed_before, after=changed_after)])
    notice = Notice.objects.get(pk=objection.notice_id)
    if outcome == ObjectionOutcome.UPHELD and case.state == CaseState.OPEN and case.current_step == notice.step_code:
        reason = f"{notice.step_name}期间异议成立：{objection.content}（核查处理意见：{resolution}）"
        end_case(actor=actor, case=case, on=max(day, case.last_acted_on), reason=reason, notice=notice,
                 data={"objection_id": objection.pk})
    return objection


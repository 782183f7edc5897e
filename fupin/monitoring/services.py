"""State changes of 防止返贫监测. Each is one transaction, keyword-only, audited, and writes a step
(MonitoringStep) with its inputs; a refused operation writes nothing.

- `case_identify`: take a registry household into monitoring (审核确认, Cap.CONFIRM_MONITORING);
  its status becomes 监测户 through `household_change_status`. The village notice period (公示,
  `notice_from`–`notice_to`, at least `monitoring.notice_days` days, `notice.notice_check`) is
  required for identification and elimination and stored with the case and the step.
- `marginal_household_file`: file a person not in the registry (边缘易致贫户、突发严重困难户) as a
  new household with status 监测户, and open its case.
- `measure_add`: a measure applied (Cap.EDIT_REGISTRY); the first one moves the case to 帮扶中.
- `case_eliminate`: 风险消除 when every condition of `elimination.assess_elimination` passes; an
  exited household returns to 已脱贫 (event kind 风险消除, not a new exit).
- `case_eliminate_naturally`: 自然消除, only for a household without present members or 已销户.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from fupin.accounts.roles import Cap
from fupin.accounts.scope import require
from fupin.audit.services import Action, entry_for, record, snapshot
from fupin.core.clock import today
from fupin.policy.selectors import PolicyMissing, first_year, resolve
from fupin.registry.choices import (
    POOR_STATUSES,
    HouseholdStatus,
    StatusChangeSource,
    StatusEventKind,
)
from fupin.registry.models import Household, Member
from fupin.registry.selectors import household_access
from fupin.registry.selectors_status import OUT_OF_REGISTRY, latest_status_event
from fupin.registry.services import household_change_status, household_create, member_add
from fupin.registry.validation import parse_date

from .choices import OPEN_STATES, CaseState, Discovery, ObjectType, RiskType, StepKind
from .elimination import assess_elimination, natural_elimination_check, parse_money
from .models import MonitoringCase, MonitoringMeasure, MonitoringStep
from .notice import FROM_LABEL, TO_LABEL, notice_check, notice_text
from .selectors import case_access


def _monitoring_start(region_code: str) -> int:
    """The first year of 防止返贫监测 in the region: its first `monitoring_line` row (2020 nationally)."""
    start = first_year("monitoring_line", region_code=region_code)
    if start is None:
        raise ValidationError({"identified_on": [f"区划 {region_code} 没有防止返贫监测范围（monitoring_line），不能识别监测对象"]})
    return start


def _day(value, *, name: str, label: str, default: date | None = None) -> date:
    if value in (None, ""):
        if default is None:
            raise ValidationError({name: [f"{label}不能为空"]})
        return default
    try:
        return parse_date(value, label=label)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def _not_future(day: date, *, name: str, label: str) -> None:
    if day > today():
        raise ValidationError({name: [f"{label}（{day:%Y-%m-%d}）不能晚于今天"]})


def _choice(value, choices, *, name: str, label: str) -> str:
    value = str(value or "").strip()
    by_label = {str(lab): v for v, lab in choices.choices}
    if value in choices.values:
        return value
    if value in by_label:
        return by_label[value]
    raise ValidationError({name: [f"{label}“{value}”无效，应为：{'、'.join(str(lab) for _, lab in choices.choices)}"]})


def _risk_types(values) -> list[str]:
    if isinstance(values, str):
        values = [v for v in values.replace("，", ",").replace("、", ",").split(",") if v.strip()]
    if not values:
        raise ValidationError({"risk_types": ["至少选择一项致贫返贫风险"]})
    if len(values) > 5:
        raise ValidationError({"risk_types": ["致贫返贫风险最多 5 项"]})
    risks = [_choice(v, RiskType, name="risk_types", label="致贫返贫风险") for v in values]
    if len(set(risks)) != len(risks):
        raise ValidationError({"risk_types": ["致贫返贫风险有重复"]})
    return risks


def _notice_dates(data: dict, *, required: bool) -> tuple[date | None, date | None]:
    """The two notice dates parsed; every missing or invalid one named in one ValidationError."""
    errors: dict[str, list[str]] = {}
    days: list[date | None] = []
    for name, label in (("notice_from", FROM_LABEL), ("notice_to", TO_LABEL)):
        value = data.get(name)
        if value in (None, "") and not required:
            days.append(None)
            continue
        try:
            days.append(_day(value, name=name, label=label))
        except ValidationError as exc:
            errors.update(exc.message_dict)
            days.append(None)
    if errors:
        raise ValidationError(errors)
    return days[0], days[1]


def _step(case: MonitoringCase, *, actor, kind: str, on: date, note: str = "", inputs: dict | None = None) -> MonitoringStep:
    return MonitoringStep.objects.create(case=case, kind=kind, on=on, note=(note or "")[:500], inputs=inputs or {},
                                         actor_id=getattr(actor, "pk", None),
                                         actor_name=getattr(actor, "username", "system"))


def _clean_identification(data: dict, *, household: Household | None) -> dict:
    object_type = _choice(data.get("object_type"), ObjectType, name="object_type", label="监测对象类别")
    discovery = _choice(data.get("discovery"), Discovery, name="discovery", label="发现方式")
    risks = _risk_types(data.get("risk_types"))
    discovered_on = _day(data.get("discovered_on"), name="discovered_on", label="发现日期")
    identified_on = _day(data.get("identified_on"), name="identified_on", label="识别监测时间", default=today())
    _not_future(discovered_on, name="discovered_on", label="发现日期")
    _not_future(identified_on, name="identified_on", label="识别监测时间")
    if identified_on < discovered_on:
        raise ValidationError({"identified_on": [
            f"识别监测时间（{identified_on:%Y-%m-%d}）不能早于发现日期（{discovered_on:%Y-%m-%d}）"]})
    if household is not None and object_type == ObjectType.UNSTABLE and household.exit_year is None \
            and household.status != HouseholdStatus.EXITED:
        raise ValidationError({"object_type": [f"{household}未曾脱贫，不能列为脱贫不稳定户"]})
    if household is None and object_type == ObjectType.UNSTABLE:
        raise ValidationError({"object_type": ["未建档立卡的人员只能列为边缘易致贫户或突发严重困难户"]})
    notice_from, notice_to = _notice_dates(data, required=True)
    note = str(data.get("note") or "").strip()
    return {"object_type": object_type, "discovery": discovery, "risk_types": risks, "discovered_on": discovered_on,
            "identified_on": identified_on, "notice_from": notice_from, "notice_to": notice_to, "note": note}


def _identification_notice(cleaned: dict, *, village_code: str) -> dict:
    """The notice inputs of an identification; ValidationError naming the field when out of rule
    (also when the identification predates 防止返贫监测 in the village)."""
    start = _monitoring_start(village_code)
    if cleaned["identified_on"].year < start:
        raise ValidationError({"identified_on": [
            f"防止返贫监测自 {start} 年开始（monitoring_line），识别监测时间不能早于该年"]})
    problems, inputs = notice_check(
        cleaned["notice_from"], cleaned["notice_to"], village_code=village_code, year=cleaned["identified_on"].year,
        ends_by=cleaned["identified_on"], ends_label="识别监测时间", starts_from=cleaned["discovered_on"],
        starts_label="发现日期")
    if problems:
        raise ValidationError(problems)
    return inputs


def _open_case(*, actor, household: Household, cleaned: dict, status_before: str, reasons: list,
               inputs: dict, notice: dict) -> MonitoringCase:
    within = resolve("monitoring.identify_within_days", year=cleaned["identified_on"].year,
                     region_code=household.village_id)
    days = (cleaned["identified_on"] - cleaned["discovered_on"]).days
    inputs = {**inputs, "days_to_identify": days, "identify_within_days": within.value,
              "identified_within_limit": days <= int(within.value), "notice": notice,
              "policy": [within.explain(), notice["policy"]]}
    case = MonitoringCase.objects.create(
        household=household, village_code=household.village_id, object_type=cleaned["object_type"],
        risk_types=cleaned["risk_types"], discovery=cleaned["discovery"], discovered_on=cleaned["discovered_on"],
        identified_on=cleaned["identified_on"], year=cleaned["identified_on"].year, reasons=reasons, inputs=inputs,
        status_before=status_before, created_by=actor if getattr(actor, "pk", None) else None)
    record(actor=actor, entry=entry_for(case, action=Action.CREATE, region_code=case.village_code, after=snapshot(case)))
    late = "" if inputs["identified_within_limit"] else f"（发现后 {days} 天识别，超过 {within.value} 天时限）"
    _step(case, actor=actor, kind=StepKind.IDENTIFIED, on=case.identified_on,
          note=(cleaned["note"] or f"识别纳入监测：{case.get_object_type_display()}；{notice_text(notice)}") + late,
          inputs={"reasons": reasons, **inputs, "discovery": case.discovery,
                  "discovered_on": case.discovered_on.isoformat()})
    return case


@transaction.atomic
def case_identify(*, actor, household_id: int, data: dict) -> MonitoringCase:
    """Take a registry household into monitoring. `data`: object_type, risk_types, discovery,
    discovered_on, identified_on (default today), notice_from and notice_to (the village notice,
    required), note, and optionally `year` — the screening year
    whose reasons are recorded with the case (default: the year before identification)."""
    household = household_access(actor, household_id, for_update=True, need=Cap.CONFIRM_MONITORING)
    require(actor, Cap.EDIT_REGISTRY)
    if household.status in POOR_STATUSES:
        raise ValidationError({"household": [
            f"{household}当前为“{household.get_status_display()}”，属贫困户，按贫困户帮扶，不纳入防止返贫监测"]})
    if household.status in OUT_OF_REGISTRY:
        raise ValidationError({"household": [f"{household}{household.get_status_display()}，不能纳入监测"]})
    if MonitoringCase.objects.filter(household_id=household.pk, state__in=list(OPEN_STATES)).exists():
        raise ValidationError({"household": [f"{household}已有未消除风险的监测记录"]})
    cleaned = _clean_identification(data, household=household)
    notice = _identification_notice(cleaned, village_code=household.village_id)
    previous = latest_status_event(household)
    if previous is not None and cleaned["identified_on"] < previous.effective_on:
        raise ValidationError({"identified_on": [
            f"识别监测时间（{cleaned['identified_on']:%Y-%m-%d}）不能早于该户上一次状态变更"
            f"（{previous.effective_on:%Y-%m-%d} {previous.get_kind_display()}）"]})
    reasons, inputs = _screening_reasons(household, data.get("year"), cleaned["identified_on"])
    status_before = household.status
    household_change_status(
        actor=actor, household=household, to_status=HouseholdStatus.MONITORED, year=cleaned["identified_on"].year,
        source=StatusChangeSource.MONITORING, kind=StatusEventKind.MONITORED, effective_on=cleaned["identified_on"],
        reason=f"纳入防止返贫监测（{ObjectType(cleaned['object_type']).label}），风险："
               f"{'、'.join(RiskType(r).label for r in cleaned['risk_types'])}")
    return _open_case(actor=actor, household=household, cleaned=cleaned, status_before=status_before,
                      reasons=reasons, inputs=inputs, notice=notice)


def _screening_reasons(household: Household, year, identified_on: date) -> tuple[list, dict]:
    """The screening reasons of this one household for `year` (default the year before identification)."""
    from .screening import screen_risks

    try:
        year = int(year) if year not in (None, "") else max(identified_on.year - 1, _monitoring_start(household.village_id))
    except (TypeError, ValueError):
        raise ValidationError({"year": [f"排查年度“{year}”无效"]}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [f"排查年度 {year} 无效"]})
    try:
        screening = screen_risks(year=year, region_code=household.village_id, household_ids=[household.pk])
    except PolicyMissing as exc:
        return [], {"screening_year": year, "screening_candidate": False, "screening_error": str(exc)}
    found = next((c for c in screening.candidates if c.household_id == household.pk), None)
    reasons = found.reasons if found else []
    return reasons, {"screening_year": year, "screening_candidate": found is not None}


@transaction.atomic
def marginal_household_file(*, actor, household: dict, members: list[dict], data: dict) -> MonitoringCase:
    """File a person (and family) not in the registry as a 监测户 and open the case.

    `household`: household_no, village, head_name, main_cause, … (registry fields); `members`: at
    least the head, with a valid ID number not already in the registry; `data` as for
    `case_identify` (object type 边缘易致贫户 or 突发严重困难户)."""
    require(actor, Cap.CONFIRM_MONITORING)
    cleaned = _clean_identification(data, household=None)
    if not members:
        raise ValidationError({"members": ["至少填写户主一名成员"]})
    ids = [str(m.get("id_number") or "").strip().upper() for m in members]
    taken = list(Member.objects.filter(id_number__in=[i for i in ids if i], left_on__isnull=True)
                 .exclude(household__status__in=list(OUT_OF_REGISTRY))
                 .values_list("id_number", "household__household_no"))
    if taken:
        raise ValidationError({"members": [f"证件号码 {i[:6]}****{i[-4:]} 已在户 {no} 中建档" for i, no in taken]})
    year = cleaned["identified_on"].year
    created = household_create(actor=actor, data={**household, "registered_year": household.get("registered_year") or year},
                               year=year, effective_on=cleaned["identified_on"], initial_status=HouseholdStatus.MONITORED)
    for i, m in enumerate(members):
        try:
            member_add(actor=actor, household_id=created.pk, data=m)
        except ValidationError as exc:
            fields = exc.message_dict if hasattr(exc, "error_dict") else {"member": exc.messages}
            raise ValidationError({f"members[{i}].{k}": v for k, v in fields.items()}) from None
    # the village is known (and valid) once the household exists; a refusal rolls the filing back
    notice = _identification_notice(cleaned, village_code=created.village_id)
    return _open_case(actor=actor, household=created, cleaned=cleaned, status_before="",
                      reasons=data.get("reasons") or [], inputs={"filed_as": "new_household",
                                                                 "roster_row_id": data.get("roster_row_id")},
                      notice=notice)


def _open(case: MonitoringCase) -> None:
    if case.state not in OPEN_STATES:
        raise ValidationError({"state": [f"该监测对象已{case.get_state_display()}，不能再办理"]})


@transaction.atomic
def measure_add(*, actor, case_id: int, data: dict) -> MonitoringMeasure:
    case = case_access(actor, case_id, for_update=True, need=Cap.EDIT_REGISTRY)
    _open(case)
    from fupin.plans.choices import MeasureType

    errors: dict[str, list[str]] = {}
    try:
        measure_type = _choice(data.get("measure_type"), MeasureType, name="measure_type", label="措施类型")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    description = str(data.get("description") or "").strip()
    if not description:
        errors.setdefault("description", []).append("措施内容不能为空")
    elif len(description) > 300:
        errors.setdefault("description", []).append("措施内容不能超过 300 个字")
    try:
        started_on = _day(data.get("started_on"), name="started_on", label="落实日期", default=today())
        _not_future(started_on, name="started_on", label="落实日期")
        if started_on < case.identified_on:
            raise ValidationError({"started_on": [
                f"落实日期（{started_on:%Y-%m-%d}）不能早于识别监测时间（{case.identified_on:%Y-%m-%d}）"]})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        amount = parse_money(data.get("amount"), label="金额")
    except ValidationError as exc:
        errors.setdefault("amount", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    measure = MonitoringMeasure.objects.create(case=case, measure_type=measure_type, description=description,
                                               started_on=started_on, amount=amount)
    record(actor=actor, entry=entry_for(measure, action=Action.CREATE, region_code=case.village_code,
                                        after=snapshot(measure)))
    if case.state == CaseState.IDENTIFIED:
        before = {"state": case.state}
        case.state = CaseState.ASSISTED
        case.save(update_fields=["state", "updated_at"])
        record(actor=actor, entry=entry_for(case, action=Action.UPDATE, region_code=case.village_code,
                                            before=before, after={"state": case.state}))
    _step(case, actor=actor, kind=StepKind.MEASURE, on=started_on,
          note=f"{measure.get_measure_type_display()}：{description}",
          inputs={"measure_id": measure.pk, "measure_type": measure_type,
                  "amount": f"{amount:.2f}" if amount is not None else None})
    return measure


def _elimination_inputs(data: dict, *, notice_required: bool) -> dict:
    """on, verified_income, expenditure_solved, notice_from, notice_to, note — parsed; every invalid
    one named in one ValidationError."""
    errors: dict[str, list[str]] = {}
    on = today()
    try:
        on = _day(data.get("on"), name="on", label="消除日期", default=today())
        _not_future(on, name="on", label="消除日期")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    income = None
    try:
        income = parse_money(data.get("verified_income"), label="近12个月人均纯收入")
    except ValidationError as exc:
        errors.setdefault("verified_income", []).extend(exc.messages)
    raw = data.get("expenditure_solved")
    solved = None
    if isinstance(raw, bool):
        solved = raw
    elif str(raw).strip().lower() in ("true", "1", "yes", "on", "是"):
        solved = True
    elif str(raw).strip().lower() in ("false", "0", "no", "off", "否"):
        solved = False
    elif raw not in (None, ""):
        errors.setdefault("expenditure_solved", []).append(f"刚性支出是否已解决“{raw}”无效（是/否）")
    notice_from = notice_to = None
    try:
        notice_from, notice_to = _notice_dates(data, required=notice_required)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"on": on, "verified_income": income, "expenditure_solved": solved, "notice_from": notice_from,
            "notice_to": notice_to, "note": str(data.get("note") or "").strip()}


def _assess(case: MonitoringCase, given: dict) -> dict:
    return assess_elimination(case, given["on"], verified_income=given["verified_income"],
                              expenditure_solved=given["expenditure_solved"], notice_from=given["notice_from"],
                              notice_to=given["notice_to"])


def assessment_for(*, actor, case_id: int, data: dict) -> dict:
    """The elimination assessment (read-only) with the inputs given; scope checked. The notice is
    assessed when its dates are given."""
    case = case_access(actor, case_id)
    return _assess(case, _elimination_inputs(data, notice_required=False))


@transaction.atomic
def case_eliminate(*, actor, case_id: int, data: dict) -> MonitoringCase:
    """风险消除. `data`: on (default today), verified_income (per capita, last 12 months),
    expenditure_solved, notice_from and notice_to (民主评议公示, required), note. Refused
    (ValidationError listing every failed condition — the notice under its fields, the others
    under `elimination` — nothing written) unless every condition passes."""
    case = case_access(actor, case_id, for_update=True, need=Cap.CONFIRM_MONITORING)
    _open(case)
    given = _elimination_inputs(data, notice_required=True)
    on, note = given["on"], given["note"]
    if on < case.identified_on:
        raise ValidationError({"on": [f"消除日期不能早于识别监测时间（{case.identified_on:%Y-%m-%d}）"]})
    household = Household.objects.select_for_update().get(pk=case.household_id)
    case.household = household
    assessment = _assess(case, given)
    notice = next(i for i in assessment["indicators"] if i["code"] == "notice")
    if not assessment["passed"]:
        errors: dict[str, list[str]] = dict(notice["inputs"].get("problems") or {})
        failed = [f"{i['label']}：{i['reason']}" for i in assessment["indicators"]
                  if not i["passed"] and i["code"] != "notice"]
        if failed:
            errors["elimination"] = failed
        raise ValidationError(errors)
    previous = latest_status_event(household)
    if previous is not None and on < previous.effective_on:
        raise ValidationError({"on": [f"消除日期不能早于该户上一次状态变更（{previous.effective_on:%Y-%m-%d}）"]})
    before = snapshot(case)
    case.state, case.eliminated_on = CaseState.ELIMINATED, on
    notice_inputs = {k: v for k, v in notice["inputs"].items() if k != "problems"}
    case.elimination_inputs = {**assessment, "note": note, "notice": notice_inputs}
    case.save(update_fields=["state", "eliminated_on", "elimination_inputs", "updated_at"])
    record(actor=actor, entry=entry_for(case, action=Action.UPDATE, region_code=case.village_code, before=before,
                                        after=snapshot(case)))
    restored = case.status_before == HouseholdStatus.EXITED and household.status == HouseholdStatus.MONITORED
    if restored:
        household_change_status(actor=actor, household=household, to_status=HouseholdStatus.EXITED, year=on.year,
                                source=StatusChangeSource.MONITORING, kind=StatusEventKind.RISK_ELIMINATED,
                                effective_on=on, reason="防止返贫监测风险消除，恢复为已脱贫")
    _step(case, actor=actor, kind=StepKind.ELIMINATED, on=on, note=note or f"风险消除；{notice_text(notice_inputs)}",
          inputs={"assessment": assessment, "notice": notice_inputs, "household_status_restored": restored})
    return case


@transaction.atomic
def case_eliminate_naturally(*, actor, case_id: int, data: dict) -> MonitoringCase:
    """自然消除: the household has no present member (or has been 销户). A reason is required."""
    case = case_access(actor, case_id, for_update=True, need=Cap.CONFIRM_MONITORING)
    _open(case)
    reason = str(data.get("reason") or "").strip()
    on = _day(data.get("on"), name="on", label="消除日期", default=today())
    _not_future(on, name="on", label="消除日期")
    if not reason:
        raise ValidationError({"reason": ["自然消除必须填写原因"]})
    if len(reason) > 300:
        raise ValidationError({"reason": ["原因不能超过 300 个字"]})
    if on < case.identified_on:
        raise ValidationError({"on": [f"消除日期不能早于识别监测时间（{case.identified_on:%Y-%m-%d}）"]})
    ok, why, inputs = natural_elimination_check(case, on)
    if not ok:
        raise ValidationError({"on": [why]})
    before = snapshot(case)
    case.state, case.eliminated_on = CaseState.NATURALLY_ELIMINATED, on
    case.elimination_inputs = {"natural": True, "reason": reason, "check": why, **inputs}
    case.save(update_fields=["state", "eliminated_on", "elimination_inputs", "updated_at"])
    record(actor=actor, entry=entry_for(case, action=Action.UPDATE, region_code=case.village_code, before=before,
                                        after=snapshot(case)))
    _step(case, actor=actor, kind=StepKind.NATURALLY_ELIMINATED, on=on, note=reason, inputs={"check": why, **inputs})
    return case

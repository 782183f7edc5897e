"""Changes to plans (一户一策). Each is one transaction, keyword-only, audited in the same transaction.

Scope comes from the gates (`household_access`, `measure_access`: 404 outside scope), rights from
rights.py (403), input checks raise ValidationError per field in Chinese — and then nothing is
written. A frozen year (年度数据固化) refuses every change of its plans.

Measures are never deleted: a measure dropped from a plan is cancelled with its reason.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.services import Action, diff, entry_for, record, snapshot
from fupin.core import clock
from fupin.registry.selectors import frozen_years, household_access
from fupin.registry.validation import clean_values_partial

from .choices import MeasureStatus, PlanStatus
from .models import HouseholdPlan, PlanMeasure
from .rights import require_confirm_plan, require_edit_plan
from .selectors import measure_access

YEAR_MIN, YEAR_MAX = 2000, 2100
INPUT_FIELDS = ("measure_type", "content", "amount", "responsible", "status", "due_on", "completed_on", "note")
REQUIRED = ("measure_type", "content", "responsible")


def _label(name: str) -> str:
    return str(PlanMeasure._meta.get_field(name).verbose_name)


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [f"年度“{year}”无效"]}) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError({"year": [f"年度 {year} 无效（应在 {YEAR_MIN}–{YEAR_MAX} 之间）"]})
    return year


def _check_not_frozen(village_code: str, year: int) -> None:
    if year in frozen_years(village_code):
        raise ValidationError({"year": [f"{year} 年度数据已固化，帮扶计划只能查看，不能修改"]})


def _clean_measure(data: dict, *, current: dict, plan_year: int, today: date) -> dict:
    """Clean `data` over the `current` values and check the fields together; every problem at once."""
    cleaned, errors = clean_values_partial(PlanMeasure, dict(data or {}), fields=INPUT_FIELDS)
    values = {**current, **cleaned}
    for name in REQUIRED:
        if name not in errors and not values.get(name):
            errors[name] = [f"{_label(name)}不能为空"]
    status = values.get("status") or MeasureStatus.PLANNED
    done = values.get("completed_on")
    if "status" not in errors and status == MeasureStatus.CANCELLED and current.get("status") != MeasureStatus.CANCELLED:
        errors["status"] = ["取消措施请用“取消”操作并写明原因"]
    if "completed_on" not in errors and "status" not in errors:
        if status == MeasureStatus.COMPLETED:
            if done is None:
                errors["completed_on"] = ["实施状态为“已完成”时必须填写完成日期"]
            elif done > today:
                errors["completed_on"] = [f"完成日期（{done:%Y-%m-%d}）不能晚于今天"]
            elif done.year < plan_year:
                errors["completed_on"] = [f"完成日期（{done:%Y-%m-%d}）不能早于计划年度 {plan_year} 年"]
        elif done is not None and "completed_on" in cleaned:
            errors["completed_on"] = [f"实施状态为“{MeasureStatus(status).label}”的措施不能填写完成日期"]
        elif done is not None:  # status moved away from completed: the old date goes with it
            values["completed_on"] = None
    if errors:
        raise ValidationError(errors)
    values["status"] = status
    return values


def _plan_for_writing(actor, household_id: int, year) -> tuple:
    """The household (locked) and its plan for `year` (None when there is none), after the checks."""
    year = _check_year(year)
    household = household_access(actor, household_id, for_update=True)
    require_edit_plan(actor, household)
    _check_not_frozen(household.village_id, year)
    plan = HouseholdPlan.objects.select_for_update().filter(household=household, year=year).first()
    return household, plan, year


def _create_plan(actor, household, year: int, note: str = "") -> HouseholdPlan:
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": [f"备注不能超过 500 个字（现为 {len(note)} 个）"]})
    plan = HouseholdPlan.objects.create(household=household, village_id=household.village_id, year=year,
                                        note=note, drawn_up_by_id=actor.pk,
                                        drawn_up_by_name=actor.username)
    record(actor=actor, entry=entry_for(plan, action=Action.CREATE, region_code=household.village_id,
                                        after=snapshot(plan)))
    return plan


@transaction.atomic
def plan_create(*, actor, household_id: int, year: int, note: str = "") -> HouseholdPlan:
    """Draw up (制定) a household's plan for a year: a draft with no measures yet."""
    household, plan, year = _plan_for_writing(actor, household_id, year)
    if plan is not None:
        raise ValidationError({"year": [f"该户 {year} 年度已有帮扶计划"]})
    return _create_plan(actor, household, year, note)


@transaction.atomic
def plan_confirm(*, actor, household_id: int, year: int) -> HouseholdPlan:
    """Confirm (确认) a plan: it must have at least one measure not cancelled."""
    household, plan, year = _plan_for_writing(actor, household_id, year)
    require_confirm_plan(actor)
    if plan is None:
        raise ValidationError({"year": [f"该户 {year} 年度还没有帮扶计划"]})
    if plan.status == PlanStatus.CONFIRMED:
        raise ValidationError({"status": [f"该计划已于 {timezone.localtime(plan.confirmed_at):%Y-%m-%d} 确认"]})
    if not plan.measures.exclude(status=MeasureStatus.CANCELLED).exists():
        raise ValidationError({"measures": ["帮扶计划至少要有一项未取消的措施才能确认"]})
    before = snapshot(plan)
    plan.status = PlanStatus.CONFIRMED
    plan.confirmed_at = timezone.now()
    plan.confirmed_by_id, plan.confirmed_by_name = actor.pk, actor.username
    plan.save(update_fields=["status", "confirmed_at", "confirmed_by_id", "confirmed_by_name", "updated_at"])
    changed_before, changed_after = diff(before, snapshot(plan))
    record(actor=actor, entry=entry_for(plan, action=Action.UPDATE, region_code=plan.village_id,
                                        before=changed_before, after=changed_after))
    return plan


@transaction.atomic
def measure_add(*, actor, household_id: int, year: int, data: dict, source_rule: str = "") -> PlanMeasure:
    """Add a measure to the household's plan for `year`, drawing the plan up (draft) if there is none.

    `source_rule`: the code of the suggestion rule the measure was adopted from (采纳)."""
    household, plan, year = _plan_for_writing(actor, household_id, year)
    defaults = {"measure_type": "", "content": "", "amount": None, "responsible": "", "status": MeasureStatus.PLANNED,
                "due_on": None, "completed_on": None, "note": ""}
    values = _clean_measure(data, current=defaults, plan_year=year, today=clock.today())
    if plan is None:
        plan = _create_plan(actor, household, year)
    measure = PlanMeasure.objects.create(plan=plan, source_rule=(source_rule or "")[:40], **values)
    record(actor=actor, entry=entry_for(measure, action=Action.CREATE, region_code=plan.village_id,
                                        after=snapshot(measure)))
    return measure


def _measure_for_writing(actor, measure_id: int) -> PlanMeasure:
    measure = measure_access(actor, measure_id, for_update=True)
    plan = measure.plan
    require_edit_plan(actor, plan.household)
    _check_not_frozen(plan.village_id, plan.year)
    if measure.status == MeasureStatus.CANCELLED:
        raise ValidationError({"status": ["已取消的措施不能再修改"]})
    return measure


@transaction.atomic
def measure_update(*, actor, measure_id: int, changes: dict) -> PlanMeasure:
    """Change a measure: content, amount, responsible party, status, dates, note."""
    measure = _measure_for_writing(actor, measure_id)
    current = {n: getattr(measure, n) for n in INPUT_FIELDS}
    values = _clean_measure(changes, current=current, plan_year=measure.plan.year, today=clock.today())
    before = snapshot(measure)
    for name, value in values.items():
        setattr(measure, name, value)
    changed_before, changed_after = diff(before, snapshot(measure))
    if changed_after:
        measure.save()
        record(actor=actor, entry=entry_for(measure, action=Action.UPDATE, region_code=measure.plan.village_id,
                                            before=changed_before, after=changed_after))
    return measure


@transaction.atomic
def measure_cancel(*, actor, measure_id: int, reason: str) -> PlanMeasure:
    """Cancel (取消) a measure with its reason; it stays in the plan, out of progress and checks."""
    measure = _measure_for_writing(actor, measure_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["取消措施必须填写原因"]})
    if len(reason) > 200:
        raise ValidationError({"reason": ["原因不能超过 200 个字"]})
    before = snapshot(measure)
    measure.status = MeasureStatus.CANCELLED
    measure.completed_on = None
    measure.note = f"已取消：{reason}" + (f"（原备注：{measure.note}）" if measure.note else "")
    measure.note = measure.note[:300]
    measure.save(update_fields=["status", "completed_on", "note", "updated_at"])
    changed_before, changed_after = diff(before, snapshot(measure))
    record(actor=actor, entry=entry_for(measure, action=Action.UPDATE, region_code=measure.plan.village_id,
                                        before=changed_before, after={**changed_after, "reason": reason}))
    return measure


@transaction.atomic
def measure_adopt(*, actor, household_id: int, year: int, rule_code: str) -> PlanMeasure:
    """采纳 a suggestion: add the measure it suggests, prefilled (content from the rule, the usual
    responsible unit), to be completed afterwards. The rule must fire for the household now and the
    plan must not already have an active measure of that type."""
    from .choices import DEFAULT_RESPONSIBLE
    from .suggestions import suggest

    year = _check_year(year)
    household = household_access(actor, household_id)
    hit = next((s for s in suggest(household, year) if s.rule["code"] == rule_code), None)
    if hit is None:
        raise ValidationError({"rule": [f"建议规则“{rule_code}”对该户 {year} 年度不适用"]})
    if hit.planned:
        raise ValidationError({"rule": [f"计划中已有“{hit.measure['measure_label']}”措施"]})
    mtype = hit.measure["measure_type"]
    data = {"measure_type": mtype, "content": f"{hit.measure['measure_label']}（依据建议：{hit.rule['name']}）",
            "responsible": DEFAULT_RESPONSIBLE.get(mtype, "帮扶责任人")}
    return measure_add(actor=actor, household_id=household_id, year=year, data=data, source_rule=rule_code)


@transaction.atomic
def plan_draw_up(*, actor, household_id: int, year: int, note: str = "", measures=()) -> HouseholdPlan:
    """Draw up a plan with its first measures in one go (all or nothing). Errors of the i-th measure
    are reported under `measures.<i>.<field>` (counting from 0)."""
    plan = plan_create(actor=actor, household_id=household_id, year=year, note=note)
    errors: dict[str, list[str]] = {}
    for i, data in enumerate(measures or ()):
        if not isinstance(data, dict):
            errors[f"measures.{i}"] = ["每项措施应为 JSON 对象"]
            continue
        try:
            measure_add(actor=actor, household_id=household_id, year=year, data=data)
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                errors[f"measures.{i}.{name}"] = [f"第 {i + 1} 项措施：{m}" for m in msgs]
    if errors:
        raise ValidationError(errors)
    return plan

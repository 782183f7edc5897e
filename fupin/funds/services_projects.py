"""The project library (项目库): declaration, the life cycle one step at a time (申报 → 审批入库 →
开工实施 → 验收 → 公告公示 → 销号, 完成一项销号一项), beneficiaries and performance targets.

Each step is a dated ProjectEvent written with the project's new status in one transaction and
audited; only the roles in `choices.TRANSITION_ROLES` may take a step, inside their scope (a
village clerk declares for their own village, the county approves, accepts and closes).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from fupin.accounts.scope import OUT_OF_SCOPE, code_in_scope
from fupin.audit.services import Action, entry_for, record, snapshot
from fupin.regions.selectors import region_get
from fupin.registry.selectors import households_visible_to

from .choices import (
    BENEFICIARY_EDITORS,
    EDITABLE_STATUSES,
    RESULT_RECORDERS,
    RESULT_STATUSES,
    STATUS_ORDER,
    TRANSITION_ROLES,
    TRANSITION_VERBS,
    ProjectStatus,
)
from .models import Project, ProjectBeneficiary, ProjectEvent, ProjectFunding, ProjectTarget
from .selectors import project_access
from .services import _clean, _date, _positive, village_or_township

PROJECT_FIELDS = ("name", "type", "year", "content", "beneficiary_count")
TARGET_FIELDS = ("indicator", "unit", "target_value")


def _roles_text(roles) -> str:
    from fupin.accounts.roles import Role

    return "、".join(Role.LABELS[r] for r in sorted(roles))


def _clean_targets(raw, errors: dict) -> list[dict]:
    targets = []
    for i, row in enumerate(raw or [], start=1):
        if not isinstance(row, dict):
            errors.setdefault("targets", []).append(f"第 {i} 项绩效目标格式不对")
            continue
        cleaned, errs = _clean(ProjectTarget, row, TARGET_FIELDS, ("indicator",))
        for _name, msgs in errs.items():
            errors.setdefault("targets", []).extend(f"第 {i} 项绩效目标：{m}" for m in msgs)
        targets.append(cleaned)
    return targets


@transaction.atomic
def project_declare(*, actor, data: dict) -> Project:
    """申报: a village clerk or township reviewer enters a project for a village or township in scope.
    `data`: region (code), name, type (code or label), year, content, beneficiary_count, declared_on
    (default today), targets ([{indicator, unit, target_value}])."""
    roles = TRANSITION_ROLES[ProjectStatus.DECLARED]
    if actor.role not in roles:
        raise PermissionDenied(f"只有{_roles_text(roles)}可以申报项目")
    data = dict(data or {})
    code, raw_day, raw_targets = str(data.pop("region", "") or ""), data.pop("declared_on", None), data.pop("targets",
                                                                                                            None)
    cleaned, errors = _clean(Project, data, PROJECT_FIELDS, ("name", "type", "year"))
    day = _date({"declared_on": raw_day}, "declared_on", "申报日期", errors)
    region = region_get(code) if code else None
    if region is None or not code_in_scope(actor, region.code):
        errors["region"] = [f"项目地点“{code}”不存在或不在您的管辖范围内"]
    elif not village_or_township(region):
        errors["region"] = ["项目地点应为行政村或乡镇"]
    targets = _clean_targets(raw_targets, errors)
    if errors:
        raise ValidationError(errors)
    project = Project.objects.create(region=region, created_by=actor, status=ProjectStatus.DECLARED, **cleaned)
    ProjectEvent.objects.create(project=project, region_code=region.code, from_status="",
                                to_status=ProjectStatus.DECLARED, on=day, actor=actor, note="项目申报")
    created = ProjectTarget.objects.bulk_create([ProjectTarget(project=project, **t) for t in targets])
    record(actor=actor, entry=entry_for(project, action=Action.CREATE, region_code=region.code,
                                        after={**snapshot(project), "targets": [snapshot(t) for t in created]}))
    return project


def next_status(status: str) -> str | None:
    i = STATUS_ORDER.index(status)
    return STATUS_ORDER[i + 1] if i + 1 < len(STATUS_ORDER) else None


def may_transition(user, project: Project) -> str | None:
    """The status `user` may move the project into now, or None."""
    nxt = next_status(project.status)
    return nxt if nxt and user.role in TRANSITION_ROLES[nxt] else None


@transaction.atomic
def project_transition(*, actor, project_id: int, to_status: str, on=None, note: str = "") -> Project:
    """Move a project one step on (no skipping, no going back), by the step's role, dated `on`
    (default today; not before the previous step)."""
    project = project_access(actor, project_id, for_update=True)
    nxt = next_status(project.status)
    labels = dict(ProjectStatus.choices)
    if to_status not in labels:
        raise ValidationError({"to_status": [f"状态“{to_status}”无效（可选：{'、'.join(labels)}）"]})
    if nxt is None:
        raise ValidationError({"to_status": ["项目已销号，不能再变更状态"]})
    if to_status != nxt:
        raise ValidationError({"to_status": [f"项目当前为“{labels[project.status]}”，下一步只能是“{labels[nxt]}”，"
                                             f"不能改为“{labels[to_status]}”"]})
    roles = TRANSITION_ROLES[nxt]
    if actor.role not in roles:
        raise PermissionDenied(f"“{TRANSITION_VERBS[nxt]}”须由{_roles_text(roles)}办理")
    errors: dict = {}
    day = _date({"on": on}, "on", "日期", errors)
    last = project.events.order_by("-on", "-id").values_list("on", flat=True).first()
    if day and last and day < last:
        errors.setdefault("on", []).append(f"日期（{day:%Y-%m-%d}）不能早于上一步的日期（{last:%Y-%m-%d}）")
    if nxt == ProjectStatus.IMPLEMENTING and not ProjectFunding.objects.filter(project_id=project.pk).exists():
        errors.setdefault("to_status", []).append("项目尚未安排资金，不能开工实施")
    if nxt == ProjectStatus.ACCEPTED:
        missing = list(ProjectTarget.objects.filter(project_id=project.pk, target_value__isnull=False,
                                                    actual_value__isnull=True).values_list("indicator", flat=True))
        if missing:
            errors.setdefault("to_status", []).append(f"验收前须填写绩效目标完成值：{'、'.join(missing)}")
    if len(note or "") > 500:
        errors.setdefault("note", []).append("说明最多 500 字")
    if errors:
        raise ValidationError(errors)
    before = project.status
    project.status = nxt
    project.save(update_fields=["status"])
    event = ProjectEvent.objects.create(project=project, region_code=project.region_id, from_status=before,
                                        to_status=nxt, on=day, actor=actor, note=note or "")
    record(actor=actor, entry=entry_for(project, action=Action.UPDATE, region_code=project.region_id,
                                        before={"status": before},
                                        after={"status": nxt, "on": day.isoformat(), "event_id": event.pk}))
    return project


@transaction.atomic
def beneficiary_add(*, actor, project_id: int, household_id: int, standard_amount) -> ProjectBeneficiary:
    """List a registry household (in the project's place) as beneficiary with its per-household standard."""
    if actor.role not in BENEFICIARY_EDITORS:
        raise PermissionDenied("您的角色无权登记项目受益户")
    project = project_access(actor, project_id, for_update=True)
    cleaned, errors = _clean(ProjectBeneficiary, {"standard_amount": standard_amount}, ("standard_amount",),
                             ("standard_amount",))
    _positive(cleaned, errors, "standard_amount", "到户补助标准")
    if project.status not in EDITABLE_STATUSES:
        errors["project"] = [f"项目{project.get_status_display()}，不能再调整受益户"]
    household = households_visible_to(actor).filter(pk=household_id).first() if str(household_id).isdigit() else None
    if household is None:
        errors["household"] = ["该户不存在或不在您的管辖范围内"]
    elif household.village_id not in project.region.code_range:
        errors["household"] = [f"{household.head_name}户不在项目地点{project.region.name}"]
    elif ProjectBeneficiary.objects.filter(project_id=project.pk, household_id=household.pk).exists():
        errors["household"] = [f"{household.head_name}户已是该项目的受益户"]
    if errors:
        raise ValidationError(errors)
    row = ProjectBeneficiary.objects.create(project=project, household=household, location_code=project.region_id,
                                            standard_amount=cleaned["standard_amount"])
    record(actor=actor, entry=entry_for(row, action=Action.CREATE, region_code=project.region_id,
                                        after=snapshot(row)))
    return row


@transaction.atomic
def target_result(*, actor, target_id: int, actual_value=None, result: str = "") -> ProjectTarget:
    """Record a performance target's result (完成值, 完成情况) while implementing or at acceptance."""
    if actor.role not in RESULT_RECORDERS:
        raise PermissionDenied("您的角色无权填写绩效目标完成情况")
    target = ProjectTarget.objects.filter(pk=target_id).first() if str(target_id).isdigit() else None
    if target is None:
        raise Http404(OUT_OF_SCOPE)
    project = project_access(actor, target.project_id, for_update=True)  # 404 outside scope as well
    cleaned, errors = _clean(ProjectTarget, {"actual_value": actual_value, "result": result},
                             ("actual_value", "result"), ())
    if project.status not in RESULT_STATUSES:
        errors["project"] = ["只有实施中或已验收的项目可以填写绩效目标完成情况"]
    if errors:
        raise ValidationError(errors)
    before = snapshot(target)
    for k, v in cleaned.items():
        setattr(target, k, v)
    target.save()
    record(actor=actor, entry=entry_for(target, action=Action.UPDATE, region_code=project.region_id,
                                        before=before, after=snapshot(target)))
    return target

"""Changes of state of the assessment app: a region's own scheme, and the reduction tasks."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fupin.accounts.roles import Cap
from fupin.accounts.scope import code_in_scope, require
from fupin.audit.services import Action, entry_for, record, record_many, snapshot
from fupin.regions.codes import Level, level_of

from .catalog import BY_CODE
from .models import (
    AssessedLevel,
    AssessmentIndicator,
    AssessmentScheme,
    AssessmentTarget,
    AssessmentVeto,
    Direction,
    Method,
    VetoOp,
)

TOTAL_POINTS = Decimal("100")


def _decimal(raw, where: str, errors: list[str], *, required: bool = True) -> Decimal | None:
    if raw is None or raw == "":
        if required:
            errors.append(f"{where}：缺少取值")
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        errors.append(f"{where}：“{str(raw)[:30]}”不是数值")
        return None
    if not value.is_finite() or abs(value) >= 10**6:
        errors.append(f"{where}：“{str(raw)[:30]}”超出范围")
        return None
    return value


def validate_scheme(data) -> dict:
    """The scheme document checked as a whole; every problem named (ValidationError)."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ValidationError("方案应为 JSON 对象，含 name、indicators、vetoes")
    name = str(data.get("name") or "").strip()[:200]
    if not name:
        errors.append("name：缺少方案名称")
    indicators, seen = [], set()
    raw_indicators = data.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        errors.append("indicators：至少需要一个考核指标")
        raw_indicators = []
    for i, row in enumerate(raw_indicators, start=1):
        where = f"第 {i} 个指标"
        if not isinstance(row, dict):
            errors.append(f"{where}：应为对象")
            continue
        code = str(row.get("code") or "")
        metric = BY_CODE.get(code)
        if metric is None or not metric.ratio:
            errors.append(f"{where}：指标代码“{code[:40]}”不可用于计分（可用：{'、'.join(c for c, m in BY_CODE.items() if m.ratio)}）")
            continue
        if code in seen:
            errors.append(f"{where}：指标“{code}”重复")
        seen.add(code)
        weight = _decimal(row.get("weight"), f"{where}（{code}）分值", errors)
        if weight is not None and weight <= 0:
            errors.append(f"{where}（{code}）分值：应大于 0")
        direction, method = row.get("direction", ""), row.get("method", "")
        if direction not in Direction.values:
            errors.append(f"{where}（{code}）方向：应为 higher 或 lower")
        if method not in Method.values:
            errors.append(f"{where}（{code}）计分方法：应为 linear 或 pass_fail")
        target = _decimal(row.get("target"), f"{where}（{code}）目标值", errors)
        floor = _decimal(row.get("floor"), f"{where}（{code}）底线值", errors, required=method == Method.LINEAR)
        if method == Method.LINEAR and target is not None and floor is not None:
            if direction == Direction.HIGHER and not floor < target:
                errors.append(f"{where}（{code}）：越高越好的指标底线值应低于目标值")
            if direction == Direction.LOWER and not floor > target:
                errors.append(f"{where}（{code}）：越低越好的指标底线值应高于目标值")
        indicators.append({"code": code, "label": str(row.get("label") or metric.label)[:100], "weight": weight,
                           "direction": direction, "method": method, "target": target,
                           "floor": floor if method == Method.LINEAR else None,
                           "empty_full": bool(row.get("empty_full", False)), "order": i})
    total = sum((r["weight"] or 0) for r in indicators)
    if indicators and total != TOTAL_POINTS:
        errors.append(f"indicators：分值合计为 {total.normalize():f}，应为 100")
    vetoes = []
    raw_vetoes = data.get("vetoes") or []
    if not isinstance(raw_vetoes, list):
        errors.append("vetoes：应为列表")
        raw_vetoes = []
    for i, row in enumerate(raw_vetoes, start=1):
        where = f"第 {i} 条否决规则"
        if not isinstance(row, dict):
            errors.append(f"{where}：应为对象")
            continue
        metric = str(row.get("metric") or "")
        if metric not in BY_CODE:
            errors.append(f"{where}：指标代码“{metric[:40]}”未定义")
        if row.get("op") not in VetoOp.values:
            errors.append(f"{where}：比较应为 gt、gte、lt 或 lte")
        threshold = _decimal(row.get("threshold"), f"{where}阈值", errors)
        reason = str(row.get("reason") or "").strip()[:200]
        if not reason:
            errors.append(f"{where}：缺少否决理由")
        vetoes.append({"metric": metric, "op": row.get("op"), "threshold": threshold, "reason": reason, "order": i})
    if errors:
        raise ValidationError(errors)
    return {"name": name, "source": str(data.get("source") or "")[:300], "indicators": indicators, "vetoes": vetoes}


def _write(scheme: AssessmentScheme, clean: dict, *, indicator_model=AssessmentIndicator,
           veto_model=AssessmentVeto) -> None:
    indicator_model.objects.filter(scheme=scheme).delete()
    veto_model.objects.filter(scheme=scheme).delete()
    indicator_model.objects.bulk_create([indicator_model(scheme=scheme, **r) for r in clean["indicators"]])
    veto_model.objects.bulk_create([veto_model(scheme=scheme, **r) for r in clean["vetoes"]])


def scheme_document(scheme: AssessmentScheme) -> dict:
    """What is audited and shown: the scheme with its rows (decimals as text)."""
    return {**snapshot(scheme),
            "indicators": [{"code": i.code, "label": i.label, "weight": str(i.weight), "direction": i.direction,
                            "method": i.method, "target": str(i.target),
                            "floor": None if i.floor is None else str(i.floor), "empty_full": i.empty_full}
                           for i in scheme.indicators.all()],
            "vetoes": [{"metric": v.metric, "op": v.op, "threshold": str(v.threshold), "reason": v.reason}
                       for v in scheme.vetoes.all()]}


@transaction.atomic
def scheme_set(*, actor, region_code: str, level: str, year_from: int, data) -> AssessmentScheme:
    """A region's own scheme (replaces the region's scheme for that level and year). Needs
    Cap.MANAGE_POLICY and the region in scope; weights must sum to 100; audited."""
    require(actor, Cap.MANAGE_POLICY)
    if not code_in_scope(actor, region_code):
        raise PermissionDenied(f"区划 {region_code} 不在您的管辖范围内")
    if level not in AssessedLevel.values:
        raise ValidationError({"level": ["考核对象级别应为 county 或 township"]})
    if Level.depth(level_of(region_code)) >= Level.depth(level):
        raise ValidationError({"region": [f"区划 {region_code} 不在{AssessedLevel(level).label}之上，不能为其制定考核方案"]})
    if not 2000 <= int(year_from) <= 2100:
        raise ValidationError({"year": [f"年度 {year_from} 无效"]})
    clean = validate_scheme(data)
    existing = AssessmentScheme.objects.select_for_update().filter(
        region_code=region_code, level=level, year_from=year_from).first()
    before = scheme_document(existing) if existing else None
    scheme, _ = AssessmentScheme.objects.update_or_create(
        region_code=region_code, level=level, year_from=year_from,
        defaults={"name": clean["name"], "source": clean["source"], "created_by_name": actor.username})
    _write(scheme, clean)
    record(actor=actor, entry=entry_for(scheme, action=Action.UPDATE if before else Action.CREATE,
                                        region_code=region_code, before=before, after=scheme_document(scheme)))
    return scheme


@transaction.atomic
def targets_import(*, actor, year: int, rows: list[tuple[str, int]], source: str = "") -> int:
    """Add or replace the reduction tasks of `year` (rows already validated): bulk writes, one
    audit entry per changed row. Returns the number of rows changed."""
    existing = {t.region_code: t for t in AssessmentTarget.objects.select_for_update().filter(
        year=year, region_code__in=[c for c, _ in rows])}
    new, changed, befores = [], [], {}
    for code, task in rows:
        old = existing.get(code)
        if old is None:
            new.append(AssessmentTarget(region_code=code, year=year, reduction_task=task, source=source))
        elif old.reduction_task != task or old.source != source:
            befores[code] = snapshot(old)
            old.reduction_task, old.source = task, source
            changed.append(old)
    AssessmentTarget.objects.bulk_create(new)
    AssessmentTarget.objects.bulk_update(changed, ["reduction_task", "source"])
    created = {t.region_code: t for t in AssessmentTarget.objects.filter(year=year,
                                                                         region_code__in=[t.region_code for t in new])}
    entries = [entry_for(created[t.region_code], action=Action.CREATE, region_code=t.region_code,
                         after=snapshot(created[t.region_code])) for t in new]
    entries += [entry_for(t, action=Action.UPDATE, region_code=t.region_code, before=befores[t.region_code],
                          after=snapshot(t)) for t in changed]
    record_many(actor=actor, entries=entries)
    return len(entries)

"""Keeping the plan rules (措施建议规则、措施矛盾规则): one audited transaction per change.

A system administrator with the policy capability sets a rule row for a region in their scope: the
same code as a national rule overrides it there (or switches it off with active false); a new code
adds a rule for that region. A row is keyed by (code, region, year_from): saving the same key again
changes that row, a later year_from starts a new version.
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from fupin.accounts.scope import code_in_scope
from fupin.audit.services import Action, diff, entry_for, record, snapshot
from fupin.policy.models import PolicyValue
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.regions.models import Region

from .choices import MeasureType, RuleKind
from .models import PlanRule
from .rights import require_edit_rules
from .rules import conditions

CODE_RE = re.compile(r"[A-Za-z0-9_.-]{1,40}")
FIELDS = ("kind", "name", "condition", "measure_type", "explanation", "year_to", "active", "position")


def _int_or_none(raw, label: str, errors: dict, name: str):
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        errors[name] = [f"{label}“{raw}”应为整数"]
        return None
    return value


def _clean(data: dict) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    out: dict = {}
    code = str(data.get("code") or "").strip()
    if not CODE_RE.fullmatch(code):
        errors["code"] = ["规则代码应为 1–40 位字母、数字或 _ . -"]
    out["code"] = code
    kind = data.get("kind") or RuleKind.SUGGEST
    kind = {label: value for value, label in RuleKind.choices}.get(kind, kind)
    if kind not in RuleKind.values:
        errors["kind"] = [f"规则类别“{kind}”无效（可选：suggest 措施建议、contradict 措施矛盾）"]
    out["kind"] = kind
    for name, label, limit in (("name", "规则名称", 100), ("explanation", "说明和依据", 500)):
        text = str(data.get(name) or "").strip()
        if not text:
            errors[name] = [f"{label}不能为空"]
        elif len(text) > limit:
            errors[name] = [f"{label}不能超过 {limit} 个字"]
        out[name] = text
    mtype = data.get("measure_type") or ""
    mtype = {label: value for value, label in MeasureType.choices}.get(mtype, mtype)
    if mtype not in MeasureType.values:
        errors["measure_type"] = [f"措施类型“{mtype}”无效"]
    out["measure_type"] = mtype
    condition = data.get("condition")
    if isinstance(condition, str):
        try:
            condition = json.loads(condition)
        except ValueError as exc:
            errors["condition"] = [f"条件不是有效的 JSON：{exc}"]
            condition = None
    if "condition" not in errors:
        problems = conditions.check(condition)
        keys = conditions.policy_keys(condition) if not problems else set()
        known = set(PolicyValue.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()
        problems += [f"条件引用的政策参数“{k}”不存在" for k in sorted(keys - known)]
        if problems:
            errors["condition"] = problems
    out["condition"] = condition
    year_from = _int_or_none(data.get("year_from"), "起始年度", errors, "year_from")
    if year_from is None and "year_from" not in errors:
        errors["year_from"] = ["起始年度不能为空"]
    elif year_from is not None and not 2000 <= year_from <= 2100:
        errors["year_from"] = [f"起始年度 {year_from} 无效（应在 2000–2100 之间）"]
    out["year_from"] = year_from
    year_to = _int_or_none(data.get("year_to"), "截止年度", errors, "year_to")
    if year_to is not None and year_from is not None and year_to < year_from:
        errors["year_to"] = [f"截止年度（{year_to}）不能早于起始年度（{year_from}）"]
    out["year_to"] = year_to
    active = data.get("active", True)
    if isinstance(active, str):
        active = active.strip().lower() not in ("", "0", "false", "否", "no", "off")
    out["active"] = bool(active)
    position = _int_or_none(data.get("position"), "排序", errors, "position")
    out["position"] = position
    return out, errors


@transaction.atomic
def rule_save(*, actor, region_code: str, data: dict) -> tuple[PlanRule, bool]:
    """Create or change the rule row (code, region, year_from); returns (row, created).

    403 without the policy capability; 404-like refusal (ValidationError on region) outside scope."""
    require_edit_rules(actor)
    errors: dict[str, list[str]] = {}
    try:
        region_code = normalize_code(region_code)
    except InvalidCode as exc:
        raise ValidationError({"region_code": [str(exc)]}) from None
    if not Region.objects.filter(code=region_code).exists() or not code_in_scope(actor, region_code):
        raise ValidationError({"region_code": [f"区划“{region_code}”不存在或不在您的管辖范围内"]})
    values, errors = _clean(data)
    if errors:
        raise ValidationError(errors)
    row = (PlanRule.objects.select_for_update()
           .filter(code=values["code"], region_code=region_code, year_from=values["year_from"]).first())
    if values["position"] is None:
        same_code = PlanRule.objects.filter(code=values["code"]).order_by("region_code").first()
        values["position"] = row.position if row else (same_code.position if same_code else 500)
    created = row is None
    before = snapshot(row) if row else None
    if created:
        row = PlanRule(code=values["code"], region_code=region_code, year_from=values["year_from"])
    for name in FIELDS:
        setattr(row, name, values[name])
    row.updated_by_name = actor.username
    row.save()
    after = snapshot(row)
    changed_before, changed_after = diff(before or {}, after)
    changed_after.pop("updated_at", None)
    changed_before.pop("updated_at", None)
    if created or changed_after:
        record(actor=actor, entry=entry_for(row, action=Action.CREATE if created else Action.UPDATE,
                                            region_code=region_code, before=None if created else changed_before,
                                            after=after if created else changed_after))
    return row, created

"""Pieces shared by the village and the county evaluation."""

from __future__ import annotations

from django.utils import timezone

from fupin.policy.selectors import Resolved

from ..models import RegionPopulation
from .measures import Criterion, PolicyValueError, Rate, compare, missing, percent, policy_number

INCIDENCE_KEY = "region_exit.max_incidence"


def rate_threshold_display(value) -> str:
    try:
        return percent(policy_number(value))
    except PolicyValueError:
        return str(value)


def rate_criterion(*, code: str, label: str, numerator: int | None, denominator: int | None, op: str,
                   resolved: Resolved, missing_reason: str | None) -> Criterion:
    """`numerator/denominator op policy value`, or 缺少数据 with `missing_reason`."""
    shown = rate_threshold_display(resolved.value)
    policy = resolved.explain()
    if missing_reason is None and (not denominator or numerator is None):
        missing_reason = f"{label}的分母为 0，无法计算"
    if missing_reason is not None:
        return missing(code=code, label=label, op=op, threshold=resolved.value, threshold_display=shown,
                       reason=missing_reason, policy=policy)
    return compare(code=code, label=label, actual=Rate(numerator, denominator), op=op, threshold=resolved.value,
                   policy=policy, threshold_display=shown)


def imported_source(row) -> str:
    """“来源 FILE，导入于 TIME” (local time) for an imported row."""
    if row is None:
        return "未导入"
    parts = [f"来源 {row.source}" if row.source else "导入"]
    if row.imported_at:
        parts.append(f"导入于 {timezone.localtime(row.imported_at):%Y-%m-%d %H:%M}")
    return "，".join(parts)


def population_evidence_source(row: RegionPopulation | None, year: int) -> str:
    return imported_source(row) if row is not None else f"未导入 {year} 年乡村人口"

"""Village exit (贫困村出列): incidence below the policy maximum, and every infrastructure,
public-service and collective-income condition of the policy `village_exit.criteria` met.

incidence = poor persons (registry, see sources.POOR_DEFINITION) / rural population (imported
RegionPopulation row of the village). No row, or an empty indicator → 缺少数据, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fupin.policy.selectors import Resolved
from fupin.regions.codes import CodeRange
from fupin.regions.models import Region

from ..models import VillageIndicators
from .common import INCIDENCE_KEY, imported_source, population_evidence_source, rate_criterion
from .measures import Criterion, Evidence, RegionResult, Status, compare, display_value, missing
from .sources import POOR_DEFINITION, Poor, Sources, indicators_by_code, poor_by_village, population_by_code

CRITERIA_KEY = "village_exit.criteria"
VILLAGE_KEYS = (INCIDENCE_KEY, CRITERIA_KEY)


def field_label(name: str) -> str:
    return str(VillageIndicators._meta.get_field(name).verbose_name)


def _indicator_criteria(resolved: Resolved, indicators: VillageIndicators | None, year: int) -> list[Criterion]:
    items = resolved.value
    base = {k: v for k, v in resolved.explain().items() if k != "value"}
    if not isinstance(items, list):
        return [Criterion(code="criteria", label="村级条件", status=Status.FAIL, actual=None, op="", threshold=None,
                          threshold_display="", reason=f"政策参数有误：{CRITERIA_KEY} 应为条件列表",
                          policy=resolved.explain())]
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "field" not in item or "op" not in item or "value" not in item:
            out.append(Criterion(code=f"criteria.{i}", label=f"第 {i} 项村级条件", status=Status.FAIL, actual=None,
                                 op="", threshold=None, threshold_display="",
                                 reason=f"政策参数有误：{CRITERIA_KEY} 第 {i} 项应含 field、op、value",
                                 policy={**base, "value": item}))
            continue
        name, op, threshold = str(item["field"]), str(item["op"]), item["value"]
        label = str(item.get("label") or name)
        policy = {**base, "value": item}
        code = f"indicator.{name}"
        if name not in VillageIndicators.INDICATOR_FIELDS:
            out.append(Criterion(code=code, label=label, status=Status.FAIL, actual=None, op=op, threshold=threshold,
                                 threshold_display=display_value(threshold),
                                 reason=f"政策参数有误：村级指标中没有字段“{name}”", policy=policy))
            continue
        actual = getattr(indicators, name) if indicators is not None else None
        if actual is None:
            reason = (f"未导入该村 {year} 年村级指标" if indicators is None
                      else f"村级指标“{field_label(name)}”为空")
            out.append(missing(code=code, label=label, op=op, threshold=threshold,
                               threshold_display=display_value(threshold), reason=reason, policy=policy))
            continue
        out.append(compare(code=code, label=label, actual=actual, op=op, threshold=threshold, policy=policy,
                           subject=field_label(name)))
    return out


def evaluate_village(village: Region, *, year: int, poor: Poor, population, indicators: VillageIndicators | None,
                     policy: dict[str, Resolved]) -> RegionResult:
    result = RegionResult(code=village.code, name=village.name, level="village", year=year)
    pop = population.rural_population if population is not None else None
    reason = None if population is not None else f"未导入该村 {year} 年乡村人口"
    result.criteria.append(rate_criterion(code="incidence", label="贫困发生率", numerator=poor.persons,
                                          denominator=pop, op="lt", resolved=policy[INCIDENCE_KEY],
                                          missing_reason=reason))
    result.criteria += _indicator_criteria(policy[CRITERIA_KEY], indicators, year)
    result.evidence += [
        Evidence("poor_persons", "贫困人口（人）", poor.persons, f"建档立卡：{year} 年{POOR_DEFINITION}"),
        Evidence("poor_households", "贫困户（户）", poor.households, f"建档立卡：{year} 年年末状态为未脱贫或返贫的户"),
        Evidence("rural_population", "乡村人口（人）", pop, population_evidence_source(population, year)),
        Evidence("rural_households", "乡村户数（户）", population.rural_households if population else None,
                 population_evidence_source(population, year)),
    ]
    source = imported_source(indicators) if indicators is not None else f"未导入 {year} 年村级指标"
    result.evidence += [Evidence(f"indicator.{name}", field_label(name),
                                 getattr(indicators, name) if indicators is not None else None, source)
                        for name in VillageIndicators.INDICATOR_FIELDS]
    result.policies = [policy[k].explain() for k in VILLAGE_KEYS]
    if indicators is not None and indicators.poor_village:
        result.tags.append("贫困村")
    return result


def evaluate_villages(villages: Sequence[Region], *, year: int, codes: CodeRange, sources: Sources,
                      resolve_for: Callable[[str], dict[str, Resolved]]) -> list[RegionResult]:
    """Every village in `villages` (all lying in `codes`): three grouped queries for the data of all
    (poor persons, population, indicators); the policy rows come through `resolve_for`."""
    poor = poor_by_village(sources, year=year, codes=codes)
    population = population_by_code(sources, year=year, codes=codes)
    indicators = indicators_by_code(sources, year=year, codes=codes)
    return [evaluate_village(v, year=year, poor=poor.get(v.code, Poor()), population=population.get(v.code),
                             indicators=indicators.get(v.code), policy=resolve_for(v.code))
            for v in villages]

"""County exit (贫困县摘帽, DOMAIN §Exit):

- 贫困发生率 = remaining poor persons / rural population < region_exit.max_incidence
- 综合贫困发生率 = (remaining poor + 漏评 persons + 错退 persons) / rural population < the same maximum
- 错退率 = 错退 persons / persons in the 脱贫人口抽查 sample < county_exit.max_wrong_exit_rate
- 漏评率 = 漏评 persons / persons in the 非建档立卡人口抽查 sample < county_exit.max_missed_rate
- 群众认可度 = persons who accept the result / persons surveyed ≥ county_exit.min_satisfaction

Rural population of a county: the county's own RegionPopulation row when imported; otherwise the
sum over its villages, but only if every village of the county has a row (a partial sum would
understate the denominator) — else 缺少数据. 漏评 and 错退 persons in the comprehensive incidence
are the persons flagged in the samples, as found (not extrapolated to the county).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from fupin.policy.selectors import Resolved
from fupin.regions.codes import CodeRange, Level
from fupin.regions.models import Region

from ..models import FLAG_LABELS, RegionPopulation, SampleKind
from .common import INCIDENCE_KEY, population_evidence_source, rate_criterion
from .measures import Evidence, RegionResult
from .sources import (
    POOR_DEFINITION,
    Poor,
    SampleTotals,
    Sources,
    poor_by_village,
    population_by_code,
    samples_by_county,
)

WRONG_EXIT_KEY = "county_exit.max_wrong_exit_rate"
MISSED_KEY = "county_exit.max_missed_rate"
SATISFACTION_KEY = "county_exit.min_satisfaction"
COUNTY_KEYS = (INCIDENCE_KEY, WRONG_EXIT_KEY, MISSED_KEY, SATISFACTION_KEY)

SAMPLE_NAMES = {k: str(label) for k, label in SampleKind.choices}


def _population(county: Region, *, year: int, rows: dict[str, RegionPopulation],
                villages: list[str]) -> tuple[int | None, str, str | None]:
    """(rural population, where it comes from, why it is missing)."""
    own = rows.get(county.code)
    if own is not None:
        return own.rural_population, f"县级乡村人口：{population_evidence_source(own, year)}", None
    if not villages:
        return None, "未导入", f"未导入该县 {year} 年乡村人口，且该县没有村级区划可汇总"
    lacking = [c for c in villages if c not in rows]
    if lacking:
        return None, "未导入", (f"未导入该县 {year} 年县级乡村人口；按村汇总时 {len(villages)} 个村中有 "
                               f"{len(lacking)} 个村未导入（如 {'、'.join(lacking[:3])}）")
    total = sum(rows[c].rural_population for c in villages)
    return total, f"按 {len(villages)} 个村的乡村人口汇总（未导入县级数据）", None


def _sample_missing(kind: str, totals: SampleTotals, year: int) -> str | None:
    if totals.persons:
        return None
    return f"未导入 {year} 年{SAMPLE_NAMES[kind]}样本"


def evaluate_county(county: Region, *, year: int, poor: Poor, population_rows: dict[str, RegionPopulation],
                    villages: list[str], samples: dict[str, SampleTotals], policy: dict[str, Resolved]) -> RegionResult:
    result = RegionResult(code=county.code, name=county.name, level="county", year=year)
    pop, pop_source, pop_missing = _population(county, year=year, rows=population_rows, villages=villages)
    exited = samples.get(SampleKind.EXITED_CHECK, SampleTotals())
    outside = samples.get(SampleKind.NON_REGISTERED_CHECK, SampleTotals())
    survey = samples.get(SampleKind.SATISFACTION, SampleTotals())
    exited_missing = _sample_missing(SampleKind.EXITED_CHECK, exited, year)
    outside_missing = _sample_missing(SampleKind.NON_REGISTERED_CHECK, outside, year)
    survey_missing = _sample_missing(SampleKind.SATISFACTION, survey, year)

    result.criteria.append(rate_criterion(code="incidence", label="贫困发生率", numerator=poor.persons,
                                          denominator=pop, op="lt", resolved=policy[INCIDENCE_KEY],
                                          missing_reason=pop_missing))
    comprehensive_missing = "；".join(x for x in (pop_missing, exited_missing, outside_missing) if x) or None
    result.criteria.append(rate_criterion(
        code="comprehensive_incidence", label="综合贫困发生率",
        numerator=poor.persons + outside.flagged_persons + exited.flagged_persons, denominator=pop, op="lt",
        resolved=policy[INCIDENCE_KEY], missing_reason=comprehensive_missing))
    result.criteria.append(rate_criterion(code="wrong_exit_rate", label="错退率", numerator=exited.flagged_persons,
                                          denominator=exited.persons, op="lt", resolved=policy[WRONG_EXIT_KEY],
                                          missing_reason=exited_missing))
    result.criteria.append(rate_criterion(code="missed_rate", label="漏评率", numerator=outside.flagged_persons,
                                          denominator=outside.persons, op="lt", resolved=policy[MISSED_KEY],
                                          missing_reason=outside_missing))
    result.criteria.append(rate_criterion(code="satisfaction", label="群众认可度",
                                          numerator=survey.persons - survey.flagged_persons,
                                          denominator=survey.persons, op="gte", resolved=policy[SATISFACTION_KEY],
                                          missing_reason=survey_missing))

    result.evidence += [
        Evidence("poor_persons", "剩余贫困人口（人）", poor.persons, f"建档立卡：{year} 年{POOR_DEFINITION}"),
        Evidence("poor_households", "剩余贫困户（户）", poor.households, f"建档立卡：{year} 年年末状态为未脱贫或返贫的户"),
        Evidence("rural_population", "乡村人口（人）", pop, pop_source),
        Evidence("villages", "村级区划（个）", len(villages), "区划表"),
    ]
    for kind, totals in ((SampleKind.EXITED_CHECK, exited), (SampleKind.NON_REGISTERED_CHECK, outside),
                         (SampleKind.SATISFACTION, survey)):
        name, flag = SAMPLE_NAMES[kind], FLAG_LABELS[kind]
        source = f"{year} 年{name}样本（导入）" if totals.households else f"未导入 {year} 年{name}样本"
        result.evidence += [
            Evidence(f"{kind}.households", f"{name}户数", totals.households, source),
            Evidence(f"{kind}.persons", f"{name}人数", totals.persons, source),
            Evidence(f"{kind}.flagged_households", f"其中{flag}户数", totals.flagged_households, source),
            Evidence(f"{kind}.flagged_persons", f"其中{flag}人数", totals.flagged_persons, source),
        ]
    result.policies = [policy[k].explain() for k in COUNTY_KEYS]
    return result


def evaluate_counties(counties: Sequence[Region], *, year: int, codes: CodeRange, sources: Sources,
                      resolve_for: Callable[[str], dict[str, Resolved]]) -> list[RegionResult]:
    """Every county in `counties` (all lying in `codes`): one query per kind of data for all."""
    poor_villages = poor_by_village(sources, year=year, codes=codes)
    poor: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, p in poor_villages.items():
        poor[code[:6]][0] += p.persons
        poor[code[:6]][1] += p.households
    population = population_by_code(sources, year=year, codes=codes)
    villages: dict[str, list[str]] = defaultdict(list)
    for code in (Region.objects.filter(level=Level.VILLAGE, code__range=codes.as_tuple())
                 .order_by("code").values_list("code", flat=True)):
        villages[code[:6]].append(code)
    samples: dict[str, dict[str, SampleTotals]] = defaultdict(dict)
    for (county_code, kind), totals in samples_by_county(sources, year=year, codes=codes).items():
        samples[county_code][kind] = totals
    return [evaluate_county(c, year=year, poor=Poor(*poor.get(c.code[:6], (0, 0))), population_rows=population,
                            villages=villages.get(c.code[:6], []), samples=samples.get(c.code, {}),
                            policy=resolve_for(c.code))
            for c in counties]

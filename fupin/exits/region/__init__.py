"""Village and county exit evaluation (贫困村出列, 贫困县摘帽; DOMAIN §Exit).

`evaluate(region, level=..., year=...)` evaluates every village (or county) under `region`, or
`region` itself when it is of that level. Set-based: a fixed number of queries whatever the number
of regions (the regions, the policy rows once for all of them through
`policy.selectors.resolver`, then one grouped query per kind of data).

Each result carries the criteria (pass / fail / 缺少数据, with the reason), the evidence table
(every input value and where it came from) and the policy rows used (`Resolved.explain()`).
Thresholds come from the policy table only: `region_exit.max_incidence` (0.03 on western
provinces), `village_exit.criteria`, `county_exit.*`; a province overrides by adding its own row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from fupin.policy.selectors import resolver
from fupin.regions.codes import Level
from fupin.regions.models import Region

from .county import COUNTY_KEYS, evaluate_counties
from .measures import Criterion, Evidence, RegionResult, Status
from .sources import POOR_DEFINITION, Sources
from .village import VILLAGE_KEYS, evaluate_villages

__all__ = ["LEVELS", "Criterion", "Evaluation", "EvaluationError", "Evidence", "POOR_DEFINITION", "RegionResult",
           "Sources", "Status", "evaluate", "evaluation_targets"]

LEVELS = {"village": "贫困村出列", "county": "贫困县摘帽"}
LEVEL_UNIT = {"village": "村", "county": "县"}


class EvaluationError(ValueError):
    """A request that cannot be evaluated (wrong level …); the message is Chinese."""


def check_level(region: Region, level: str) -> None:
    if level not in LEVELS:
        raise EvaluationError(f"评估级别“{level}”无效：应为 village（贫困村出列）或 county（贫困县摘帽）")
    if level == "county" and Level.depth(region.level) > Level.depth(Level.COUNTY):
        raise EvaluationError(f"{region.name}（{region.code}）是{region.level_label}级区划，不能做贫困县摘帽评估："
                              "请给出县或县以上的区划")


def evaluation_targets(region: Region, level: str) -> list[Region]:
    """The villages (or counties) to evaluate: `region` itself if it is one, else those under it."""
    check_level(region, level)
    wanted = Level.VILLAGE if level == "village" else Level.COUNTY
    if region.level == wanted:
        return [region]
    return list(Region.objects.filter(level=wanted, code__range=region.code_range.as_tuple()).order_by("code"))


@dataclass
class Evaluation:
    region: Region
    level: str
    year: int
    results: list[RegionResult] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]

    @property
    def unit(self) -> str:
        return LEVEL_UNIT[self.level]

    @property
    def summary(self) -> dict:
        counts = Counter(r.status for r in self.results)
        return {"total": len(self.results), "passed": counts[Status.PASS], "failed": counts[Status.FAIL],
                "missing": counts[Status.MISSING]}

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(code, label) of the criteria, in order, across all results (for tables)."""
        seen: dict[str, str] = {}
        for r in self.results:
            for c in r.criteria:
                seen.setdefault(c.code, c.label)
        return list(seen.items())

    def as_dict(self) -> dict:
        return {"region": {"code": self.region.code, "name": self.region.name, "level": self.region.level},
                "level": self.level, "level_label": self.level_label, "year": self.year, "summary": self.summary,
                "poor_definition": POOR_DEFINITION, "results": [r.as_dict() for r in self.results]}


def evaluate(region: Region, *, level: str, year: int, sources: Sources | None = None,
             targets: list[Region] | None = None) -> Evaluation:
    """Evaluate the villages or counties under `region` for `year`. Raises EvaluationError for a
    wrong level and policy.selectors.PolicyMissing when a threshold has no policy row."""
    sources = sources or Sources()
    targets = evaluation_targets(region, level) if targets is None else targets
    resolve_for = resolver(VILLAGE_KEYS if level == "village" else COUNTY_KEYS, year=year)
    if level == "village":
        results = evaluate_villages(targets, year=year, codes=region.code_range, sources=sources,
                                    resolve_for=resolve_for)
    else:
        results = evaluate_counties(targets, year=year, codes=region.code_range, sources=sources,
                                    resolve_for=resolve_for)
    return Evaluation(region=region, level=level, year=year, results=results)

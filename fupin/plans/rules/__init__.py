"""Plan rules as data (PlanRule rows): which rule applies to a village in a year.

Like a policy value: among the rows of one code on the village or an ancestor that are valid in the
year (year_from ≤ year, year_to empty or ≥ year), the most specific region wins, then the latest
year_from. The winning row may be inactive — the rule is then switched off there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from fupin.regions.codes import NATION_CODE, ancestor_codes

from ..models import PlanRule


@dataclass(frozen=True)
class RuleLine:
    """One rule code as it applies to a region and year: the row in force and every row behind it."""

    code: str
    effective: PlanRule | None
    rows: list[PlanRule]  # rows on the region or its ancestors, most general first

    @property
    def active(self) -> bool:
        return self.effective is not None and self.effective.active

    @property
    def overridden_here(self) -> bool:
        return self.effective is not None and self.effective.region_code != NATION_CODE


def _valid(year: int) -> Q:
    return Q(year_from__lte=year) & (Q(year_to__isnull=True) | Q(year_to__gte=year))


def _best(rows: list[PlanRule], depth: dict[str, int]) -> PlanRule | None:
    return max(rows, key=lambda r: (depth[r.region_code], r.year_from), default=None)


def rule_resolver(*, year: int, kind: str | None = None):
    """`rules_for(village_code) -> [PlanRule]`: the active rules in force there (one query for any
    number of villages; cached per code), in display order."""
    qs = PlanRule.objects.filter(_valid(year))
    if kind is not None:
        qs = qs.filter(kind=kind)
    by_region: dict[str, list[PlanRule]] = {}
    for row in qs:
        by_region.setdefault(row.region_code, []).append(row)
    cache: dict[str, list[PlanRule]] = {}

    def rules_for(region_code: str = NATION_CODE) -> list[PlanRule]:
        if region_code not in cache:
            codes = ancestor_codes(region_code)
            depth = {c: i for i, c in enumerate(codes)}
            by_code: dict[str, list[PlanRule]] = {}
            for c in codes:
                for row in by_region.get(c, ()):
                    by_code.setdefault(row.code, []).append(row)
            winners = [_best(rows, depth) for rows in by_code.values()]
            cache[region_code] = sorted((w for w in winners if w is not None and w.active),
                                        key=lambda r: (r.kind, r.position, r.code))
        return cache[region_code]

    return rules_for


def rules_in_force(*, region_code: str, year: int, kind: str | None = None) -> list[PlanRule]:
    return rule_resolver(year=year, kind=kind)(region_code)


def rules_overview(*, region_code: str, year: int) -> list[RuleLine]:
    """Every rule code as it applies to `region_code` in `year`, active or not (one query). Rules
    are public, like policy values: anyone who may see the region may read them."""
    codes = ancestor_codes(region_code)
    depth = {c: i for i, c in enumerate(codes)}
    by_code: dict[str, list[PlanRule]] = {}
    for row in PlanRule.objects.filter(region_code__in=codes).order_by("code", "year_from"):
        by_code.setdefault(row.code, []).append(row)
    lines = []
    for code, rows in by_code.items():
        valid = [r for r in rows if r.year_from <= year and (r.year_to is None or r.year_to >= year)]
        lines.append(RuleLine(code, _best(valid, depth),
                              sorted(rows, key=lambda r: (depth[r.region_code], r.year_from))))
    order = {"suggest": 0, "contradict": 1}

    def key(line: RuleLine):
        row = line.effective or line.rows[-1]
        return (order.get(row.kind, 9), row.position, line.code)

    return sorted(lines, key=key)

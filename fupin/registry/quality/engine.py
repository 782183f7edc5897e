"""Running the rules: `run_rules` over a set of households, `check_household` over one.

Queries per run: one for the policy thresholds of the rules selected, then one per rule
(R01 and R02 share theirs) — the same whatever the number of households.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import QuerySet

from fupin.policy.selectors import resolve_many

from ..models import Household
from .base import ERROR, RULES, WARNING, Context, Finding, Rule, json_value


class UnknownRule(ValueError):
    pass


def ordered_rules() -> list[Rule]:
    return sorted(RULES.values(), key=lambda r: (len(r.code), r.code))


def select_rules(rules: Iterable[str | Rule] | None) -> list[Rule]:
    """Rules by code (case-insensitive), in table order. Raises UnknownRule (Chinese message)."""
    if rules is None:
        return ordered_rules()
    if isinstance(rules, str | Rule):
        rules = [rules]
    wanted = set()
    for item in rules:
        code = item.code if isinstance(item, Rule) else str(item).strip().upper()
        if code not in RULES:
            raise UnknownRule(f"校验规则“{item}”不存在（可选：{'、'.join(r.code for r in ordered_rules())}）")
        wanted.add(code)
    return [r for r in ordered_rules() if r.code in wanted]


def reference_date_for(year: int) -> date:
    """Ages are counted at 31 December of the year checked."""
    return date(year, 12, 31)


@dataclass
class QualityReport:
    year: int
    region_code: str
    reference_date: date
    rules: list[Rule]
    findings: list[Finding]
    inputs: dict[str, dict] = field(default_factory=dict)

    @cached_property
    def counts(self) -> dict[str, int]:
        """Findings per rule code, every rule checked included (0 when clean)."""
        found = Counter(f.code for f in self.findings)
        return {r.code: found.get(r.code, 0) for r in self.rules}

    @cached_property
    def household_counts(self) -> dict[str, int]:
        """Distinct households with at least one finding, per rule code."""
        seen: dict[str, set[int]] = defaultdict(set)
        for f in self.findings:
            seen[f.code].add(f.household_id)
        return {r.code: len(seen.get(r.code, ())) for r in self.rules}

    @property
    def rule_rows(self) -> list[dict]:
        return [{"rule": r, "count": self.counts[r.code], "households": self.household_counts[r.code]}
                for r in self.rules]

    @property
    def totals(self) -> dict[str, int]:
        return {"findings": len(self.findings),
                "errors": sum(1 for f in self.findings if f.severity == ERROR),
                "warnings": sum(1 for f in self.findings if f.severity == WARNING),
                "households": len({f.household_id for f in self.findings})}

    def by_household(self) -> list[dict]:
        """Findings grouped by household, in village and household-number order."""
        groups: dict[int, dict] = {}
        for f in self.findings:
            group = groups.setdefault(f.household_id, {
                "household_id": f.household_id, "household_no": f.household_no, "head_name": f.head_name,
                "village_code": f.village_code, "findings": []})
            group["findings"].append(f)
        return list(groups.values())

    def by_village(self) -> dict[str, Counter]:
        counts: dict[str, Counter] = defaultdict(Counter)
        for f in self.findings:
            counts[f.village_code][f.code] += 1
        return counts

    def as_dict(self, *, mask: Callable[[str, Any], Any] | None = None) -> dict:
        """The report as JSON. `mask(field, value)` masks personal values for the reader."""
        return {
            "year": self.year, "region_code": self.region_code,
            "reference_date": self.reference_date.isoformat(),
            "totals": self.totals,
            "rules": [{**row["rule"].as_dict(), "count": row["count"], "households": row["households"]}
                      for row in self.rule_rows],
            "inputs": json_value(self.inputs),
            "findings": [f.as_dict(mask=mask) for f in self.findings],
        }


def _finding_order(f: Finding):
    return (f.village_code, f.household_no, f.household_id, f.member_id or 0, f.code)


def run_rules(households_qs: QuerySet, *, year: int, region_code: str, rules: Iterable[str | Rule] | None = None,
              visible: QuerySet | None = None, reference_date: date | None = None) -> QualityReport:
    """Run the rules (all, or those named) for `year` over the households of `households_qs`.

    `region_code` picks the policy thresholds (most specific region wins, see policy.selectors).
    `visible`: households whose number and member names may be named when a duplicate ID points
    at them from a checked household (default: the checked households themselves).
    The caller scopes `households_qs` (registry.selectors / quality.selectors do).
    """
    selected = select_rules(rules)
    keys = sorted({k for r in selected for k in r.policy_keys})
    policy = resolve_many(keys, year=year, region_code=region_code) if keys else {}
    ctx = Context(year=year, region_code=region_code, reference_date=reference_date or reference_date_for(year),
                  policy=policy, visible=visible)
    findings = [f for r in selected for f in r.run(ctx, households_qs)]
    findings.sort(key=_finding_order)
    inputs = {"reference_date": ctx.reference_date.isoformat(), **ctx.inputs(keys)}
    return QualityReport(year=year, region_code=region_code, reference_date=ctx.reference_date, rules=selected,
                         findings=findings, inputs=inputs)


def check_household(household: Household, *, year: int, rules: Iterable[str | Rule] | None = None,
                    visible: QuerySet | None = None) -> list[Finding]:
    """The same rules restricted to one household ("run on save"); thresholds of its village.

    Warnings never block a save: callers show these after saving. Pass `visible` (the user's
    households) to name other visible households sharing an ID number.
    """
    report = run_rules(Household.objects.filter(pk=household.pk), year=year, region_code=household.village_id,
                       rules=rules, visible=visible)
    return report.findings

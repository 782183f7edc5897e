"""Applying rules to household facts: each result carries the rule, the facts it read and the policy rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from fupin.policy.selectors import PolicyMissing, Resolved, resolver

from ..choices import measure_info
from ..facts import HouseholdFacts, fact_entry
from ..models import PlanRule
from . import conditions


def rule_dict(rule: PlanRule, policy: dict[str, Resolved] | None = None) -> dict:
    return {"code": rule.code, "kind": rule.kind, "name": rule.name, "condition": rule.condition,
            "condition_text": conditions.describe(rule.condition, policy or {}), "explanation": rule.explanation,
            "measure_type": rule.measure_type, "region_code": rule.region_code, "year_from": rule.year_from}


@dataclass
class RuleHit:
    """A rule whose condition holds for a household (a suggestion, or a contradiction of a measure)."""

    rule: dict
    measure: dict
    facts: list[dict]
    policy: list[dict] = field(default_factory=list)
    planned: bool = False  # suggestions: the plan already has an active measure of this type

    def as_dict(self) -> dict:
        return {"rule": self.rule, **self.measure, "facts": self.facts, "policy": self.policy,
                "planned": self.planned}


def policy_resolver(rules_lists, *, year: int):
    """`policy_for(village_code) -> {key: Resolved}` for the policy keys the rules read (one query).
    A key without a value for the village is left out: tests reading it are then unknown."""
    keys = sorted({k for rules in rules_lists for r in rules for k in conditions.policy_keys(r.condition)})
    if not keys:
        return lambda code: {}
    resolve_for = resolver(keys, year=year)
    single: dict = {}

    def policy_for(code: str) -> dict[str, Resolved]:
        try:
            return resolve_for(code)
        except PolicyMissing:  # rare: resolve key by key (once per key) and keep the ones found
            if not single:
                single.update({k: resolver([k], year=year) for k in keys})
            out = {}
            for one in single.values():
                try:
                    out.update(one(code))
                except PolicyMissing:
                    continue
            return out

    return policy_for


def hits(rules: list[PlanRule], facts: HouseholdFacts, policy: dict[str, Resolved]) -> list[RuleHit]:
    """The rules whose condition is true for the household."""
    out = []
    for rule in rules:
        if conditions.evaluate(rule.condition, facts.values, policy) is not True:
            continue
        used = conditions.policy_keys(rule.condition)
        out.append(RuleHit(
            rule=rule_dict(rule, policy), measure=measure_info(rule.measure_type),
            facts=[fact_entry(f, facts.get(f)) for f in conditions.facts_used(rule.condition)],
            policy=[policy[k].explain() for k in sorted(used) if k in policy]))
    return out

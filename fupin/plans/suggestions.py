"""Suggested measures (措施建议): the suggestion rules in force for a household's village, applied to
its facts for the year. Each suggestion shows the rule (code, name, condition, explanation), the
facts' values that made it fire, the policy rows it read, and whether the plan already has an
active measure of that type.

Set-based: `suggest_many` reads the facts (two queries), the rules (one), the policy values the
rules read (one) and the measures already planned (one), whatever the number of households.
Callers check scope first (the household opened through `household_access`, or a scoped queryset).
"""

from __future__ import annotations

from django.db.models import QuerySet

from fupin.registry.models import Household

from .choices import ACTIVE_MEASURE_STATUSES, RuleKind
from .facts import HouseholdFacts, household_facts
from .models import PlanMeasure
from .rules import rule_resolver
from .rules.evaluation import RuleHit, hits, policy_resolver


def planned_types(households: QuerySet, *, year: int) -> dict[int, set[str]]:
    """Measure types each household's plan for `year` already has (not cancelled): one query."""
    out: dict[int, set[str]] = {}
    for hid, mtype in (PlanMeasure.objects.filter(plan__household_id__in=households.order_by().values("id"),
                                                  plan__year=year, status__in=ACTIVE_MEASURE_STATUSES)
                       .values_list("plan__household_id", "measure_type").distinct()):
        out.setdefault(hid, set()).add(mtype)
    return out


def suggestions_for(facts: dict[int, HouseholdFacts], *, year: int,
                    planned: dict[int, set[str]] | None = None) -> dict[int, list[RuleHit]]:
    """Suggestions for households whose facts are already computed (rules and policy: two queries)."""
    rules_for = rule_resolver(year=year, kind=RuleKind.SUGGEST)
    villages = {f.village_code for f in facts.values()}
    policy_for = policy_resolver([rules_for(v) for v in villages], year=year)
    planned = planned or {}
    out: dict[int, list[RuleHit]] = {}
    for hid, f in facts.items():
        found = hits(rules_for(f.village_code), f, policy_for(f.village_code))
        have = planned.get(hid, set())
        for h in found:
            h.planned = h.measure["measure_type"] in have
        out[hid] = found
    return out


def suggest_many(households: QuerySet, *, year: int) -> dict[int, list[RuleHit]]:
    """Suggestions for every household of `households` (a queryset of Household) for `year`."""
    facts = household_facts(households, year=year)
    return suggestions_for(facts, year=year, planned=planned_types(households, year=year))


def suggest(household: Household, year: int) -> list[RuleHit]:
    """Suggestions for one household the caller has opened through the scope gate."""
    return suggest_many(Household.objects.filter(pk=household.pk), year=year).get(household.pk, [])

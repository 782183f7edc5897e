"""Data-quality rules of the registry (数据质量校验).

A rule table (`RULES`, codes R01…): each rule has a code, a severity (error / warning), a Chinese
title, the fields it concerns, its policy thresholds and one set-based query producing findings
for a year within a queryset of households. Use:

    run_rules(households_qs, year=2020, region_code="610926100001")   -> QualityReport
    check_household(household, year=2020)                             -> list[Finding]

and, for a user (scoped): `selectors.quality_report`, `selectors.household_quality`.
Finding.code / .severity / .message are the stable names callers read.
"""

from . import rules_household, rules_identity, rules_members  # noqa: F401  (registers the rules)
from .base import ERROR, RULES, SEVERITY_LABELS, WARNING, Finding, Rule
from .engine import QualityReport, UnknownRule, check_household, ordered_rules, run_rules, select_rules

__all__ = ["ERROR", "RULES", "SEVERITY_LABELS", "WARNING", "Finding", "QualityReport", "Rule", "UnknownRule",
           "check_household", "ordered_rules", "run_rules", "select_rules"]

"""Scoped reads of data quality for a user: what the web pages and the API call.

Every read starts from `registry.selectors.households_visible_to(user)` (the scope gate): a
region outside the user's subtree is refused by `region_access` before this is reached, and a
cadre (帮扶责任人) sees only the households paired with them.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Max

from fupin.accounts.scope import in_code_range
from fupin.core.clock import today
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.regions.selectors import region_children, region_subtree

from ..models import Household, HouseholdYear
from ..selectors import household_access, households_visible_to
from .engine import QualityReport, check_household, run_rules


def quality_households(user, region: Region):
    return households_visible_to(user).filter(in_code_range("village_id", region.code_range))


def quality_report(user, region: Region, *, year: int, rules=None) -> QualityReport:
    """The rules over every household the user may see in `region` (already opened through
    `regions.selectors.region_access`)."""
    return run_rules(quality_households(user, region), year=year, region_code=region.code, rules=rules,
                     visible=households_visible_to(user))


def household_quality(user, household_id, *, year: int | None = None, rules=None) -> QualityReport:
    """The rules over one household (e.g. after a save, to show warnings; nothing is blocked).

    404 outside the user's scope. Thresholds are the household's village's; another household
    sharing an ID number is named only if the user may see it."""
    household = household_access(user, household_id)
    one = Household.objects.filter(pk=household.pk)
    year = year or latest_year(one)
    return run_rules(one, year=year, region_code=household.village_id, rules=rules,
                     visible=households_visible_to(user))


def household_findings(user, household, *, year: int) -> list:
    """`check_household` for a household the user has already opened through `household_access`."""
    return check_household(household, year=year, visible=households_visible_to(user))


def latest_year(households) -> int:
    """The latest year with yearly data among `households` (else last year)."""
    latest = (HouseholdYear.objects.filter(household__in=households.order_by().values("pk"))
              .aggregate(y=Max("year"))["y"])
    return latest or today().year - 1


def quality_default_year(user, region: Region) -> int:
    """The latest year with yearly data among the user's households in `region` (else last year)."""
    return latest_year(quality_households(user, region))


def quality_breakdown(report: QualityReport, region: Region) -> list[dict]:
    """Counts per rule for each village of a township or county (each child region above that).

    One query for the regions; the counts come from the report already computed.
    """
    if region.level in (Level.TOWNSHIP, Level.COUNTY):
        units = list(region_subtree(region, include_self=False).filter(level=Level.VILLAGE).order_by("code"))
    else:
        units = list(region_children(region))
    by_village = report.by_village()
    households_in: dict[str, set[int]] = {}
    for f in report.findings:
        households_in.setdefault(f.village_code, set()).add(f.household_id)
    rows = []
    for unit in units:
        counts: Counter = Counter()
        households: set[int] = set()
        for code in (c for c in by_village if c in unit.code_range):
            counts.update(by_village[code])
            households |= households_in[code]
        rows.append({"region": unit, "counts": [counts.get(r.code, 0) for r in report.rules],
                     "total": sum(counts.values()), "households": len(households)})
    return rows

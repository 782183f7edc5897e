"""Scoped reads of the poverty measures: what the page and the API call.

The region is opened by the caller through `regions.selectors.region_access` (404 outside scope);
the registry tables are read through `accounts.scope.scoped`. The measures are about a whole
population, so a cadre (帮扶责任人), who sees only the households paired with them, is refused
(403) rather than shown indices computed over a few households. The CLI (an administrator's tool,
like `check_quality`) reads the whole region through `measures_for_region`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Max

from fupin.accounts.roles import Cap
from fupin.accounts.scope import in_code_range, require, scope_of, scoped
from fupin.core.clock import today
from fupin.regions.models import Region
from fupin.registry.models import HouseholdYear, Member
from fupin.registry.selectors import MEMBER_SCOPE

from .report import measures_report

HOUSEHOLD_YEAR_SCOPE = {"region_field": "household__village_id", "cadre_field": "household__helper_id"}


def _require(user) -> None:
    require(user, Cap.VIEW)
    if scope_of(user).cadre_only:
        raise PermissionDenied("帮扶责任人只能查看结对的户，不能查看区域贫困测度")


def measures_for_user(user, region: Region, *, year: int) -> dict:
    """The report over what `user` may read under `region` (opened through region_access).
    Raises PermissionDenied for a cadre, MeasuresError when the policy is missing or unusable."""
    _require(user)
    return measures_report(region, year=year,
                           household_years=scoped(HouseholdYear.objects.all(), user, **HOUSEHOLD_YEAR_SCOPE),
                           members=scoped(Member.objects.all(), user, **MEMBER_SCOPE))


def measures_for_region(region: Region, *, year: int) -> dict:
    """The report over the whole region (the CLI)."""
    return measures_report(region, year=year, household_years=HouseholdYear.objects.all(),
                           members=Member.objects.all())


def default_year(user, region: Region) -> int:
    """The latest year with yearly data the user may read under `region` (else last year)."""
    _require(user)
    qs = scoped(HouseholdYear.objects.all(), user, **HOUSEHOLD_YEAR_SCOPE)
    latest = qs.filter(in_code_range("household__village_id", region.code_range)).aggregate(y=Max("year"))["y"]
    return latest or today().year - 1

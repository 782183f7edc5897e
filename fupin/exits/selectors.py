"""Scoped reads of the village/county exit evaluation: what the web pages and the API call.

The region is opened by the caller through `regions.selectors.region_access` (404 outside the
user's scope); every table is then read through `accounts.scope.scoped`. The evaluation is about
whole villages and counties, so a cadre (帮扶责任人), who sees only the households paired with
them, is refused (403) rather than shown rates computed over a few households.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Max

from fupin.accounts.roles import Cap
from fupin.accounts.scope import in_code_range, require, scope_of, scoped
from fupin.core.clock import today
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.registry.models import MemberYear

from .models import RegionPopulation, VerificationSample, VillageIndicators
from .region import Evaluation, EvaluationError, RegionResult, Sources, evaluate

SCOPE = {"region_field": "region_code"}


def _require_evaluation(user) -> None:
    require(user, Cap.VIEW)
    if scope_of(user).cadre_only:
        raise PermissionDenied("帮扶责任人只能查看结对的户，不能查看区域退出评估")


def sources_for(user) -> Sources:
    return Sources(
        population=scoped(RegionPopulation.objects.all(), user, **SCOPE),
        indicators=scoped(VillageIndicators.objects.all(), user, **SCOPE),
        samples=scoped(VerificationSample.objects.all(), user, **SCOPE),
        member_years=scoped(MemberYear.objects.all(), user, region_field="member__household__village_id",
                            cadre_field="member__household__helper_id"),
    )


def default_level(region: Region) -> str:
    """Villages under a township or village; counties from the county up."""
    return "village" if region.level in (Level.TOWNSHIP, Level.VILLAGE) else "county"


def default_year(user, region: Region) -> int:
    """The latest year with imported population data in the region (else last year)."""
    qs = scoped(RegionPopulation.objects.all(), user, **SCOPE).filter(in_code_range("region_code", region.code_range))
    latest = qs.aggregate(y=Max("year"))["y"]
    return latest or today().year - 1


def exit_evaluation(user, region: Region, *, level: str, year: int) -> Evaluation:
    """Every village (level "village") or county ("county") under `region`, for `year`.

    Raises EvaluationError for a wrong level, PolicyMissing when a threshold has no policy row."""
    _require_evaluation(user)
    return evaluate(region, level=level, year=year, sources=sources_for(user))


def exit_evaluation_of(user, region: Region, *, year: int) -> RegionResult:
    """The evaluation of one village or county (its own level), with the full evidence."""
    _require_evaluation(user)
    if region.level not in (Level.VILLAGE, Level.COUNTY):
        raise EvaluationError(f"{region.name}是{region.level_label}级区划：只有村（出列）和县（摘帽）有退出评估")
    level = "village" if region.level == Level.VILLAGE else "county"
    return evaluate(region, level=level, year=year, sources=sources_for(user), targets=[region]).results[0]

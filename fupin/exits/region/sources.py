"""The inputs of the exit evaluation, read set-based: one query per kind of data, whatever the
number of villages or counties.

`Sources` holds the base querysets the evaluation reads from. The CLI uses the whole tables; the
selectors (`exits.selectors`) pass querysets already limited to the user's scope.

Poor persons (贫困人口) of a year are counted as the members with data for that year (MemberYear
rows: a member who left before the year's end has none) of households whose year-end status
(HouseholdYear.status for that year) is 未脱贫 or 返贫 (registry.choices.POOR_STATUSES). This is
what HouseholdYear.household_size is derived from (registry.services.household_size_for_year),
counted at the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from fupin.accounts.scope import in_code_range
from fupin.regions.codes import CodeRange
from fupin.registry.choices import POOR_STATUSES
from fupin.registry.models import MemberYear

from ..models import RegionPopulation, VerificationSample, VillageIndicators


def _population():
    return RegionPopulation.objects.all()


def _indicators():
    return VillageIndicators.objects.all()


def _samples():
    return VerificationSample.objects.all()


def _member_years():
    return MemberYear.objects.all()


@dataclass
class Sources:
    population: QuerySet = field(default_factory=_population)
    indicators: QuerySet = field(default_factory=_indicators)
    samples: QuerySet = field(default_factory=_samples)
    member_years: QuerySet = field(default_factory=_member_years)


@dataclass(frozen=True)
class Poor:
    persons: int = 0
    households: int = 0


POOR_DEFINITION = ("年末户状态（贫困户年度数据）为未脱贫或返贫的户中，在该年有成员年度数据的成员人数"
                   "（年内减少的成员不计）")


def poor_by_village(sources: Sources, *, year: int, codes: CodeRange) -> dict[str, Poor]:
    """Poor persons and households per village code under `codes` (one grouped query)."""
    rows = (sources.member_years
            .filter(in_code_range("member__household__village_id", codes), year=year,
                    member__household__years__year=year,
                    member__household__years__status__in=list(POOR_STATUSES))
            .values("member__household__village_id")
            .annotate(persons=Count("id"), households=Count("member__household_id", distinct=True))
            .order_by())
    return {r["member__household__village_id"]: Poor(r["persons"], r["households"]) for r in rows}


def population_by_code(sources: Sources, *, year: int, codes: CodeRange) -> dict[str, RegionPopulation]:
    qs = sources.population.filter(in_code_range("region_code", codes), year=year)
    return {row.region_code: row for row in qs}


def indicators_by_code(sources: Sources, *, year: int, codes: CodeRange) -> dict[str, VillageIndicators]:
    qs = sources.indicators.filter(in_code_range("region_code", codes), year=year)
    return {row.region_code: row for row in qs}


@dataclass(frozen=True)
class SampleTotals:
    households: int = 0
    persons: int = 0
    flagged_households: int = 0
    flagged_persons: int = 0


def samples_by_county(sources: Sources, *, year: int, codes: CodeRange) -> dict[tuple[str, str], SampleTotals]:
    """(county code, kind) → totals of the verification samples (one grouped query)."""
    rows = (sources.samples.filter(in_code_range("region_code", codes), year=year)
            .values("county_code", "kind")
            .annotate(n_households=Count("id"), n_persons=Sum("persons"),
                      n_flagged_households=Count("id", filter=Q(flagged=True)),
                      n_flagged_persons=Sum("persons", filter=Q(flagged=True)))
            .order_by())
    return {(r["county_code"], r["kind"]): SampleTotals(r["n_households"], r["n_persons"] or 0,
                                                         r["n_flagged_households"], r["n_flagged_persons"] or 0)
            for r in rows}

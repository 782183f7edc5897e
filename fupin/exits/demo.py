"""Demo data for the village and county exit evaluation of a generated demo county.

`generate_region_data(county_code=..., year=..., seed=...)` runs after `generate_demo` and writes,
set-based, for that year:

- RegionPopulation for every village: the county's agricultural population (203,700 for 平利县
  [seed 001], scaled by the registry's size against the real 57,568 registered persons) shared out
  so that registered persons make 30–50 % of a poor village and 8–22 % of another [demo]. A few
  villages with the most poor persons for their size are small and almost entirely registered
  (85–95 % [demo]): with the demo registry of 2020 most villages are below 3 % incidence and
  these few are not. No county row: the county's population is the sum over its villages.
- VillageIndicators for every village: infrastructure nearly complete, a few villages short of a
  condition (no bus, no doctor, unsafe water, no collective income) and a few with an indicator
  not reported (缺少数据) [demo].
- VerificationSample rows for the county: 400 exited households re-checked (错退 ≈ 0.4 %), 250
  households outside the registry checked (漏评 ≈ 0.8 %), 500 households surveyed (不认可 ≈ 3 %) [demo].

Rows carry source "demo"; running again for the same county and year replaces the demo rows.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fupin.accounts.scope import in_code_range
from fupin.audit.models import AuditEvent
from fupin.audit.services import Action, Entry, record
from fupin.demo.generator import DemoError
from fupin.demo.generator.calibration import POOR_VILLAGE_SHARE, REFERENCE_PERSONS
from fupin.demo.generator.county import demo_county
from fupin.regions.codes import Level, normalize_code
from fupin.regions.models import Region
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import HouseholdYear, MemberYear

from .models import RegionPopulation, SampleKind, VerificationSample, VillageIndicators
from .region.sources import Sources, poor_by_village

DEMO_SOURCE = "demo"
AGRICULTURAL_POPULATION = 203_700  # 平利县 [v, seed 001]
REGISTERED_SHARE_POOR_VILLAGE = (0.30, 0.50)  # [demo]
REGISTERED_SHARE_OTHER_VILLAGE = (0.08, 0.22)  # [demo]
REGISTERED_SHARE_HARD_VILLAGE = (0.85, 0.95)  # [demo] small, almost entirely registered villages
HARD_VILLAGE_SHARE = 0.03  # [demo] share of villages that are such villages
EMPTY_VILLAGE_POPULATION = (300, 900)  # [demo] a village without registered households
PERSONS_PER_RURAL_HOUSEHOLD = (2.9, 3.4)  # [demo]
# Chance that a village lacks a condition in 2020, rising by the given step per year before [demo].
SHORTFALL = {"bus_service": 0.02, "doctors": 0.015, "unsafe_water_households": 0.015, "collective_income_10k": 0.015,
             "hardened_road": 0.005, "power_grid": 0.003, "culture_rooms": 0.005}
SHORTFALL_STEP_PER_YEAR = 0.03
NOT_REPORTED_VILLAGES = 3  # [demo] villages with one indicator left empty
NOT_REPORTED_FIELDS = ("doctors", "collective_income_10k", "culture_rooms", "bus_service")
SAMPLES = {SampleKind.EXITED_CHECK: (400, 0.004), SampleKind.NON_REGISTERED_CHECK: (250, 0.008),
           SampleKind.SATISFACTION: (500, 0.03)}  # [demo] (households, flagged share)
NON_REGISTERED_SIZES = {1: 0.12, 2: 0.22, 3: 0.26, 4: 0.24, 5: 0.12, 6: 0.04}  # [demo]
# Exited households, including those now under monitoring (监测户 have exited).
EXITED_STATUSES = (HouseholdStatus.EXITED, HouseholdStatus.MONITORED)
CHECKERS = ("第三方评估组一", "第三方评估组二", "第三方评估组三", "省级核查组")


def _county(county_code: str) -> tuple[Region, list[Region]]:
    county = demo_county(county_code)
    villages = list(Region.objects.filter(level=Level.VILLAGE, code__range=county.code_range.as_tuple()).order_by("code"))
    if not villages:
        raise DemoError(f"{county.name}没有村级区划：请先导入乡镇和村")
    return county, villages


def _poor_villages(county: Region, villages: list[Region], registered: dict[str, int]) -> set[str]:
    """The demo's 贫困村: as `generate_demo` recorded them, else the most populous registries."""
    summary = (AuditEvent.objects.filter(object_type="demo.dataset", region_code=county.code)
               .order_by("-seq").values_list("after", flat=True).first())
    if summary and summary.get("poor_village_codes"):
        return set(summary["poor_village_codes"])
    ranked = sorted(villages, key=lambda v: (-registered.get(v.code, 0), v.code))
    return {v.code for v in ranked[:round(len(villages) * POOR_VILLAGE_SHARE)]}


def _populations(villages, registered: dict[str, int], poor: dict, poor_villages: set[str], rng) -> dict[str, int]:
    total_registered = sum(registered.values())
    target = AGRICULTURAL_POPULATION * total_registered / REFERENCE_PERSONS if total_registered else None
    raw = {}
    for v in villages:
        n = registered.get(v.code, 0)
        if n:
            low, high = REGISTERED_SHARE_POOR_VILLAGE if v.code in poor_villages else REGISTERED_SHARE_OTHER_VILLAGE
            raw[v.code] = n / rng.uniform(low, high)
        else:
            raw[v.code] = rng.uniform(*EMPTY_VILLAGE_POPULATION)
    scale = target / sum(raw.values()) if target else 1.0
    pops = {code: max(round(value * scale), math.ceil(registered.get(code, 0) * 1.05), 50)
            for code, value in raw.items()}
    # A few small villages almost entirely registered: those with the most poor persons for their size.
    hard = max(1, round(len(villages) * HARD_VILLAGE_SHARE))
    ranked = sorted((c for c in registered if registered[c] and c in poor),
                    key=lambda c: (-poor[c].persons / registered[c], c))
    for code in ranked[:hard]:
        pops[code] = math.ceil(registered[code] / rng.uniform(*REGISTERED_SHARE_HARD_VILLAGE))
    return pops


def _indicators(village: Region, *, year: int, population: int, poor_village: bool, rng, now) -> VillageIndicators:
    lag = SHORTFALL_STEP_PER_YEAR * max(0, 2020 - year)

    def short(name: str) -> bool:
        return rng.random() < SHORTFALL[name] + lag

    households = round(population / rng.uniform(*PERSONS_PER_RURAL_HOUSEHOLD))
    return VillageIndicators(
        region_code=village.code, year=year, poor_village=poor_village, total_households=households,
        total_population=population, hardened_road=not short("hardened_road"), bus_service=not short("bus_service"),
        power_grid=not short("power_grid"), clinics=rng.choice((1, 1, 1, 1, 2)),
        doctors=0 if short("doctors") else rng.choice((1, 1, 2, 2, 3)),
        primary_schools=rng.choice((0, 0, 1)),
        culture_rooms=0 if short("culture_rooms") else 1,
        collective_income_10k=0 if short("collective_income_10k") else round(rng.uniform(2, 40), 2),
        unsafe_water_households=rng.randint(1, 6) if short("unsafe_water_households") else 0,
        dangerous_housing_households=rng.choice((0, 0, 0, 0, 1)),
        source=DEMO_SOURCE, imported_at=now)


def _samples(county: Region, villages: list[Region], *, year: int, rng, now) -> list[VerificationSample]:
    """Exited households re-checked, households outside the registry, and a satisfaction survey."""
    rows = list(HouseholdYear.objects.filter(in_code_range("household__village_id", county.code_range), year=year)
                .values_list("household__household_no", "household__village_id", "household_size", "status")
                .order_by("household__household_no"))
    exited = [r for r in rows if r[3] in EXITED_STATUSES and r[2] > 0]
    registered = [r for r in rows if r[2] > 0]
    sizes = list(NON_REGISTERED_SIZES)
    weights = list(NON_REGISTERED_SIZES.values())
    out: list[VerificationSample] = []
    outside_no = 0

    def add(kind: str, village: str, ref: str, persons: int, flagged: bool, note: str = "") -> None:
        out.append(VerificationSample(
            county_code=county.code, region_code=village, year=year, kind=kind, household_ref=ref, persons=persons,
            flagged=flagged, note=note, checked_on=date(year, rng.randint(9, 11), rng.randint(1, 28)),
            checked_by=rng.choice(CHECKERS), source=DEMO_SOURCE, imported_at=now))

    def outside(kind: str, flagged: bool) -> None:
        nonlocal outside_no
        outside_no += 1
        village = rng.choice(villages).code
        add(kind, village, f"非建档立卡户-{village[-6:]}-{outside_no:04d}", rng.choices(sizes, weights)[0], flagged,
            "非建档立卡户")

    n, share = SAMPLES[SampleKind.EXITED_CHECK]
    for no, village, size, _ in rng.sample(exited, min(n, len(exited))):
        add(SampleKind.EXITED_CHECK, village, no, size, rng.random() < share, "")
    n, share = SAMPLES[SampleKind.NON_REGISTERED_CHECK]
    for _ in range(n):
        outside(SampleKind.NON_REGISTERED_CHECK, rng.random() < share)
    n, share = SAMPLES[SampleKind.SATISFACTION]
    for no, village, size, _ in rng.sample(registered, min(n // 2, len(registered))):
        add(SampleKind.SATISFACTION, village, no, size, rng.random() < share)
    for _ in range(n - n // 2):
        outside(SampleKind.SATISFACTION, rng.random() < share)
    return out


@transaction.atomic
def generate_region_data(*, county_code: str, year: int, seed: int,
                         poor_village_codes: Iterable[str] | None = None) -> dict:
    """Population, village indicators and verification samples of a demo county for `year`.

    `poor_village_codes`: the 贫困村 (generate_county's stats["poor_village_codes"]); by default
    read from generate_demo's audit summary. Returns statistics (also written as one audit row)."""
    county, villages = _county(county_code)
    rng = random.Random(f"{seed}-{county.code}-{year}")
    low, high = county.code_range.as_tuple()
    models = (RegionPopulation, VillageIndicators, VerificationSample)
    for model in models:
        qs = model.objects.filter(region_code__gte=low, region_code__lte=high, year=year)
        if qs.exclude(source=DEMO_SOURCE).exists():
            raise DemoError(f"{county.name} {year} 年已有导入的{model._meta.verbose_name}数据，不生成演示数据")
        qs.delete()
    registered = dict(MemberYear.objects.filter(in_code_range("member__household__village_id", county.code_range),
                                                year=year)
                      .values_list("member__household__village_id").annotate(n=Count("id")).order_by())
    poor = poor_by_village(Sources(), year=year, codes=county.code_range)
    if poor_village_codes is None:
        poor_villages = _poor_villages(county, villages, registered)
    else:
        poor_villages = {normalize_code(c) for c in poor_village_codes}
    populations = _populations(villages, registered, poor, poor_villages, rng)
    now = timezone.now()
    RegionPopulation.objects.bulk_create([
        RegionPopulation(region_code=v.code, year=year, rural_population=populations[v.code],
                         rural_households=round(populations[v.code] / rng.uniform(*PERSONS_PER_RURAL_HOUSEHOLD)),
                         source=DEMO_SOURCE, imported_at=now)
        for v in villages], batch_size=1000)
    indicators = [_indicators(v, year=year, population=populations[v.code], poor_village=v.code in poor_villages,
                              rng=rng, now=now) for v in villages]
    for row in rng.sample(indicators, min(NOT_REPORTED_VILLAGES, len(indicators))):
        setattr(row, rng.choice(NOT_REPORTED_FIELDS), None)
    VillageIndicators.objects.bulk_create(indicators, batch_size=1000)
    samples = _samples(county, villages, year=year, rng=rng, now=now)
    VerificationSample.objects.bulk_create(samples, batch_size=1000)
    stats = {
        "county": county.code, "year": year, "seed": seed, "villages": len(villages),
        "rural_population": sum(populations.values()), "poor_persons": sum(p.persons for p in poor.values()),
        "villages_at_or_above_3_percent": sum(1 for c, p in poor.items() if p.persons * 100 >= 3 * populations[c]),
        "samples": {kind: sum(1 for s in samples if s.kind == kind) for kind in SampleKind.values},
    }
    record(entry=Entry(action=Action.IMPORT, object_type="exits.demo", object_repr=f"生成退出评估演示数据：{county.name}",
                       region_code=county.code, after=stats))
    return stats

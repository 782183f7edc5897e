"""A household's housing, living conditions and land, per year (part of HouseholdYear).

Drawn once per household (`draw_housing`) and read per year (`housing_year`), so a house stays
the same house: 危房 (C/D) only while the household has not exited and never in 2020 (the house is
rebuilt by the exit year — 住房安全有保障 is an exit condition); relocated households (易地扶贫
搬迁) move into a new flat of 25 m² a person in their relocation year; water, roads and toilets
improve over the years.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from fupin.registry.choices import DangerGrade, Fuel, HouseholdStatus, HousingStructure, RoadType

from .calibration import (
    COOPERATIVE_SHARE,
    DANGER_GRADE_SHARES,
    DANGEROUS_HOUSE_SHARE,
    FUELS,
    HOUSE_AREA,
    HOUSE_TYPES,
    MONITORING_YEAR,
    PRODUCTION_ELECTRICITY_SHARE,
    RELOCATED_SHARE,
    RELOCATION_AREA_PER_PERSON,
    RELOCATION_YEARS,
    ROAD_HARDENED_YEARS,
    SAFE_GRADE_SHARES,
    TOILET_YEARS,
    UNSAFE_WATER_SHARE,
)
from .planning import pick
from .timeline import Timeline

_HOUSE_WEIGHTS = [t[1] for t in HOUSE_TYPES]


def dec(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def _lognormal_area(rng: random.Random, median: float, sigma: float, low: float, high: float) -> Decimal:
    return dec(round(min(high, max(low, median * math.exp(rng.gauss(0, sigma)))), 1))


@dataclass
class Housing:
    structure: str
    year_built: int
    area: Decimal
    safe_grade: str
    danger_until: int | None  # the 危房 was rebuilt this year (C/D before)
    danger_grade: str
    rebuilt_area: Decimal
    relocation_year: int | None
    relocation_area: Decimal
    relocation_structure: str
    water_fixed: int | None  # unsafe drinking water before this year
    road_year: int | None  # access road hardened in this year
    road_before: str
    road_km: Decimal
    toilet_year: int | None
    fuel: str
    production_electricity: bool
    u_coop: float
    land: dict


def draw_housing(rng: random.Random, *, timeline: Timeline, size: int) -> Housing:
    status = timeline.status
    registered, exit_year = timeline.registered_year, timeline.exit_year
    safe_until = exit_year or (MONITORING_YEAR if status == HouseholdStatus.NOT_EXITED else None)
    relocation_year = None
    if safe_until and rng.random() < RELOCATED_SHARE:
        years = {y: w for y, w in RELOCATION_YEARS.items() if registered <= y <= safe_until}
        relocation_year = pick(rng, years) if years else None
    danger_until = None
    if safe_until and rng.random() < DANGEROUS_HOUSE_SHARE:
        danger_until = relocation_year or rng.randint(min(safe_until, max(registered + 1, 2017)), safe_until)
    if danger_until:
        structure = HousingStructure.EARTH_WOOD if rng.random() < 0.8 else HousingStructure.BRICK_WOOD
        year_built = rng.randint(1960, 1990)
    else:
        structure, _share, (first, last) = rng.choices(HOUSE_TYPES, weights=_HOUSE_WEIGHTS)[0]
        year_built = rng.randint(first, last)
    land = {
        "arable_mu": _lognormal_area(rng, 2.5, 0.6, 0.3, 12),
        "forest_mu": dec(0) if rng.random() < 0.15 else _lognormal_area(rng, 10, 0.8, 0.5, 80),
        "grain_for_green_mu": _lognormal_area(rng, 1.5, 0.6, 0.2, 6) if rng.random() < 0.4 else dec(0),
        "orchard_mu": _lognormal_area(rng, 1.5, 0.6, 0.2, 6) if rng.random() < 0.45 else dec(0),  # 茶园, 林果
        "pasture_mu": _lognormal_area(rng, 2, 0.5, 0.5, 10) if rng.random() < 0.02 else dec(0),
        "water_surface_mu": _lognormal_area(rng, 0.5, 0.5, 0.1, 2) if rng.random() < 0.01 else dec(0),
    }
    return Housing(
        structure=structure, year_built=year_built, area=_lognormal_area(rng, 95, 0.3, *HOUSE_AREA),
        safe_grade=pick(rng, SAFE_GRADE_SHARES), danger_until=danger_until, danger_grade=pick(rng, DANGER_GRADE_SHARES),
        rebuilt_area=_lognormal_area(rng, 80, 0.2, 50, 130), relocation_year=relocation_year,
        relocation_area=dec(min(RELOCATION_AREA_PER_PERSON * size, 125)),
        relocation_structure=HousingStructure.REINFORCED if rng.random() < 0.4 else HousingStructure.BRICK_CONCRETE,
        water_fixed=safe_until if safe_until and rng.random() < UNSAFE_WATER_SHARE else None,
        road_year=pick(rng, ROAD_HARDENED_YEARS),
        road_before=RoadType.GRAVEL if rng.random() < 0.7 else RoadType.MUD,
        road_km=dec(round(min(6.0, max(0.05, 0.5 * math.exp(rng.gauss(0, 0.9)))), 2)),
        toilet_year=pick(rng, TOILET_YEARS), fuel=pick(rng, FUELS),
        production_electricity=rng.random() < PRODUCTION_ELECTRICITY_SHARE, u_coop=rng.random(), land=land,
    )


def housing_year(h: Housing, year: int) -> dict:
    moved = h.relocation_year is not None and year >= h.relocation_year
    if moved:
        house = (h.relocation_area, h.relocation_structure, h.relocation_year, DangerGrade.A)
    elif h.danger_until is not None and year < h.danger_until:
        house = (h.area, h.structure, h.year_built, h.danger_grade)
    elif h.danger_until is not None:
        house = (h.rebuilt_area, HousingStructure.BRICK_CONCRETE, h.danger_until, DangerGrade.A)
    else:
        house = (h.area, h.structure, h.year_built, h.safe_grade)
    unsafe_water = not moved and h.water_fixed is not None and year < h.water_fixed
    fuel = Fuel.ELECTRICITY if moved and h.fuel in (Fuel.FIREWOOD, Fuel.COAL) else h.fuel
    return {
        "housing_area": house[0], "housing_structure": house[1], "housing_year_built": house[2],
        "danger_grade": house[3], "relocated": moved,
        "living_electricity": True, "production_electricity": h.production_electricity,
        "road_distance_km": Decimal("0.10") if moved else h.road_km,
        "access_road": RoadType.HARDENED if moved or (h.road_year is not None and year >= h.road_year)
        else h.road_before,
        "drinking_water_difficult": unsafe_water, "drinking_water_safe": not unsafe_water, "fuel": fuel,
        # 两不愁 was met by 2019 for practically every registered household in the county.
        "food_secure": True, "clothing_secure": True,
        "sanitary_toilet": moved or (h.toilet_year is not None and year >= h.toilet_year),
        "cooperative_member": h.u_coop < COOPERATIVE_SHARE[0] + COOPERATIVE_SHARE[1] * (year - 2019),
        **h.land,
    }

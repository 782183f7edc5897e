"""A chunk's housing, living conditions and land: drawn once per household, read per year
(fupin.demo.generator.housing, vectorised). 危房 (C/D) only while the household has not exited and
never in 2020; relocated households (易地扶贫搬迁) move into 25 m² a person in their relocation
year; water, roads and toilets improve over the years. Areas and distances in hundredths.
"""

from __future__ import annotations

import numpy as np

from fupin.demo.generator.calibration import (
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
from fupin.registry.choices import DangerGrade, Fuel, HousingStructure, RoadType

from .registry_plan import NOT_EXITED

STRUCTURES = tuple(HousingStructure)
GRADES = tuple(DangerGrade)
ROADS = tuple(RoadType)
FUEL_CODES = tuple(Fuel)
_HOUSE_P = np.array([t[1] for t in HOUSE_TYPES])
_HOUSE_STRUCTURE = np.array([STRUCTURES.index(t[0]) for t in HOUSE_TYPES])
_HOUSE_BUILT = np.array([t[2] for t in HOUSE_TYPES])
LAND = ("arable_mu", "forest_mu", "grain_for_green_mu", "orchard_mu", "pasture_mu", "water_surface_mu")


def _draw(rng, shares: dict, n: int) -> np.ndarray:
    """Keys of `shares` drawn by weight (None → 0: never)."""
    keys = np.array([0 if k is None else k for k in shares])
    p = np.array(list(shares.values()), dtype=float)
    return keys[rng.choice(len(p), n, p=p / p.sum())]


def _code_draw(rng, shares: dict, codes: tuple, n: int) -> np.ndarray:
    p = np.array(list(shares.values()), dtype=float)
    return np.array([codes.index(k) for k in shares])[rng.choice(len(p), n, p=p / p.sum())]


def _area(rng, median: float, sigma: float, low: float, high: float, n: int) -> np.ndarray:
    """Lognormal area rounded to 0.1, in hundredths."""
    tenths = np.rint(np.clip(median * np.exp(rng.normal(0, sigma, n)), low, high) * 10)
    return tenths.astype(np.int64) * 10


class Housing:
    def __init__(self, rng, *, status: np.ndarray, registered: np.ndarray, exit_year: np.ndarray, size: np.ndarray):
        n = len(status)
        safe_until = np.where(exit_year > 0, exit_year, np.where(status == NOT_EXITED, MONITORING_YEAR, 0))
        years = np.array(list(RELOCATION_YEARS))
        weights = np.array(list(RELOCATION_YEARS.values()))
        allowed = (years[None, :] >= registered[:, None]) & (years[None, :] <= safe_until[:, None])
        cum = np.cumsum(allowed * weights, 1)
        pick = np.minimum(((rng.random(n) * cum[:, -1])[:, None] >= cum).sum(1), len(years) - 1)
        relocate = (safe_until > 0) & (rng.random(n) < RELOCATED_SHARE) & (cum[:, -1] > 0)
        self.relocation_year = np.where(relocate, years[pick], 0)
        dangerous = (safe_until > 0) & (rng.random(n) < DANGEROUS_HOUSE_SHARE)
        first = np.minimum(safe_until, np.maximum(registered + 1, 2017))
        rebuilt = rng.integers(first, np.maximum(first, safe_until) + 1)
        self.danger_until = np.where(dangerous, np.where(self.relocation_year > 0, self.relocation_year, rebuilt), 0)
        kind = rng.choice(len(_HOUSE_P), n, p=_HOUSE_P / _HOUSE_P.sum())
        built = rng.integers(_HOUSE_BUILT[kind, 0], _HOUSE_BUILT[kind, 1] + 1)
        old = np.where(rng.random(n) < 0.8, STRUCTURES.index(HousingStructure.EARTH_WOOD),
                       STRUCTURES.index(HousingStructure.BRICK_WOOD))
        self.structure = np.where(dangerous, old, _HOUSE_STRUCTURE[kind])
        self.year_built = np.where(dangerous, rng.integers(1960, 1991, n), built)
        self.area = _area(rng, 95, 0.3, *HOUSE_AREA, n)
        self.safe_grade = _code_draw(rng, SAFE_GRADE_SHARES, GRADES, n)
        self.danger_grade = _code_draw(rng, DANGER_GRADE_SHARES, GRADES, n)
        self.rebuilt_area = _area(rng, 80, 0.2, 50, 130, n)
        self.relocation_area = np.minimum(RELOCATION_AREA_PER_PERSON * size, 125) * 100
        self.relocation_structure = np.where(rng.random(n) < 0.4, STRUCTURES.index(HousingStructure.REINFORCED),
                                             STRUCTURES.index(HousingStructure.BRICK_CONCRETE))
        self.water_fixed = np.where((safe_until > 0) & (rng.random(n) < UNSAFE_WATER_SHARE), safe_until, 0)
        self.road_year = _draw(rng, ROAD_HARDENED_YEARS, n)
        self.road_before = np.where(rng.random(n) < 0.7, ROADS.index(RoadType.GRAVEL), ROADS.index(RoadType.MUD))
        self.road_km = np.rint(np.clip(0.5 * np.exp(rng.normal(0, 0.9, n)), 0.05, 6.0) * 100).astype(np.int64)
        self.toilet_year = _draw(rng, TOILET_YEARS, n)
        self.fuel = _code_draw(rng, FUELS, FUEL_CODES, n)
        self.production_electricity = rng.random(n) < PRODUCTION_ELECTRICITY_SHARE
        self.u_coop = rng.random(n)
        self.land = {
            "arable_mu": _area(rng, 2.5, 0.6, 0.3, 12, n),
            "forest_mu": np.where(rng.random(n) < 0.15, 0, _area(rng, 10, 0.8, 0.5, 80, n)),
            "grain_for_green_mu": np.where(rng.random(n) < 0.4, _area(rng, 1.5, 0.6, 0.2, 6, n), 0),
            "orchard_mu": np.where(rng.random(n) < 0.45, _area(rng, 1.5, 0.6, 0.2, 6, n), 0),  # 茶园, 林果
            "pasture_mu": np.where(rng.random(n) < 0.02, _area(rng, 2, 0.5, 0.5, 10, n), 0),
            "water_surface_mu": np.where(rng.random(n) < 0.01, _area(rng, 0.5, 0.5, 0.1, 2, n), 0),
        }

    def year(self, year: int, rows: np.ndarray) -> dict:
        """HouseholdYear housing columns of households `rows` in `year`."""
        def g(a):
            return a[rows]
        moved = (g(self.relocation_year) > 0) & (year >= g(self.relocation_year))
        danger = g(self.danger_until)
        dangerous_now = (danger > 0) & (year < danger)
        rebuilt = (danger > 0) & ~dangerous_now
        a_grade = GRADES.index(DangerGrade.A)
        area = np.select([moved, dangerous_now, rebuilt], [g(self.relocation_area), g(self.area), g(self.rebuilt_area)],
                         g(self.area))
        structure = np.select([moved, dangerous_now, rebuilt],
                              [g(self.relocation_structure), g(self.structure),
                               STRUCTURES.index(HousingStructure.BRICK_CONCRETE)], g(self.structure))
        built = np.select([moved, dangerous_now, rebuilt], [g(self.relocation_year), g(self.year_built), danger],
                          g(self.year_built))
        grade = np.select([moved, dangerous_now, rebuilt], [a_grade, g(self.danger_grade), a_grade], g(self.safe_grade))
        unsafe = ~moved & (g(self.water_fixed) > 0) & (year < g(self.water_fixed))
        fuel = g(self.fuel)
        burns = np.isin(fuel, [FUEL_CODES.index(Fuel.FIREWOOD), FUEL_CODES.index(Fuel.COAL)])
        road_year, toilet_year = g(self.road_year), g(self.toilet_year)
        return {
            "housing_area": area, "housing_structure": structure, "housing_year_built": built,
            "danger_grade": grade, "relocated": moved, "living_electricity": True,
            "production_electricity": g(self.production_electricity),
            "road_distance_km": np.where(moved, 10, g(self.road_km)),
            "access_road": np.where(moved | ((road_year > 0) & (year >= road_year)), ROADS.index(RoadType.HARDENED),
                                    g(self.road_before)),
            "drinking_water_difficult": unsafe, "drinking_water_safe": ~unsafe,
            "fuel": np.where(moved & burns, FUEL_CODES.index(Fuel.ELECTRICITY), fuel),
            "food_secure": True, "clothing_secure": True,
            "sanitary_toilet": moved | ((toilet_year > 0) & (year >= toilet_year)),
            "cooperative_member": g(self.u_coop) < COOPERATIVE_SHARE[0] + COOPERATIVE_SHARE[1] * (year - 2019),
            **{k: v[rows] for k, v in self.land.items()},
        }

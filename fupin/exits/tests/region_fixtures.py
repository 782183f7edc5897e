"""Helpers for the village/county exit evaluation tests (test_region_*.py).

The shared region tree (fupin/conftest.py) has 平利县 in 陕西 (a western province: 3 %); here an
eastern village is added in 江苏 (2 %).
"""

from datetime import date

import pytest
from django.utils import timezone

from fupin.conftest import make_household
from fupin.exits.models import RegionPopulation, SampleKind, VerificationSample, VillageIndicators
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.registry.models import Member, MemberYear

YEAR = 2020
WEST_VILLAGE = "610926100001"  # 龙头村, 城关镇, 平利县, 陕西
WEST_VILLAGE_2 = "610926100002"  # 三里垭村, 城关镇
WEST_VILLAGE_B = "610926101001"  # 兴隆村, 兴隆镇
COUNTY = "610926000000"
EAST_VILLAGE = "320115100001"
EAST_COUNTY = "320115000000"

EAST = [
    ("320000000000", "江苏省", Level.PROVINCE, "000000000000"),
    ("320100000000", "南京市", Level.CITY, "320000000000"),
    ("320115000000", "江宁区", Level.COUNTY, "320100000000"),
    ("320115100000", "东山街道", Level.TOWNSHIP, "320115000000"),
    ("320115100001", "东山村", Level.VILLAGE, "320115100000"),
]

GOOD_INDICATORS = {"poor_village": True, "total_households": 300, "total_population": 1000, "hardened_road": True,
                   "bus_service": True, "power_grid": True, "clinics": 1, "doctors": 2, "primary_schools": 1,
                   "culture_rooms": 1, "collective_income_10k": "12.50", "unsafe_water_households": 0,
                   "dangerous_housing_households": 0}

_counter = iter(range(1, 10**6))


@pytest.fixture
def east_regions(regions):
    """The shared tree plus a village in 江苏 (an eastern province)."""
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in EAST])


def poor_persons(village: str, persons: int, *, status: str = "not_exited", year: int = YEAR):
    """Households in `village` with `persons` members in all (at most 5 per household) of `status`."""
    made = []
    while persons > 0:
        size = min(persons, 5)
        made.append(make_household(f"{village}{next(_counter):05d}", village, members=size, status=status,
                                   year=year))
        persons -= size
    return made


def population(code: str, rural: int, *, year: int = YEAR) -> RegionPopulation:
    return RegionPopulation.objects.create(region_code=code, year=year, rural_population=rural, source="test.csv",
                                           imported_at=timezone.now())


def indicators(code: str, *, year: int = YEAR, **changes) -> VillageIndicators:
    return VillageIndicators.objects.create(region_code=code, year=year, source="test.csv",
                                            imported_at=timezone.now(), **{**GOOD_INDICATORS, **changes})


def samples(kind: str, *, persons: int, flagged: int, village: str = WEST_VILLAGE, year: int = YEAR,
            size: int = 1) -> None:
    """`persons` sampled persons in households of `size`, `flagged` of them flagged (whole households)."""
    assert persons % size == 0 and flagged % size == 0
    rows = []
    for i in range(persons // size):
        rows.append(VerificationSample(county_code=village[:6] + "000000", region_code=village, year=year, kind=kind,
                                       household_ref=f"{kind}-{next(_counter):06d}", persons=size, flagged=i * size < flagged,
                                       checked_on=date(year, 10, 1), imported_at=timezone.now()))
    VerificationSample.objects.bulk_create(rows)


def county_samples(*, wrong=0, missed=0, unhappy=0, persons=100, village: str = WEST_VILLAGE) -> None:
    samples(SampleKind.EXITED_CHECK, persons=persons, flagged=wrong, village=village)
    samples(SampleKind.NON_REGISTERED_CHECK, persons=persons, flagged=missed, village=village)
    samples(SampleKind.SATISFACTION, persons=persons, flagged=unhappy, village=village)


def member_left(household, year: int = YEAR) -> None:
    """The household's last member left before the year's end: no member data for the year."""
    member = Member.objects.filter(household=household).order_by("-id").first()
    MemberYear.objects.filter(member=member, year=year).delete()

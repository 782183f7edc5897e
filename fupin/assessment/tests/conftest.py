"""Inputs for hand-computed assessments of 城关镇 / 兴隆镇 (2020), written directly as the facts,
samples, tasks and household years the assessment reads (see test_assess.py for the arithmetic)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fupin.assessment.models import AssessmentTarget
from fupin.exits.models import VerificationSample
from fupin.regions.codes import NATION_CODE
from fupin.registry.models import HouseholdYear
from fupin.stats.models import RegionYearFact, StatsRefresh

CG, XL, COUNTY = "610926100000", "610926101000", "610926000000"


def facts(code: str, year: int, level: str = "township", **values) -> None:
    RegionYearFact.objects.bulk_create([RegionYearFact(region_code=code, level=level, year=year, metric=m, key="",
                                                       value=v) for m, v in values.items()])


def refreshed(years=(2019, 2020)) -> None:
    now = timezone.now()
    StatsRefresh.objects.create(region_code=NATION_CODE, year_from=min(years), year_to=max(years), started_at=now,
                                finished_at=now, duration_ms=1, rows_written=1)


def samples(village: str, kind: str, persons: int, flagged: int, year: int = 2020) -> None:
    now = timezone.now()
    VerificationSample.objects.bulk_create([
        VerificationSample(county_code=COUNTY, region_code=village, year=year, kind=kind, household_ref=f"{kind}-ok",
                           persons=persons - flagged, flagged=False, imported_at=now),
        *([VerificationSample(county_code=COUNTY, region_code=village, year=year, kind=kind,
                              household_ref=f"{kind}-bad", persons=flagged, flagged=True, imported_at=now)]
          if flagged else []),
    ])


@pytest.fixture
def townships(households):
    """城关镇 and 兴隆镇 with the data of the worked example."""
    refreshed()
    facts(CG, 2019, poor_persons=30)
    facts(CG, 2020, poor_persons=10, households=50, helped_households=45, visited_households=40, ledger_found=4,
          ledger_closed=3)
    facts(XL, 2019, poor_persons=20)
    facts(XL, 2020, poor_persons=5, households=20, helped_households=20, visited_households=20)
    AssessmentTarget.objects.create(region_code=CG, year=2020, reduction_task=25)
    # incomes: 城关镇 2019 10000 yuan / 4 persons, 2020 (conftest) 12000 / 4; 兴隆镇 2019 8730 / 3, 2020 9000 / 3
    for h, net in ((households["a1"], "5000"), (households["a2"], "5000"), (households["b1"], "8730")):
        HouseholdYear.objects.create(household=h, year=2019, status="not_exited", household_size=h.members.count(),
                                     wage_income=Decimal(net), net_income=Decimal(net),
                                     per_capita_income=Decimal(net) / h.members.count())
    samples("610926100001", "exited_check", 100, 2)          # 2 % — at the veto boundary, not vetoed
    samples("610926100002", "non_registered_check", 100, 1)  # 1 %
    samples("610926100001", "satisfaction", 100, 5)          # 95 %
    samples("610926101001", "exited_check", 100, 3)          # 3 % — vetoed
    samples("610926101001", "non_registered_check", 50, 0)
    samples("610926101001", "satisfaction", 40, 2)           # 95 %
    return {"cg": CG, "xl": XL}


def ledger_item(region: str, *, source: str, deadline: date, state: str = "open"):
    from fupin.ledger.models import LedgerItem

    return LedgerItem.objects.create(source=source, region_code=region, title="问题", found_on=deadline - timedelta(30),
                                     deadline=deadline, state=state)

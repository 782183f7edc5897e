"""Helpers of the monitoring tests: households with two years of data, department rosters."""

from datetime import date
from decimal import Decimal

import pytest

from fupin.conftest import make_household
from fupin.crosscheck.models import Roster, RosterRow
from fupin.registry.models import HouseholdStatusEvent, HouseholdYear, MemberYear

TODAY = "2021-06-30"


@pytest.fixture(autouse=True)
def _today(settings):
    settings.FUPIN_TODAY = TODAY


def exited_household(no: str, village: str = "610926100001", *, income=Decimal("8000"), last_income=Decimal("8000"),
                     members: int = 2, expenditure=Decimal("0"), helper=None, status="exited", exit_on=date(2019, 11, 20)):
    """An exited household (2019 exit event) with 2019 and 2020 year rows (per-capita income as given)."""
    h = make_household(no, village, members=members, status=status, year=2020, income=Decimal(income), helper=helper)
    h.exit_year = 2019
    h.save(update_fields=["exit_year"])
    HouseholdStatusEvent.objects.create(household=h, year=2014, from_status="", to_status="not_exited", kind="new",
                                        effective_on=date(2014, 6, 1), source="identification", reason="建档立卡")
    HouseholdStatusEvent.objects.create(household=h, year=2019, from_status="not_exited", to_status="exited",
                                        kind="exited", effective_on=exit_on, source="exit", reason="脱贫退出")
    HouseholdYear.objects.filter(household=h, year=2020).update(compliant_out_of_pocket=expenditure)
    last = Decimal(last_income)
    HouseholdYear.objects.create(household=h, year=2019, status="exited", household_size=members,
                                 wage_income=last * members, net_income=last * members, per_capita_income=last)
    for my in MemberYear.objects.filter(member__household=h, year=2020):
        MemberYear.objects.create(member_id=my.member_id, year=2019, health=my.health,
                                  labour_capacity=my.labour_capacity, school_status=my.school_status,
                                  education=my.education)
    return h


def roster(kind: str, rows: list[tuple[str, str, dict]], *, region="610926000000", as_of=date(2020, 12, 31)) -> Roster:
    r = Roster.objects.create(kind=kind, name=f"{kind}名单", department="医保局", region_code=region, as_of=as_of,
                              row_count=len(rows))
    RosterRow.objects.bulk_create([RosterRow(roster=r, row_no=i + 2, id_number=n, name=name, data=data)
                                   for i, (n, name, data) in enumerate(rows)])
    return r

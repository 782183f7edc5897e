"""The demo rosters on a small generated county: loaded, matched, plausible and deterministic."""

from datetime import date

import pytest

from fupin.crosscheck.demo import generate_crosscheck_demo
from fupin.crosscheck.models import Roster, RosterRow, Suspect
from fupin.demo.generator import generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.demo.users import ensure_demo_users
from fupin.regions.models import Region
from fupin.regions.services import import_regions

pytestmark = pytest.mark.django_db
ON = date(2020, 12, 15)


@pytest.fixture
def demo_county(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=300, seed=7, years="2019-2020")
    ensure_demo_users(county_code="610926")
    return Region.objects.get(code="610926000000")


def snapshot():
    return sorted(Suspect.objects.values_list("rule", "member__id_number", "roster__kind"))


def test_demo_rosters(demo_county):
    stats = generate_crosscheck_demo(county_code="610926", on=ON, seed=3)
    r = stats["rosters"]
    assert set(r) == {"payroll", "vehicle", "housing", "business", "death", "school", "medical_insurance",
                      "low_income", "disability", "medical_expense", "disaster"}
    assert Roster.objects.count() == 11 and RosterRow.objects.count() == stats["rows"] > 40000
    assert Roster.objects.filter(uploaded_by__username="demo_county").count() == 11
    assert r["vehicle"]["four_have_vehicle"] == sum(1 for _ in range(110))  # 160 less 50 exempt
    assert r["payroll"]["four_have_payroll"] == 60 and r["housing"]["four_have_housing"] == 80
    assert r["death"]["death_registered"] >= 6 and r["school"]["school_not_enrolled"] == 8
    assert r["medical_insurance"]["no_medical_insurance"] <= 30 and r["low_income"]["low_income_unmarked"] == 25
    assert r["medical_expense"]["matched_members"] == 40 and r["disaster"]["matched_members"] == 30
    assert stats["suspects"] == Suspect.objects.count()
    first = snapshot()
    # Deterministic: the same seed on a fresh copy gives the same suspects.
    Suspect.objects.all().delete()
    Roster.objects.all().delete()
    generate_crosscheck_demo(county_code="610926", on=ON, seed=3)
    assert snapshot() == first

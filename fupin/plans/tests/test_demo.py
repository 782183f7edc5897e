"""The plan demo on a generated county: plans fit their households, the copied plans and the injected
contradictions are what the checks find, and the same seed gives the same plans."""

import hashlib

import pytest

from fupin.demo.generator import DemoError, generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.plans.demo import generate_plan_demo
from fupin.plans.models import HouseholdPlan, PlanMeasure
from fupin.plans.selectors_region import findings_report
from fupin.regions.models import Region
from fupin.regions.services import import_regions

pytestmark = pytest.mark.django_db

YEAR = 2020
RULE_OF = {"skills_training": "C01", "housing": "C05", "rain_dew": "C04", "disability_allowance": "C06"}


@pytest.fixture
def demo_county(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=2000, seed=7, years="2019-2020")
    return Region.objects.get(code="610926000000")


def digest() -> str:
    h = hashlib.sha256()
    for row in PlanMeasure.objects.order_by("plan__household__household_no", "id").values_list(
            "plan__household__household_no", "plan__status", "measure_type", "content", "amount", "status",
            "due_on", "completed_on", "source_rule"):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_plan_demo(demo_county):
    stats = generate_plan_demo(county_code="610926", year=YEAR, seed=7)
    assert stats["plans"] == HouseholdPlan.objects.filter(year=YEAR).count() > 0.8 * stats["households"]
    assert stats["poor_with_plan"] >= 0.9 * stats["poor_households"] > 0
    assert stats["measures"] == PlanMeasure.objects.count() and stats["completed_measures"] > 0
    assert 0.7 * stats["plans"] < stats["confirmed"] < stats["plans"]
    # Built from the suggestions: most measures carry the rule they came from.
    assert PlanMeasure.objects.exclude(source_rule="").count() > 0.7 * stats["measures"]
    assert not PlanMeasure.objects.filter(status="completed", completed_on__isnull=True).exists()

    report = findings_report(HouseholdPlan.objects.all(), demo_county, year=YEAR)
    copied = stats["copied_villages"]
    assert len(copied) == 2
    groups = {v: {c["template"], *c["copies"]} for v, c in copied.items()}
    flagged = {}
    for v in report["villages"]:
        for p in v["pairs"]:
            flagged.setdefault(v["village_code"], set()).update({p["a"]["household_id"], p["b"]["household_id"]})
    # Every copied plan is flagged, and nothing else is: legitimately similar plans are not.
    assert flagged == groups
    assert any(not p["identical"] for v in report["villages"] for p in v["pairs"])  # the re-typed copy
    assert report["summary"]["clusters"] == 2

    # Each injected contradiction is found with its rule; every contradiction is an injected one or
    # sits in a copied plan (copies do not fit the households they were pasted onto).
    found = {(c["household_id"], c["rule"]["code"]) for v in report["villages"] for c in v["contradictions"]}
    for mtype, household_id in stats["contradictions"].items():
        assert (household_id, RULE_OF[mtype]) in found
    explained = set(stats["contradictions"].values()) | {pk for g in groups.values() for pk in g}
    assert {hid for hid, _ in found} <= explained


def test_plan_demo_is_deterministic_and_replaces_itself(demo_county):
    first = generate_plan_demo(county_code="610926", year=YEAR, seed=7)
    before = digest()
    again = generate_plan_demo(county_code="610926", year=YEAR, seed=7)
    assert again == first and digest() == before
    assert HouseholdPlan.objects.count() == first["plans"]
    # Plans drawn up by a user are never replaced.
    HouseholdPlan.objects.filter(pk=HouseholdPlan.objects.order_by("pk").first().pk).update(drawn_up_by_id=1)
    with pytest.raises(DemoError, match="用户制定"):
        generate_plan_demo(county_code="610926", year=YEAR, seed=7)
    with pytest.raises(DemoError, match="不存在"):
        generate_plan_demo(county_code="610999", year=YEAR, seed=7)

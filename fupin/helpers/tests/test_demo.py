"""The 结对帮扶 demo on a small generated county: complete, consistent, deterministic, with its gaps."""

from datetime import date

import pytest
from django.db.models import Count, Q

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.demo.generator import DemoError, generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.helpers.coverage import coverage
from fupin.helpers.demo import generate_helper_demo, sync_demo_cadre
from fupin.helpers.models import (
    CadreProfile,
    HelperAssignment,
    HelpingUnit,
    PoorVillage,
    TeamRole,
    UnitVillagePairing,
    WorkTeam,
    WorkTeamMember,
)
from fupin.helpers.selectors import sources_all
from fupin.regions.models import Region
from fupin.regions.services import import_regions
from fupin.registry import idnumbers
from fupin.registry.models import Household

pytestmark = pytest.mark.django_db
YEAR = 2020


@pytest.fixture
def demo(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    stats = generate_county(county_code="610926", households=600, seed=11, years="2019-2020")
    result = generate_helper_demo(county_code="610926", year=YEAR, seed=11, poor_village_codes=stats["poor_village_codes"])
    return stats, result


def fingerprint() -> list:
    return [
        sorted(PoorVillage.objects.values_list("village_id", "identified_year")),
        sorted(HelpingUnit.objects.values_list("name", "kind")),
        sorted(UnitVillagePairing.objects.values_list("unit__name", "village_id", "start")),
        sorted(WorkTeamMember.objects.values_list("team__village_id", "name", "role", "id_number", "start", "end")),
        sorted(CadreProfile.objects.values_list("user__username", "id_number", "position")),
        sorted(HelperAssignment.objects.values_list("household__household_no", "cadre__username", "start", "end")),
    ]


def test_demo_is_complete_consistent_and_shows_its_gaps(demo):
    stats, result = demo
    poor = set(stats["poor_village_codes"])
    assert set(PoorVillage.objects.values_list("village_id", flat=True)) == poor == set(
        WorkTeam.objects.values_list("village_id", flat=True))
    assert poor <= set(UnitVillagePairing.objects.values_list("village_id", flat=True))
    assert UnitVillagePairing.objects.count() > len(poor)  # some other villages have a unit too
    sizes = WorkTeam.objects.annotate(n=Count("members"), s=Count("members", filter=Q(members__role=TeamRole.SECRETARY)))
    assert all(3 <= n <= 5 and 1 <= s <= 2 for n, s in sizes.values_list("n", "s"))
    assert result["secretaries_rotated"] > 0
    # Every cadre of the county has a valid profile; no profile is a registered person's.
    cadres = User.objects.filter(role=Role.CADRE, region_id__gte="610926000000", region_id__lte="610926999999")
    assert CadreProfile.objects.count() == cadres.count() == stats["cadres"]
    for number in CadreProfile.objects.values_list("id_number", flat=True)[:50]:
        assert idnumbers.validate(number).number == number
    # Household.helper and the current assignment agree, for every household.
    current = dict(HelperAssignment.objects.filter(end__isnull=True).values_list("household_id", "cadre_id"))
    assert current == dict(Household.objects.filter(helper__isnull=False).values_list("id", "helper_id"))
    assert len(current) == stats["households"] == result["assignments"]
    history = HelperAssignment.objects.filter(end__isnull=False)
    assert history.count() == result["households_reassigned"] > 0
    assert all(a.end > a.start for a in history)

    report = coverage(Region.objects.get(code="610926000000"), on=date(2021, 1, 1), sources=sources_all())
    counts = {c.code: c.count for c in report.checks}
    assert counts["village_no_unit"] == 0
    assert [i["village_code"] for i in report.check("village_no_team").items] == [result["village_team_withdrawn"]]
    assert [i["village_code"] for i in report.check("team_no_secretary").items] == [result["village_without_secretary"]]
    assert counts["cadre_over_limit"] == counts["cadre_no_profile"] == counts["cadre_is_poor"] == 0
    assert counts["helper_mismatch"] == 0 and counts["household_no_helper"] == 0
    # Before the two gaps opened, in 2019, the villages were covered.
    earlier = coverage(Region.objects.get(code="610926000000"), on=date(2019, 12, 31), sources=sources_all())
    assert earlier.check("village_no_team").count == earlier.check("team_no_secretary").count == 0


def test_demo_is_deterministic_and_refuses_a_second_run(demo):
    stats, _ = demo
    first = fingerprint()
    with pytest.raises(DemoError):
        generate_helper_demo(county_code="610926", year=YEAR, seed=11, poor_village_codes=stats["poor_village_codes"])
    for model in (HelperAssignment, CadreProfile, WorkTeamMember, WorkTeam, UnitVillagePairing, HelpingUnit,
                  PoorVillage):
        model.objects.all().delete()
    generate_helper_demo(county_code="610926", year=YEAR, seed=11, poor_village_codes=stats["poor_village_codes"])
    assert fingerprint() == first


def test_sync_demo_cadre_after_direct_pairing(demo):
    from fupin.demo.users import ensure_demo_users

    # ensure_demo_users pairs the account directly and then calls sync_demo_cadre itself.
    ensure_demo_users(county_code="610926")
    cadre = User.objects.get(username="demo_cadre")
    mine = set(Household.objects.filter(helper=cadre).values_list("id", flat=True))
    assert mine and CadreProfile.objects.filter(user=cadre).exists()
    assert set(HelperAssignment.objects.filter(cadre=cadre, end__isnull=True).values_list("household_id", flat=True)) \
        == mine
    current = dict(HelperAssignment.objects.filter(end__isnull=True).values_list("household_id", "cadre_id"))
    assert current == dict(Household.objects.filter(helper__isnull=False).values_list("id", "helper_id"))
    assert sync_demo_cadre(cadre=cadre)["opened"] == 0  # idempotent

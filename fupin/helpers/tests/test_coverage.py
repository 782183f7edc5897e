"""Coverage checks (四包责任制): each gap detected, and gone once filled; scope and the CLI."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404

from fupin.conftest import make_household
from fupin.helpers.models import CadreProfile, HelperAssignment, PoorVillage, WorkTeam
from fupin.helpers.selectors import coverage_report
from fupin.helpers.services import unit_pair_village
from fupin.helpers.services_assign import cadre_profile_save, household_assign_helper
from fupin.helpers.services_teams import team_create, team_member_add
from fupin.policy.services import policy_set
from fupin.registry.models import Household, HouseholdStatusEvent, Member

from .conftest import COUNTY, ON, V1, V2, cadre_id_number, secretary

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(households):
    """The fixture households with the status event that put them in the registry (2014)."""
    HouseholdStatusEvent.objects.bulk_create([
        HouseholdStatusEvent(household=h, year=2014, to_status=h.status, kind="new", effective_on=date(2014, 6, 1),
                             source="identification", reason="建档立卡") for h in households.values()])
    return households


def report(user, region=COUNTY, on=ON):
    return coverage_report(user, region_code=region, on=on)


def codes(rep, check, key="village_code"):
    return [item[key] for item in rep.check(check).items]


def test_village_gaps_detected_and_filled(users, registered, poor_villages, unit):
    county = users["county"]
    rep = report(county)
    assert rep.poor_villages == 2
    assert codes(rep, "village_no_unit") == [V1, V2] and codes(rep, "village_no_team") == [V1, V2]
    assert rep.check("village_no_unit").checked_count == 2 and "单位包村" in rep.check("village_no_unit").checked
    assert rep.check("village_no_unit").items[0]["township_name"] == "城关镇"

    unit_pair_village(actor=county, unit_id=unit.pk, village_code=V1, start="2016-01-01")
    unit_pair_village(actor=county, unit_id=unit.pk, village_code=V2, start="2020-03-02")  # starts after the date
    team_create(actor=county, village_code=V1, start="2016-01-01", secretary=secretary())
    WorkTeam.objects.create(village_id=V2, start=date(2018, 1, 1))  # imported without its secretary
    rep = report(county)
    assert codes(rep, "village_no_unit") == [V2]
    assert codes(rep, "village_no_team") == []
    assert codes(rep, "team_no_secretary") == [V2]
    assert report(county, on=date(2020, 3, 2)).check("village_no_unit").count == 0

    team = WorkTeam.objects.get(village_id=V2)
    team_member_add(actor=county, team_id=team.pk, data={**secretary("补书记"), "role": "第一书记", "start": "2018-01-01"})
    rep = report(county, on=date(2020, 3, 2))
    assert [rep.check(c).count for c in ("village_no_unit", "village_no_team", "team_no_secretary")] == [0, 0, 0]
    # An end-dated team leaves the village without one from that day.
    WorkTeam.objects.filter(pk=team.pk).update(end=date(2020, 3, 2))
    assert codes(report(county, on=date(2020, 3, 2)), "village_no_team") == [V2]
    assert codes(report(county, on=date(2020, 3, 1)), "village_no_team") == []


def test_exited_villages_are_checked_for_the_configured_years(users, registered, poor_villages):
    county = users["county"]
    PoorVillage.objects.filter(village_id=V2).update(exited_year=2014)  # long ago: no longer checked
    PoorVillage.objects.filter(village_id=V1).update(exited_year=2016)  # 四个不摘: still checked in 2020
    rep = report(county)
    assert codes(rep, "village_no_team") == [V1]
    assert rep.check("village_no_team").policy[0]["key"] == "helpers.village_support_years_after_exit"
    policy_set(actor=None, key="helpers.village_support_years_after_exit", region_code="610000000000",
               year_from=2014, value=3, source="省定")
    assert codes(report(county), "village_no_team") == []


def test_household_gaps_detected_and_filled(users, registered, cadres):
    county = users["county"]
    rep = report(county)
    check = rep.check("household_no_helper")
    assert check.checked_count == 3 and check.count == 3  # a1's helper was set without a pairing record
    assert codes(rep, "helper_mismatch", "household_no") == ["610926100001001"]
    for h, cadre in (("a1", "c1"), ("a2", "c1"), ("b1", "cb")):
        household_assign_helper(actor=county, household_id=registered[h].pk, cadre_id=cadres[cadre].pk,
                                on=date(2019, 1, 1), reason="结对")
    rep = report(county)
    assert rep.check("household_no_helper").count == 0 and rep.check("helper_mismatch").count == 0
    assert rep.households == 3 and rep.cadres == 2
    # Before the pairings started the households had no helper on record.
    assert report(county, on=date(2018, 12, 31)).check("household_no_helper").count == 3
    # An exited household is not checked; a returned one is.
    Household.objects.filter(pk=registered["b1"].pk).update(helper=None)
    HelperAssignment.objects.filter(household=registered["b1"]).update(end=date(2020, 1, 1))
    rep = report(county)
    assert codes(rep, "household_no_helper", "household_no") == ["610926101001001"]
    assert rep.check("household_no_helper").items[0]["status_label"] == "未脱贫"
    HouseholdStatusEvent.objects.create(household=registered["b1"], year=2019, from_status="not_exited",
                                        to_status="exited", kind="exited", effective_on=date(2019, 12, 1),
                                        source="exit", reason="脱贫")
    assert report(county).check("household_no_helper").count == 0


def test_load_limit_and_registered_poor_cadres(users, registered, cadres):
    county = users["county"]
    for i in range(3):
        h = make_household(f"61092610000109{i}", V1)
        household_assign_helper(actor=county, household_id=h.pk, cadre_id=cadres["c1"].pk, on=date(2019, 1, 1))
    assert report(county).check("cadre_over_limit").count == 0
    policy_set(actor=None, key="helpers.max_households_per_cadre", region_code="610000000000", year_from=2020,
               value=2, source="省定")
    over = report(county).check("cadre_over_limit")
    assert over.count == 1
    item = over.items[0]
    assert (item["cadre_id"], item["households"], item["limit"]) == (cadres["c1"].pk, 3, 2)
    assert item["policy"]["region_code"] == "610000000000" and item["policy"]["year_from"] == 2020
    assert report(county, on=date(2019, 6, 1)).check("cadre_over_limit").count == 0  # 2019: national 10

    # A cadre paired without a profile (e.g. imported) is listed: the poor-person check cannot run.
    HelperAssignment.objects.create(household=registered["a2"], village_code=V2, cadre=cadres["bare"],
                                    start=date(2019, 1, 1))
    Household.objects.filter(pk=registered["a2"].pk).update(helper=cadres["bare"])
    assert codes(report(county), "cadre_no_profile", "cadre_id") == [cadres["bare"].pk]
    cadre_profile_save(actor=county, cadre_id=cadres["bare"].pk, id_number=cadre_id_number())
    assert report(county).check("cadre_no_profile").count == 0

    # A cadre and a team member who became registered poor persons are listed, ID numbers masked.
    profile = CadreProfile.objects.get(user=cadres["c1"])
    team = team_create(actor=county, village_code=V1, start="2018-01-01", secretary=secretary("队员甲"))
    member = team.members.get()
    for number, name in ((profile.id_number, "甲"), (member.id_number, "乙")):
        Member.objects.create(household=registered["b1"], name=name, id_number=number, gender="M",
                              birth_date=date(1985, 5, 5), relation="other")
    poor = report(county).check("cadre_is_poor")
    assert sorted((i["kind_label"], i["member_name"]) for i in poor.items) == [("帮扶责任人", "甲"), ("第一书记", "乙")]
    assert all("*" in i["id_number"] for i in poor.items)
    Member.objects.filter(household=registered["b1"], name__in=["甲", "乙"]).update(left_on=date(2020, 1, 1))
    assert report(county).check("cadre_is_poor").count == 0


def test_scope_and_roles(users, registered, poor_villages):
    assert {c.code for c in report(users["clerk_a"], V1).checks} >= {"village_no_unit", "household_no_helper"}
    assert report(users["clerk_a"], V1).poor_villages == 1
    assert report(users["township_a"], "610926100000").check("household_no_helper").checked_count == 2
    with pytest.raises(Http404):
        report(users["clerk_a"], V2)
    with pytest.raises(Http404):
        report(users["township_b"], "610926100000")
    with pytest.raises(PermissionDenied):
        report(users["cadre"], "610926100000")
    assert report(users["province"], "610000000000").poor_villages == 2


def test_cli_reports_counts_with_ok_true(users, registered, poor_villages):
    out = StringIO()
    call_command("check_coverage", "--region", "610926", "--on", "2020-03-01", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] is True and data["coverage_ok"] is False
    counts = {c["code"]: c["count"] for c in data["checks"]}
    assert counts["village_no_unit"] == 2 and counts["household_no_helper"] == 3
    out = StringIO()
    call_command("check_coverage", "--region", "610926", "--on", "2020-03-01", stdout=out)
    assert "贫困村没有帮扶单位：2" in out.getvalue() and "三里垭村" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("check_coverage", "--region", "610926", "--on", "2020-13-01", "--json", stdout=StringIO())


def test_report_query_count_does_not_grow_with_households(users, registered, poor_villages, cadres,
                                                          django_assert_max_num_queries):
    for i in range(30):
        h = make_household(f"61092610000180{i:02d}", V1)
        HouseholdStatusEvent.objects.create(household=h, year=2014, to_status="not_exited", kind="new",
                                            effective_on=date(2014, 6, 1), source="identification", reason="建档立卡")
    with django_assert_max_num_queries(25):
        rep = report(users["county"])
    assert rep.check("household_no_helper").count == 33

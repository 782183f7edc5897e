"""The 结对帮扶 pages: what each persona sees and may do (404 outside scope, 403 without the right)."""

from datetime import date

import pytest
from django.urls import reverse

from fupin.helpers.models import HelperAssignment, HelpingUnit, UnitVillagePairing, WorkTeam, WorkTeamMember
from fupin.helpers.services_assign import household_assign_helper
from fupin.helpers.services_teams import team_create

from .conftest import COUNTY, V1, V2, cadre_id_number, make_cadre, secretary

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"web:{name}", args=args)


@pytest.fixture
def team(users, poor_villages):
    return team_create(actor=users["county"], village_code=V1, start="2018-01-01", secretary=secretary("李书记"))


def test_coverage_page_lists_gaps_with_links(login, users, households, poor_villages, team):
    c = login(users["county"])
    r = c.get(url("helpers_coverage", COUNTY) + "?on=2020-03-01")
    assert r.status_code == 200
    body = r.content.decode()
    assert "贫困村没有帮扶单位（2）" in body and "贫困村没有驻村工作队（1）" in body
    assert url("helpers_teams", V2) in body  # the gap links to the village's arrangements
    assert r.context["report"].on == date(2020, 3, 1)
    assert c.get(url("helpers_coverage", COUNTY) + "?on=bad").status_code == 200  # falls back to today


def test_coverage_scope_and_roles(login, users, households, poor_villages, client):
    assert login(users["clerk_a"]).get(url("helpers_coverage", V1)).status_code == 200
    assert login(users["clerk_a"]).get(url("helpers_coverage", V2)).status_code == 404  # another village
    assert login(users["township_b"]).get(url("helpers_coverage", "610926100000")).status_code == 404
    assert login(users["cadre"]).get(url("helpers_coverage", "610926100000")).status_code == 403
    client.logout()
    assert client.get(url("helpers_coverage", COUNTY)).status_code == 302  # to the login page


def test_county_approver_manages_units_teams_and_members(login, users, poor_villages):
    c = login(users["county"])
    r = c.post(url("helpers_units", COUNTY), {"name": "县水利局", "kind": "county", "contact_phone": "13900001111"})
    unit = HelpingUnit.objects.get(name="县水利局")
    assert r.status_code == 302 and r.url == url("helpers_unit", unit.pk)
    r = c.post(url("helpers_unit", unit.pk), {"action": "pair", "village": V1, "start": "2016-01-01"})
    assert r.status_code == 302 and UnitVillagePairing.objects.filter(unit=unit, village_id=V1).exists()
    r = c.post(url("helpers_teams", V1), {"action": "team", "start": "2016-03-01", "unit": str(unit.pk),
                                          **secretary("书记甲")})
    assert r.status_code == 302
    team = WorkTeam.objects.get(village_id=V1)
    # A second secretary without "replace": the error is shown next to the form, nothing written.
    data = {"action": "member", "team": team.pk, "role": "secretary", "start": "2019-01-01", **secretary("书记乙")}
    r = c.post(url("helpers_teams", V1), data)
    assert r.status_code == 200 and "已有第一书记“书记甲”" in r.content.decode()
    r = c.post(url("helpers_teams", V1), {**data, "replace": "on", "reason": "轮换"})
    assert r.status_code == 302
    assert list(WorkTeamMember.objects.filter(team=team, end__isnull=True).values_list("name", flat=True)) == ["书记乙"]
    page = c.get(url("helpers_teams", V1)).content.decode()
    assert "书记甲" in page and "书记乙" in page and "轮换" in page
    member = WorkTeamMember.objects.get(name="书记乙")
    assert member.id_number not in page  # masked in the member list
    r = c.post(url("helpers_teams", V1), {"action": "end_member", "member": member.pk, "end": "2020-01-01",
                                          "reason": "调回"}, follow=True)
    assert "不能没有第一书记" in r.content.decode()
    r = c.post(url("helpers_teams", V1), {"action": "end_team", "team": team.pk, "end": "2020-01-01",
                                          "reason": "轮换撤离"}, follow=True)
    assert "工作队已撤离" in r.content.decode()
    assert WorkTeam.objects.get(pk=team.pk).end == date(2020, 1, 1)


def test_others_may_look_but_not_manage(login, users, poor_villages, team):
    c = login(users["township_a"])
    page = c.get(url("helpers_teams", V1))
    assert page.status_code == 200 and "派驻工作队" not in page.content.decode()
    assert "登记队员" not in page.content.decode()
    r = c.post(url("helpers_teams", V1), {"action": "end_team", "team": team.pk, "end": "2020-01-01", "reason": "x"})
    assert r.status_code == 403
    assert WorkTeam.objects.get(pk=team.pk).end is None
    assert login(users["clerk_b"]).get(url("helpers_teams", V1)).status_code == 404
    assert login(users["cadre"]).get(url("helpers_teams", V1)).status_code == 403
    assert login(users["city"]).get(url("helpers_teams", COUNTY)).status_code == 200


def test_household_helper_page_assigns_and_keeps_history(login, users, households, cadres):
    h = households["a2"]
    c = login(users["clerk_b"])
    assert c.get(url("household_helper", h.pk)).status_code == 404  # another village's clerk
    c = login(users["township_a"])
    page = c.get(url("household_helper", h.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert "干部c1" in body and "干部bare" in body and "未登记档案" in body
    assert "干部cb" not in body  # bound to another township: not offered
    r = c.post(url("household_helper", h.pk), {"action": "assign", "cadre": cadres["c1"].pk, "on": "2019-01-01"})
    assert r.status_code == 302
    r = c.post(url("household_helper", h.pk), {"action": "assign", "cadre": cadres["c2"].pk, "on": "2020-01-01"})
    assert r.status_code == 200 and "更换帮扶责任人须填写原因" in r.content.decode()
    r = c.post(url("household_helper", h.pk), {"action": "assign", "cadre": cadres["c2"].pk, "on": "2020-01-01",
                                               "reason": "工作调动"})
    assert r.status_code == 302
    h.refresh_from_db()
    assert h.helper_id == cadres["c2"].pk
    body = c.get(url("household_helper", h.pk)).content.decode()
    assert "工作调动" in body and "2019-01-01" in body and "2020-01-01" in body
    r = login(users["city"]).post(url("household_helper", h.pk), {"action": "assign", "cadre": cadres["c1"].pk,
                                                                  "on": "2020-02-01", "reason": "x"})
    assert r.status_code == 403
    assert HelperAssignment.objects.filter(household=h).count() == 2


def test_load_shown_and_over_limit_refused_in_the_form(login, users, households, cadres):
    from fupin.conftest import make_household

    for i in range(10):
        hh = make_household(f"610926100001w{i:02d}", V1)
        household_assign_helper(actor=users["county"], household_id=hh.pk, cadre_id=cadres["c1"].pk,
                                on=date(2019, 1, 1))
    c = login(users["township_a"])
    body = c.get(url("household_helper", households["a2"].pk)).content.decode()
    assert "已结对 10/10 户，已满" in body
    r = c.post(url("household_helper", households["a2"].pk), {"action": "assign", "cadre": cadres["c1"].pk,
                                                               "on": "2020-01-01"})
    assert "超过每人 10 户的上限" in r.content.decode()


def test_cadre_page_and_the_cadre_only_scope(login, users, households, cadres):
    household_assign_helper(actor=users["county"], household_id=households["a2"].pk, cadre_id=cadres["c1"].pk,
                            on=date(2019, 1, 1))
    c = login(users["township_a"])
    body = c.get(url("helpers_cadre", cadres["c1"].pk)).content.decode()
    assert "610926100002001" in body and "科员" in body
    assert login(users["township_b"]).get(url("helpers_cadre", cadres["c1"].pk)).status_code == 404
    # A village clerk sees the township's cadre through the households of their village only.
    assert login(users["clerk_b"]).get(url("helpers_cadre", cadres["c1"].pk)).status_code == 404
    # The cadre role: their own page and households, nobody else's.
    persona = users["cadre"]
    cadre_c = login(persona)
    own = cadre_c.get(url("helpers_cadre", persona.pk))
    assert own.status_code == 200 and "610926100001001" in own.content.decode()
    assert cadre_c.get(url("helpers_cadre", cadres["c1"].pk)).status_code == 404
    assert cadre_c.get(url("household_helper", households["a1"].pk)).status_code == 200
    assert cadre_c.get(url("household_helper", households["a2"].pk)).status_code == 404
    assert cadre_c.post(url("household_helper", households["a1"].pk),
                        {"action": "assign", "cadre": cadres["c1"].pk, "on": "2020-01-01"}).status_code == 403


def test_profile_form_and_bulk_reassignment(login, users, households, cadres):
    c = login(users["township_a"])
    r = c.post(url("helpers_cadre", cadres["bare"].pk), {"action": "profile", "id_number": "123", "position": "x"})
    assert r.status_code == 200 and "应为 18 位" in r.content.decode()
    r = c.post(url("helpers_cadre", cadres["bare"].pk), {"action": "profile", "id_number": cadre_id_number(),
                                                         "position": "镇干部", "phone": "13911112222"})
    assert r.status_code == 302
    for key in ("a1", "a2"):
        household_assign_helper(actor=users["county"], household_id=households[key].pk, cadre_id=cadres["c1"].pk,
                                on=date(2019, 1, 1), reason="结对")
    r = c.post(url("helpers_cadre", cadres["c1"].pk), {"action": "reassign", "to_cadre": cadres["bare"].pk,
                                                       "on": "2020-01-01", "reason": "调离"})
    assert r.status_code == 302
    assert set(HelperAssignment.objects.filter(end__isnull=True).values_list("cadre_id", flat=True)) == {
        cadres["bare"].pk}
    assert login(users["clerk_a"]).post(url("helpers_cadre", cadres["bare"].pk), {
        "action": "reassign", "to_cadre": cadres["c1"].pk, "on": "2020-01-01", "reason": "x"}).status_code == 403


def test_units_and_cadres_lists(login, users, unit, cadres):
    c = login(users["county"])
    assert "县农业农村局" in c.get(url("helpers_units", COUNTY)).content.decode()
    body = c.get(url("helpers_cadres", COUNTY)).content.decode()
    assert "干部c1" in body and "干部cb" in body
    make_cadre("v1cadre", V1, actor=users["county"])
    assert "v1cadre" in login(users["clerk_a"]).get(url("helpers_cadres", V1)).content.decode()
    assert login(users["township_a"]).get(url("helpers_unit", unit.pk)).status_code == 200  # a unit above
    assert login(users["stranger"]).get(url("helpers_unit", unit.pk)).status_code == 404

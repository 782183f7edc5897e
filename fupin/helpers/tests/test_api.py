"""The 结对帮扶 API: coverage, units, teams and members, household helper; scope, roles, errors, schema."""

from datetime import date

import pytest

from fupin.helpers.models import HelperAssignment, WorkTeamMember
from fupin.helpers.services_assign import household_assign_helper

from .conftest import COUNTY, V1, V2, cadre_id_number, secretary

pytestmark = pytest.mark.django_db


def error(r, status):
    assert r.status_code == status, r.content
    return r.json()["error"]


def test_coverage(api, households, poor_villages):
    r = api("county").get(f"/api/v1/regions/{COUNTY}/coverage?on=2020-03-01")
    assert r.status_code == 200
    data = r.json()
    assert data["on"] == "2020-03-01" and data["poor_villages"] == 2 and data["ok"] is False
    checks = {c["code"]: c for c in data["checks"]}
    assert [i["village_code"] for i in checks["village_no_unit"]["items"]] == [V1, V2]
    assert checks["cadre_over_limit"]["checked"]
    assert error(api("clerk_a").get(f"/api/v1/regions/{V2}/coverage"), 404)["code"] == "not_found"
    assert error(api("cadre").get("/api/v1/regions/610926100000/coverage"), 403)["message"].startswith("帮扶责任人")
    bad = error(api("county").get(f"/api/v1/regions/{COUNTY}/coverage?on=2020-02-30"), 400)
    assert bad["code"] == "invalid" and bad["fields"]["on"] == ["日期“2020-02-30”不是有效日期（例：1980-01-31）"]
    early = error(api("county").get(f"/api/v1/regions/{COUNTY}/coverage?on=1999-12-31"), 400)
    assert early["fields"]["on"] == ["日期 1999-12-31 早于 2000 年"]
    # The same date forms as the web pages and check_coverage (registry.validation.parse_date).
    assert api("county").get(f"/api/v1/regions/{COUNTY}/coverage?on=2020/03/01").json()["on"] == "2020-03-01"


def test_units_teams_and_members(api, users, poor_villages):
    county = api("county")
    r = county.post("/api/v1/units", {"region_code": COUNTY, "name": "县交通运输局", "kind": "县直单位"}, format="json")
    assert r.status_code == 201, r.content
    unit_id = r.json()["id"]
    assert r.json()["kind"] == "county"
    fields = error(county.post("/api/v1/units", {"region_code": COUNTY, "name": "县交通运输局", "kind": "县直单位"},
                               format="json"), 400)["fields"]
    assert "已登记" in fields["name"][0]
    assert error(api("township_a").post("/api/v1/units", {}, format="json"), 403)
    assert [u["name"] for u in api("township_a").get("/api/v1/units").json()] == ["县交通运输局"]  # a unit above
    assert api("stranger").get("/api/v1/units").json() == []
    assert error(api("stranger").get(f"/api/v1/units/{unit_id}"), 404)

    r = county.post(f"/api/v1/units/{unit_id}/pairings", {"village_code": V1, "start": "2016-01-01"}, format="json")
    assert r.status_code == 201 and r.json()["end"] is None
    pairing = r.json()["id"]
    r = county.post(f"/api/v1/unit-pairings/{pairing}/end", {"end": "2015-01-01", "reason": "x"}, format="json")
    assert "应晚于开始日期" in error(r, 400)["fields"]["end"][0]

    sec = secretary("王书记")
    r = county.post("/api/v1/teams", {"village_code": V1, "start": "2016-02-01", "unit_id": unit_id, "secretary": sec},
                    format="json")
    assert r.status_code == 201, r.content
    team = r.json()
    assert [m["role"] for m in team["members"]] == ["secretary"]
    assert team["members"][0]["id_number"] == sec["id_number"][:6] + "********" + sec["id_number"][-4:]  # masked
    r = county.post(f"/api/v1/teams/{team['id']}/members", {**secretary("张书记"), "role": "第一书记",
                                                            "start": "2019-01-01"}, format="json")
    assert "已有第一书记" in error(r, 400)["fields"]["role"][0]
    r = county.post(f"/api/v1/teams/{team['id']}/members", {**secretary("张书记"), "role": "第一书记",
                                                            "start": "2019-01-01", "replace": True, "reason": "轮换"},
                    format="json")
    assert r.status_code == 201
    members = api("township_a").get(f"/api/v1/teams/{team['id']}/members").json()
    assert [(m["name"], m["end"]) for m in members] == [("王书记", "2019-01-01"), ("张书记", None)]
    listed = api("township_a").get("/api/v1/teams?region=610926100000&on=2020-01-01").json()
    assert [t["village_code"] for t in listed] == [V1]
    assert [t["id"] for t in api("clerk_a").get(f"/api/v1/teams?region={V1}").json()] == [team["id"]]
    assert error(api("clerk_b").get(f"/api/v1/teams/{team['id']}"), 404)
    assert error(api("cadre").get("/api/v1/teams?region=610926100000"), 403)
    assert error(api("county").get("/api/v1/teams"), 400)["fields"]["region"]
    new = WorkTeamMember.objects.get(name="张书记")
    r = county.post(f"/api/v1/team-members/{new.pk}/end", {"end": "2020-01-01", "reason": "调回"}, format="json")
    assert "不能没有第一书记" in error(r, 400)["message"]
    r = api("township_a").post(f"/api/v1/teams/{team['id']}/end", {"end": "2020-01-01", "reason": "撤离"},
                               format="json")
    assert error(r, 403)
    r = county.post(f"/api/v1/teams/{team['id']}/end", {"end": "2020-01-01", "reason": "撤离"}, format="json")
    assert r.status_code == 200 and all(m["end"] == "2020-01-01" for m in r.json()["members"] if m["name"] == "张书记")


def test_household_helper_assign_and_history(api, users, households, cadres):
    h = households["a2"]
    path = f"/api/v1/households/{h.pk}/helper"
    r = api("township_a").post(path, {"cadre_id": cadres["c1"].pk, "on": "2019-01-01"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["reason"] == "初次结对"
    r = api("clerk_a").post(path, {"cadre_id": cadres["c2"].pk, "reason": "调整"}, format="json")
    assert error(r, 404)["code"] == "not_found"  # another village's clerk
    assert error(api("city").post(path, {"cadre_id": cadres["c2"].pk}, format="json"), 403)
    r = api("county").post(path, {"cadre_id": cadres["c2"].pk, "on": "2020-02-01"}, format="json")
    assert error(r, 400)["fields"]["reason"] == ["更换帮扶责任人须填写原因"]
    r = api("county").post(path, {"cadre_id": cadres["c2"].pk, "on": "2020-02-01", "reason": "调整"}, format="json")
    assert r.status_code == 201
    history = api("township_a").get(f"/api/v1/households/{h.pk}/helper-history").json()
    assert [(a["cadre_id"], a["start"], a["end"]) for a in history] == [
        (cadres["c2"].pk, "2020-02-01", None), (cadres["c1"].pk, "2019-01-01", "2020-02-01")]
    h.refresh_from_db()
    assert h.helper_id == cadres["c2"].pk
    candidates = api("township_a").get(f"/api/v1/households/{h.pk}/helper-candidates").json()
    assert candidates["limit"]["value"] == 10
    assert {c["name"]: c["load"] for c in candidates["candidates"]}["干部c2"] == 1
    assert error(api("cadre").get(f"/api/v1/households/{h.pk}/helper-history"), 404)


def test_load_limit_over_the_api(api, users, households, cadres):
    from fupin.conftest import make_household

    for i in range(10):
        hh = make_household(f"610926100001q{i:02d}", V1)
        household_assign_helper(actor=users["county"], household_id=hh.pk, cadre_id=cadres["c1"].pk,
                                on=date(2019, 1, 1))
    r = api("county").post(f"/api/v1/households/{households['a2'].pk}/helper", {"cadre_id": cadres["c1"].pk},
                           format="json")
    assert "超过每人 10 户的上限" in error(r, 400)["fields"]["cadre"][0]
    assert not HelperAssignment.objects.filter(household=households["a2"]).exists()


def test_cadre_only_scope_over_the_api(api, users, households, cadres):
    persona = users["cadre"]
    mine = api("cadre").get(f"/api/v1/households/{households['a1'].pk}/helper-history")
    assert mine.status_code == 200 and mine.json() == []  # paired before the records existed
    assert api("cadre").get(f"/api/v1/cadres/{persona.pk}").json()["has_profile"] is False
    assert error(api("cadre").get(f"/api/v1/cadres/{cadres['c1'].pk}"), 404)
    visible = api("cadre").get("/api/v1/households").json()
    assert [h["household_no"] for h in visible["results"]] == ["610926100001001"]


def test_cadre_profile_and_reassign(api, users, households, cadres):
    r = api("township_a").put(f"/api/v1/cadres/{cadres['bare'].pk}/profile", {"id_number": cadre_id_number(),
                                                                               "position": "干部"}, format="json")
    assert r.status_code == 200 and r.json()["has_profile"] is True
    assert error(api("clerk_a").put(f"/api/v1/cadres/{cadres['bare'].pk}/profile", {}, format="json"), 404)
    assert error(api("township_b").put(f"/api/v1/cadres/{cadres['cb'].pk}/profile", {}, format="json"), 400)
    household_assign_helper(actor=users["county"], household_id=households["a2"].pk, cadre_id=cadres["c1"].pk,
                            on=date(2019, 1, 1))
    r = api("township_a").post(f"/api/v1/cadres/{cadres['c1'].pk}/reassign",
                               {"to_cadre_id": cadres["bare"].pk, "on": "2020-01-01", "reason": "调离"}, format="json")
    assert r.status_code == 200 and r.json()["moved"] == 1 and r.json()["policy"]["key"] == "helpers.max_households_per_cadre"
    assert error(api("clerk_a").post(f"/api/v1/cadres/{cadres['bare'].pk}/reassign", {}, format="json"), 404)


def test_schema_lists_the_helper_endpoints(anon):
    doc = anon.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/regions/{code}/coverage", "/api/v1/units", "/api/v1/teams", "/api/v1/teams/{team_id}/members",
                 "/api/v1/households/{household_id}/helper", "/api/v1/households/{household_id}/helper-history"):
        assert path in doc["paths"], path
    assert set(doc["paths"]["/api/v1/units"]) >= {"get", "post"}
    assert "HelperCoverage" in doc["components"]["schemas"]

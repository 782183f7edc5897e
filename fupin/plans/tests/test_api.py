"""The plan API: household plan, measures, suggestions, region findings and statistics, rules."""

import pytest

from fupin.conftest import YEAR
from fupin.plans.models import HouseholdPlan, PlanMeasure
from fupin.registry.models import YearFreeze

from .factories import crafted, plan_with

pytestmark = pytest.mark.django_db

MEASURE = {"measure_type": "产业帮扶", "content": "发展茶叶 2 亩", "amount": 1200, "responsible": "镇农业站"}


def plan_url(h, year=YEAR):
    return f"/api/v1/households/{h.pk}/plan?year={year}"


def test_get_and_create_plan(api, households):
    h = households["a1"]
    c = api("clerk_a")
    r = c.get(plan_url(h))
    assert r.status_code == 200
    assert r.json()["plan"] is None and r.json()["may_edit"] and not r.json()["frozen"]
    r = c.post(plan_url(h), {"note": "入户商定", "measures": [MEASURE, {**MEASURE, "content": ""}]}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["measures.1.content"] == ["第 2 项措施：措施内容和目标不能为空"]
    assert not HouseholdPlan.objects.exists()  # all or nothing
    r = c.post(plan_url(h), {"note": "入户商定", "measures": [MEASURE]}, format="json")
    assert r.status_code == 201
    plan = r.json()["plan"]
    assert plan["status"] == "draft" and plan["note"] == "入户商定" and plan["drawn_up_by"] == "clerk_a"
    [m] = plan["measures"]
    assert m["measure_type"] == "industry" and m["amount"] == "1200.00" and m["batch_label"] == "发展生产和就业脱贫"
    assert plan["progress"] == {"total": 1, "completed": 0, "in_progress": 0, "planned": 1, "cancelled": 0,
                                "ratio": 0.0, "percent": 0}
    assert c.post(plan_url(h), {}, format="json").status_code == 400  # one plan per year
    assert c.post(f"/api/v1/households/{h.pk}/plan", {}, format="json").status_code == 400  # year required


def test_measures_patch_cancel_confirm(api, households):
    h = households["a1"]
    c = api("cadre")  # the household's own cadre
    r = c.post(f"/api/v1/households/{h.pk}/plan/measures?year={YEAR}", MEASURE, format="json")
    assert r.status_code == 201
    mid = r.json()["id"]
    r = c.post(f"/api/v1/households/{h.pk}/plan/measures?year={YEAR}", {"rule": "S02"}, format="json")
    assert r.status_code == 201 and r.json()["source_rule"] == "S02" and r.json()["measure_type"] == "education_aid"
    r = c.patch(f"/api/v1/plan-measures/{mid}", {"status": "completed"}, format="json")
    assert r.status_code == 400 and "completed_on" in r.json()["error"]["fields"]
    r = c.patch(f"/api/v1/plan-measures/{mid}", {"status": "completed", "completed_on": f"{YEAR}-09-30"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["completed_on"] == f"{YEAR}-09-30"
    assert c.delete(f"/api/v1/plan-measures/{mid}").status_code == 405  # cancel, never delete
    r = c.post(f"/api/v1/plan-measures/{mid}/cancel", {"reason": ""}, format="json")
    assert r.status_code == 400 and r.json()["error"]["fields"]["reason"]
    # The cadre may not confirm; the township reviewer does.
    assert c.post(f"/api/v1/households/{h.pk}/plan/confirm?year={YEAR}").status_code == 403
    r = api("township_a").post(f"/api/v1/households/{h.pk}/plan/confirm?year={YEAR}")
    assert r.status_code == 200 and r.json()["plan"]["status"] == "confirmed"
    assert r.json()["plan"]["progress"]["ratio"] == 0.5


def test_scope_and_roles(api, households):
    h = households["a1"]
    plan = plan_with(h, [("industry", "养猪", 1000)])
    mid = plan.measures.get().pk
    for name in ("clerk_b", "township_b", "stranger"):
        c = api(name)
        assert c.get(plan_url(h)).status_code == 404
        assert c.get(f"/api/v1/households/{h.pk}/plan-suggestions?year={YEAR}").status_code == 404
        assert c.patch(f"/api/v1/plan-measures/{mid}", {"content": "x"}, format="json").status_code == 404
        assert c.post(f"/api/v1/plan-measures/{mid}/cancel", {"reason": "x"}, format="json").status_code == 404
    assert api("cadre").get(plan_url(households["a2"])).status_code == 404
    r = api("city").patch(f"/api/v1/plan-measures/{mid}", {"content": "x"}, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    assert api("auditor").get(f"/api/v1/plan-measures/{mid}").json()["content"] == "养猪"
    assert PlanMeasure.objects.get().content == "养猪"


def test_frozen_year_is_read_only(api, households):
    h = households["a1"]
    plan = plan_with(h, [("industry", "养猪", 1000)])
    YearFreeze.objects.create(region_code="610926000000", year=YEAR)
    c = api("clerk_a")
    assert c.get(plan_url(h)).json()["frozen"] is True
    r = c.patch(f"/api/v1/plan-measures/{plan.measures.get().pk}", {"content": "x"}, format="json")
    assert r.status_code == 400 and "已固化" in r.json()["error"]["fields"]["year"][0]


def test_suggestions(api, households):
    r = api("clerk_a").get(f"/api/v1/households/{households['a1'].pk}/plan-suggestions?year={YEAR}")
    assert r.status_code == 200
    found = {s["rule"]["code"]: s for s in r.json()["suggestions"]}
    assert {"S02", "S07", "S11"} <= set(found)
    s = found["S02"]
    assert s["measure_type"] == "education_aid" and s["rule"]["condition"] and s["rule"]["explanation"]
    assert s["facts"] == [{"fact": "compulsory_students", "label": "义务教育阶段在校生人数（小学、初中）", "value": 1,
                           "text": "1"}]


def test_region_findings_and_stats(api, regions):
    same = [("industry", "发展生猪养殖", 2000), ("health", "医保资助", 280), ("employment", "到苏州务工", None)]
    plan_with(crafted(main_cause="illness"), same)
    plan_with(crafted(main_cause="lack_funds"), same)
    plan_with(crafted(main_cause="illness", members=[]), [("education_aid", "两免一补", 500, "completed")])
    c = api("township_a")
    r = c.get(f"/api/v1/regions/610926100/plan-findings?year={YEAR}")
    assert r.status_code == 200
    data = r.json()
    assert data["summary"]["pairs"] == 1 and data["summary"]["contradictions"] == 0
    [v] = data["villages"]
    assert v["village_name"] == "龙头村" and v["pairs"][0]["identical"] and v["threshold"]["value"] == 0.9
    assert len(v["pairs"][0]["a"]["measures"]) == 3
    r = c.get(f"/api/v1/regions/610926100/plan-stats?year={YEAR}")
    assert r.status_code == 200
    stats = r.json()
    assert stats["coverage"]["target_households"] == 3 and stats["coverage"]["with_plan"] == 3
    assert stats["measures"]["total"] == 7 and stats["measures"]["completed"] == 1
    batch = {b["code"]: b for b in stats["by_batch"]}
    assert batch["production"]["measures"] == 4 and batch["production"]["households"] == 2
    assert batch["education"]["completion"] == 1.0 and batch["security"]["amount"] == "560.00"
    assert [ch["with_plan"] for ch in stats["children"]] == [3, 0]
    assert api("cadre").get(f"/api/v1/regions/610926100/plan-stats?year={YEAR}").status_code == 403
    assert api("township_b").get(f"/api/v1/regions/610926100/plan-findings?year={YEAR}").status_code == 404
    r = api("city").get(f"/api/v1/regions/610900000000/plan-findings?year={YEAR}")
    assert r.status_code == 400 and "按县、乡镇或村" in r.json()["error"]["fields"]["region"][0]
    assert api("city").get(f"/api/v1/regions/610900000000/plan-stats?year={YEAR}").json()["coverage"]["with_plan"] == 3


def test_rules_list(api, regions, users):
    r = api("county").get("/api/v1/regions/610926/plan-rules?year=2020")
    assert r.status_code == 200
    codes = [row["code"] for row in r.json()]
    assert codes[:2] == ["S01", "S02"] and "C09" in codes and all(row["active"] for row in r.json())


def test_schema_names_the_plan_endpoints(anon):
    schema = anon.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/households/{household_id}/plan", "/api/v1/plan-measures/{measure_id}",
                 "/api/v1/households/{household_id}/plan-suggestions", "/api/v1/regions/{code}/plan-findings",
                 "/api/v1/regions/{code}/plan-stats"):
        assert path in schema["paths"]

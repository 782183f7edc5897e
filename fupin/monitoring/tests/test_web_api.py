"""Scope and rights on the web pages and the API; the pages render the real records."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fupin.monitoring.models import MonitoringCase
from fupin.monitoring.services import case_identify, measure_add

from .conftest import exited_household

IDENTIFY = {"object_type": "unstable", "risk_types": ["illness"], "discovery": "cadre_screening",
            "discovered_on": "2020-02-20", "identified_on": "2020-03-01", "notice_from": "2020-02-24",
            "notice_to": "2020-02-28", "year": 2020}


@pytest.fixture
def case(users):
    h = exited_household("610926100001050", income=Decimal("5000"), helper=users["cadre"])
    return case_identify(actor=users["county"], household_id=h.pk, data=IDENTIFY)


@pytest.mark.django_db
def test_web_pages_scope_and_rights(users, login, client, case, django_assert_max_num_queries):
    exited_household("610926100001060", income=Decimal("5500"))
    login(users["township_a"])
    page = client.get(reverse("web:region_monitoring", args=["610926100000"]))
    assert page.status_code == 200 and "610926100001050" in page.content.decode()
    assert page.context["counts"]["by_object_type"][0]["total"] == 1
    cand = client.get(reverse("web:monitoring_candidates", args=["610926100000"]) + "?year=2020")
    body = cand.content.decode()
    assert "610926100001060" in body and "2020年人均纯收入 5500.00 元，低于监测范围 6000 元" in body
    assert "确认纳入监测" in body
    with django_assert_max_num_queries(25):
        assert client.get(reverse("web:monitoring_case", args=[case.pk])).status_code == 200
    # identify from the candidates page
    target = cand.context["rows"][0]["household_id"]
    resp = client.post(reverse("web:monitoring_candidates", args=["610926100000"]) + "?year=2020", {
        "household_id": target, "object_type": "unstable", "risk_types": ["illness"], "discovery": "cadre_screening",
        "discovered_on": "2020-12-28", "notice_from": "2020-12-30", "notice_to": "2021-01-03",
        "identified_on": "2021-01-05"})
    assert resp.status_code == 302
    assert MonitoringCase.objects.filter(household_id=target, state="identified").count() == 1
    # other township: 404; clerk cannot confirm: 403
    login(users["township_b"])
    assert client.get(reverse("web:monitoring_case", args=[case.pk])).status_code == 404
    assert client.get(reverse("web:region_monitoring", args=["610926100000"])).status_code == 404
    login(users["clerk_a"])
    assert client.post(reverse("web:monitoring_case", args=[case.pk]),
                       {"action": "eliminate", "e-verified_income": "7000"}).status_code == 403
    assert client.post(reverse("web:monitoring_case", args=[case.pk]),
                       {"action": "measure", "m-measure_type": "health", "m-description": "医疗救助"}).status_code == 302
    assert case.measures.count() == 1
    login(users["cadre"])
    assert client.get(reverse("web:monitoring_case", args=[case.pk])).status_code == 200


@pytest.mark.django_db
def test_api_flow_and_errors(users, api, case):
    county = api("county")
    r = county.get("/api/v1/monitoring/candidates", {"region": "610926", "year": 2020})
    assert r.status_code == 200 and r.json()["counts"]["skipped_open_case"] == 1
    r = county.get("/api/v1/monitoring/cases", {"region": "610926", "state": "open"})
    assert r.status_code == 200 and [c["id"] for c in r.json()["results"]] == [case.pk]
    assert r.json()["results"][0]["identified_within_limit"] is True
    assert api("township_b").get(f"/api/v1/monitoring/cases/{case.pk}").status_code == 404
    clerk = api("clerk_a")
    r = clerk.post(f"/api/v1/monitoring/cases/{case.pk}/eliminate", {"verified_income": "7000",
                                                                     "expenditure_solved": True}, format="json")
    assert r.status_code == 403 and r.json()["error"]["message"]
    r = county.post(f"/api/v1/monitoring/cases/{case.pk}/eliminate", {
        "verified_income": "7000", "on": "2020-08-31", "expenditure_solved": True, "notice_from": "2020-08-20",
        "notice_to": "2020-08-26"}, format="json")
    assert r.status_code == 400 and set(r.json()["error"]["fields"]) == {"elimination"}
    failed = r.json()["error"]["fields"]["elimination"]
    assert any(m.startswith("纳入监测时间满足要求") for m in failed) and any("帮扶措施" in m for m in failed)
    r = county.get(f"/api/v1/monitoring/cases/{case.pk}/elimination-assessment",
                   {"on": "2020-09-01", "verified_income": "7000", "expenditure_solved": "true"})
    assert r.status_code == 200 and r.json()["failed_labels"] == ["收入稳定超过监测范围", "已落实帮扶措施"]
    measure_add(actor=users["county"], case_id=case.pk, data={"measure_type": "industry", "description": "养殖"})
    r = clerk.post(f"/api/v1/monitoring/cases/{case.pk}/measures", {"measure_type": "xx", "description": ""},
                   format="json")
    assert r.status_code == 400 and set(r.json()["error"]["fields"]) == {"measure_type", "description"}
    r = county.post("/api/v1/monitoring/cases", {"household_id": case.household_id, **IDENTIFY}, format="json")
    assert r.status_code == 400 and "已有未消除风险" in r.json()["error"]["message"]
    r = county.get(f"/api/v1/monitoring/cases/{case.pk}")
    assert [s["kind"] for s in r.json()["steps"]] == ["identified", "measure"]

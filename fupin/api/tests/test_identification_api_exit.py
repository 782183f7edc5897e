"""The exit procedure, the income ranking and village quotas through the REST API."""

from decimal import Decimal

import pytest

from fupin.conftest import make_household
from fupin.identification.tests.helpers import CONTACT, VILLAGE, YEAR, application

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def day(month: int, d: int) -> str:
    return f"{YEAR}-{month:02d}-{d:02d}"


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def act(client, case_id, step_code, **body):
    return client.post(f"/api/v1/cases/{case_id}/act", {"step_code": step_code, **body}, format="json")


@pytest.fixture
def able(users):
    """A household of 龙头村 meeting the exit standard (5,000 yuan per person, child at school)."""
    return make_household("610926100001050", VILLAGE, head="孙五", income=Decimal("5000"))


def test_full_exit_case_to_closing(api, able):
    clerk, township, county = api("clerk_a"), api("township_a"), api("county")
    assert_error(county.post(f"/api/v1/households/{able.pk}/exit-case", {"year": YEAR}, format="json"), 403)
    assert_error(api("clerk_b").post(f"/api/v1/households/{able.pk}/exit-case", {"year": YEAR}, format="json"), 404)
    case = ok(clerk.post(f"/api/v1/households/{able.pk}/exit-case",
                         {"year": YEAR, "on": day(10, 1), "note": "收入稳定，拟退出"}, format="json"), 201)
    cid = case["id"]
    assert (case["procedure"], case["current"]["code"], case["household_id"]) == ("exit", "appraisal", able.pk)
    assert [s["code"] for s in case["steps"]] == ["appraisal", "verify", "consent", "notice", "announce", "close"]
    assert case["per_capita_income"] == "5000.00" and case["members"] == [] and case["note"] == "收入稳定，拟退出"
    error = assert_error(clerk.post(f"/api/v1/households/{able.pk}/exit-case", {"year": YEAR, "on": day(10, 2)},
                                    format="json"), 400)
    assert "已有退出案件" in error["fields"]["household"][0]

    ok(act(clerk, cid, "appraisal", votes={"for": 12, "against": 1}, on=day(10, 2)))
    case = ok(act(clerk, cid, "verify", decision="approved", comment="入户核实：两不愁三保障", on=day(10, 3)))
    assessment = case["timeline"][1]["record"]["data"]["assessment"]
    assert assessment["passed"] is True and {i["code"] for i in assessment["indicators"]} >= {"income", "housing"}
    ok(act(clerk, cid, "consent", decision="approved", comment="户主签字认可", on=day(10, 4)))
    notice = ok(clerk.post(f"/api/v1/regions/{VILLAGE}/notices", {
        "procedure": "exit", "year": YEAR, "step_code": "notice", "case_ids": [cid], "on": day(10, 5),
        "objection_contact": CONTACT}, format="json"), 201)
    assert notice["subject"] == "拟退出贫困户" and notice["ends_on"] == day(10, 11)
    error = assert_error(clerk.post(f"/api/v1/notices/{notice['id']}/complete", {"on": day(10, 11)}, format="json"),
                         400)
    assert "尚不能办结" in error["message"]
    ok(clerk.post(f"/api/v1/notices/{notice['id']}/complete", {"on": day(10, 12)}, format="json"))
    assert_error(clerk.post(f"/api/v1/regions/{VILLAGE}/notices", {
        "procedure": "exit", "year": YEAR, "step_code": "announce", "case_ids": [cid], "on": day(10, 13)},
        format="json"), 403)
    announcement = ok(township.post(f"/api/v1/regions/{VILLAGE}/notices", {
        "procedure": "exit", "year": YEAR, "step_code": "announce", "case_ids": [cid], "on": day(10, 13)},
        format="json"), 201)
    assert announcement["issuer"] == "城关镇人民政府" and announcement["subject"] == "退出贫困户"
    case = ok(clerk.get(f"/api/v1/cases/{cid}"))
    assert case["current"]["code"] == "close" and case["may_act"] is False
    assert ok(county.get(f"/api/v1/cases/{cid}"))["may_act"] is True
    case = ok(act(county, cid, "close", decision="approved", comment="经县扶贫办审定", on=day(10, 14)))
    assert (case["state"], case["closed_by"]) == ("completed", "county")
    assert case["timeline"][5]["record"]["data"]["policies_kept_until"] == f"{YEAR + 5}-10-14"
    household = ok(clerk.get(f"/api/v1/households/{able.pk}"))
    assert (household["status"], household["exit_year"]) == ("exited", YEAR)


def test_failed_indicator_refuses_verification(api, households):
    clerk = api("clerk_a")
    poor = households["a1"]  # 3,000 yuan per person: not above the 2020 line of 4,000
    cid = ok(clerk.post(f"/api/v1/households/{poor.pk}/exit-case", {"year": YEAR, "on": day(10, 1)},
                        format="json"), 201)["id"]
    ok(act(clerk, cid, "appraisal", votes={"for": 9, "against": 2}, on=day(10, 2)))
    error = assert_error(act(clerk, cid, "verify", decision="approved", on=day(10, 3)), 400, "invalid")
    message = error["fields"]["decision"][0]
    assert "未达到退出标准" in message and "收入稳定超过扶贫标准" in message and "4000" in message
    case = ok(clerk.get(f"/api/v1/cases/{cid}"))
    assert case["current"]["code"] == "verify" and case["timeline"][1]["record"] is None
    case = ok(act(clerk, cid, "verify", decision="rejected", comment="收入未达标", on=day(10, 3)))
    assert case["state"] == "rejected" and case["end_reason"] == "村两委和驻村工作队核实不同意：收入未达标"
    assert ok(clerk.get(f"/api/v1/households/{poor.pk}"))["status"] == "not_exited"
    # The cadre paired with the household sees its exit case, nothing else.
    listing = ok(api("cadre").get("/api/v1/regions/610926100000/cases"))
    assert [c["id"] for c in listing["results"]] == [cid]


def test_ranking_and_quotas(api):
    clerk, county = api("clerk_a"), api("county")
    for head, wage, members in (("甲", "3000", 2), ("乙", "6000", 3), ("丙", "8000", 2), ("丁", "2000", 1)):
        body = {"year": YEAR, "on": day(3, 1), **application(head=head, wage=wage, members=members)}
        ok(clerk.post(f"/api/v1/regions/{VILLAGE}/cases", body, format="json"), 201)

    quotas_url = "/api/v1/regions/610926100000/quotas"
    assert_error(api("township_a").put(quotas_url, {"year": YEAR, "quotas": {VILLAGE: 2}}, format="json"), 403)
    assert_error(clerk.put(f"/api/v1/regions/{VILLAGE}/quotas", {"year": YEAR, "quotas": {VILLAGE: 2}},
                           format="json"), 403)
    error = assert_error(county.put(quotas_url, {"year": YEAR, "quotas": {"610926101001": 2}}, format="json"), 400)
    assert "不在城关镇以内" in error["fields"]["quotas"][0]
    assert "year" in assert_error(county.put(quotas_url, {"quotas": {VILLAGE: 2}}, format="json"), 400)["fields"]
    assert "quotas" in assert_error(county.put(quotas_url, {"year": YEAR, "quotas": {VILLAGE: "x"}},
                                               format="json"), 400)["fields"]
    data = ok(county.put(f"{quotas_url}?year={YEAR}", {"quotas": {VILLAGE: 2}, "note": "平扶发〔2020〕1号"},
                         format="json"))
    rows = {v["code"]: v for v in data["villages"]}
    assert (rows[VILLAGE]["quota"], rows[VILLAGE]["cases"], rows[VILLAGE]["set_by"]) == (2, 4, "county")
    assert rows["610926100002"]["quota"] is None and data["may_edit"] is True
    assert ok(clerk.get(f"/api/v1/regions/{VILLAGE}/quotas", {"year": YEAR}))["may_edit"] is False

    ranking = ok(clerk.get(f"/api/v1/regions/{VILLAGE}/ranking", {"year": YEAR}))
    assert ranking["poverty_line"]["value"] == 4000 and ranking["poverty_line"]["key"] == "poverty_line"
    assert ranking["quota"]["quota"] == 2 and ranking["rule"]
    # 丁 2000, 乙 2000 (tie), 甲 1500 … ranked by per-capita income ascending, equal incomes share a rank.
    assert [(r["head_name"], r["per_capita_income"], r["rank"]) for r in ranking["rows"]] == [
        ("甲", "1500.00", 1), ("乙", "2000.00", 2), ("丁", "2000.00", 2), ("丙", "4000.00", 4)]
    assert [r["within_quota"] for r in ranking["rows"]] == [True, True, True, False]
    assert ranking["ties_at_cut"] is True and ranking["counts"]["under_line"] == 3
    assert [r["borderline"] for r in ranking["rows"]][-1] is True  # exactly at the line: not under, borderline
    assert_error(api("clerk_b").get(f"/api/v1/regions/{VILLAGE}/ranking"), 404)
    assert "不是行政村" in assert_error(county.get("/api/v1/regions/610926100000/ranking"), 400)["message"]
    assert "year" in assert_error(clerk.get(f"/api/v1/regions/{VILLAGE}/ranking", {"year": "x"}), 400)["fields"]

"""The identification procedure through the REST API: a full walk, scope, roles, input, public notices."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.identification.tests.helpers import CONTACT, PDF, VILLAGE, YEAR, application

from .conftest import assert_error

pytestmark = pytest.mark.django_db
FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def day(month: int, d: int) -> str:
    return f"{YEAR}-{month:02d}-{d:02d}"


def open_case(client, village=VILLAGE, **kwargs):
    body = {"year": YEAR, "on": day(3, 1), **application(**kwargs)}
    return client.post(f"/api/v1/regions/{village}/cases", body, format="json")


def act(client, case_id, step_code, **body):
    return client.post(f"/api/v1/cases/{case_id}/act", {"step_code": step_code, **body}, format="json")


def publish(client, case_ids, step_code, on, **body):
    body.setdefault("objection_contact", CONTACT)
    return client.post(f"/api/v1/regions/{VILLAGE}/notices", {
        "procedure": "identification", "year": YEAR, "step_code": step_code, "case_ids": case_ids, "on": on, **body},
        format="json")


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_full_identification_case_through_the_api(api, anon):
    clerk, township, county = api("clerk_a"), api("township_a"), api("county")
    case = ok(open_case(clerk, head="赵大", wage="6000", members=3), 201)
    cid = case["id"]
    assert (case["state"], case["current"]["code"], case["household_size"]) == ("open", "apply", 3)
    assert case["per_capita_income"] == "2000.00" and case["may_act"] is True and case["may_publish"] is False
    assert [s["code"] for s in case["steps"]] == ["apply", "appraisal", "verify", "notice1", "township_review",
                                                 "notice2", "county_approval", "announce", "register"]
    assert case["steps_policy"]["key"] == "workflow.identification.steps"
    assert [m["relation"] for m in case["members"]] == ["head", "spouse", "son"]
    assert FULL_ID.fullmatch(case["id_number"])  # a clerk sees the full number on the case page

    # 农户申请 with two attachments (multipart), then 民主评议 with votes and 核实.
    files = [SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf"),
             SimpleUploadedFile("户口簿.pdf", PDF + b"2", content_type="application/pdf")]
    r = clerk.post(f"/api/v1/cases/{cid}/act", {"step_code": "apply", "decision": "approved", "comment": "材料齐全",
                                                "on": day(3, 2), "attachments": files}, format="multipart")
    case = ok(r)
    record = case["timeline"][0]["record"]
    assert case["timeline"][0]["status"] == "done" and record["actor"]["name"] == "clerk_a"
    assert [a["name"] for a in record["attachments"]] == ["申请书.pdf", "户口簿.pdf"]
    download = clerk.get(record["attachments"][0]["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert_error(api("clerk_b").get(record["attachments"][0]["url"]), 404)

    case = ok(act(clerk, cid, "appraisal", votes={"for": 8, "against": 1, "abstain": 1}, on=day(3, 5)))
    vote = case["timeline"][1]["record"]
    assert vote["votes"] == {"for": 8, "against": 1, "abstain": 1} and vote["decision"] == "passed"
    assert vote["data"]["votes"]["pass_ratio"] == 0.5
    case = ok(act(clerk, cid, "verify", decision="approved", comment="入户核实，情况属实", on=day(3, 6)))
    assert case["timeline"][2]["record"]["data"]["eligibility"]["poverty_line"]["value"] == 4000
    assert (case["current"]["code"], case["may_act"], case["may_publish"]) == ("notice1", False, True)

    # The village's notices page offers the step waiting to be published, with its case.
    waiting = ok(clerk.get(f"/api/v1/regions/{VILLAGE}/notices"))["waiting"]
    assert [(w["step_code"], w["case_ids"], w["may_publish"]) for w in waiting] == [("notice1", [cid], True)]
    notice = ok(publish(clerk, [cid], "notice1", day(3, 7)), 201)
    assert (notice["starts_on"], notice["ends_on"], notice["days"]) == (day(3, 7), day(3, 13), 7)
    assert notice["entries"][0]["id_number_masked"].count("*") == 8 and notice["may_object"] is True
    objection = ok(clerk.post(f"/api/v1/notices/{notice['id']}/objections", {
        "case_id": cid, "content": "该户有子女在城里工作，收入偏低不实", "on": day(3, 9)}, format="json"), 201)
    assert objection["filer_name"] == "匿名" and objection["outcome"] == ""
    error = assert_error(act(clerk, cid, "notice1", on=day(3, 14)), 400, "invalid")
    assert "1 条异议尚未核查处理" in error["message"]
    resolved = ok(township.post(f"/api/v1/objections/{objection['id']}/resolve", {
        "outcome": "dismissed", "resolution": "经核查，子女已分户，收入不计入本户", "on": day(3, 12)}, format="json"))
    assert (resolved["outcome"], resolved["outcome_label"], resolved["case_state"]) == ("dismissed", "异议不成立", "open")
    done = ok(clerk.post(f"/api/v1/notices/{notice['id']}/complete", {"on": day(3, 14)}, format="json"))
    assert done["completed"] == [{"case_id": cid, "head_name": "赵大"}] and done["pending"] == []
    assert done["notice"]["entries"][0]["waiting"] is False

    # 乡镇审核 is the township's: the clerk is refused (403), the reviewer acts.
    assert "乡镇审核员" in assert_error(act(clerk, cid, "township_review", decision="approved", on=day(3, 15)),
                                         403)["message"]
    ok(act(township, cid, "township_review", decision="approved", on=day(3, 15)))
    notice2 = ok(publish(clerk, [cid], "notice2", day(3, 16)), 201)
    ok(clerk.post(f"/api/v1/notices/{notice2['id']}/complete", {"on": day(3, 23)}, format="json"))
    ok(act(county, cid, "county_approval", decision="approved", on=day(3, 24)))
    announcement = ok(publish(county, [cid], "announce", day(3, 25), objection_contact=""), 201)
    assert announcement["step_kind"] == "announcement" and announcement["ends_on"] is None
    assert announcement["issuer"] == "平利县扶贫开发领导小组办公室" and announcement["may_complete"] is False
    case = ok(clerk.get(f"/api/v1/cases/{cid}"))
    assert case["current"]["code"] == "register" and case["timeline"][7]["record"]["notice_id"] == announcement["id"]
    case = ok(act(clerk, cid, "register", decision="approved", on=day(3, 26)))
    assert (case["state"], case["current"], case["closed_on"]) == ("completed", None, day(3, 26))
    household = ok(clerk.get(f"/api/v1/households/{case['household_id']}"))
    assert household["status"] == "not_exited" and household["registered_year"] == YEAR
    assert case["timeline"][8]["record"]["data"]["household_no"] == household["household_no"]
    assert [n["step_code"] for n in case["notices"]] == ["notice1", "notice2", "announce"]
    assert [o["outcome"] for o in case["objections"]] == ["dismissed"]

    # The public sees the three notices, with masked ID numbers only.
    listing = ok(anon.get("/api/v1/public/notices", {"region": "610926"}))
    assert listing["count"] == 3 and {n["entry_count"] for n in listing["results"]} == {1}
    for item in listing["results"]:
        r = anon.get(f"/api/v1/public/notices/{item['id']}")
        paper = ok(r)
        assert not FULL_ID.search(r.content.decode()), paper
        assert paper["entries"][0]["head_name"] == "赵大" and paper["place"] == "平利县城关镇龙头村"
    assert not FULL_ID.search(anon.get("/api/v1/public/notices").content.decode())


def test_public_notice_shows_only_the_paper(api, anon):
    clerk = api("clerk_a")
    case = ok(open_case(clerk, head="钱二", wage="4000", members=2), 201)
    for code, body in (("apply", {"decision": "approved"}), ("appraisal", {"votes": {"for": 9, "against": 0}}),
                       ("verify", {"decision": "approved"})):
        ok(act(clerk, case["id"], code, on=day(3, 3), **body))
    notice = ok(publish(clerk, [case["id"]], "notice1", day(3, 7), note="请村民监督"), 201)
    ok(clerk.post(f"/api/v1/notices/{notice['id']}/objections", {
        "case_id": case["id"], "content": "有车", "filer_name": "李四", "phone": "13912345678", "on": day(3, 8)},
        format="json"), 201)
    r = anon.get(f"/api/v1/public/notices/{notice['id']}")
    paper = ok(r)
    assert set(paper) == {"id", "title", "issuer", "village", "procedure", "procedure_label", "year", "step_name",
                          "kind", "published_on", "starts_on", "ends_on", "days", "entry_count", "place", "subject",
                          "show_income", "objection_contact", "note", "entries"}
    assert set(paper["entries"][0]) == {"position", "head_name", "id_number_masked", "group_name", "household_size",
                                        "per_capita_income", "main_cause"}
    assert paper["entries"][0]["id_number_masked"] == case["id_number"][:6] + "********" + case["id_number"][-4:]
    assert paper["objection_contact"] == CONTACT and paper["subject"] == "拟识别贫困户"
    text = r.content.decode()
    assert case["id_number"] not in text and "李四" not in text and "13912345678" not in text and "有车" not in text
    # A bad token does not matter on public endpoints; filters are checked.
    anon.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert anon.get("/api/v1/public/notices").status_code == 200
    assert assert_error(anon.get("/api/v1/public/notices", {"region": "abc"}), 400)["fields"]["region"]
    assert_error(anon.get("/api/v1/public/notices", {"region": "610926199"}), 404)
    assert ok(anon.get("/api/v1/public/notices", {"procedure": "exit"}))["count"] == 0
    assert_error(anon.get("/api/v1/public/notices/999999"), 404)


def test_anonymous_is_401_on_private_endpoints(anon, api):
    case = ok(open_case(api("clerk_a")), 201)
    cid = case["id"]
    for method, url in (("get", f"/api/v1/regions/{VILLAGE}/cases"), ("post", f"/api/v1/regions/{VILLAGE}/cases"),
                        ("get", f"/api/v1/cases/{cid}"), ("post", f"/api/v1/cases/{cid}/act"),
                        ("get", f"/api/v1/cases/{cid}/attachments/1"), ("post", "/api/v1/households/1/exit-case"),
                        ("get", f"/api/v1/regions/{VILLAGE}/notices"), ("post", f"/api/v1/regions/{VILLAGE}/notices"),
                        ("get", "/api/v1/notices/1"), ("post", "/api/v1/notices/1/complete"),
                        ("post", "/api/v1/notices/1/objections"), ("post", "/api/v1/objections/1/resolve"),
                        ("get", f"/api/v1/regions/{VILLAGE}/ranking"), ("get", f"/api/v1/regions/{VILLAGE}/quotas"),
                        ("put", f"/api/v1/regions/{VILLAGE}/quotas")):
        assert_error(getattr(anon, method)(url, {}, format="json"), 401, "not_authenticated")


def test_other_village_is_404_and_wrong_role_403(api):
    clerk = api("clerk_a")
    case = ok(open_case(clerk), 201)
    cid = case["id"]
    other = api("clerk_b")
    assert_error(other.get(f"/api/v1/cases/{cid}"), 404, "not_found")
    assert_error(act(other, cid, "apply", decision="approved", on=day(3, 2)), 404)
    assert_error(other.get(f"/api/v1/regions/{VILLAGE}/cases"), 404)
    assert_error(open_case(other), 404)
    assert ok(other.get("/api/v1/regions/610926101001/cases"))["count"] == 0
    # In scope, wrong role: the township reviewer may not record applications nor act on 农户申请.
    township = api("township_a")
    assert "村级信息员" in assert_error(open_case(township), 403, "permission_denied")["message"]
    assert_error(act(township, cid, "apply", decision="approved", on=day(3, 2)), 403)
    assert_error(act(api("city"), cid, "apply", decision="approved", on=day(3, 2)), 403)
    assert ok(clerk.get(f"/api/v1/cases/{cid}"))["timeline"][0]["status"] == "current"
    # Notices and objections: the other village's clerk sees nothing, a viewer may not object.
    for code, body in (("apply", {"decision": "approved"}), ("appraisal", {"votes": {"for": 9, "against": 0}}),
                       ("verify", {"decision": "approved"})):
        ok(act(clerk, cid, code, on=day(3, 3), **body))
    notice = ok(publish(clerk, [cid], "notice1", day(3, 7)), 201)
    assert_error(publish(township, [cid], "notice1", day(3, 7)), 403)  # the step is the clerk's
    assert "已列入" in assert_error(publish(clerk, [cid], "notice1", day(3, 7)), 400)["message"]
    assert_error(other.get(f"/api/v1/notices/{notice['id']}"), 404)
    assert_error(other.post(f"/api/v1/notices/{notice['id']}/objections",
                            {"case_id": cid, "content": "x", "on": day(3, 8)}, format="json"), 404)
    assert_error(api("city").post(f"/api/v1/notices/{notice['id']}/objections",
                                  {"case_id": cid, "content": "x", "on": day(3, 8)}, format="json"), 403)
    objection = ok(clerk.post(f"/api/v1/notices/{notice['id']}/objections",
                              {"case_id": cid, "content": "x", "on": day(3, 8)}, format="json"), 201)
    assert_error(other.post(f"/api/v1/objections/{objection['id']}/resolve",
                            {"outcome": "upheld", "resolution": "y"}, format="json"), 404)
    assert_error(api("auditor").post(f"/api/v1/objections/{objection['id']}/resolve",
                                     {"outcome": "upheld", "resolution": "y", "on": day(3, 9)}, format="json"), 403)
    # Upheld: the case ends with the objection as its reason.
    resolved = ok(township.post(f"/api/v1/objections/{objection['id']}/resolve",
                                {"outcome": "upheld", "resolution": "属实", "on": day(3, 9)}, format="json"))
    assert resolved["case_state"] == "rejected"
    case = ok(clerk.get(f"/api/v1/cases/{cid}"))
    assert case["state"] == "rejected" and case["end_reason"].startswith("第一次公示期间异议成立：x")
    assert [t["status"] for t in case["timeline"]][3:5] == ["ended", "not_reached"]


def test_bad_input_is_400_naming_the_field(api):
    clerk = api("clerk_a")
    error = assert_error(open_case(clerk, id_number="610926197505050001"), 400, "invalid")
    assert "id_number" in error["fields"]
    body = application()
    assert "year" in assert_error(clerk.post(f"/api/v1/regions/{VILLAGE}/cases", body, format="json"), 400)["fields"]
    error = assert_error(clerk.post(f"/api/v1/regions/{VILLAGE}/cases", {"year": YEAR, **body, "status": "x"},
                                    format="json"), 400)
    assert error["fields"]["status"] == ["字段“status”不能在此填写"]
    assert_error(clerk.post("/api/v1/regions/610926100000/cases", {"year": YEAR, **body}, format="json"), 404)
    error = assert_error(api("township_a").post("/api/v1/regions/610926100000/cases", {"year": YEAR, **body},
                                                format="json"), 400)
    assert "不是行政村" in error["message"]
    cid = ok(open_case(clerk), 201)["id"]
    assert "step_code" in assert_error(clerk.post(f"/api/v1/cases/{cid}/act", {}, format="json"), 400)["fields"]
    error = assert_error(act(clerk, cid, "appraisal", votes={"for": 9, "against": 0}), 400)
    assert "当前步骤为“农户申请”" in error["fields"]["step"][0]
    assert "decision" in assert_error(act(clerk, cid, "apply", decision="maybe", on=day(3, 2)), 400)["fields"]
    assert "comment" in assert_error(act(clerk, cid, "apply", decision="rejected", on=day(3, 2)), 400)["fields"]
    assert "on" in assert_error(act(clerk, cid, "apply", decision="approved", on="2020-02-30"), 400)["fields"]
    bad = SimpleUploadedFile("申请书.pdf", b"MZ not a pdf", content_type="application/pdf")
    r = clerk.post(f"/api/v1/cases/{cid}/act", {"step_code": "apply", "decision": "approved", "on": day(3, 2),
                                                "attachments": [bad]}, format="multipart")
    assert "内容与扩展名 .pdf 不符" in assert_error(r, 400)["fields"]["attachments"][0]
    ok(act(clerk, cid, "apply", decision="approved", on=day(3, 2)))
    error = assert_error(act(clerk, cid, "appraisal", votes={"for": -1, "against": 2}), 400)
    assert "votes_for" in error["fields"]
    # Multipart votes work too: exactly half is not a majority, the case ends.
    r = clerk.post(f"/api/v1/cases/{cid}/act", {"step_code": "appraisal", "votes_for": "5", "votes_against": "5",
                                                "on": day(3, 5)}, format="multipart")
    case = ok(r)
    assert case["state"] == "rejected" and "赞成 5 票、反对 5 票" in case["end_reason"]
    # Publishing: a 公示 must say how to object; the step must be a notice step.
    cid = ok(open_case(clerk), 201)["id"]
    error = assert_error(publish(clerk, [cid], "notice1", day(3, 7), objection_contact=""), 400)
    assert "当前步骤为" in error["message"]
    assert "procedure" in assert_error(publish(clerk, [cid], "notice1", day(3, 7), procedure="x"), 400)["fields"]
    assert "case_ids" in assert_error(publish(clerk, [], "notice1", day(3, 7)), 400)["fields"]


def test_case_list_filters_and_masks_by_role(api):
    clerk = api("clerk_a")
    first = ok(open_case(clerk, head="甲"), 201)
    ok(open_case(clerk, head="乙"), 201)
    ok(act(clerk, first["id"], "apply", decision="approved", on=day(3, 2)))
    listing = ok(clerk.get(f"/api/v1/regions/{VILLAGE}/cases"))
    assert listing["count"] == 2 and all("*" in c["id_number"] for c in listing["results"])
    assert [c["head_name"] for c in ok(clerk.get(f"/api/v1/regions/{VILLAGE}/cases", {"step": "appraisal"}))[
        "results"]] == ["甲"]
    assert ok(clerk.get(f"/api/v1/regions/{VILLAGE}/cases", {"q": "乙", "year": YEAR}))["count"] == 1
    assert ok(clerk.get(f"/api/v1/regions/{VILLAGE}/cases", {"procedure": "exit"}))["count"] == 0
    assert ok(clerk.get(f"/api/v1/regions/{VILLAGE}/cases", {"page_size": 1}))["next"]
    assert "state" in assert_error(clerk.get(f"/api/v1/regions/{VILLAGE}/cases", {"state": "x"}), 400)["fields"]
    audited = ok(api("auditor").get("/api/v1/regions/610926/cases"))
    assert audited["count"] == 2 and all(FULL_ID.fullmatch(c["id_number"]) for c in audited["results"])
    # A city viewer may read the case, with the ID number masked even on the case page.
    city_case = ok(api("city").get(f"/api/v1/cases/{first['id']}"))
    assert "*" in city_case["id_number"] and all("*" in m["id_number"] for m in city_case["members"])
    assert city_case["may_act"] is False


def test_schema_lists_the_procedure_endpoints_and_is_valid(anon, tmp_path):
    from django.core.management import call_command

    doc = anon.get("/api/v1/openapi.json").json()
    expected = {
        "/api/v1/regions/{code}/cases": {"get", "post"}, "/api/v1/households/{household_id}/exit-case": {"post"},
        "/api/v1/cases/{case_id}": {"get"}, "/api/v1/cases/{case_id}/act": {"post"},
        "/api/v1/cases/{case_id}/attachments/{attachment_id}": {"get"},
        "/api/v1/regions/{code}/notices": {"get", "post"}, "/api/v1/notices/{notice_id}": {"get"},
        "/api/v1/notices/{notice_id}/complete": {"post"}, "/api/v1/notices/{notice_id}/objections": {"post"},
        "/api/v1/objections/{objection_id}/resolve": {"post"}, "/api/v1/regions/{code}/ranking": {"get"},
        "/api/v1/regions/{code}/quotas": {"get", "put"}, "/api/v1/public/notices": {"get"},
        "/api/v1/public/notices/{notice_id}": {"get"}}
    for path, methods in expected.items():
        operations = {m: op for m, op in doc["paths"][path].items() if m in {"get", "post", "put", "patch", "delete"}}
        assert set(operations) == methods, path
        for op in operations.values():
            assert any("\u4e00" <= ch <= "\u9fff" for ch in op["summary"]), op["operationId"]
    act_body = doc["paths"]["/api/v1/cases/{case_id}/act"]["post"]["requestBody"]["content"]
    assert set(act_body) == {"application/json", "multipart/form-data"}
    assert not doc["paths"]["/api/v1/public/notices"]["get"].get("security")
    # The whole document validates without warnings (component names unique across the API).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

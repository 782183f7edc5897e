"""The visit API: list and record (JSON and multipart with a photo), one visit, photo, the cadre's
households, compliance — scope (404), rights (403), Chinese errors, the schema."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.accounts.roles import Role
from fupin.accounts.services import user_create
from fupin.api.tests.conftest import assert_error
from fupin.conftest import PASSWORD
from fupin.visits.models import Visit

from .helpers import JPEG, files_under, record

pytestmark = pytest.mark.django_db


def url(household):
    return f"/api/v1/households/{household.pk}/visits"


def test_cadre_records_and_lists_visits(api, users, households, media):
    a1 = households["a1"]
    client = api("cadre")
    r = client.post(url(a1), {"visited_on": "2020-03-02", "kind": "入户走访", "content": "宣传政策",
                              "follow_up": "办理医保", "follow_up_due": "2020-04-01"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["cadre_id"] == users["cadre"].pk and body["kind"] == "home" and body["photo_url"] is None
    assert body["may_edit"] and body["may_close_follow_up"]
    upload = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    r = client.post(url(a1), {"visited_on": "2020-03-20", "kind": "home", "content": "查看住房", "photo": upload},
                    format="multipart")
    assert r.status_code == 201, r.content
    photo_url = r.json()["photo_url"]
    assert photo_url.endswith(f"/api/v1/visits/{r.json()['id']}/photo")
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content) == JPEG
    listed = client.get(url(a1)).json()
    assert listed["count"] == 2 and [v["content"] for v in listed["results"]] == ["查看住房", "宣传政策"]
    assert listed["due"]["last_visit"] == "2020-03-20" and listed["due"]["max_days"] == 30
    assert {p["key"]: p["value"] for p in listed["due"]["policy"]}["visits.max_days_between"] == 30
    detail = client.get(f"/api/v1/visits/{body['id']}").json()
    assert detail["follow_up_due"] == "2020-04-01" and detail["household_no"] == a1.household_no


def test_errors_are_chinese_per_field_and_nothing_is_written(api, households, media):
    client = api("cadre")
    a1 = households["a1"]
    error = assert_error(client.post(url(a1), {"visited_on": "2999-01-01", "content": ""}, format="json"), 400,
                         "invalid")
    assert "不能晚于今天" in error["fields"]["visited_on"][0] and "走访内容不能为空" in error["fields"]["content"][0]
    bad = SimpleUploadedFile("a.png", b"MZ" * 50, content_type="image/png")
    error = assert_error(client.post(url(a1), {"content": "x", "photo": bad}, format="multipart"), 400)
    assert error["fields"]["photo"] == ["走访照片“a.png”的内容与扩展名 .png 不符"]
    error = assert_error(client.post(url(a1), {"content": "x", "photo": "base64..."}, format="json"), 400)
    assert "multipart" in error["fields"]["photo"][0]
    assert not Visit.objects.exists() and files_under(media) == []


def test_scope_and_rights(api, users, households, media):
    a2 = households["a2"]
    a2.helper = user_create(actor=None, username="cadre2", password=PASSWORD, role=Role.CADRE,
                            region_code="610926100000", full_name="另一帮扶人")
    a2.save()
    v = record(users, "township_a", a2, date(2020, 3, 2), on_behalf_note="补录")
    cadre = api("cadre")
    assert_error(cadre.get(url(a2)), 404, "not_found")
    assert_error(cadre.post(url(a2), {"content": "走访"}, format="json"), 404)
    assert_error(cadre.get(f"/api/v1/visits/{v.pk}"), 404)
    assert_error(cadre.get(f"/api/v1/visits/{v.pk}/photo"), 404)
    assert_error(api("clerk_b").get(f"/api/v1/visits/{v.pk}"), 404)
    assert_error(api("city").post(url(a2), {"content": "走访"}, format="json"), 403, "permission_denied")
    assert_error(api("county").patch(f"/api/v1/visits/{v.pk}", {"content": "改"}, format="json"), 403)
    assert Visit.objects.count() == 1
    assert_error(api("township_a").get(f"/api/v1/visits/{v.pk}/photo"), 404)  # no photo
    # The recorder changes it.
    r = api("township_a").patch(f"/api/v1/visits/{v.pk}", {"content": "改为集中宣讲", "kind": "group"}, format="json")
    assert r.status_code == 200 and r.json()["kind_label"] == "集中帮扶"


def test_follow_up_close(api, users, households):
    v = record(users, "clerk_a", households["a1"], date(2020, 3, 2), on_behalf_note="补录", follow_up="代办医保")
    r = api("cadre").post(f"/api/v1/visits/{v.pk}/follow-up/close", {"done_on": "2020-03-05"}, format="json")
    assert r.status_code == 200 and r.json()["follow_up_done_on"] == "2020-03-05"
    assert_error(api("cadre").post(f"/api/v1/visits/{v.pk}/follow-up/close", {}, format="json"), 400)


def test_my_households(api, users, households):
    record(users, "cadre", households["a1"], date(2020, 3, 2), follow_up="代办医保", follow_up_due="2020-03-20")
    body = api("cadre").get("/api/v1/my/households", {"on": "2020-04-02"}).json()
    assert body["counts"]["overdue"] == 1 and len(body["households"]) == 1
    item = body["households"][0]
    assert item["due"]["state"] == "overdue" and item["due"]["overdue_days"] == 1
    assert item["open_follow_ups"] == [{"visit_id": item["open_follow_ups"][0]["visit_id"], "visited_on": "2020-03-02",
                                        "follow_up": "代办医保", "follow_up_due": "2020-03-20", "late": True}]
    assert api("county").get("/api/v1/my/households").json()["households"] == []
    assert_error(api("cadre").get("/api/v1/my/households", {"on": "x"}), 400)


def test_compliance(api, users, households):
    record(users, "cadre", households["a1"], date(2020, 3, 2))
    body = api("county").get("/api/v1/regions/610926/visit-compliance", {"on": "2020-04-01", "page_size": 1}).json()
    assert body["totals"] == {"households": 3, "visited": 1, "pending": 0, "overdue": 2, "compliant": 1,
                              "rate": 0.3333}
    assert body["overdue_count"] == 2 and len(body["overdue"]) == 1 and body["next"]
    assert {v["village_code"] for v in body["by_village"]} == {"610926100001", "610926100002", "610926101001"}
    assert any(p["key"] == "visits.max_days_between" for p in body["policy"])
    assert_error(api("township_b").get("/api/v1/regions/610926100000/visit-compliance"), 404)
    mine = api("cadre").get("/api/v1/regions/610926100000/visit-compliance", {"on": "2020-04-02"}).json()
    assert mine["totals"]["households"] == 1 and mine["overdue"][0]["days_since"] == 31


def test_schema_lists_the_visit_endpoints(anon):
    doc = anon.get("/api/v1/openapi.json").json()
    expected = {"/api/v1/households/{household_id}/visits": {"get", "post"},
                "/api/v1/visits/{visit_id}": {"get", "patch"}, "/api/v1/visits/{visit_id}/photo": {"get"},
                "/api/v1/visits/{visit_id}/follow-up/close": {"post"}, "/api/v1/my/households": {"get"},
                "/api/v1/regions/{code}/visit-compliance": {"get"}}
    for path, methods in expected.items():
        assert set(doc["paths"][path]) & {"get", "post", "patch"} == methods
    post = doc["paths"]["/api/v1/households/{household_id}/visits"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "multipart/form-data"}

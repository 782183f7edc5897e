from fupin.audit.selectors import audit_events_visible_to

from .conftest import assert_error


def _events(users, household):
    return audit_events_visible_to(users["auditor"]).filter(object_type="registry.household",
                                                            object_id=str(household.pk))


def test_invalid_phone_is_400_per_field_and_writes_nothing(api, users, households):
    a1 = households["a1"]
    r = api("clerk_a").patch(f"/api/v1/households/{a1.pk}", {"phone": "12345", "address": "新地址"}, format="json")
    error = assert_error(r, 400, "invalid")
    assert error["fields"]["phone"] == ["户联系电话“12345”无效：应为 11 位手机号或带区号的固定电话"]
    a1.refresh_from_db()
    assert a1.phone == "13800138000" and a1.address == "610926100001 一组"
    assert not _events(users, a1).exists()


def test_fields_that_may_not_be_edited_are_refused(api, households):
    a1 = households["a1"]
    r = api("clerk_a").patch(f"/api/v1/households/{a1.pk}", {"status": "exited", "address": "x"}, format="json")
    error = assert_error(r, 400, "invalid")
    assert error["fields"] == {"status": ["字段“status”不能在此修改"]}
    a1.refresh_from_db()
    assert a1.status == "not_exited" and a1.address != "x"


def test_wrong_types_and_malformed_json(api, households):
    url = f"/api/v1/households/{households['a1'].pk}"
    error = assert_error(api("clerk_a").patch(url, {"phone": ["1"]}, format="json"), 400, "invalid")
    assert error["fields"]["phone"] == ["不是有效的字符串。"]
    r = api("clerk_a").patch(url, "{not json", content_type="application/json")
    assert assert_error(r, 400, "parse_error")["message"] == "请求体不是有效的 JSON"
    r = api("clerk_a").patch(url, "phone=1", content_type="text/plain")
    assert "不支持" in assert_error(r, 415)["message"]


def test_valid_patch_returns_detail_and_is_audited_with_ip(api, users, households):
    a1 = households["a1"]
    r = api("clerk_a").patch(f"/api/v1/households/{a1.pk}", {"phone": "139 0000 0000", "group_name": "二组"},
                             format="json", REMOTE_ADDR="10.20.30.40")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["phone"] == "13900000000" and data["group_name"] == "二组"
    assert len(data["members"]) == 2
    a1.refresh_from_db()
    assert a1.phone == "13900000000" and a1.group_name == "二组"
    event = _events(users, a1).get()
    assert event.action == "update"
    assert event.actor_name == "clerk_a" and event.actor_id == users["clerk_a"].pk
    assert event.ip == "10.20.30.40"
    assert event.before == {"phone": "13800138000", "group_name": ""}
    assert event.after == {"phone": "13900000000", "group_name": "二组"}


def test_patch_with_session_needs_no_token(client, users, households):
    client.force_login(users["township_a"])
    r = client.patch(f"/api/v1/households/{households['a2'].pk}", {"address": "三里垭村 二组"},
                     content_type="application/json")
    assert r.status_code == 200 and r.json()["address"] == "三里垭村 二组"

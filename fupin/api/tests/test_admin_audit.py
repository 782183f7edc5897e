from django.conf import settings

from fupin.conftest import PASSWORD

from .conftest import assert_error


def test_users_list_for_sysadmin_only(api, users):
    r = api("admin").get("/api/v1/users")
    assert r.status_code == 200
    names = {u["username"] for u in r.json()["results"]}
    # The county sysadmin sees accounts bound inside 平利县, not the city, province or stranger.
    assert {"clerk_a", "county", "auditor", "cadre", "admin"} <= names
    assert not names & {"city", "province", "stranger", "root"}
    assert api("root").get("/api/v1/users").json()["count"] == len(users)
    for name in ("county", "auditor", "clerk_a"):
        assert_error(api(name).get("/api/v1/users"), 403, "permission_denied")


def test_disable_and_enable(api, users):
    target = users["clerk_a"]
    r = api("admin").post(f"/api/v1/users/{target.pk}/disable")
    assert r.status_code == 200 and r.json()["is_active"] is False
    target.refresh_from_db()
    assert target.is_active is False
    r = api("admin").post(f"/api/v1/users/{target.pk}/enable")
    assert r.status_code == 200 and r.json()["is_active"] is True
    target.refresh_from_db()
    assert target.is_active is True


def test_unlock(anon, api, users):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        anon.post("/api/v1/auth/token", {"username": "clerk_b", "password": "bad-password"}, format="json")
    users["clerk_b"].refresh_from_db()
    assert users["clerk_b"].locked_until is not None
    listed = {u["username"]: u for u in api("admin").get("/api/v1/users").json()["results"]}
    assert listed["clerk_b"]["is_locked"] is True
    r = api("admin").post(f"/api/v1/users/{users['clerk_b'].pk}/unlock")
    assert r.status_code == 200 and r.json()["is_locked"] is False and r.json()["failed_logins"] == 0
    r = anon.post("/api/v1/auth/token", {"username": "clerk_b", "password": PASSWORD}, format="json")
    assert r.status_code == 200


def test_user_actions_refused_to_non_admins_and_outside_scope(api, users):
    target = users["clerk_a"]
    for name in ("county", "township_a", "auditor"):
        assert_error(api(name).post(f"/api/v1/users/{target.pk}/disable"), 403)
        assert_error(api(name).post(f"/api/v1/users/{target.pk}/unlock"), 403)
    target.refresh_from_db()
    assert target.is_active is True
    # A county sysadmin cannot touch an account outside the county, nor their own.
    assert_error(api("admin").post(f"/api/v1/users/{users['stranger'].pk}/disable"), 404)
    assert_error(api("admin").post(f"/api/v1/users/{users['admin'].pk}/disable"), 403)
    assert_error(api("admin").post("/api/v1/users/999999/disable"), 404)


def test_user_action_wrong_method(api, users):
    r = api("admin").get(f"/api/v1/users/{users['clerk_a'].pk}/disable")
    assert assert_error(r, 405, "method_not_allowed")["message"] == "方法 “GET” 不被允许。"


def test_audit_verify(api, households):
    r = api("auditor").get("/api/v1/audit/verify")
    assert r.status_code == 200
    data = r.json()
    assert data["ok"] is True and data["checked"] > 0 and data["broken_at_seq"] is None
    assert api("admin").get("/api/v1/audit/verify").status_code == 200
    assert_error(api("clerk_a").get("/api/v1/audit/verify"), 403, "permission_denied")
    assert_error(api("county").get("/api/v1/audit/verify"), 403)

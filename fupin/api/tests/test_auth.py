from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from fupin.accounts.services import api_token_create, user_set_active
from fupin.conftest import PASSWORD

from .conftest import assert_error

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"


def _bearer(client, key):
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_obtain_token_and_use_it(anon, users):
    r = anon.post(TOKEN_URL, {"username": "county", "password": PASSWORD}, format="json")
    assert r.status_code == 200, r.content
    assert r["Cache-Control"] == "no-store"
    body = r.json()
    assert set(body) == {"token", "expires_at"} and len(body["token"]) >= 32

    me = _bearer(anon, body["token"]).get(ME_URL)
    assert me.status_code == 200
    data = me.json()
    assert data["username"] == "county"
    assert data["role"] == "county_approver" and data["role_label"] == "县级审批员"
    assert data["region"] == {"code": "610926000000", "name": "平利县", "level": "county", "level_label": "县"}
    assert "edit_registry" in data["capabilities"] and "manage_users" not in data["capabilities"]


def test_token_endpoint_accepts_form_data_and_bearer_keyword(anon, users):
    r = anon.post(TOKEN_URL, {"username": "auditor", "password": PASSWORD})
    assert r.status_code == 200
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {r.json()['token']}")
    assert anon.get(ME_URL).json()["role"] == "auditor"


def test_wrong_password_is_400_with_chinese_message(anon, users):
    r = anon.post(TOKEN_URL, {"username": "county", "password": "wrong-password"}, format="json")
    error = assert_error(r, 400, "login_failed")
    assert "用户名或密码错误" in error["message"]
    r = anon.post(TOKEN_URL, {"username": "nobody", "password": "wrong-password"}, format="json")
    assert assert_error(r, 400, "login_failed")["message"] == "用户名或密码错误"


def test_token_request_validation(anon, users):
    error = assert_error(anon.post(TOKEN_URL, {"username": "county"}, format="json"), 400, "invalid")
    assert error["fields"]["password"] == ["该字段是必填项。"]


def test_lockout_through_token_endpoint(anon, users):
    limit = settings.FUPIN_LOGIN_MAX_FAILURES
    for _ in range(limit):
        r = anon.post(TOKEN_URL, {"username": "clerk_a", "password": "wrong-password"}, format="json")
        assert r.status_code == 400
    assert "锁定" in r.json()["error"]["message"]
    # The right password no longer helps while locked.
    r = anon.post(TOKEN_URL, {"username": "clerk_a", "password": PASSWORD}, format="json")
    assert "账户已锁定" in assert_error(r, 400, "login_failed")["message"]
    users["clerk_a"].refresh_from_db()
    assert users["clerk_a"].locked_until is not None


def test_lockout_also_stops_existing_tokens(anon, users):
    _, key = api_token_create(user=users["clerk_a"])
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        anon.post(TOKEN_URL, {"username": "clerk_a", "password": "wrong-password"}, format="json")
    assert_error(_bearer(anon, key).get(ME_URL), 401)


def test_disabled_user_cannot_get_a_token(anon, users):
    user_set_active(actor=users["admin"], user_id=users["clerk_a"].pk, active=False)
    r = anon.post(TOKEN_URL, {"username": "clerk_a", "password": PASSWORD}, format="json")
    assert "停用" in assert_error(r, 400, "login_failed")["message"]


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token", "Token a b"])
def test_invalid_token_is_401_json(anon, users, header):
    anon.credentials(HTTP_AUTHORIZATION=header)
    r = anon.get(ME_URL)
    assert_error(r, 401, "authentication_failed")
    assert r["WWW-Authenticate"] == "Token"


def test_expired_token_is_401(anon, users):
    token, key = api_token_create(user=users["county"])
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    assert "令牌无效" in assert_error(_bearer(anon, key).get(ME_URL), 401)["message"]


def test_revoked_token_is_401(anon, users):
    token, key = api_token_create(user=users["county"])
    assert _bearer(anon, key).get(ME_URL).status_code == 200
    token.revoked = True
    token.save(update_fields=["revoked"])
    assert_error(anon.get(ME_URL), 401)


def test_disabled_users_token_stops_working(anon, api, users):
    _, key = api_token_create(user=users["clerk_a"])
    assert _bearer(anon, key).get(ME_URL).status_code == 200
    r = api("admin").post(f"/api/v1/users/{users['clerk_a'].pk}/disable")
    assert r.status_code == 200
    assert_error(anon.get(ME_URL), 401)


def test_no_credentials_is_401_with_token_challenge(anon, users):
    r = anon.get(ME_URL)
    assert assert_error(r, 401, "not_authenticated")["message"] == "未登录或认证失败"
    assert r["WWW-Authenticate"] == "Token"


def test_session_login_works_for_the_api(client, users):
    client.force_login(users["township_a"])
    r = client.get(ME_URL)
    assert r.status_code == 200 and r.json()["username"] == "township_a"

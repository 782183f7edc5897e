"""Login with lockout, logout, and account administration through the web UI."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import User
from fupin.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password, **extra):
    return client.post(reverse("web:login"), {"username": username, "password": password, **extra})


def _session_user_id(client):
    return client.session.get("_auth_user_id")


def test_successful_login_redirects_home(client, users):
    resp = _login(client, "clerk_a", PASSWORD)
    assert resp.status_code == 302 and resp["Location"] == reverse("web:home")
    assert _session_user_id(client) == str(users["clerk_a"].pk)
    assert client.get(reverse("web:home")).status_code == 302


def test_login_follows_safe_next_only(client, users):
    target = reverse("web:region", args=["610926100001"])
    resp = _login(client, "clerk_a", PASSWORD, next=target)
    assert resp["Location"] == target
    c2 = Client()
    resp = _login(c2, "clerk_a", PASSWORD, next="https://evil.example/")
    assert resp["Location"] == reverse("web:home")


def test_wrong_password_shows_message(client, users):
    resp = _login(client, "clerk_a", "wrong-password")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "用户名或密码错误" in html
    assert "wrong-password" not in html  # never echo the password back
    assert _session_user_id(client) is None


def test_unknown_user_gets_the_same_message(client, users):
    resp = _login(client, "nobody", "whatever-123")
    assert "用户名或密码错误" in resp.content.decode()


def test_lockout_refuses_even_the_right_password(client, users):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        resp = _login(client, "clerk_a", "wrong-password")
    assert "锁定" in resp.content.decode()
    resp = _login(client, "clerk_a", PASSWORD)
    assert resp.status_code == 200
    assert "锁定" in resp.content.decode()
    assert _session_user_id(client) is None


def test_disabled_user_cannot_log_in(client, users):
    User.objects.filter(pk=users["clerk_a"].pk).update(is_active=False)
    resp = _login(client, "clerk_a", PASSWORD)
    assert resp.status_code == 200
    assert "停用" in resp.content.decode()
    assert _session_user_id(client) is None


def test_empty_form_is_rejected_in_chinese(client, users):
    resp = _login(client, "", "")
    assert resp.status_code == 200
    assert "必填" in resp.content.decode()


def test_login_requires_csrf(users):
    c = Client(enforce_csrf_checks=True)
    resp = _login(c, "clerk_a", PASSWORD)
    assert resp.status_code == 403
    assert c.session.get("_auth_user_id") is None


def test_logout_is_post_only(login, users):
    c = login(users["clerk_a"])
    assert c.get(reverse("web:logout")).status_code == 405
    resp = c.post(reverse("web:logout"))
    assert resp.status_code == 302 and resp["Location"] == reverse("web:login")
    assert c.get(reverse("web:home")).status_code == 302
    assert _session_user_id(c) is None


# --- Account administration ----------------------------------------------------------------

def test_admin_disables_and_enables_a_user(login, users, client):
    target = users["clerk_a"]
    admin = login(users["admin"], Client())
    resp = admin.post(reverse("web:users"), {"action": "disable", "user_id": target.pk})
    assert resp.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert "已停用账户 clerk_a" in admin.get(reverse("web:users")).content.decode()
    assert "停用" in _login(client, "clerk_a", PASSWORD).content.decode()
    admin.post(reverse("web:users"), {"action": "enable", "user_id": target.pk})
    target.refresh_from_db()
    assert target.is_active
    assert _login(client, "clerk_a", PASSWORD).status_code == 302


def test_admin_unlocks_a_locked_user(login, users, client):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        _login(client, "clerk_a", "wrong-password")
    target = User.objects.get(pk=users["clerk_a"].pk)
    assert target.locked_until is not None
    admin = login(users["admin"], Client())
    html = admin.get(reverse("web:users")).content.decode()
    assert "已锁定" in html and 'value="unlock"' in html
    resp = admin.post(reverse("web:users"), {"action": "unlock", "user_id": target.pk})
    assert resp.status_code == 302
    target.refresh_from_db()
    assert target.locked_until is None and target.failed_logins == 0
    assert _login(client, "clerk_a", PASSWORD).status_code == 302


def test_admin_cannot_disable_self(login, users):
    admin = login(users["admin"])
    resp = admin.post(reverse("web:users"), {"action": "disable", "user_id": users["admin"].pk}, follow=True)
    assert "不能对自己的账户执行此操作" in resp.content.decode()
    assert User.objects.get(pk=users["admin"].pk).is_active


def test_admin_cannot_touch_users_outside_scope(login, users):
    resp = login(users["admin"]).post(reverse("web:users"), {"action": "disable", "user_id": users["stranger"].pk})
    assert resp.status_code == 404
    assert User.objects.get(pk=users["stranger"].pk).is_active


def test_non_admin_gets_403_and_changes_nothing(login, users):
    c = login(users["county"])
    assert c.get(reverse("web:users")).status_code == 403
    resp = c.post(reverse("web:users"), {"action": "disable", "user_id": users["clerk_a"].pk})
    assert resp.status_code == 403
    assert User.objects.get(pk=users["clerk_a"].pk).is_active
    resp = c.post(reverse("web:users"), {"action": "create", "username": "x1", "role": "village_clerk",
                                         "region_code": "610926100001", "password": PASSWORD})
    assert resp.status_code == 403
    assert not User.objects.filter(username="x1").exists()


def test_admin_creates_a_user(login, users, client):
    admin = login(users["admin"], Client())
    resp = admin.post(reverse("web:users"), {
        "action": "create", "username": "newclerk", "full_name": "新文书", "role": "village_clerk",
        "region_code": "610926100002", "phone": "", "password": PASSWORD})
    assert resp.status_code == 302
    created = User.objects.get(username="newclerk")
    assert created.region_id == "610926100002" and created.role == "village_clerk"
    assert _login(client, "newclerk", PASSWORD).status_code == 302


def test_create_user_shows_service_errors(login, users):
    admin = login(users["admin"])
    base = {"action": "create", "username": "x2", "full_name": "", "role": "village_clerk", "phone": "",
            "password": PASSWORD}
    # A village clerk bound to a township: the service's Chinese message sits by the region field.
    resp = admin.post(reverse("web:users"), {**base, "region_code": "610926100"})
    assert resp.status_code == 200
    assert "只能绑定到村级区划" in resp.content.decode()
    assert resp.context["form"].errors["region_code"]
    # Outside the admin's county.
    resp = admin.post(reverse("web:users"), {**base, "region_code": "620000"})
    assert "不能在您的管辖范围以外创建用户" in resp.content.decode()
    # Malformed code, duplicate name, weak password.
    resp = admin.post(reverse("web:users"), {**base, "region_code": "12ab"})
    assert "区划代码“12ab”无效" in resp.content.decode()
    resp = admin.post(reverse("web:users"), {**base, "username": "clerk_a", "region_code": "610926100001"})
    assert "已存在" in resp.content.decode()
    resp = admin.post(reverse("web:users"), {**base, "region_code": "610926100001", "password": "12345678"})
    assert resp.context["form"].errors["password"]
    assert not User.objects.filter(username="x2").exists()

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.accounts.services import (
    LoginRefused,
    api_token_create,
    api_token_user,
    authenticate_user,
    user_create,
    user_set_active,
    user_unlock,
)
from fupin.audit.models import AuditEvent
from fupin.conftest import PASSWORD


def test_production_hasher_is_argon2(settings):
    import fupin.settings as production  # the module, not the fast hasher the test run uses

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    encoded = make_password("Fupin#2026", hasher="argon2")
    assert encoded.startswith("argon2$") and check_password("Fupin#2026", encoded)


def test_login_success_resets_counter(users):
    with pytest.raises(LoginRefused):
        authenticate_user(username="clerk_a", password="wrong")
    user = authenticate_user(username="clerk_a", password=PASSWORD)
    user.refresh_from_db()
    assert user.failed_logins == 0 and user.last_login is not None
    assert AuditEvent.objects.filter(action="login", actor_id=user.pk).exists()


def test_lockout_after_repeated_failures(users):
    limit = settings.FUPIN_LOGIN_MAX_FAILURES
    for i in range(limit - 1):
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            authenticate_user(username="clerk_a", password=f"wrong{i}")
    with pytest.raises(LoginRefused, match="锁定"):
        authenticate_user(username="clerk_a", password="wrong-last")
    # Even the right password is refused while locked.
    with pytest.raises(LoginRefused, match="已锁定"):
        authenticate_user(username="clerk_a", password=PASSWORD)
    user = User.objects.get(username="clerk_a")
    assert user.locked_until > timezone.now()
    assert AuditEvent.objects.filter(action="locked", object_id=str(user.pk)).count() == 1
    # The lock expires by itself.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert authenticate_user(username="clerk_a", password=PASSWORD).pk == user.pk


def test_lockout_is_not_reset_by_other_users(users):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        with pytest.raises(LoginRefused):
            authenticate_user(username="clerk_a", password="bad")
    assert authenticate_user(username="clerk_b", password=PASSWORD).username == "clerk_b"
    with pytest.raises(LoginRefused):
        authenticate_user(username="clerk_a", password=PASSWORD)


def test_unknown_user_gets_generic_message(users):
    with pytest.raises(LoginRefused) as exc:
        authenticate_user(username="nobody", password="x")
    assert exc.value.message == "用户名或密码错误"


def test_admin_unlocks_and_disables(users):
    for _ in range(settings.FUPIN_LOGIN_MAX_FAILURES):
        with pytest.raises(LoginRefused):
            authenticate_user(username="clerk_a", password="bad")
    user_unlock(actor=users["admin"], user_id=users["clerk_a"].pk)
    assert authenticate_user(username="clerk_a", password=PASSWORD)
    user_set_active(actor=users["admin"], user_id=users["clerk_a"].pk, active=False)
    with pytest.raises(LoginRefused, match="停用"):
        authenticate_user(username="clerk_a", password=PASSWORD)
    assert AuditEvent.objects.filter(action="disable", object_id=str(users["clerk_a"].pk)).exists()


def test_only_admin_in_scope_manages_users(users):
    with pytest.raises(PermissionDenied):
        user_set_active(actor=users["county"], user_id=users["clerk_a"].pk, active=False)
    # The county admin cannot reach an account in another province (404: not in scope).
    with pytest.raises(Http404):
        user_set_active(actor=users["admin"], user_id=users["stranger"].pk, active=False)
    with pytest.raises(PermissionDenied):
        user_set_active(actor=users["admin"], user_id=users["admin"].pk, active=False)
    assert User.objects.get(username="stranger").is_active


def test_disabling_revokes_api_tokens(users):
    _, key = api_token_create(user=users["clerk_a"])
    assert api_token_user(key) == users["clerk_a"]
    user_set_active(actor=users["admin"], user_id=users["clerk_a"].pk, active=False)
    assert api_token_user(key) is None


def test_token_is_stored_hashed_and_expires(users):
    token, key = api_token_create(user=users["clerk_a"])
    assert key not in token.key_hash and len(token.key_hash) == 64
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert api_token_user(key) is None


@pytest.mark.parametrize(("role", "region", "ok"), [
    (Role.VILLAGE_CLERK, "610926100001", True),
    (Role.VILLAGE_CLERK, "610926100000", False),  # a clerk belongs to a village
    (Role.TOWNSHIP_REVIEWER, "610926000000", False),
    (Role.COUNTY_APPROVER, "610926000000", True),
    (Role.CITY_VIEWER, "610900000000", True),
    (Role.PROVINCE_VIEWER, "610900000000", False),
    (Role.CADRE, "610926100001", True),
])
def test_role_is_bound_to_its_level(regions, role, region, ok):
    if ok:
        user_create(actor=None, username="x", password=PASSWORD, role=role, region_code=region)
    else:
        with pytest.raises(ValidationError) as exc:
            user_create(actor=None, username="x", password=PASSWORD, role=role, region_code=region)
        assert "region" in exc.value.message_dict


def test_admin_creates_users_only_in_scope(users):
    with pytest.raises(PermissionDenied):
        user_create(actor=users["admin"], username="far", password=PASSWORD, role=Role.VILLAGE_CLERK,
                    region_code="620100000000")
    with pytest.raises(ValidationError) as exc:
        user_create(actor=users["admin"], username="weak", password="123", role=Role.VILLAGE_CLERK,
                    region_code="610926100001")
    assert "password" in exc.value.message_dict
    u = user_create(actor=users["admin"], username="new_clerk", password=PASSWORD, role=Role.VILLAGE_CLERK,
                    region_code="610926100001")
    assert AuditEvent.objects.filter(action="create", object_type="accounts.user", object_id=str(u.pk),
                                     actor_id=users["admin"].pk).exists()


def test_session_expires_when_idle(users, client):
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request renews the idle timer
    client.force_login(users["county"])
    assert client.get("/").status_code in (200, 302)
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/r/610926000000/")
    assert response.status_code == 302 and "/login/" in response["Location"]

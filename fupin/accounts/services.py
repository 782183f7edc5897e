"""State changes of accounts: login with lockout, user administration, API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.audit.services import Action, Entry, entry_for, record
from fupin.core.prepared import PreparedQuery
from fupin.regions.models import Region

from .models import ApiToken, User
from .roles import ROLE_LEVELS, Cap, Role
from .scope import code_in_scope, require, scoped_get

GENERIC_LOGIN_ERROR = "用户名或密码错误"


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _login_entry(user: User, action: str, detail: dict | None = None) -> Entry:
    return Entry(action=action, object_type="accounts.user", object_id=str(user.pk), object_repr=user.username,
                 region_code=user.region_id, after=detail)


def authenticate_user(*, username: str, password: str) -> User:
    """Check a password with lockout: after FUPIN_LOGIN_MAX_FAILURES wrong passwords in a row the
    account is locked for FUPIN_LOCKOUT_MINUTES. Raises LoginRefused with a Chinese message.

    Failures are committed even though the caller gets an exception (the counter must stick)."""
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            User().set_password(password)  # same cost as a real check: no username probing by timing
            raise_after = LoginRefused(GENERIC_LOGIN_ERROR)
        elif user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise_after = LoginRefused(f"账户已锁定，请 {minutes} 分钟后再试或联系管理员解锁")
        elif not user.check_password(password):
            user.failed_logins += 1
            fields = ["failed_logins"]
            if user.failed_logins >= settings.FUPIN_LOGIN_MAX_FAILURES:
                user.locked_until = now + timedelta(minutes=settings.FUPIN_LOCKOUT_MINUTES)
                fields.append("locked_until")
                record(actor=user, entry=_login_entry(user, Action.LOCKED, {"failed_logins": user.failed_logins}))
                raise_after = LoginRefused(
                    f"密码连续错误 {user.failed_logins} 次，账户已锁定 {settings.FUPIN_LOCKOUT_MINUTES} 分钟")
            else:
                left = settings.FUPIN_LOGIN_MAX_FAILURES - user.failed_logins
                record(actor=user, entry=_login_entry(user, Action.LOGIN_FAILED, {"failed_logins": user.failed_logins}))
                raise_after = LoginRefused(f"{GENERIC_LOGIN_ERROR}（再错 {left} 次将锁定账户）")
            user.save(update_fields=fields)
        elif not user.is_active:
            raise_after = LoginRefused("账户已停用，请联系管理员")
        else:
            if user.failed_logins or user.locked_until:
                user.failed_logins, user.locked_until = 0, None
            user.last_login = now
            user.save(update_fields=["failed_logins", "locked_until", "last_login"])
            record(actor=user, entry=_login_entry(user, Action.LOGIN))
            return user
    raise raise_after


def _check_role_region(role: str, region: Region) -> None:
    if role not in dict(Role.CHOICES):
        raise ValidationError({"role": [f"角色“{role}”不存在"]})
    if region.level not in ROLE_LEVELS[role]:
        allowed = "、".join(sorted({dict(Region._meta.get_field('level').choices)[lv] for lv in ROLE_LEVELS[role]}))
        raise ValidationError({"region": [f"{Role.LABELS[role]}只能绑定到{allowed}级区划，"
                                          f"“{region.name}”是{region.level_label}级"]})


@transaction.atomic
def user_create(*, actor: User | None, username: str, password: str, role: str, region_code: str,
                full_name: str = "", phone: str = "") -> User:
    """Create an account. `actor` None is the installer (CLI); otherwise a sysadmin in scope."""
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": [f"区划代码“{region_code}”不存在"]})
    if actor is not None:
        require(actor, Cap.MANAGE_USERS)
        if not code_in_scope(actor, region.code):
            raise PermissionDenied("不能在您的管辖范围以外创建用户")
        if role == Role.SYSADMIN and region.code == actor.region_id:
            raise PermissionDenied("不能创建与自己同级的系统管理员")
    _check_role_region(role, region)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [f"用户名“{username}”已存在"]})
    user = User(username=username, role=role, region=region, full_name=full_name, phone=phone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    record(actor=actor, entry=entry_for(user, action=Action.CREATE, region_code=region.code,
                                        after={"username": username, "role": role, "region": region.code}))
    return user


def _managed_user(actor: User, user_id: int) -> User:
    target = scoped_get(User.objects.select_related("region"), actor, pk=user_id, region_field="region_id",
                        for_update=True, need=Cap.MANAGE_USERS)
    if target.pk == actor.pk:
        raise PermissionDenied("不能对自己的账户执行此操作")
    return target


@transaction.atomic
def user_set_active(*, actor: User, user_id: int, active: bool) -> User:
    target = _managed_user(actor, user_id)
    if target.is_active != active:
        target.is_active = active
        target.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=target, revoked=False).update(revoked=True)
        record(actor=actor, entry=entry_for(target, action=Action.ENABLE if active else Action.DISABLE,
                                            region_code=target.region_id, before={"is_active": not active},
                                            after={"is_active": active}))
    return target


@transaction.atomic
def user_unlock(*, actor: User, user_id: int) -> User:
    target = _managed_user(actor, user_id)
    before = {"failed_logins": target.failed_logins,
              "locked_until": target.locked_until.isoformat() if target.locked_until else None}
    target.failed_logins, target.locked_until = 0, None
    target.save(update_fields=["failed_logins", "locked_until"])
    record(actor=actor, entry=entry_for(target, action=Action.UNLOCK, region_code=target.region_id,
                                        before=before, after={"failed_logins": 0, "locked_until": None}))
    return target


TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User) -> tuple[ApiToken, str]:
    """A new token for `user`; the plain key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, key_hash=_hash_token(key), prefix=key[:8],
                                    expires_at=timezone.now() + timedelta(days=settings.FUPIN_API_TOKEN_DAYS))
    record(actor=user, entry=Entry(action=Action.CREATE, object_type="accounts.apitoken", object_id=str(token.pk),
                                   object_repr=f"{token.prefix}…", region_code=user.region_id))
    return token, key


# Runs on every API request: compiled to SQL once per connection (compiling costs more than the
# query). key_hash is unique, so it finds at most one token; expiry is checked on the row.
_TOKEN_BY_HASH = PreparedQuery(lambda key_hash: ApiToken.objects.select_related("user", "user__region")
                               .filter(key_hash=key_hash, revoked=False))


def api_token_user(key: str) -> User | None:
    """The active user a token belongs to, or None if unknown, revoked, expired or disabled."""
    now = timezone.now()
    token = next(iter(_TOKEN_BY_HASH(key_hash=_hash_token(key))), None)
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.user.locked_until and token.user.locked_until > now:
        return None
    # "Last used" to the minute: a committed write on every request would cost more than most reads.
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

"""Scoped reads of accounts."""

from django.db.models import QuerySet

from .models import User
from .roles import Cap
from .scope import require, scoped, scoped_get


def users_visible_to(actor: User) -> QuerySet[User]:
    """Accounts a system administrator manages: those bound inside their region subtree."""
    require(actor, Cap.MANAGE_USERS)
    return scoped(User.objects.select_related("region"), actor, region_field="region_id").order_by("region_id", "username")


def user_access(actor: User, user_id: int) -> User:
    return scoped_get(User.objects.select_related("region"), actor, pk=user_id, region_field="region_id",
                      need=Cap.MANAGE_USERS)


def user_is_locked(user: User, *, now=None) -> bool:
    """Whether a login lockout is in force (the same test authenticate_user applies)."""
    from django.utils import timezone

    now = now or timezone.now()
    return bool(user.locked_until and user.locked_until > now)

"""Template helpers for the web UI. Capabilities are decided by User.can (roles.py), not here."""

from django import template

register = template.Library()


@register.filter
def can(user, cap: str) -> bool:
    """`{% if user|can:"manage_users" %}`: templates cannot call methods with arguments."""
    return bool(getattr(user, "is_authenticated", False)) and user.can(cap)

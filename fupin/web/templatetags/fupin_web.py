"""Template helpers for the web UI. Capabilities are decided by User.can (roles.py), not here."""

from django import template

register = template.Library()


@register.filter
def can(user, cap: str) -> bool:
    """`{% if user|can:"manage_users" %}`: templates cannot call methods with arguments."""
    return bool(getattr(user, "is_authenticated", False)) and user.can(cap)


@register.filter
def yuan(value) -> str:
    """Money (Decimal, 2 places) with thousands separators: 64412000 → "64,412,000.00"."""
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)

"""Capability checks at the door of an endpoint. Scope (which rows) stays in the selectors; this only
answers "may this role use this endpoint at all", so a user without the capability gets 403
whatever the target."""

from rest_framework.permissions import BasePermission

NO_RIGHT = "您的角色无权执行此操作"


def capability(cap: str) -> type[BasePermission]:
    """A permission class admitting active users whose role holds `cap` (accounts.roles.Cap)."""

    class HasCapability(BasePermission):
        message = NO_RIGHT

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user is not None and user.is_authenticated and user.can(cap))

    HasCapability.__name__ = HasCapability.__qualname__ = f"Has_{cap}"
    return HasCapability

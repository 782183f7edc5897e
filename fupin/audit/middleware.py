from django.conf import settings

from .context import acting


def client_ip(request) -> str | None:
    if settings.FUPIN_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the request's address available to the audit trail. The actor is passed to services
    explicitly; the address is taken from here so services need not know about requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        with acting(actor_id=user.pk if authenticated else None,
                    actor_name=user.username if authenticated else "anonymous",
                    ip=client_ip(request)):
            return self.get_response(request)

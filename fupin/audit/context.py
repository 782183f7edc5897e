"""Who is acting and from where, for the audit trail, carried through the request or command."""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    actor_name: str = "system"
    ip: str | None = None


_NOBODY = AuditContext()
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("fupin_audit_context", default=_NOBODY)  # noqa: B039 -- frozen


def current() -> AuditContext:
    return _current.get()


@contextmanager
def acting(*, actor_id: int | None = None, actor_name: str, ip: str | None = None):
    token = _current.set(AuditContext(actor_id=actor_id, actor_name=actor_name, ip=ip))
    try:
        yield
    finally:
        _current.reset(token)

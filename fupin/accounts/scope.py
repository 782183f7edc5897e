"""The one place where a user's data scope is decided (数据权限).

Every read of scoped data goes through `scoped()`, every single-object access through
`scoped_get()`; selectors in each app call these and views never query scoped models directly
(a test in accounts/tests/test_scope_gate.py fails if one does).

Scope = the user's region subtree, which is one range of 12-digit codes, so scoping any table
that stores a region code is a single indexed range condition. A cadre (帮扶责任人) is further
limited to the households paired with them.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from fupin.regions.codes import CodeRange

from .roles import Role, role_has

OUT_OF_SCOPE = "未找到该记录，或该记录不在您的管辖范围内"


@dataclass(frozen=True)
class Scope:
    user_id: int
    role: str
    region_code: str
    codes: CodeRange

    @property
    def cadre_only(self) -> bool:
        return self.role == Role.CADRE


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("请先登录")
    region = user.region
    return Scope(user_id=user.pk, role=user.role, region_code=region.code, codes=region.code_range)


def in_code_range(field: str, codes: CodeRange) -> Q:
    """`field` (a region code column or Region FK) lies in the code range. gte/lte rather than
    `range` because Django allows only comparison lookups across a foreign key."""
    return Q(**{f"{field}__gte": codes.low, f"{field}__lte": codes.high})


def scope_filter(user, *, region_field: str, cadre_field: str | None = None) -> Q:
    """The Q object limiting a query to what `user` may see.

    `region_field` names the field holding a 12-digit region code (a Region FK's `_id` or a
    code column, possibly across a relation). `cadre_field` names the helper-cadre FK for data
    tied to households; a cadre sees nothing of a kind of data that has no cadre field.
    """
    scope = scope_of(user)
    q = in_code_range(region_field, scope.codes)
    if scope.cadre_only:
        if cadre_field is None:
            return Q(pk__in=[])
        q &= Q(**{cadre_field: scope.user_id})
    return q


def scoped(qs: QuerySet, user, *, region_field: str, cadre_field: str | None = None) -> QuerySet:
    return qs.filter(scope_filter(user, region_field=region_field, cadre_field=cadre_field))


def scoped_get(qs: QuerySet, user, *, pk, region_field: str, cadre_field: str | None = None,
               for_update: bool = False, need: str | None = None) -> Model:
    """Fetch one object inside the user's scope or raise.

    Out of scope answers 404 (the object's existence is not revealed); in scope but lacking the
    capability `need` answers 403. With `for_update` the row is locked until the transaction ends.
    """
    qs = scoped(qs, user, region_field=region_field, cadre_field=cadre_field)
    if for_update:
        qs = qs.select_for_update(of=("self",))  # lock only this row, not joined ones
    try:
        obj = qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(OUT_OF_SCOPE) from None
    if need is not None and not role_has(user.role, need):
        raise PermissionDenied("您的角色无权执行此操作")
    return obj


def require(user, cap: str) -> None:
    scope_of(user)
    if not role_has(user.role, cap):
        raise PermissionDenied("您的角色无权执行此操作")


def code_in_scope(user, code: str) -> bool:
    return code in scope_of(user).codes

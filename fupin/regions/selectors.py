"""Reads over the region tree. Subtrees are code ranges (see codes.py)."""

from django.db.models import QuerySet

from .codes import NATION_CODE, CodeRange, Level, prefix_of
from .models import Region


def region_get(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def region_subtree(region: Region, *, include_self: bool = True) -> QuerySet[Region]:
    low, high = region.code_range.as_tuple()
    qs = Region.objects.filter(code__range=(low, high))
    if not include_self:
        qs = qs.exclude(code=region.code)
    return qs


def region_children(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=region.code).order_by("code")


def region_ancestors(region: Region) -> list[Region]:
    """Root first, the region itself last. One query: ancestors' codes follow from the code."""
    codes = {NATION_CODE}
    for level in Level.ORDER[1 : Level.depth(region.level)]:
        codes.add(prefix_of(region.code, level).ljust(12, "0"))
    codes.add(region.code)
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    # Skip levels that do not exist (e.g. a county directly under its province).
    chain = [found[c] for c in sorted(codes) if c in found]
    chain.sort(key=lambda r: Level.depth(r.level))
    return chain


def region_within(outer: Region, code: str) -> bool:
    return code in outer.code_range


def code_range_for(code: str, level: str) -> CodeRange:
    return CodeRange.for_prefix(prefix_of(code, level))


def region_access(user, code: str) -> Region:
    """The gate for opening a region: 404 unless it lies inside the user's region subtree."""
    from django.http import Http404

    from fupin.accounts.scope import OUT_OF_SCOPE, code_in_scope

    region = region_get(code)
    if region is None or not code_in_scope(user, region.code):
        raise Http404(OUT_OF_SCOPE)
    return region


def breadcrumb_for(user, region: Region) -> list[tuple[Region, bool]]:
    """Ancestors root-first with whether the user may open each (above their own region: no)."""
    from fupin.accounts.scope import code_in_scope

    return [(r, code_in_scope(user, r.code)) for r in region_ancestors(region)]

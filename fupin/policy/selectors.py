"""Resolving policy values for a year and region (most specific region, then latest year)."""

from dataclasses import dataclass

from django.db.models import Q

from fupin.regions.codes import NATION_CODE, ancestor_codes

from .models import PolicyValue


class PolicyMissing(LookupError):
    pass


@dataclass(frozen=True)
class Resolved:
    """A value with where it came from, so every number built on it can be explained."""

    key: str
    value: object
    region_code: str
    year_from: int
    source: str

    def explain(self) -> dict:
        return {"key": self.key, "value": self.value, "region_code": self.region_code,
                "year_from": self.year_from, "source": self.source}


def resolve_many(keys: list[str] | tuple[str, ...], *, year: int, region_code: str = NATION_CODE) -> dict[str, Resolved]:
    """All `keys` in one query. Raises PolicyMissing naming the keys that have no value."""
    ancestors = ancestor_codes(region_code)
    depth = {code: i for i, code in enumerate(ancestors)}
    rows = PolicyValue.objects.filter(Q(year_to__isnull=True) | Q(year_to__gte=year), key__in=keys,
                                      region_code__in=ancestors, year_from__lte=year)
    best: dict[str, PolicyValue] = {}
    for row in rows:
        cur = best.get(row.key)
        if cur is None or (depth[row.region_code], row.year_from) > (depth[cur.region_code], cur.year_from):
            best[row.key] = row
    missing = [k for k in keys if k not in best]
    if missing:
        raise PolicyMissing(f"缺少政策参数：{'、'.join(missing)}（{year} 年，区划 {region_code}）")
    return {k: Resolved(k, r.value, r.region_code, r.year_from, r.source) for k, r in best.items()}


def first_year(key: str, *, region_code: str = NATION_CODE) -> int | None:
    """The first year `key` has a value for `region_code` (on it or an ancestor), e.g. when
    防止返贫监测 began there (the first monitoring_line row); None if it never has one."""
    from django.db.models import Min

    return PolicyValue.objects.filter(key=key, region_code__in=ancestor_codes(region_code)).aggregate(
        y=Min("year_from"))["y"]


def resolve(key: str, *, year: int, region_code: str = NATION_CODE) -> Resolved:
    return resolve_many([key], year=year, region_code=region_code)[key]


@dataclass(frozen=True)
class PolicyLine:
    """One key as it applies to a region and year: the value in force and every row behind it."""

    key: str
    effective: PolicyValue | None
    rows: list[PolicyValue]  # rows at the region or its ancestors, most general first

    @property
    def overridden_here(self) -> bool:
        return self.effective is not None and self.effective.region_code != NATION_CODE


def policy_overview(*, region_code: str, year: int) -> list[PolicyLine]:
    """Every policy key as it applies to `region_code` in `year` (one query). Policy values are
    public rules, not personal data: anyone who may see the region may read them."""
    ancestors = ancestor_codes(region_code)
    depth = {code: i for i, code in enumerate(ancestors)}
    rows = list(PolicyValue.objects.filter(region_code__in=ancestors).order_by("key", "year_from"))
    by_key: dict[str, list[PolicyValue]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    lines = []
    for key, key_rows in sorted(by_key.items()):
        valid = [r for r in key_rows if r.year_from <= year and (r.year_to is None or r.year_to >= year)]
        best = max(valid, key=lambda r: (depth[r.region_code], r.year_from), default=None)
        lines.append(PolicyLine(key, best, sorted(key_rows, key=lambda r: (depth[r.region_code], r.year_from))))
    return lines


def resolver(keys: list[str] | tuple[str, ...], *, year: int):
    """Resolve `keys` for many regions with one query (for set-based work over many villages).

    Returns `resolve_for(region_code) -> dict[str, Resolved]` with the semantics of
    `resolve_many`: among the rows valid in `year` (year_from ≤ year, year_to empty or ≥ year) on
    the region or an ancestor, the most specific region wins, then the latest `year_from`.
    Results are cached per region code; `resolve_for` raises PolicyMissing like `resolve_many`.
    """
    keys = tuple(keys)
    by_region: dict[str, list[PolicyValue]] = {}
    for row in PolicyValue.objects.filter(Q(year_to__isnull=True) | Q(year_to__gte=year), key__in=keys,
                                          year_from__lte=year):
        by_region.setdefault(row.region_code, []).append(row)
    cache: dict[str, dict[str, Resolved]] = {}

    def resolve_for(region_code: str = NATION_CODE) -> dict[str, Resolved]:
        if region_code in cache:
            return cache[region_code]
        best: dict[str, tuple[tuple[int, int], PolicyValue]] = {}
        for depth, code in enumerate(ancestor_codes(region_code)):
            for row in by_region.get(code, ()):
                rank = (depth, row.year_from)
                if row.key not in best or rank > best[row.key][0]:
                    best[row.key] = (rank, row)
        missing = [k for k in keys if k not in best]
        if missing:
            raise PolicyMissing(f"缺少政策参数：{'、'.join(missing)}（{year} 年，区划 {region_code}）")
        cache[region_code] = {k: Resolved(k, r.value, r.region_code, r.year_from, r.source)
                              for k, (_, r) in best.items()}
        return cache[region_code]

    # The regions that have rows of these keys in `year`: a region resolves exactly like the most
    # specific of its ancestors in this set, so set-based callers can resolve per code range.
    resolve_for.region_codes = frozenset(by_region)
    return resolve_for

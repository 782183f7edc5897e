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


def resolve(key: str, *, year: int, region_code: str = NATION_CODE) -> Resolved:
    return resolve_many([key], year=year, region_code=region_code)[key]

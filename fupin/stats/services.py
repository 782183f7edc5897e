"""The refresh job (数据更新): recompute the facts of a subtree and years, roll them up, replace.

`refresh_stats(region_code=R, years=Y)` computes the base facts under R (compute.py, a fixed
number of GROUP BY queries per year), adds each one to every region above its code within R
(township = first 9 digits, county 6, city 4, province 2, nation all), and replaces the facts of
R's subtree for those years in one transaction. R is widened to its county when it is a township
or a village (the county decides where the rural population comes from). The regions above R
get R's change added (new − old), so refreshing one county keeps its province and the nation
current without recomputing them; refreshing the same data twice changes nothing. A refresh
without a region (the nation) is the authoritative full run.

Above county level the subtree is computed and written in batches of whole counties (about
BATCH_HOUSEHOLDS households each), so memory follows the largest batch, not the subtree: only
the facts of the regions above county level are kept until the end.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import Substr
from django.utils import timezone

from fupin.accounts.scope import in_code_range
from fupin.core.clock import today
from fupin.regions.codes import (
    NATION_CODE,
    CodeRange,
    Level,
    ancestor_codes,
    level_of,
    prefix_of,
    subtree_range,
)
from fupin.regions.models import Region
from fupin.registry.models import Household, HouseholdStatusEvent

from .compute import base_facts
from .models import RegionYearFact, StatsRefresh

BATCH = 5000
BATCH_HOUSEHOLDS = 20_000
ABOVE_COUNTY = [lv for lv in Level.ORDER if Level.depth(lv) < Level.depth(Level.COUNTY)]


def refresh_root(code: str | None) -> str:
    """The subtree a refresh of `code` recomputes: the county for a township or village."""
    code = code or NATION_CODE
    if Level.depth(level_of(code)) > Level.depth(Level.COUNTY):
        return prefix_of(code, Level.COUNTY).ljust(12, "0")
    return code


def default_years() -> list[int]:
    """From the first year with a status event to this year."""
    first = HouseholdStatusEvent.objects.aggregate(first=Min("effective_on"))["first"]
    last = today().year
    return list(range(min(first.year, last) if first else last, last + 1))


def roll_up(base: dict, regions: dict[str, str]) -> dict:
    """Add every base fact to its own code and each ancestor code that is a region in `regions`."""
    rolled: dict = defaultdict(int)
    for (code, metric, key), value in base.items():
        for target in ancestor_codes(code):
            if target in regions:
                rolled[(target, metric, key)] += value
    return rolled


@transaction.atomic
def refresh_stats(*, region_code: str | None = None, years: Iterable[int] | None = None, actor_name: str = "",
                  progress: Callable[[int], None] | None = None) -> StatsRefresh:
    """Recompute and replace the facts of the subtree and years; record the run."""
    started, clock = timezone.now(), time.monotonic()
    root = refresh_root(region_code)
    years = sorted(set(years)) if years else default_years()
    codes = subtree_range(root)
    # The root and the regions in it above county level: their facts are summed over the batches.
    top = dict(Region.objects.filter(code__range=codes.as_tuple()).filter(Q(level__in=ABOVE_COUNTY) | Q(code=root))
               .values_list("code", "level"))
    above = dict(Region.objects.filter(code__in=[c for c in ancestor_codes(root) if c != root])
                 .values_list("code", "level"))
    batches = _batches(root, codes)
    old_root = _facts_of([root], years, with_code=False)
    old_above = _facts_of(list(above), years, with_code=True)
    RegionYearFact.objects.filter(region_code__range=codes.as_tuple(), year__in=years).delete()
    RegionYearFact.objects.filter(region_code__in=list(above), year__in=years).delete()
    written = 0
    for year in years:
        upper: dict = defaultdict(int)
        for batch in batches:
            regions = dict(Region.objects.filter(code__range=batch.as_tuple()).exclude(code__in=list(top))
                           .values_list("code", "level"))
            lower = {}
            for fact, value in roll_up(base_facts(root, year, codes=batch), {**regions, **top}).items():
                if fact[0] in top:
                    upper[fact] += value
                else:
                    lower[fact] = value
            written += _write(lower, regions, year)
        new_above = dict(old_above.get(year, {}))
        for code in above:
            for (metric, key), value in old_root.get(year, {}).items():
                new_above[(code, metric, key)] = new_above.get((code, metric, key), 0) - value
            for (c, metric, key), value in upper.items():
                if c == root:
                    new_above[(code, metric, key)] = new_above.get((code, metric, key), 0) + value
        written += _write(upper, top, year) + _write(new_above, above, year)
        if progress:
            progress(1)
    finished = timezone.now()
    return StatsRefresh.objects.create(region_code=root, year_from=years[0], year_to=years[-1], started_at=started,
                                       finished_at=finished, duration_ms=round((time.monotonic() - clock) * 1000),
                                       rows_written=written, actor_name=actor_name[:150])


def _batches(root: str, codes: CodeRange) -> list[CodeRange]:
    """`codes` cut into consecutive ranges of whole counties with about BATCH_HOUSEHOLDS households
    each (one query); one range for a county or below. A code between counties (a city's own
    project) falls into the next range: every code is in exactly one."""
    if Level.depth(level_of(root)) >= Level.depth(Level.COUNTY):
        return [codes]
    per_county = (Household.objects.filter(in_code_range("village_id", codes))
                  .annotate(county=Substr("village_id", 1, Level.PREFIX_LENGTH[Level.COUNTY])).order_by("county")
                  .values("county").annotate(n=Count("id")).values_list("county", "n"))
    batches, low, size = [], codes.low, 0
    for county, n in per_county:
        size += n
        high = CodeRange.for_prefix(county).high
        if size >= BATCH_HOUSEHOLDS and high < codes.high:
            batches.append(CodeRange(low, high))
            low, size = str(int(high) + 1).zfill(len(high)), 0
    batches.append(CodeRange(low, codes.high))
    return batches


def _facts_of(codes: list[str], years: list[int], *, with_code: bool) -> dict[int, dict]:
    """{year: {(code, metric, key): value}}, or {year: {(metric, key): value}} without the code."""
    found: dict[int, dict] = defaultdict(dict)
    for code, year, metric, key, value in (RegionYearFact.objects.filter(region_code__in=codes, year__in=years)
                                           .values_list("region_code", "year", "metric", "key", "value")):
        found[year][(code, metric, key) if with_code else (metric, key)] = value
    return found


def _write(facts: dict, levels: dict[str, str], year: int) -> int:
    rows = [RegionYearFact(region_code=code, level=levels[code], year=year, metric=metric, key=key, value=value)
            for (code, metric, key), value in facts.items() if value and code in levels]
    RegionYearFact.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)

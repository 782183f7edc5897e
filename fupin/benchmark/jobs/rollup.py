"""Province rollup: the pre-aggregated statistics the app serves vs. DuckDB scanning the registry in Parquet.

Ours: `refresh_stats` for the province and year (timed apart: the cost of pre-aggregating, with the
process's peak memory right after it), then the read the web page, the API and `fupin stats` make
(`region_stats_unscoped`: the province and each child region). Reference: one DuckDB query over
the registry tables exported to Parquet (export timed apart), computing the same registry figures
from the rows. Compared: our warm read vs. DuckDB's warm query, the median of READS runs each after
one untimed run. The refresh runs in a transaction that is rolled back, so the dataset is unchanged.

Compared exactly, for the province: households and persons in the registry, remaining poor, by
year-end status, by main cause, by attribute, and the year's changes by kind (households, persons);
for each child region: the headline numbers (registered, poor, new, exited and returned). Not
compared (not registry tables): monitored households, rural population and incidence, helper
coverage, visits, measures, projects, funds, ledger.
"""

from __future__ import annotations

import resource
import statistics
import time
from datetime import date

import duckdb
from django.db import connection, transaction

from fupin.benchmark.context import JobContext, timed_result
from fupin.benchmark.export import export_registry
from fupin.regions.codes import Level, subtree_range
from fupin.regions.models import Region
from fupin.registry.choices import (
    POOR_STATUSES,
    HouseholdAttribute,
    HouseholdStatus,
    PovertyCause,
    StatusEventKind,
)
from fupin.registry.selectors_status import OUT_OF_REGISTRY
from fupin.stats.selectors import region_stats_unscoped
from fupin.stats.services import refresh_stats

READS = 7
TABLES = ("households", "members", "events", "household_years", "regions")
SUMMARY = ("households", "persons", "poor_households", "poor_persons", "new_households", "exited_households",
           "exited_persons", "returned_households", "returned_persons")
BREAKDOWNS = {"by_status": HouseholdStatus, "by_cause": PovertyCause, "by_attribute": HouseholdAttribute}


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux: ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def median_run(fn, runs: int) -> tuple[object, float, list[float]]:
    """fn() once untimed (warm), then `runs` timed runs: (last result, median seconds, all seconds)."""
    result = fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, statistics.median(times), [round(s, 5) for s in times]


# --- Our side: what the app serves ---------------------------------------------------------------

def figures_of_document(doc: dict) -> dict:
    """The compared figures out of `region_stats_unscoped`'s document."""
    region = {k: doc[k] for k in SUMMARY}
    for name in BREAKDOWNS:
        region[name] = {r["key"]: [r["households"], r["persons"]] for r in doc[name]}
    region["changes"] = {r["kind"]: [r["households"], r["persons"]] for r in doc["changes"]}
    return {"region": region, "children": {c["code"]: {k: c[k] for k in SUMMARY} for c in doc["children"]}}


def app_figures(region_code: str, year: int) -> dict:
    return figures_of_document(region_stats_unscoped(Region.objects.get(code=region_code), year))


# --- Reference: DuckDB over Parquet --------------------------------------------------------------

def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def duckdb_sql(paths: dict) -> str:
    """Facts (code, metric, key, households, persons) of the root ($root) and its children for the year
    ($start … $end), from the registry rows. Definitions as in fupin/stats/metrics.py: the status at
    year end is the latest event effective by then (ties: recorded later, then larger id); persons are
    the members present that day; an event's persons are the household size of its year if not zero,
    else the members present on its day."""
    src = {name: f"read_parquet('{str(p).replace(chr(39), chr(39) * 2)}')" for name, p in paths.items()}
    prefix = " ".join(f"WHEN '{lv}' THEN {n}" for lv, n in Level.PREFIX_LENGTH.items())
    out, poor = _quoted(OUT_OF_REGISTRY), _quoted(POOR_STATUSES)
    return f"""
WITH targets AS (
    SELECT code, CASE level {prefix} END AS plen FROM {src['regions']} WHERE code = $root OR parent_id = $root),
hh AS (SELECT id, village_id, main_cause, attribute FROM {src['households']} WHERE village_id BETWEEN $low AND $high),
latest AS (
    SELECT household_id, arg_max(to_status, (effective_on, recorded_at, id)) AS st FROM {src['events']}
    WHERE effective_on <= $end GROUP BY household_id),
present AS (
    SELECT household_id, count(*) AS n FROM {src['members']}
    WHERE birth_date <= $end AND (left_on IS NULL OR left_on > $end) GROUP BY household_id),
hv AS (
    SELECT hh.village_id, l.st, hh.main_cause, hh.attribute, count(*) AS n, sum(coalesce(p.n, 0)) AS persons
    FROM hh JOIN latest l ON l.household_id = hh.id LEFT JOIN present p ON p.household_id = hh.id
    GROUP BY hh.village_id, l.st, hh.main_cause, hh.attribute),
ev AS (
    SELECT e.id, e.household_id, e.kind, any_value(hh.village_id) AS village_id,
           coalesce(nullif(any_value(y.household_size), 0), count(m.id)) AS persons
    FROM {src['events']} e JOIN hh ON hh.id = e.household_id
    LEFT JOIN {src['household_years']} y ON y.household_id = e.household_id AND y.year = e.year
    LEFT JOIN {src['members']} m ON m.household_id = e.household_id AND m.birth_date <= e.effective_on
        AND (m.left_on IS NULL OR m.left_on >= e.effective_on)
    WHERE e.effective_on BETWEEN $start AND $end
    GROUP BY e.id, e.household_id, e.kind),
-- A household is in one village: distinct households per village add up over villages.
evv AS (SELECT village_id, kind, count(DISTINCT household_id) AS n, sum(persons) AS persons FROM ev
        GROUP BY village_id, kind),
ht AS (SELECT t.code, hv.* FROM hv JOIN targets t ON left(hv.village_id, t.plen) = left(t.code, t.plen)),
et AS (SELECT t.code, evv.* FROM evv JOIN targets t ON left(evv.village_id, t.plen) = left(t.code, t.plen))
SELECT code, 'target' AS metric, '' AS key, 0 AS households, 0 AS persons FROM targets
UNION ALL SELECT code, 'status', st, sum(n), sum(persons) FROM ht GROUP BY code, st
UNION ALL SELECT code, 'total', '', sum(n), sum(persons) FROM ht WHERE st NOT IN ({out}) GROUP BY code
UNION ALL SELECT code, 'poor', '', sum(n), sum(persons) FROM ht WHERE st IN ({poor}) GROUP BY code
UNION ALL SELECT code, 'cause', main_cause, sum(n), sum(persons) FROM ht WHERE st NOT IN ({out})
    GROUP BY code, main_cause
UNION ALL SELECT code, 'attribute', attribute, sum(n), sum(persons) FROM ht WHERE st NOT IN ({out})
    GROUP BY code, attribute
UNION ALL SELECT code, 'event', kind, sum(n), sum(persons) FROM et GROUP BY code, kind
"""


def assemble(rows, root: str) -> dict:
    """The figures (same shape as `figures_of_document`) from DuckDB's fact rows."""
    facts: dict = {}
    for code, metric, key, households, persons in rows:
        facts.setdefault(code, {})[(metric, key)] = [int(households), int(persons or 0)]

    def pair(f, metric, key=""):
        return f.get((metric, key), [0, 0])

    def summary(f):
        total, poor = pair(f, "total"), pair(f, "poor")
        new, exited = pair(f, "event", StatusEventKind.NEW), pair(f, "event", StatusEventKind.EXITED)
        returned = pair(f, "event", StatusEventKind.RETURNED)
        return {"households": total[0], "persons": total[1], "poor_households": poor[0], "poor_persons": poor[1],
                "new_households": new[0], "exited_households": exited[0], "exited_persons": exited[1],
                "returned_households": returned[0], "returned_persons": returned[1]}

    f = facts.get(root, {})
    metric_of = {"by_status": "status", "by_cause": "cause", "by_attribute": "attribute"}
    region = summary(f)
    for name, choices in BREAKDOWNS.items():
        region[name] = {c.value: pair(f, metric_of[name], c.value) for c in choices}
    region["changes"] = {k.value: pair(f, "event", k.value) for k in StatusEventKind}
    return {"region": region, "children": {code: summary(facts[code]) for code in sorted(facts) if code != root}}


def duckdb_figures(db, sql: str, region_code: str, year: int) -> dict:
    low, high = subtree_range(region_code).as_tuple()
    rows = db.execute(sql, {"root": region_code, "low": low, "high": high, "start": date(year, 1, 1),
                            "end": date(year, 12, 31)}).fetchall()
    return assemble(rows, region_code)


def differences(ours: dict, ref: dict, path: str = "") -> list[str]:
    """Where two nested figure dicts differ ('path: ours != reference')."""
    if isinstance(ours, dict) and isinstance(ref, dict):
        found = []
        for key in sorted(set(ours) | set(ref), key=str):
            found += differences(ours.get(key), ref.get(key), f"{path}/{key}")
        return found
    return [] if ours == ref else [f"{path}: {ours!r} != {ref!r}"]


# --- The job -------------------------------------------------------------------------------------

def province_rollup(*, ctx: JobContext) -> dict:
    code, year = ctx.region_code, ctx.year
    with transaction.atomic():
        t = time.perf_counter()
        run = refresh_stats(region_code=code, years=[year], actor_name="benchmark")
        refresh_s = time.perf_counter() - t
        refresh_rss = peak_rss_mb()
        ours, our_s, our_times = median_run(lambda: app_figures(code, year), READS)
        transaction.set_rollback(True)  # the facts and the refresh record are not kept
    export = export_registry(region_code=code, workdir=ctx.workdir / "rollup", tables=TABLES)
    sql = duckdb_sql(export["paths"])
    with duckdb.connect() as db:
        ref, ref_s, ref_times = median_run(lambda: duckdb_figures(db, sql, code, year), READS)
    diffs = differences(ours, ref)
    households = ours["region"]["households"]
    return timed_result(
        job="province_rollup", seconds=our_s, rows=export["rows"]["members"], unit="persons",
        reference="DuckDB query over the registry exported to Parquet", reference_seconds=ref_s,
        target_ratio=1.0, checked=not diffs,
        detail={
            "region_code": code, "year": year, "vendor": connection.vendor,
            "compared": "warm read of the province and its children (median of "
                        f"{READS}, after one untimed run) vs. DuckDB's warm query over Parquet (same)",
            "households": households, "persons": ours["region"]["persons"], "children": len(ours["children"]),
            "our_seconds_each": our_times, "reference_seconds_each": ref_times,
            "refresh": {"seconds": round(refresh_s, 3), "rows_written": run.rows_written,
                        "peak_rss_mb_after_refresh": refresh_rss,
                        "note": "refresh_stats of the province and year (compute, roll up, replace), run once "
                                "before the reads, rolled back afterwards; not part of the comparison: the "
                                "app pays it when data changes, the reads pay nothing of it"},
            "export": {**export["seconds"], "rows": export["rows"],
                       "note": "database → CSV → Parquet, not part of the comparison"},
            "differences": diffs[:20], "difference_count": len(diffs),
            "not_compared": "monitored households, rural population and incidence, helper coverage, visits, "
                            "measures, projects, funds, ledger (not registry tables)",
        })

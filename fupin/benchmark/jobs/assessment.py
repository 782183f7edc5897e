"""Benchmark: the yearly exit assessment of every household vs one hand-written SQL statement.

Our side: `fupin.exits.household.iter_assessments` over every household (all statuses) under
ctx.region_code for ctx.year, streamed, each consumed to its per-household result (pass and the six
indicator booleans). The reference: one SQL statement written by hand that computes the same result
on its own — it resolves the policy rows itself (most specific region by code prefix, then the
latest year, values read from the JSON column), aggregates the current members per household with a
GROUP BY instead of the app's EXISTS, and is streamed through a server-side cursor (PostgreSQL) or
SQLite's stepping cursor. Both sides fold the rows, in the same order, into one SHA-256 and the same
summary; `checked` is their equality.

Timing: on PostgreSQL the tables are ANALYZEd first (a just-generated database may have no planner
statistics); both sides run once untimed, then in turn REPEATS times, each side's best run counts.
Memory: both sides stream in chunks of CHUNK rows. Read-only: the job writes no rows.
"""

from __future__ import annotations

import hashlib
import time
from datetime import date

from django.db import connection

from fupin.benchmark.context import JobContext, timed_result
from fupin.core.db import analyze
from fupin.exits.household import CODES, iter_assessments
from fupin.policy.models import PolicyValue
from fupin.regions.codes import subtree_range
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear

CHUNK = 2000
REPEATS = 3

# Dialect pieces: a scalar JSON policy value as a number, a JSON value as text, membership of a grade in a JSON list, a
# birth year. Everything else is common SQL.
DIALECT = {
    "postgresql": {
        "number": "(({}) #>> '{{}}')::numeric",
        "text": "({})::text",
        "in_list": "COALESCE(({list})::jsonb @> to_jsonb({item}::text), FALSE)",
        "birth_year": "EXTRACT(YEAR FROM {})::int",
    },
    "sqlite": {
        "number": "json_extract({}, '$')",
        "text": "{}",
        "in_list": "EXISTS (SELECT 1 FROM json_each({list}) j WHERE j.value = {item})",
        "birth_year": "CAST(strftime('%%Y', {}) AS INTEGER)",
    },
}

HAND_SQL = """
WITH pol AS (
    SELECT key, value, year_from,
           CASE WHEN region_code = '000000000000' THEN ''
                WHEN substr(region_code, 3) = '0000000000' THEN substr(region_code, 1, 2)
                WHEN substr(region_code, 5) = '00000000' THEN substr(region_code, 1, 4)
                WHEN substr(region_code, 7) = '000000' THEN substr(region_code, 1, 6)
                WHEN substr(region_code, 10) = '000' THEN substr(region_code, 1, 9)
                ELSE region_code END AS prefix
    FROM policy_policyvalue
    WHERE key IN ('poverty_line', 'exit.compulsory_school_age_from', 'exit.compulsory_school_age_to',
                  'exit.unsafe_danger_grades')
      AND year_from <= %(year)s AND (year_to IS NULL OR year_to >= %(year)s)
),
vp AS (
    SELECT v.village_id,
           (SELECT {line} FROM pol p WHERE p.key = 'poverty_line' {best}) AS line,
           (SELECT {age} FROM pol p WHERE p.key = 'exit.compulsory_school_age_from' {best}) AS age_from,
           (SELECT {age} FROM pol p WHERE p.key = 'exit.compulsory_school_age_to' {best}) AS age_to,
           (SELECT {json_text} FROM pol p WHERE p.key = 'exit.unsafe_danger_grades' {best}) AS unsafe
    FROM (SELECT DISTINCT village_id FROM registry_household
          WHERE village_id >= %(low)s AND village_id <= %(high)s) v
),
mem AS (
    SELECT m.household_id,
           COUNT(*) AS members,
           SUM(CASE WHEN my.id IS NULL OR NOT (my.resident_medical_insurance OR my.employee_medical_insurance)
                    THEN 1 ELSE 0 END) AS uninsured,
           SUM(CASE WHEN %(year)s - {birth_year} BETWEEN vp.age_from AND vp.age_to
                     AND (my.id IS NULL OR my.school_status = 'not_student' OR my.dropout)
                    THEN 1 ELSE 0 END) AS out_of_school
    FROM registry_household h
    JOIN vp ON vp.village_id = h.village_id
    JOIN registry_member m ON m.household_id = h.id
    LEFT JOIN registry_memberyear my ON my.member_id = m.id AND my.year = %(year)s
    WHERE h.village_id >= %(low)s AND h.village_id <= %(high)s
      AND m.birth_date <= %(day)s AND (m.left_on IS NULL OR m.left_on > %(day)s)
    GROUP BY m.household_id
)
SELECT h.id,
       CASE WHEN hy.id IS NOT NULL AND hy.per_capita_income > vp.line THEN 1 ELSE 0 END,
       CASE WHEN hy.id IS NOT NULL AND hy.food_secure AND hy.clothing_secure THEN 1 ELSE 0 END,
       CASE WHEN COALESCE(mem.out_of_school, 0) = 0 THEN 1 ELSE 0 END,
       CASE WHEN mem.members > 0 AND mem.uninsured = 0 THEN 1 ELSE 0 END,
       CASE WHEN hy.id IS NOT NULL AND (hy.relocated OR NOT {unsafe}) THEN 1 ELSE 0 END,
       CASE WHEN hy.id IS NOT NULL AND hy.drinking_water_safe AND NOT hy.drinking_water_difficult
            THEN 1 ELSE 0 END
FROM registry_household h
JOIN vp ON vp.village_id = h.village_id
LEFT JOIN registry_householdyear hy ON hy.household_id = h.id AND hy.year = %(year)s
LEFT JOIN mem ON mem.household_id = h.id
WHERE h.village_id >= %(low)s AND h.village_id <= %(high)s
ORDER BY h.village_id, h.household_no, h.id
"""
# The row of a key that applies to village v: the most specific region (longest code prefix), then
# the latest year.
BEST = ("AND substr(v.village_id, 1, length(p.prefix)) = p.prefix "
        "ORDER BY length(p.prefix) DESC, p.year_from DESC LIMIT 1")


def hand_sql(vendor: str) -> str:
    d = DIALECT[vendor]
    return HAND_SQL.format(best=BEST, line=d["number"].format("value"), age=d["number"].format("value"),
                           birth_year=d["birth_year"].format("m.birth_date"), json_text=d["text"].format("value"),
                           unsafe=d["in_list"].format(list="vp.unsafe", item="hy.danger_grade"))


class Fold:
    """Per-household results, in order, folded into a SHA-256 and a summary (constant memory)."""

    def __init__(self):
        self.digest = hashlib.sha256()
        self.households = self.passed = 0
        self.failed = dict.fromkeys(CODES, 0)

    def add(self, household_id: int, results: tuple[bool, ...]) -> None:
        bits = "".join("1" if r else "0" for r in results)
        self.digest.update(f"{household_id}:{bits}\n".encode())
        self.households += 1
        self.passed += all(results)
        for code, ok in zip(CODES, results, strict=True):
            self.failed[code] += not ok

    def result(self) -> dict:
        return {"sha256": self.digest.hexdigest(), "households": self.households, "passed": self.passed,
                "failed": self.failed}


def ours(*, region_code: str, year: int) -> dict:
    fold = Fold()
    for a in iter_assessments(year=year, region_code=region_code, statuses=HouseholdStatus.values, chunk_size=CHUNK):
        fold.add(a.household_id, a.checks)
    return fold.result()


def reference(*, region_code: str, year: int) -> dict:
    low, high = subtree_range(region_code).as_tuple()
    params = {"year": year, "low": low, "high": high, "day": date(year, 12, 31)}
    fold = Fold()
    with connection.chunked_cursor() as cursor:
        cursor.execute(hand_sql(connection.vendor), params)
        while rows := cursor.fetchmany(CHUNK):
            for hid, *results in rows:
                fold.add(hid, tuple(bool(r) for r in results))
    return fold.result()


def analyze_tables() -> None:
    """PostgreSQL: fresh planner statistics for the tables both sides read (a just-generated
    database may have none yet, and both plans depend on them). Changes no data."""
    if connection.vendor == "postgresql":
        analyze(Household, HouseholdYear, Member, MemberYear, PolicyValue)


def exit_assessment(*, ctx: JobContext) -> dict:
    args = {"region_code": ctx.region_code, "year": ctx.year}
    analyze_tables()
    # Warm both the same way (each once untimed), then time them in turn REPEATS times and keep each
    # side's best run: the machine is shared, the minimum is the least disturbed measurement.
    ours(**args)
    reference(**args)
    our_runs, ref_runs = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        our_result = ours(**args)
        our_runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        ref_result = reference(**args)
        ref_runs.append(time.perf_counter() - start)
        if our_result != ref_result:
            break
    checked = our_result == ref_result
    return timed_result(
        job="exit_assessment", seconds=min(our_runs), rows=our_result["households"], unit="households",
        reference="hand-written SQL (one statement, server-side cursor)", reference_seconds=min(ref_runs),
        target_ratio=2.0, checked=checked,
        detail={"region_code": ctx.region_code, "year": ctx.year, "runs": {
            "ours": [round(t, 4) for t in our_runs], "reference": [round(t, 4) for t in ref_runs]},
            "ours": our_result, "reference": ref_result})

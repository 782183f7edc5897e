"""SQL that reads the same on PostgreSQL and SQLite, for the set-based activity generator.

Every statement goes through `Sql.run` (Django's cursor, so query counting and logging see it) and
always with a parameter list, so a literal `%` — the modulo operator too — is written `%%`; fixed
texts of the code go in through `q()`, which doubles theirs. `FUPIN_SCALE_TRACE=1` prints each
statement with its time.

Pseudo-random choice is `Sql.hash(key, salt, n)`: an integer in [0, n) from the row's integer key,
the run's seed and a salt naming the decision: x = (key · 40503 + f(salt, seed)) mod p, then
(x² + c) mod p mod n with p the prime 2^31 − 1. The squaring decorrelates consecutive keys and
different salts (a linear hash would give every salt the same draw shifted by a constant; χ² of
pairs of draws is at its degrees of freedom); keys stay below ~10^14 and every intermediate below
2^62, so neither PostgreSQL's bigint nor SQLite's 64-bit integers overflow, and both compute the
identical value.

Dates: on SQLite a date is ISO text, on PostgreSQL a `date`; the helpers below (`add_days`,
`add_months`, `days_between`, `year_of`, …) hide the difference. Month arithmetic is only ever
applied to days 1–28, where PostgreSQL's clamping and SQLite's overflow agree.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from datetime import time as dt_time

from django.db import connection

PRIME = 2147483647  # 2^31 − 1


def q(text: str) -> str:
    """A string literal (for fixed texts of the code itself, never user input)."""
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def choice(index_sql: str, values) -> str:
    """CASE picking values[index] (index an SQL integer in [0, len)); values are literals of the code."""
    values = list(values)
    if len(values) == 1:
        return literal(values[0])
    whens = " ".join(f"WHEN {i} THEN {literal(v)}" for i, v in enumerate(values))
    return f"(CASE {index_sql} {whens} END)"


def literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        raise TypeError("booleans differ between the backends: use Sql.true/false")
    if isinstance(value, int):
        return str(value)
    return q(value)


def weighted(index_sql: str, weights: list[tuple[object, int]]) -> str:
    """CASE mapping an integer in [0, Σweights) to the value whose cumulative weight band holds it."""
    parts, upto = [], 0
    for value, weight in weights:
        upto += weight
        parts.append(f"WHEN {index_sql} < {upto} THEN {literal(value)}")
    return f"(CASE {' '.join(parts[:-1])} ELSE {literal(weights[-1][0])} END)"


class Sql:
    """Dialect helpers and the statement runner of one generation run."""

    def __init__(self, *, seed: int):
        self.pg = connection.vendor == "postgresql"
        self.seed = abs(int(seed))
        self.seconds: dict[str, float] = defaultdict(float)
        self.statements = 0
        self.temp_tables: list[str] = []
        self.trace = bool(os.environ.get("FUPIN_SCALE_TRACE"))
        self._jit = None

    def begin(self) -> None:
        """PostgreSQL: no JIT compilation for this run's statements (their correlated subqueries make
        the planner's cost high enough to JIT-compile, which takes longer than running them)."""
        if self.pg:
            self._jit = self.rows("SHOW jit", label="temp")[0][0]
            self.run("SET LOCAL jit = off", label="temp")

    def end(self) -> None:
        self.drop_temp()
        if self.pg and self._jit is not None:
            self.run(f"SET LOCAL jit = {'on' if self._jit == 'on' else 'off'}", label="temp")

    # --- running ---------------------------------------------------------------------------------
    def run(self, sql: str, params=(), *, label: str = "other") -> int:
        """Execute one statement; returns the rows it changed (INSERT … SELECT: rows inserted)."""
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(sql, list(params))
            count = cur.rowcount
        self._log(label, sql, started)
        return max(count or 0, 0)

    def rows(self, sql: str, params=(), *, label: str = "other") -> list[tuple]:
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(sql, list(params))
            result = cur.fetchall()
        self._log(label, sql, started)
        return result

    def _log(self, label: str, sql: str, started: float) -> None:
        took = time.perf_counter() - started
        self.seconds[label] += took
        self.statements += 1
        if self.trace:
            print(f"{took:8.3f}s {label:32s} {' '.join(sql.split())[:100]}")

    def temp(self, name: str, select_sql: str, params=(), *, label: str, index: tuple[str, ...] = ()) -> int:
        """CREATE TEMP TABLE name AS select (dropped at the end of the run); returns its row count."""
        self.run(f"DROP TABLE IF EXISTS {name}", label=label)
        self.run(f"CREATE TEMP TABLE {name} AS {select_sql}", params, label=label)
        self.temp_tables.append(name)
        for i, columns in enumerate(index):
            self.run(f"CREATE INDEX {name}_i{i} ON {name} ({columns})", label=label)
        if self.pg:  # temp tables are never auto-analysed; the planner needs their size
            self.run(f"ANALYZE {name}", label=label)
        return self.rows(f"SELECT COUNT(*) FROM {name}", label=label)[0][0]

    def drop_temp(self) -> None:
        for name in reversed(self.temp_tables):
            self.run(f"DROP TABLE IF EXISTS {name}", label="temp")
        self.temp_tables.clear()

    # --- values ----------------------------------------------------------------------------------
    def hash(self, key: str, salt: int, n) -> str:
        """Deterministic pseudo-random integer in [0, n) for an integer key expression (n an int or SQL)."""
        base = (salt * 7919 + self.seed * 104729 + 1) % PRIME
        x0 = f"((({key}) * 40503 + {base}) %% {PRIME})"
        return f"((({x0} * {x0} + 1013904223) %% {PRIME}) %% ({n}))"

    def code_int(self, code_sql: str) -> str:
        """A 12-digit region code (text) as an integer key for `hash`."""
        return f"CAST({code_sql} AS BIGINT)"

    @property
    def true(self) -> str:
        return "TRUE" if self.pg else "1"

    @property
    def false(self) -> str:
        return "FALSE" if self.pg else "0"

    def boolean(self, condition_sql: str) -> str:
        return f"(CASE WHEN {condition_sql} THEN {self.true} ELSE {self.false} END)"

    def json(self, text_sql: str) -> str:
        return f"CAST({text_sql} AS jsonb)" if self.pg else text_sql

    def json_param(self, value) -> str:
        return json.dumps(value, ensure_ascii=False)

    def json_text(self, column_sql: str) -> str:
        """A JSON column read as text (for LIKE tests)."""
        return f"CAST({column_sql} AS text)" if self.pg else column_sql

    def json_str(self, text_sql: str) -> str:
        """A text value as a JSON string literal (quotes and backslashes escaped)."""
        return "'\"' || REPLACE(REPLACE(" + text_sql + ", '\\', '\\\\'), '\"', '\\\"') || '\"'"

    def contains(self, text_sql: str, needle: str) -> str:
        """`needle` (a literal of the code) occurs in the text."""
        fn = "strpos" if self.pg else "instr"
        return f"({fn}({text_sql}, {q(needle)}) > 0)"

    def char_at(self, text: str, index_sql: str) -> str:
        """The character of a literal text (of the code) at a 0-based SQL index."""
        return f"SUBSTR({q(text)}, CAST(1 + {index_sql} AS INTEGER), 1)"

    def text(self, value_sql: str) -> str:
        return f"CAST({value_sql} AS TEXT)"

    def least(self, *args: str) -> str:
        return f"{'LEAST' if self.pg else 'MIN'}({', '.join(args)})"

    def greatest(self, *args: str) -> str:
        return f"{'GREATEST' if self.pg else 'MAX'}({', '.join(args)})"

    # --- dates -----------------------------------------------------------------------------------
    def date(self, day: date) -> str:
        return f"DATE '{day.isoformat()}'" if self.pg else f"'{day.isoformat()}'"

    def add_days(self, day_sql: str, days_sql) -> str:
        if self.pg:
            return f"({day_sql} + CAST({days_sql} AS INTEGER))"
        return f"date({day_sql}, ({days_sql}) || ' days')"

    def add_months(self, day_sql: str, months_sql) -> str:
        if self.pg:
            return f"CAST({day_sql} + make_interval(months => CAST({months_sql} AS INTEGER)) AS DATE)"
        return f"date({day_sql}, ({months_sql}) || ' months')"

    def days_between(self, later_sql: str, earlier_sql: str) -> str:
        if self.pg:
            return f"({later_sql} - {earlier_sql})"
        return f"CAST(julianday({later_sql}) - julianday({earlier_sql}) AS INTEGER)"

    def year_of(self, day_sql: str) -> str:
        if self.pg:
            return f"CAST(EXTRACT(YEAR FROM {day_sql}) AS INTEGER)"
        return f"CAST(strftime('%%Y', {day_sql}) AS INTEGER)"

    def date_text(self, day_sql: str) -> str:
        return f"to_char({day_sql}, 'YYYY-MM-DD')" if self.pg else day_sql

    def ymd(self, day_sql: str) -> str:
        return f"to_char({day_sql}, 'YYYYMMDD')" if self.pg else f"strftime('%%Y%%m%%d', {day_sql})"

    def jan_first(self, year_sql: str) -> str:
        return f"make_date(CAST({year_sql} AS INTEGER), 1, 1)" if self.pg else f"(({year_sql}) || '-01-01')"

    def at_hour(self, day_sql: str, utc_hour: int) -> str:
        """A timestamp (UTC) on the day at the hour — what a DateTimeField stores."""
        if self.pg:
            return f"(CAST({day_sql} AS TIMESTAMP) + make_interval(hours => {int(utc_hour)})) AT TIME ZONE 'UTC'"
        return f"({day_sql} || ' {int(utc_hour):02d}:00:00')"

    def now_param(self, moment: datetime):
        return connection.ops.adapt_datetimefield_value(moment)


def utc_hour(local_hour: int, on: date) -> int:
    """The UTC hour of `local_hour` o'clock in the project's time zone on `on` (same day in 北京时间)."""
    from django.utils import timezone

    local = timezone.make_aware(datetime.combine(on, dt_time(local_hour)))
    return local.astimezone(UTC).hour


def id_check_sql(body_sql: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a 17-digit resident ID body (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = " + ".join(f"CAST(SUBSTR({body_sql}, {i}, 1) AS INTEGER) * {w}" for i, w in enumerate(weights, 1))
    return f"SUBSTR('10X98765432', CAST((({total}) %% 11) + 1 AS INTEGER), 1)"

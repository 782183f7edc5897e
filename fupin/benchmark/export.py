"""The registry of a region exported for DuckDB: database → CSV (streamed) → Parquet.

PostgreSQL streams `COPY (SELECT …) TO STDOUT (FORMAT csv)` straight into the file; SQLite is read
with a cursor in chunks of CHUNK rows. DuckDB then converts each CSV with typed columns to Parquet
(`COPY … TO 'x.parquet'`), so no table is ever held in Python. The references of the rollup and
cross-check benchmarks read these files; the time spent here is reported apart from theirs.

NULL and the empty string stay apart: an unquoted empty field is NULL, a quoted one ("") is a
string (PostgreSQL's CSV does this, and SQLite's rows are written so); DuckDB reads with
allow_quoted_nulls=false.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
from django.db import connection

from fupin.regions.codes import subtree_range
from fupin.regions.models import Region
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member

CHUNK = 10_000


@dataclass(frozen=True)
class Table:
    """One exported table: the SELECT (with {low}/{high} the region's code range, {ts} a timestamp
    column rendered as naive UTC text) and the DuckDB type of each column, in order."""

    name: str
    select: str
    columns: tuple[tuple[str, str], ...]


def _tables() -> dict[str, Table]:
    h, m = Household._meta.db_table, Member._meta.db_table
    e, y, r = HouseholdStatusEvent._meta.db_table, HouseholdYear._meta.db_table, Region._meta.db_table
    in_region = "h.village_id BETWEEN '{low}' AND '{high}'"
    return {t.name: t for t in (
        Table("households", f"SELECT h.id, h.village_id, h.status, h.main_cause, h.attribute FROM {h} h "
                            f"WHERE {in_region}",
              (("id", "BIGINT"), ("village_id", "VARCHAR"), ("status", "VARCHAR"), ("main_cause", "VARCHAR"),
               ("attribute", "VARCHAR"))),
        Table("members", f"SELECT m.id, m.household_id, m.id_number, m.birth_date, m.left_on FROM {m} m "
                         f"JOIN {h} h ON h.id = m.household_id WHERE {in_region}",
              (("id", "BIGINT"), ("household_id", "BIGINT"), ("id_number", "VARCHAR"), ("birth_date", "DATE"),
               ("left_on", "DATE"))),
        Table("events", f"SELECT e.id, e.household_id, e.year, e.to_status, e.kind, e.effective_on, {{ts}} AS recorded_at "
                        f"FROM {e} e JOIN {h} h ON h.id = e.household_id WHERE {in_region}",
              (("id", "BIGINT"), ("household_id", "BIGINT"), ("year", "INTEGER"), ("to_status", "VARCHAR"),
               ("kind", "VARCHAR"), ("effective_on", "DATE"), ("recorded_at", "TIMESTAMP"))),
        Table("household_years", f"SELECT y.household_id, y.year, y.household_size FROM {y} y "
                                 f"JOIN {h} h ON h.id = y.household_id WHERE {in_region}",
              (("household_id", "BIGINT"), ("year", "INTEGER"), ("household_size", "INTEGER"))),
        Table("regions", f"SELECT r.code, r.level, r.parent_id FROM {r} r WHERE r.code BETWEEN '{{low}}' AND '{{high}}'",
              (("code", "VARCHAR"), ("level", "VARCHAR"), ("parent_id", "VARCHAR"))),
    )}


TABLES = tuple(_tables())


def _sql(table: Table, region_code: str) -> str:
    if not (len(region_code) == 12 and region_code.isdigit()):
        raise ValueError(f"区划代码“{region_code}”应为 12 位数字")
    low, high = subtree_range(region_code).as_tuple()
    ts = "(e.at AT TIME ZONE 'UTC')" if connection.vendor == "postgresql" else "e.at"
    return table.select.format(low=low, high=high, ts=ts)


def _to_csv(table: Table, region_code: str, path: Path) -> int:
    """Stream the table's rows into `path`; returns the number of rows."""
    sql = _sql(table, region_code)
    rows = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with path.open("wb") as f, cur.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)") as copy:
                for block in copy:
                    f.write(block)
                    rows += bytes(block).count(b"\n")
            return rows - 1  # the header line (no field holds a line break)
        cur.execute(sql)
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write(",".join(c for c, _ in table.columns) + "\n")
            while chunk := cur.fetchmany(CHUNK):
                f.writelines(",".join(map(_field, row)) + "\n" for row in chunk)
                rows += len(chunk)
    return rows


def _field(value) -> str:
    """One CSV field: NULL unquoted and empty, numbers bare, everything else quoted (as PostgreSQL's
    CSV does; csv.QUOTE_NONNUMERIC would quote a NULL too)."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def _to_parquet(table: Table, csv_path: Path, parquet_path: Path) -> None:
    columns = "{" + ", ".join(f"'{c}': '{t}'" for c, t in table.columns) + "}"
    with duckdb.connect() as db:
        db.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', header = true, auto_detect = false, "
                   f"columns = {columns}, allow_quoted_nulls = false)) "
                   f"TO '{parquet_path}' (FORMAT parquet)")


def export_registry(*, region_code: str, workdir: Path, tables: tuple[str, ...] = TABLES) -> dict:
    """Export the registry tables under `region_code` to `workdir/<table>.parquet`.

    Returns {"paths": {table: path}, "rows": {table: n}, "seconds": {"csv": s, "parquet": s, "total": s}}."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    defined = _tables()
    paths, rows, csv_s, parquet_s = {}, {}, 0.0, 0.0
    for name in tables:
        table = defined[name]
        csv_path, parquet_path = workdir / f"export_{name}.csv", workdir / f"{name}.parquet"
        t = time.perf_counter()
        rows[name] = _to_csv(table, region_code, csv_path)
        csv_s += time.perf_counter() - t
        t = time.perf_counter()
        _to_parquet(table, csv_path, parquet_path)
        parquet_s += time.perf_counter() - t
        csv_path.unlink()
        paths[name] = parquet_path
    return {"paths": paths, "rows": rows,
            "seconds": {"csv": round(csv_s, 3), "parquet": round(parquet_s, 3), "total": round(csv_s + parquet_s, 3)}}

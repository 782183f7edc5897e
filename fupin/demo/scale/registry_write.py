"""Writing the generated columns: COPY on PostgreSQL (from a thread, while the next chunk is drawn),
one `executemany` per table and chunk on SQLite; primary keys handed out before writing.

Columns come as numpy arrays (codes with a label table, integers, booleans, money and areas in
hundredths, datetime64 dates and UTC moments), lists of strings, or one value for every row; each
is formatted once per column by its model field, never per value through Django.

Keys: on PostgreSQL a second, autocommit connection takes each chunk's keys from the table's
sequence (`nextval` over generate_series — the exact values, safe beside other writers) so the
COPY thread keeps the main connection to itself. On SQLite the county's transaction holds the
write lock (BEGIN IMMEDIATE), so keys are counted on from the largest in use.

Foreign keys: PostgreSQL checks each row's keys at commit (deferred triggers) — most of the time of
a bulk load, and a queue in the server that grows with the rows. A superuser's COPYs run with
`session_replication_role = replica` for the county (as pg_restore --disable-triggers does): every
key written comes from the same run, and the tests check them (SQLite enforces them, pytest-django
checks them after each test, and a test counts orphans on PostgreSQL). Other roles keep the checks,
made at the end of each COPY (SET CONSTRAINTS ALL IMMEDIATE).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from datetime import UTC, datetime

import numpy as np
from django.db import connection, models

PG_NULL = "\\N"
COPY_BLOCK = 2000  # rows sent to PostgreSQL at a time


def _utc_text(moments: np.ndarray) -> np.ndarray:
    return np.char.replace(np.datetime_as_string(moments.astype("datetime64[s]"), unit="s"), "T", " ")


class Table:
    """One model's columns and how each is formatted.

    For COPY, columns of few values (coded values with up to FUSE_LABELS labels, booleans, one
    value for every row) are moved to the end of the column list and formatted together: each
    combination that occurs is joined once, and a row takes its combination's text — a MemberYear
    row is then six fields to join instead of twenty-two."""

    FUSE_LABELS = 64

    def __init__(self, model: type[models.Model], *, labels: dict[str, np.ndarray] | None = None, with_id: bool = False):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.labels = labels or {}
        self.qn = connection.ops.quote_name
        self.table = self.qn(model._meta.db_table)
        names = ", ".join(self.qn(f.column) for f in self.fields)
        self.insert_sql = f"INSERT INTO {self.table} ({names}) VALUES ({', '.join(['%s'] * len(self.fields))})"

    def _values(self, columns: dict, now: datetime):
        """(field, value) of every field: a field the columns do not name gets its default
        (auto_now fields: `now`)."""
        for f in self.fields:
            if f.attname in columns:
                yield f, columns[f.attname]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                yield f, now
            else:
                yield f, None if f.null and not f.has_default() else f.get_default()

    def rows(self, columns: dict, n: int, *, now: datetime) -> list[tuple]:
        """Parameter rows for `executemany` (SQLite), in the order of `insert_sql`."""
        cols = []
        for f, value in self._values(columns, now):
            if isinstance(value, np.ndarray):
                cols.append(_array(f, value, False, self.labels.get(f.attname)))
            elif isinstance(value, list):
                cols.append(value)
            else:
                cols.append([_scalar(f, value, pg=False)] * n)
        return list(zip(*cols, strict=True))

    def copy(self, columns: dict, n: int, *, now: datetime) -> tuple[str, str]:
        """(COPY statement, its text) for PostgreSQL."""
        plain, fused = [], []
        for f, value in self._values(columns, now):
            labels = self.labels.get(f.attname)
            if not isinstance(value, np.ndarray | list):
                fused.append((f, [_scalar(f, value, pg=True)], np.zeros(n, dtype=np.int64)))
            elif isinstance(value, np.ndarray) and value.dtype.kind == "b":
                fused.append((f, ["f", "t"], value.astype(np.int64)))
            elif isinstance(value, np.ndarray) and labels is not None and len(labels) <= self.FUSE_LABELS:
                fused.append((f, labels.tolist(), value % len(labels)))
            elif isinstance(value, np.ndarray):
                plain.append((f, _array(f, value, True, labels)))
            elif value and None not in value and type(value[0]) is str:
                plain.append((f, value))  # strings as they are
            else:
                plain.append((f, [PG_NULL if v is None else str(v) for v in value]))
        cols = [c for _f, c in plain]
        if fused:
            cols.append(_fuse([(texts, codes) for _f, texts, codes in fused]))
        names = ", ".join(self.qn(f.column) for f, *_rest in (*plain, *fused))
        lines = [line + "\n" for line in map("\t".join, zip(*cols, strict=True))]
        # Blocks of COPY_BLOCK rows: psycopg encodes and sends one at a time, so no copy of the
        # whole chunk is made on the way.
        blocks = ["".join(lines[i:i + COPY_BLOCK]) for i in range(0, len(lines), COPY_BLOCK)]
        return f"COPY {self.table} ({names}) FROM STDIN", blocks

def _fuse(columns: list[tuple[list[str], np.ndarray]]) -> list[str]:
    """The joined text of several few-valued columns per row: each combination formatted once."""
    key = np.zeros(len(columns[0][1]), dtype=np.int64)
    radix = 1
    for texts, codes in columns:
        key += codes * radix
        radix *= len(texts)
    combos, inverse = np.unique(key, return_inverse=True)
    joined = None
    for texts, _codes in columns:
        combos, code = np.divmod(combos, len(texts))
        part = np.array(texts, dtype=object)[code]
        joined = part if joined is None else joined + "\t" + part
    return joined[inverse.reshape(-1)].tolist()


def _array(field, value: np.ndarray, pg: bool, labels: np.ndarray | None = None) -> list:
    if labels is not None:
        return labels[value].tolist()
    kind = value.dtype.kind
    if kind == "M":
        nat = np.isnat(value)
        if isinstance(field, models.DateTimeField):
            text = _utc_text(value)
            text = np.char.add(text, "+00") if pg else text
        else:
            text = np.datetime_as_string(value.astype("datetime64[D]"))
        out = text.tolist()
        if nat.any():
            null = PG_NULL if pg else None
            out = [null if missing else s for s, missing in zip(out, nat.tolist(), strict=True)]
        return out
    if isinstance(field, models.DecimalField):  # hundredths; each distinct amount formatted once
        distinct, inverse = np.unique(value, return_inverse=True)
        texts = [f"{q}.{r:02d}" for q, r in zip((distinct // 100).tolist(), (distinct % 100).tolist(), strict=True)]
        return np.array(texts, dtype=object)[inverse.reshape(-1)].tolist()
    if kind == "b":
        return np.where(value, "t", "f").tolist() if pg else value.tolist()
    if kind in "iu" and pg:
        return value.astype(str).tolist()
    return value.tolist()


def _scalar(field, value, pg: bool):
    if value is None:
        return PG_NULL if pg else None
    if isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return text + "+00" if pg else text
    if isinstance(field, models.DecimalField):  # hundredths
        value = int(value)
        return f"{value // 100}.{value % 100:02d}"
    if isinstance(value, bool | np.bool_):
        return ("t" if value else "f") if pg else bool(value)
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return str(value) if pg else value


class Keys:
    """Primary keys for generated rows, chunk by chunk (see the module docstring). One per run:
    `begin()` at the start of each county's transaction."""

    def __init__(self, models_: list[type[models.Model]]):
        self.pg = connection.vendor == "postgresql"
        self.tables = {m: m._meta.db_table for m in models_}
        self._next: dict = {}
        if self.pg:
            import psycopg

            params = connection.get_connection_params()
            for key in ("cursor_factory", "context", "prepare_threshold", "server_side_binding"):
                params.pop(key, None)
            self._conn = psycopg.connect(**params, autocommit=True)
            self._seq = {}
            with self._conn.cursor() as cur:
                for m, table in self.tables.items():
                    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                    self._seq[m] = cur.fetchone()[0]

    def begin(self) -> None:
        """SQLite: count on from the largest key in use (the county's transaction holds the lock)."""
        if self.pg:
            return
        qn = connection.ops.quote_name
        with connection.cursor() as cur:
            for m, table in self.tables.items():
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table)}")  # noqa: S608 (a table name)
                top = cur.fetchone()[0]
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cur.fetchone()
                self._next[m] = max(top, row[0] if row else 0) + 1

    def take(self, model, n: int) -> np.ndarray:
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        if self.pg:
            with self._conn.cursor() as cur:
                cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [self._seq[model], n])
                return np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
        first = self._next[model]
        self._next[model] = first + n
        return np.arange(first, first + n, dtype=np.int64)

    def close(self) -> None:
        if self.pg:
            self._conn.close()


class Writer:
    """Writes each chunk's tables: from a thread feeding COPY on PostgreSQL, directly elsewhere."""

    def __init__(self):
        connection.ensure_connection()
        self.pg = connection.vendor == "postgresql" and hasattr(connection.connection.cursor(), "copy")  # psycopg 3
        self.error: BaseException | None = None
        self.fast_keys = False
        self._closed = False
        self.seconds: dict[str, float] = {}  # COPY time per table
        if self.pg:
            with connection.cursor() as cur:
                cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                self.fast_keys = bool(cur.fetchone()[0])
                # Without the right to skip them, checks run at the end of each COPY (parents are
                # written first) rather than all at commit, so PostgreSQL queues one chunk's checks.
                cur.execute("SET LOCAL session_replication_role = replica" if self.fast_keys
                            else "SET CONSTRAINTS ALL IMMEDIATE")
            self._raw = connection.connection
            # One chunk waiting while one is written and the next drawn: memory for three chunks.
            self._queue: queue.Queue = queue.Queue(maxsize=1)
            self._thread = threading.Thread(target=self._run, name="fupin-generate-copy", daemon=True)
            self._thread.start()

    def write(self, items: list[tuple[Table, dict, int]], *, now: datetime) -> None:
        """Write `items` (table, columns, rows) in order."""
        if self.pg:
            statements = [t.copy(cols, n, now=now) for t, cols, n in items if n]
            self._check()
            self._queue.put(statements)
            return
        with connection.cursor() as cur:
            for t, cols, n in items:
                if n:
                    cur.executemany(t.insert_sql, t.rows(cols, n, now=now))

    def _run(self) -> None:
        while True:
            statements = self._queue.get()
            if statements is None:
                return
            if self.error is not None:
                continue  # drain after a failure; close() raises it
            try:
                with self._raw.cursor() as cur:
                    for sql, blocks in statements:
                        started = time.monotonic()
                        with cur.copy(sql) as copy:
                            for block in blocks:
                                copy.write(block)
                        table = sql.split()[1].strip('"')
                        self.seconds[table] = self.seconds.get(table, 0.0) + time.monotonic() - started
            except BaseException as exc:  # noqa: BLE001 (re-raised in the main thread)
                self.error = exc

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """Wait for every COPY (also after a failure elsewhere, before the transaction is rolled
        back); re-raise a COPY's failure; foreign key checks back on for what follows."""
        if not self.pg or self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join()
        self._check()
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = origin" if self.fast_keys
                        else "SET CONSTRAINTS ALL DEFERRED")

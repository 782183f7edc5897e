"""Writing many rows fast: COPY on PostgreSQL, one `executemany` INSERT elsewhere."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import connections, models, router

_PLAIN_FIELDS = (models.CharField, models.BooleanField, models.IntegerField, models.ForeignKey)


class TableWriter:
    """Many rows of one model in one statement: COPY on PostgreSQL, an `executemany` INSERT elsewhere.

    `bulk_create` compiles SQL for every value of every row (~10 µs each), which for ~80,000 rows of
    17 fields is most of a minute; here each value is prepared once by its field (dates, decimals and
    JSON) or passed as it is (strings, numbers, booleans), and fields the rows do not carry get their
    model default, so the table stays correct if a field with a default is added. Rows are dicts or
    objects with attributes named by the fields' `attname`; `insert_returning_ids` gives back the keys. `auto_now`
    fields get `now`; `auto_now_add` fields too unless the row carries a value (historic events)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        qn = self.connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"

    def _spec(self, now) -> list[tuple]:
        """(attname, default, how to prepare: None = as it is, forced: auto_now) per field."""
        conn = self.connection
        spec = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                spec.append((f.attname, now, _timestamp(f, conn, now), f.auto_now))
            elif isinstance(f, _PLAIN_FIELDS):
                spec.append((f.attname, f.get_default(), None, False))
            elif isinstance(f, models.DecimalField):
                spec.append((f.attname, f.get_default(), _decimal(f, conn), False))
            else:
                spec.append((f.attname, f.get_default(), partial(_prepared, f, conn), False))
        return spec

    def _values(self, rows: Sequence, *, now, keep: bool) -> tuple[list[dict], list[list]]:
        spec = self._spec(now)
        names = [name for name, *_x in spec]
        preps = [prep for _n, _d, prep, _f in spec]
        python_rows, params = [], []
        for row in rows:
            get = row.get if isinstance(row, dict) else partial(getattr, row)
            raw = [now if forced else get(name, default) for name, default, _p, forced in spec]
            if keep:
                python_rows.append(dict(zip(names, raw, strict=True)))
            params.append([value if prep is None and type(value) in _AS_IS_TYPES else _prepare(prep, value)
                           for value, prep in zip(raw, preps, strict=True)])
        return python_rows, params

    def insert(self, rows: Sequence, *, now, keep: bool = True) -> list[dict]:
        """Insert `rows`; returns each row's Python values by attname (for the audit trail) if `keep`."""
        python_rows, params = self._values(rows, now=now, keep=keep)
        with self.connection.cursor() as cursor:
            driver = cursor.cursor
            if self.connection.vendor == "postgresql" and hasattr(driver, "copy"):  # psycopg 3: COPY
                with driver.copy(self.copy_sql) as copy:
                    for values in params:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, params)
        return python_rows

    def insert_returning_ids(self, rows: Sequence, *, now) -> tuple[list[int], list[dict]]:
        """Insert `rows` and give back (their new primary keys in row order, their Python values by
        attname). PostgreSQL: the keys are drawn from the table's sequence first (nextval over
        generate_series: exact and safe beside other writers), then COPY with them. Elsewhere:
        multi-row INSERT … RETURNING (SQLite ≥ 3.35 returns the rows in insertion order, which
        Django's bulk_create relies on too)."""
        python_rows, params = self._values(rows, now=now, keep=True)
        if not params:
            return [], python_rows
        conn, qn = self.connection, self.connection.ops.quote_name
        table, pk = qn(self.model._meta.db_table), self.model._meta.pk.column
        columns = [pk] + [f.column for f in self.fields]
        with conn.cursor() as cursor:
            driver = cursor.cursor
            if conn.vendor == "postgresql" and hasattr(driver, "copy"):
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [self.model._meta.db_table, pk, len(params)])
                ids = [r[0] for r in cursor.fetchall()]
                with driver.copy(f"COPY {table} ({', '.join(qn(c) for c in columns[1:])}, {qn(pk)}) FROM STDIN") \
                        as copy:
                    for values, new_id in zip(params, ids, strict=True):
                        copy.write_row([*values, new_id])
            else:
                ids = []
                width = len(self.fields)
                per = max(1, (conn.features.max_query_params or 999) // width)
                row_sql = f"({', '.join(['%s'] * width)})"
                head = f"INSERT INTO {table} ({', '.join(qn(c) for c in columns[1:])}) VALUES "
                for start in range(0, len(params), per):
                    chunk = params[start:start + per]
                    cursor.execute(head + ", ".join([row_sql] * len(chunk)) + f" RETURNING {qn(pk)}",
                                   [v for values in chunk for v in values])
                    ids.extend(r[0] for r in cursor.fetchall())
        for row, new_id in zip(python_rows, ids, strict=True):
            row[self.model._meta.pk.attname] = new_id
        return ids, python_rows



_AS_IS_TYPES = frozenset({str, int, bool, float, type(None)})


def _prepare(prep, value):
    if prep is not None:
        return prep(value)
    # A TextChoices member is a str, but database drivers may adapt an Enum by its name.
    return value._value_ if isinstance(value, enum.Enum) else value


def _prepared(field, conn, value):
    return field.get_db_prep_save(value, conn)


def _decimal(field, conn):
    # A Decimal is what DecimalField.get_db_prep_save gives back on every backend.
    return lambda value: value if type(value) is Decimal else field.get_db_prep_save(value, conn)


def _timestamp(field, conn, now):
    prepared = field.get_db_prep_save(now, conn)  # the same `now` in every row: prepared once
    return lambda value: prepared if value is now else field.get_db_prep_save(value, conn)


def json_safe(values: dict) -> dict:
    """What audit.services.snapshot() makes of a model's values: JSON types only."""
    out = {}
    for k, v in values.items():
        kind = type(v)
        if kind in _AS_IS_TYPES:
            pass
        elif isinstance(v, date):  # date and datetime
            v = v.isoformat()
        elif kind is Decimal:
            v = str(v)
        elif kind is list:
            v = [str(x) for x in v]
        elif isinstance(v, models.Choices):
            v = v.value
        out[k] = v
    return out

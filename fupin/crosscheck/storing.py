"""How the rules read their matches and write their suspects, fast (10,000 suspects in well under a second).

`fetch` runs a rule's member query (a `values()` queryset) and, given the roster rows that count
(`first_row`), joins each member's first such row in the same statement: one query, no `in_bulk`
of the rows afterwards — on PostgreSQL a lateral lookup probing the (id_number, roster) index once
per member. Member values keep
Django's conversions (dates, booleans on SQLite); the row's `data` is kept as the stored JSON text,
decoded only when a reason reads it.

`store` writes plain tuples (no model instances) with the `inputs` JSON text already built, taking
them from a generator while it writes: binary COPY on PostgreSQL (the server stores one chunk while
Python builds the next), executemany on SQLite. The inputs text is exactly what encoding the dict
with the loader's `to_json` gives (checked by the tests), so stored results are unchanged.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import connections
from django.db.models import Count, Min, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from fupin.core.fields import to_json

from .models import Roster, RosterRow, Suspect

enc = json.encoder.encode_basestring  # what to_json (ensure_ascii=False) writes a string with

ROW_COLUMNS = ("id", "row_no", "id_number", "name", "data", "event_date", "category")
COLUMNS = ("rule", "roster_id", "roster_row_id", "household_id", "member_id", "village_code", "year", "reason",
           "inputs", "status", "status_note", "found_at")


class Row:
    """The roster row a member matched: the fields the reasons and inputs use."""

    __slots__ = ("pk", "row_no", "id_number", "name", "data_text", "event_date", "category", "_data")

    def __init__(self, pk, row_no, id_number, name, data, event_date, category):
        self.pk, self.row_no, self.id_number, self.name, self.category = pk, row_no, id_number, name, category
        if isinstance(data, str) and "\\u" not in data:
            self.data_text, self._data = data, None
        elif isinstance(data, str):  # written with ASCII escapes (the ORM on SQLite): the loader's text
            self._data = json.loads(data)
            self.data_text = to_json(self._data)
        else:  # a backend that decodes JSON itself
            self.data_text, self._data = to_json(data if data is not None else {}), data
        if isinstance(event_date, str):  # SQLite: ISO text
            event_date = date.fromisoformat(event_date)
        self.event_date = event_date

    @property
    def data(self) -> dict:
        if self._data is None:
            self._data = json.loads(self.data_text)
        return self._data

    def as_json(self) -> str:
        """The `roster_row` of the inputs, as `to_json` writes {row_no, id_number, name, data, event_date,
        category} (its string encoder, its separators), without building the dict."""
        day = f'"{self.event_date.isoformat()}"' if self.event_date else "null"
        return (f'{{"row_no": {int(self.row_no)}, "id_number": {enc(self.id_number)}, "name": {enc(self.name)}, '
                f'"data": {self.data_text}, "event_date": {day}, "category": {enc(self.category)}}}')


def first_of(rows: QuerySet, field: str = "pk") -> Subquery:
    """The smallest `field` among one roster's `rows` tied to the outer member (rows are stored in
    file order, so Min(pk) is the first row). An aggregate, not ORDER BY … LIMIT 1: in a scalar
    subquery the planner would walk another index in order and filter, instead of probing the
    (id_number, roster) index."""
    return Subquery(rows.order_by().values("roster_id").annotate(first=Min(field)).values("first"))


def fetch(qs: QuerySet, *, first_row: QuerySet | None = None) -> list[tuple[dict, Row | None]]:
    """[(member values, its roster row or None)] of a `values()` queryset of members (with "pk",
    "household_id" and "id_number" among the values), in household then member order.

    With `first_row` — the roster rows that count, not yet tied to a member (e.g.
    `RosterRow.objects.filter(roster_id=…, category=…)`) — each member's first such row with the
    member's ID number (the smallest id: rows are stored in file order) is joined in, members
    without one are left out, and the member's values carry the row's id as "row_id"."""
    conn = connections[qs.db]
    q = conn.ops.quote_name
    lateral = None
    if first_row is not None:
        if conn.vendor == "postgresql":
            # A lateral lookup per member: one probe of the (id_number, roster) index, the few rows
            # found sorted by id. (A MIN(id) subquery and then the row by primary key probes two
            # indexes: ~20 % slower over 20,000 members.)
            rows = first_row.filter(id_number=RawSQL(f"m.{q('id_number')}", ())).order_by("id")
            lateral = rows.values(*ROW_COLUMNS)[:1].query.sql_with_params()
        else:  # SQLite has no LATERAL: the first row's id as a column, the row joined by its rowid
            qs = qs.annotate(row_id=first_of(first_row.filter(id_number=OuterRef("id_number"))))
    compiler = qs.order_by().query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    select = compiler.select[:compiler.col_count]
    names = [alias for _, _, alias in select]
    converters = compiler.get_converters([expr for expr, _, _ in select])
    order = f"m.{q('household_id')}, m.{q('pk')}"
    row_cols = ", ".join(f"r.{q(c)}" for c in ROW_COLUMNS)
    if lateral is not None:
        lateral_sql, lateral_params = lateral
        sql = (f"SELECT {', '.join(f'm.{q(n)}' for n in names)}, r.{q('id')}, {row_cols} "
               f"FROM ({sql}) m CROSS JOIN LATERAL ({lateral_sql}) r ORDER BY {order}")
        params = (*params, *lateral_params)
        names.append("row_id")
    elif first_row is not None:
        # The row's own id instead of m.row_id (the same value, read from the joined row).
        cols = ", ".join(f"r.{q('id')}" if n == "row_id" else f"m.{q(n)}" for n in names)
        table = q(RosterRow._meta.db_table)
        sql = (f"SELECT {cols}, {row_cols} FROM ({sql}) m INNER JOIN {table} r ON r.{q('id')} = m.{q('row_id')} "
               f"ORDER BY {order}")
    else:
        sql = f"SELECT m.* FROM ({sql}) m ORDER BY {order}"
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    n = len(names)
    if first_row is not None:
        return [(dict(zip(names, r[:n], strict=True)), Row(*r[n:])) for r in rows]
    return [(dict(zip(names, r, strict=True)), None) for r in rows]


def store(roster: Roster, found: Iterable[tuple]) -> tuple[dict[str, int], int]:
    """Insert the suspects (tuples of COLUMNS without status, status_note and found_at) not stored yet,
    consuming `found` while writing. Runs on one roster are serialised by locking it. Returns (the
    stored suspects per rule, how many there were before)."""
    conn = connections[Roster.objects.db]
    Roster.objects.select_for_update().filter(pk=roster.pk).values_list("pk").first()
    stored = Suspect.objects.filter(roster=roster).order_by()
    # exists() first: the usual first run has none, and it is one index probe (counting would visit
    # every dead row left by rolled-back runs, which an index scan marks dead for the next one).
    totals = _totals(roster) if stored.exists() else {}
    before = sum(totals.values())
    if before:
        existing = set(stored.values_list("rule", "member_id"))
        found = (s for s in found if (s[0], s[4]) not in existing)
    new: Counter = Counter()
    now = timezone.now()
    status, note = Suspect._meta.get_field("status").default, ""
    table = Suspect._meta.db_table
    if conn.vendor == "postgresql":
        with conn.cursor() as cur:
            # Binary COPY: the server parses no numbers or timestamps (a fifth less time than text);
            # it needs each column's exact type, read from the catalogue.
            cur.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                        "AND NOT attisdropped", [table])
            types = dict(cur.fetchall())
            with cur.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[c] for c in COLUMNS])
                write = copy.write_row
                for s in found:
                    new[s[0]] += 1
                    write((*s, status, note, now))
    else:
        found_at = conn.ops.adapt_datetimefield_value(now)
        rows = [(*s, status, note, found_at) for s in found]
        new.update(s[0] for s in rows)
        with conn.cursor() as cur:
            cur.executemany(f"INSERT OR IGNORE INTO {table} ({', '.join(COLUMNS)}) "
                            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})", rows)
    return dict(Counter(totals) + new), before


def _totals(roster: Roster) -> dict[str, int]:
    return dict(Suspect.objects.filter(roster=roster).values("rule").annotate(n=Count("id"))
                .values_list("rule", "n").order_by())

"""How the rules read their matches and write their suspects, fast (10,000 suspects in well under a second).

`fetch` runs a rule's member query (a `values()` queryset) and, when it has a `row_id` column (the
first matching roster row), joins that row in the same statement: one query, no `in_bulk` of the
rows afterwards, each member probing the (id_number, roster) index once. Member values keep
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
from django.db.models import Count, QuerySet
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


def fetch(qs: QuerySet) -> list[tuple[dict, Row | None]]:
    """[(member values, its roster row or None)] of a `values()` queryset of members (with "pk" and
    "household_id" among the values), in household then member order. With a `row_id` column (the
    first matching row's id), its row is joined in and members whose `row_id` is NULL are left out."""
    conn = connections[qs.db]
    compiler = qs.order_by().query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    select = compiler.select[:compiler.col_count]
    names = [alias for _, _, alias in select]
    converters = compiler.get_converters([expr for expr, _, _ in select])
    q = conn.ops.quote_name
    order = f"m.{q('household_id')}, m.{q('pk')}"
    with_row = "row_id" in names
    if with_row:
        # The row's own id instead of m.row_id: PostgreSQL would probe the index again for the output.
        cols = ", ".join(f"r.{q('id')}" if n == "row_id" else f"m.{q(n)}" for n in names)
        cols += ", " + ", ".join(f"r.{q(c)}" for c in ROW_COLUMNS)
        table = q(RosterRow._meta.db_table)
        if conn.vendor == "postgresql":
            # A lateral lookup by primary key per member. A plain join lets the planner flatten the
            # member query and hash-join it with a scan of the whole roster (1M rows: 5× slower);
            # OFFSET 0 keeps the lookup a subquery.
            join = f"CROSS JOIN LATERAL (SELECT * FROM {table} WHERE {q('id')} = m.{q('row_id')} OFFSET 0) r"
        else:  # SQLite: nested loops, the row found by its rowid
            join = f"INNER JOIN {table} r ON r.{q('id')} = m.{q('row_id')}"
        sql = f"SELECT {cols} FROM ({sql}) m {join} ORDER BY {order}"
    else:
        sql = f"SELECT m.* FROM ({sql}) m ORDER BY {order}"
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    n = len(names)
    if with_row:
        return [(dict(zip(names, r, strict=False)), Row(*r[n:])) for r in rows]  # zip stops at the member's
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

"""The import's per-file state, kept on disk: so that an import's memory does not grow with the file.

What the importer must remember between rows and phases — one entry per household of the file
(first row, village, head, fingerprint of its values, bad, pk …), one per member (row, household,
whether it has data for the year) and every problem found — lives in a private SQLite file in a
temporary directory owned by the import, deleted when the import ends (also on failure). It is not
Django's database: the same on SQLite and PostgreSQL, and nothing in it is ever committed anywhere.

In memory stay only bounded things: SQLite's page cache (CACHE_KB), the households last used
(CACHE_HOUSEHOLDS — the rows of one household are usually adjacent) and members/problems waiting
to be written in one executemany (PENDING). Callers see a small explicit API:

    with Scratch() as s:
        info = s.household(no) or s.add_household(no, sheet, row)   # then mutate info freely
        s.member(idn) / s.add_member(no, idn, row, in_year=...)
        s.flush()                                                   # before reading in bulk
        for batch in s.iter_households(1000): ...; s.save(batch)
"""

import pickle
import sqlite3
import tempfile
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path

from .national import Place

# Households kept as objects between lookups; the oldest half is written back when it is full.
CACHE_HOUSEHOLDS = 500
# Members and problems are inserted in batches of this many.
PENDING = 1000
# SQLite's page cache (KB): past this the file is read back through the OS, not kept in memory.
CACHE_KB = 4096
# Rows per IN (…) of the scratch database (its parameter limit is far above this).
IN_CHUNK = 500


class HInfo:
    """One household of the file, as the checks need it (the record itself is in the spool)."""

    __slots__ = ("seq", "no", "sheet", "row", "village", "place", "head_name", "head_row", "declared_head",
                 "fingerprint", "bad", "pk", "old_village", "size")

    def __init__(self, no: str, sheet: str, row: int, seq: int = 0):
        self.seq, self.no, self.sheet, self.row = seq, no, sheet, row
        self.village = self.head_name = self.head_row = self.declared_head = None
        self.place: Place | None = None
        self.fingerprint: tuple[tuple, array] | None = None
        self.bad = False
        self.pk = self.old_village = None
        self.size = 0  # members with data for the year (set by the checks)


_H_COLUMNS = ("seq", "no", "sheet", "row", "village", "province", "city", "county", "township", "place_village",
              "head_name", "head_row", "declared_head", "fp_keys", "fp", "bad", "pk", "old_village", "size")

_SCHEMA = """
CREATE TABLE households (
    seq INTEGER PRIMARY KEY, no NOT NULL UNIQUE, sheet, row, village, province, city, county, township,
    place_village, head_name, head_row, declared_head, fp_keys, fp, bad, pk, old_village, size,
    written_pk, written_village);
CREATE TABLE members (idn PRIMARY KEY, no NOT NULL, row, in_year, found DEFAULT 0) WITHOUT ROWID;
CREATE INDEX members_no ON members (no, in_year);
CREATE TABLE problems (seq INTEGER PRIMARY KEY, sheet_no, row, idx, message);
CREATE INDEX problems_row ON problems (sheet_no, row);
"""


def _pack(value):
    """Text and None as they are; anything else (a yes/no cell in the 户主姓名 column) pickled, so
    that it comes back as the same Python value. Columns have no type, so SQLite keeps types."""
    return value if value is None or isinstance(value, str) else pickle.dumps(value)


def _unpack(value):
    return pickle.loads(value) if isinstance(value, bytes) else value


class Scratch:
    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="fupin-import-")
        self.path = Path(self._dir.name) / "scratch.sqlite3"
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
        except BaseException:
            self._dir.cleanup()
            raise
        # A throwaway file: no journal, no fsync; one transaction that is never committed (pages
        # beyond the cache go to the file), temporary b-trees on disk too.
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_KB}", "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")
        self._cache: OrderedDict[str, HInfo] = OrderedDict()
        self._members: dict[str, tuple] = {}
        self._problems: list[tuple] = []
        self._seq = 0
        # Fingerprint key tuples (the columns a household has): few distinct ones, stored by number.
        self._keys: list[tuple] = []
        self._key_ids: dict[tuple, int] = {}

    def close(self) -> None:
        self._cache.clear()
        self.db.close()
        self._dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # households -------------------------------------------------------------------------------
    # household() and add_household() return an object to change in place: it is written back when
    # it leaves the cache, i.e. after CACHE_HOUSEHOLDS // 2 other households were used — so use it
    # for the row at hand, and look it up again for the next row.
    def household(self, no: str) -> HInfo | None:
        info = self._cache.get(no)
        if info is not None:
            self._cache.move_to_end(no)
            return info
        row = self.db.execute(f"SELECT {', '.join(_H_COLUMNS)} FROM households WHERE no = ?", (no,)).fetchone()
        if row is None:
            return None
        info = self._load(row)
        self._keep(info)
        return info

    def add_household(self, no: str, sheet: str, row: int) -> HInfo:
        """A household first seen at `row`; the caller has checked that `no` is new."""
        self._seq += 1
        info = HInfo(no, sheet, row, self._seq)
        self._keep(info)
        return info

    def _keep(self, info: HInfo) -> None:
        if len(self._cache) >= CACHE_HOUSEHOLDS:
            evicted = [self._cache.popitem(last=False)[1] for _ in range(max(1, CACHE_HOUSEHOLDS // 2))]
            self._write(evicted)
        self._cache[info.no] = info

    def _write(self, infos: Iterable[HInfo]) -> None:
        self.db.executemany(f"INSERT OR REPLACE INTO households ({', '.join(_H_COLUMNS)}) "
                            f"VALUES ({', '.join('?' * len(_H_COLUMNS))})", map(self._dump, infos))

    def _dump(self, info: HInfo) -> tuple:
        place = info.place or Place(None, None, None, None, None)
        keys = hashes = None
        if info.fingerprint is not None:
            keys = self._key_ids.get(info.fingerprint[0])
            if keys is None:
                keys = self._key_ids[info.fingerprint[0]] = len(self._keys)
                self._keys.append(info.fingerprint[0])
            hashes = info.fingerprint[1].tobytes()
        return (info.seq, info.no, info.sheet, info.row, info.village, place.province, place.city, place.county,
                place.township, place.village, info.head_name, info.head_row, _pack(info.declared_head), keys,
                hashes, int(info.bad), info.pk, info.old_village, info.size)

    def _load(self, row: tuple) -> HInfo:
        (seq, no, sheet, number, village, province, city, county, township, place_village, head_name, head_row,
         declared_head, keys, hashes, bad, pk, old_village, size) = row
        info = HInfo(no, sheet, number, seq)
        info.village, info.head_name, info.head_row = village, head_name, head_row
        if place_village is not None:
            info.place = Place(province, city, county, township, place_village)
        info.declared_head = _unpack(declared_head)
        if keys is not None:
            values = array("q")
            values.frombytes(hashes)
            info.fingerprint = (self._keys[keys], values)
        info.bad, info.pk, info.old_village, info.size = bool(bad), pk, old_village, size
        return info

    def household_count(self) -> int:
        assert not self._cache, "flush() first"
        return self.db.execute("SELECT count(*) FROM households").fetchone()[0]

    def cached(self) -> int:
        """Households held in memory now (never more than CACHE_HOUSEHOLDS)."""
        return len(self._cache)

    def flush(self) -> None:
        """Write back everything held in memory: after this the file alone holds the state."""
        self._write(self._cache.values())
        self._cache.clear()
        self._flush_members()
        self._flush_problems()

    def iter_households(self, size: int) -> Iterator[list[HInfo]]:
        """Every household in the order first seen, `size` at a time (fresh objects: `save` them)."""
        assert not self._cache, "flush() first"
        after = 0
        while True:
            rows = self.db.execute(f"SELECT {', '.join(_H_COLUMNS)} FROM households WHERE seq > ? "
                                   "ORDER BY seq LIMIT ?", (after, size)).fetchall()
            if not rows:
                return
            batch = [self._load(r) for r in rows]
            yield batch
            after = batch[-1].seq

    def save(self, infos: list[HInfo]) -> None:
        """Write back what the checks change (the rest stays as pass 1 left it)."""
        self.db.executemany("UPDATE households SET village = ?, bad = ?, pk = ?, old_village = ?, size = ? "
                            "WHERE seq = ?",
                            ((i.village, int(i.bad), i.pk, i.old_village, i.size, i.seq) for i in infos))

    def households(self, nos: Iterable[str]) -> dict[str, HInfo]:
        """The given households (a batch of the writer) by 户编号."""
        out = {}
        for chunk in _chunks(sorted(set(nos))):
            for row in self.db.execute(f"SELECT {', '.join(_H_COLUMNS)} FROM households "
                                       f"WHERE no IN ({', '.join('?' * len(chunk))})", chunk):
                info = self._load(row)
                out[info.no] = info
        return out

    def mark_bad(self, nos: Iterable[str]) -> None:
        assert not self._cache, "flush() first"
        self.db.executemany("UPDATE households SET bad = 1 WHERE no = ?", ((no,) for no in nos))

    def count_year_members(self) -> None:
        """Each household's size starts as its members in the file with data for the year."""
        self.db.execute("UPDATE households SET size = "
                        "(SELECT count(*) FROM members m WHERE m.no = households.no AND m.in_year = 1)")

    def year_ids(self, nos: list[str]) -> dict[str, set[str]]:
        """户编号 → ID numbers of its members in the file with data for the year."""
        out: dict[str, set[str]] = {}
        for chunk in _chunks(nos):
            for no, idn in self.db.execute(f"SELECT no, idn FROM members WHERE in_year = 1 "
                                           f"AND no IN ({', '.join('?' * len(chunk))})", chunk):
                out.setdefault(no, set()).add(idn)
        return out

    # what the writer learnt: the key and village of each household written
    def set_written(self, rows: list[tuple[str, int, str]]) -> None:
        self.db.executemany("UPDATE households SET written_pk = ?, written_village = ? WHERE no = ?",
                            ((pk, village, no) for no, pk, village in rows))

    def written(self, nos: Iterable[str]) -> dict[str, tuple[int, str]]:
        out = {}
        for chunk in _chunks(sorted(set(nos))):
            out.update((no, (pk, village)) for no, pk, village in self.db.execute(
                f"SELECT no, written_pk, written_village FROM households WHERE no IN ({', '.join('?' * len(chunk))})",
                chunk))
        return out

    # members ---------------------------------------------------------------------------------
    # An ID number is registered for one household only (a second one is a problem, not stored),
    # so the ID number alone finds both "same household again" and "already in another household".
    def member(self, idn: str) -> tuple[str, int] | None:
        """(户编号, row) where this ID number was registered, or None."""
        pending = self._members.get(idn)
        if pending is not None:
            return pending[1], pending[2]
        return self.db.execute("SELECT no, row FROM members WHERE idn = ?", (idn,)).fetchone()

    def add_member(self, no: str, idn: str, row: int, *, in_year: bool) -> None:
        self._members[idn] = (idn, no, row, int(in_year))
        if len(self._members) >= PENDING:
            self._flush_members()

    def _flush_members(self) -> None:
        self.db.executemany("INSERT INTO members (idn, no, row, in_year) VALUES (?, ?, ?, ?)", self._members.values())
        self._members.clear()

    def iter_members(self, size: int) -> Iterator[list[tuple[str, str, int]]]:
        """(ID number, 户编号, row) of every member, by ID number, `size` at a time."""
        assert not self._members, "flush() first"
        after = ""
        while True:
            rows = self.db.execute("SELECT idn, no, row FROM members WHERE idn > ? ORDER BY idn LIMIT ?",
                                   (after, size)).fetchall()
            if not rows:
                return
            yield rows
            after = rows[-1][0]

    def mark_found(self, idns: list[str]) -> None:
        """These members already exist in their household in the database."""
        self.db.executemany("UPDATE members SET found = 1 WHERE idn = ?", ((idn,) for idn in idns))

    # problems --------------------------------------------------------------------------------
    def add_problem(self, sheet_no: int, row: int, idx: int | None, message: str) -> None:
        self._problems.append((sheet_no, row, idx, message))
        if len(self._problems) >= PENDING:
            self._flush_problems()

    def _flush_problems(self) -> None:
        self.db.executemany("INSERT INTO problems (sheet_no, row, idx, message) VALUES (?, ?, ?, ?)", self._problems)
        self._problems.clear()

    def problems(self, limit: int) -> list[tuple[int, int, int | None, str]]:
        """The first `limit` problems by sheet and row, in the order found within a row."""
        self._flush_problems()
        return self.db.execute("SELECT sheet_no, row, idx, message FROM problems ORDER BY sheet_no, row, seq "
                               "LIMIT ?", (limit,)).fetchall()

    def problems_at(self, sheet_no: int, row: int) -> list[tuple[int | None, str]]:
        self._flush_problems()
        return self.db.execute("SELECT idx, message FROM problems WHERE sheet_no = ? AND row = ? ORDER BY seq",
                               (sheet_no, row)).fetchall()

    def problem_rows(self) -> int:
        self._flush_problems()
        return self.db.execute("SELECT count(*) FROM (SELECT DISTINCT sheet_no, row FROM problems)").fetchone()[0]

    # counts ----------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        assert not self._cache and not self._members, "flush() first"
        households, new = self.db.execute("SELECT count(*), count(*) - count(pk) FROM households").fetchone()
        members, found = self.db.execute("SELECT count(*), coalesce(sum(found), 0) FROM members").fetchone()
        return {"households": households, "households_new": new, "members": members, "members_found": found}


def _chunks(items: list, size: int = IN_CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]

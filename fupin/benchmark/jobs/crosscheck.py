"""Cross-check: a 1,000,000-row payroll roster (财政供养人员) against the registry vs. a DuckDB join.

The roster (ctx.workdir, reused when present for the same seed, size and registry) is written
streaming: ROWS rows, of which a SHARE are IDs of registry members of the province (some written as
15-digit numbers or with a lower-case x), the rest random valid IDs of regions outside it.

Ours: the app's loading (`crosscheck.loading`: read, normalise, validate every ID, COPY) and the
payroll rule (`crosscheck.rules.run_rules`: members present on the roster's date, of a checked
status, under the region, whose ID is in the roster; suspects stored), timed separately, in a
transaction rolled back afterwards (the dataset is unchanged). Reference: DuckDB reads the same
CSV, normalises the IDs in SQL (15 → 18 digits with the check digit, upper-case X) and joins them
with the registry members exported to Parquet. Checked: the same set of member ids.

Compared: our match vs. DuckDB's read + join (what DuckDB needs for the whole cross-check), both
warm (median of several runs after an untimed one), and also our load + match vs. the same;
DuckDB's join alone and the first (cold) runs are reported too.
"""

from __future__ import annotations

import hashlib
import json
import random
import resource
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
from django.db import connection, transaction
from stdnum.cn import ric

from fupin.accounts.scope import in_code_range
from fupin.benchmark.context import JobContext, timed_result
from fupin.benchmark.export import export_registry
from fupin.crosscheck.choices import DatasetKind
from fupin.crosscheck.loading import Loader, load_file
from fupin.crosscheck.models import Roster, Suspect
from fupin.crosscheck.rules import run_rules
from fupin.policy.selectors import resolve
from fupin.regions.codes import subtree_range
from fupin.registry.models import Member

ROWS = 1_000_000
SHARE = 0.01
KIND = DatasetKind.PAYROLL
RULE = "four_have_payroll"
REFERENCE_RUNS = 3
MATCH_RUNS = 3
# Region codes (valid in GB 11643's table) of other provinces: random IDs never hit the registry.
OTHER_REGIONS = ("110101", "120101", "310101", "320102", "330102", "420325", "440106", "500101", "510104")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- The roster ----------------------------------------------------------------------------------

def _members(region_code: str):
    return Member.objects.filter(in_code_range("household__village_id", subtree_range(region_code)))


def _random_id(rng: random.Random) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 75))
    body = f"{rng.choice(OTHER_REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def _as_written(number: str, i: int) -> str:
    """Some registry IDs as a department might write them: 15 digits, or a lower-case x."""
    if number[6:8] == "19" and number[-1] != "X" and i % 5 == 0:
        return number[:6] + number[8:17]
    if number.endswith("X") and i % 2:
        return number.lower()
    return number


def _sample(region_code: str, *, rows: int, share: float, rng: random.Random) -> tuple[list[str], int]:
    """(IDs of `share × rows` members of the region (at most all), the number of members), sampled
    while streaming over them (selection sampling): memory holds only the sample."""
    members = _members(region_code)
    total = members.count()
    want = min(int(rows * share), total)
    picked = []
    numbers = members.order_by("pk").values_list("id_number", flat=True).iterator(chunk_size=5000)
    for seen, number in enumerate(numbers):
        if rng.random() * (total - seen) < want - len(picked):
            picked.append(number)
    return picked, total


def _digest(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def write_roster(path: Path, *, region_code: str, rows: int, share: float, seed: int) -> dict:
    """Write the roster CSV, streaming (never the roster in memory); returns its description (also
    stored beside it as `path.json`, with a digest of the sampled IDs to tell whether it still fits)."""
    rng = random.Random(seed)
    picked, total = _sample(region_code, rows=rows, share=share, rng=rng)
    info = {"seed": seed, "rows": rows, "share": share, "region_code": region_code, "members": total,
            "registry_rows": len(picked), "sample_sha256": _digest(picked)}
    rng.shuffle(picked)
    slots = set(rng.sample(range(rows), len(picked)))
    it = iter(picked)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        f.write("证件号码,姓名,工作单位,职务\n")
        for i in range(rows):
            number = _as_written(next(it), i) if i in slots else _random_id(rng)
            f.write(f"{number},张三,某单位{i % 50},科员\n")
    tmp.replace(path)
    path.with_suffix(".json").write_text(json.dumps(info))
    return info


def roster(workdir: Path, *, region_code: str, seed: int, rows: int = ROWS, share: float = SHARE) -> tuple[Path, dict]:
    """The roster for this seed and size: reused when the file is there and the registry still gives
    the same sample (the same members drawn), else written."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"roster_{KIND}_{region_code}_s{seed}_{rows}_{share}.csv"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        picked, total = _sample(region_code, rows=rows, share=share, rng=random.Random(seed))
        if info.get("members") == total and info.get("sample_sha256") == _digest(picked):
            return path, {**info, "reused": True, "write_seconds": 0.0}
    t = time.perf_counter()
    info = write_roster(path, region_code=region_code, rows=rows, share=share, seed=seed)
    return path, {**info, "reused": False, "write_seconds": round(time.perf_counter() - t, 2)}


# --- Our side ------------------------------------------------------------------------------------

def app_crosscheck(path: Path, *, region_code: str, as_of: date, match_runs: int = MATCH_RUNS) -> dict:
    """Load and match as the app does, in a transaction that is rolled back. The load runs once; the
    match once untimed (warm) and `match_runs` times timed, each in a savepoint rolled back, so every
    run stores the same suspects. Returns the seconds, the rows loaded and the suspects' member ids."""
    with transaction.atomic():
        ros = Roster.objects.create(kind=KIND, name="benchmark", region_code=region_code, as_of=as_of)
        t = time.perf_counter()
        result = load_file(path, loader=Loader(roster=ros, kind=KIND), max_mb=path.stat().st_size / 2**20 + 1)
        ros.row_count = result.rows
        ros.save(update_fields=["row_count"])
        load_s = time.perf_counter() - t
        match_s = []
        for _ in range(1 + match_runs):
            with transaction.atomic():
                t = time.perf_counter()
                summary = run_rules(ros)
                match_s.append(time.perf_counter() - t)
                ids = set(Suspect.objects.filter(roster=ros, rule=RULE).values_list("member_id", flat=True))
                transaction.set_rollback(True)
        transaction.set_rollback(True)  # roster, rows and suspects are not kept
    return {"load_seconds": load_s, "match_seconds": statistics.median(match_s[1:]), "match_first_seconds": match_s[0],
            "match_seconds_each": [round(x, 3) for x in match_s[1:]], "rows": result.rows, "member_ids": ids,
            "found": summary["rules"][RULE]["found"]}


# --- Reference: DuckDB ---------------------------------------------------------------------------

def _check_digit(body: str) -> str:
    terms = " + ".join(f"CAST(substr({body}, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(WEIGHTS))
    return f"substr('10X98765432', (({terms}) % 11) + 1, 1)"


def normalised_sql(source: str, column: str) -> str:
    """SELECT id_number FROM `source`: `column` as `registry.idnumbers.normalize` makes it — spaces
    trimmed and removed (DuckDB's trim: spaces only), upper-case, a trailing ".0" dropped, 15 digits
    → 18 (century 19 and the check digit). Flat subqueries, so DuckDB evaluates it vectorised."""
    body = "(substr(t, 1, 6) || '19' || substr(t, 7, 9))"
    return (f"SELECT CASE WHEN length(t) <> 15 THEN t WHEN regexp_full_match(t, '[0-9]{{15}}') "
            f"THEN {body} || {_check_digit(body)} ELSE t END AS id_number "
            f"FROM (SELECT CASE WHEN ends_with(u, '.0') THEN u[:-3] ELSE u END AS t "
            f"FROM (SELECT upper(replace(trim({column}), ' ', '')) AS u FROM {source}))")


def reference_sql(path: Path, paths: dict) -> tuple[str, str]:
    """(read: the roster's normalised IDs into a table, join: the matched member ids)."""
    def q(p):
        return str(p).replace("'", "''")
    csv = (f"read_csv('{q(path)}', header = true, all_varchar = true, auto_detect = false, "
           f"columns = {{'证件号码': 'VARCHAR', '姓名': 'VARCHAR', '工作单位': 'VARCHAR', '职务': 'VARCHAR'}})")
    read = f"CREATE OR REPLACE TEMP TABLE roster AS {normalised_sql(csv, chr(34) + '证件号码' + chr(34))}"
    join = (f"SELECT DISTINCT m.id FROM read_parquet('{q(paths['members'])}') m "
            f"JOIN read_parquet('{q(paths['households'])}') h ON h.id = m.household_id "
            "WHERE h.village_id BETWEEN $low AND $high AND list_contains($statuses, h.status) "
            "AND (m.left_on IS NULL OR m.left_on > $as_of) "
            "AND m.id_number IN (SELECT id_number FROM roster)")
    return read, join


def reference_crosscheck(db, read: str, join: str, params: dict) -> dict:
    t = time.perf_counter()
    db.execute(read)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    ids = {r[0] for r in db.execute(join, params).fetchall()}
    join_s = time.perf_counter() - t
    return {"read_seconds": read_s, "join_seconds": join_s, "member_ids": ids}


# --- The job -------------------------------------------------------------------------------------

def crosscheck(*, ctx: JobContext, rows: int = ROWS, share: float = SHARE) -> dict:
    code, as_of = ctx.region_code, date(ctx.year, 12, 31)
    workdir = ctx.workdir / "crosscheck"
    path, roster_info = roster(workdir, region_code=code, seed=ctx.seed, rows=rows, share=share)
    ours = app_crosscheck(path, region_code=code, as_of=as_of)
    our_rss = peak_rss_mb()
    export = export_registry(region_code=code, workdir=workdir, tables=("households", "members"))
    # The province's value: a place below with its own would show up as a difference, not be hidden.
    statuses = list(resolve("crosscheck.checked_statuses", year=as_of.year, region_code=code).value)
    low, high = subtree_range(code).as_tuple()
    params = {"low": low, "high": high, "statuses": statuses, "as_of": as_of}
    read, join = reference_sql(path, export["paths"])
    with duckdb.connect() as db:
        first = reference_crosscheck(db, read, join, params)  # warm: file cache, Parquet metadata
        runs = [reference_crosscheck(db, read, join, params) for _ in range(REFERENCE_RUNS)]
    ref_read = statistics.median(r["read_seconds"] for r in runs)
    ref_join = statistics.median(r["join_seconds"] for r in runs)
    ref_ids = runs[-1]["member_ids"]
    checked = ours["member_ids"] == ref_ids and ours["found"] == len(ref_ids)
    ref_total = ref_read + ref_join
    our_total = ours["load_seconds"] + ours["match_seconds"]
    return timed_result(
        job="crosscheck", seconds=ours["match_seconds"], rows=ours["rows"], unit="roster rows",
        reference="DuckDB: read the CSV roster, normalise IDs in SQL, join the members in Parquet",
        reference_seconds=ref_total, target_ratio=2.0, checked=checked,
        detail={
            "region_code": code, "as_of": as_of.isoformat(), "vendor": connection.vendor, "kind": KIND,
            "compared": "our match (run_rules: the payroll rule, suspects stored) vs. DuckDB read + join",
            "our_load_seconds": round(ours["load_seconds"], 3), "our_match_seconds": round(ours["match_seconds"], 3),
            "our_load_rows_per_second": round(ours["rows"] / ours["load_seconds"]) if ours["load_seconds"] else None,
            "reference_read_seconds": round(ref_read, 4), "reference_join_seconds": round(ref_join, 4),
            "our_match_first_seconds": round(ours["match_first_seconds"], 3),
            "our_match_seconds_each": ours["match_seconds_each"],
            "reference_first_seconds": round(first["read_seconds"] + first["join_seconds"], 4),
            "reference_seconds_each": [round(r["read_seconds"] + r["join_seconds"], 4) for r in runs],
            "load_plus_match": {"seconds": round(our_total, 3), "reference_seconds": round(ref_total, 4),
                                "ratio": round(our_total / ref_total, 3) if ref_total else None},
            "match_vs_join_only_ratio": round(ours["match_seconds"] / ref_join, 3) if ref_join else None,
            "suspects": ours["found"], "reference_members": len(ref_ids),
            "only_ours": sorted(ours["member_ids"] - ref_ids)[:20],
            "only_reference": sorted(ref_ids - ours["member_ids"])[:20],
            "checked_statuses": statuses,
            "peak_rss_mb_after_ours": our_rss,
            "roster": {**roster_info, "path": str(path), "mb": round(path.stat().st_size / 2**20, 1)},
            "export": {**export["seconds"], "rows": export["rows"], "note": "not part of the comparison"},
            "timing": f"match: median of {MATCH_RUNS} runs after one untimed run (each in a savepoint rolled "
                      f"back); DuckDB read + join: median of {REFERENCE_RUNS} after one untimed run; the first "
                      "runs are reported too; our load runs once (not repeated: 1M rows)",
        })

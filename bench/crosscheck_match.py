"""Benchmark of the cross-check engine on PostgreSQL: load a 1,000,000-row roster and match it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench .venv/bin/python bench/crosscheck_match.py \
        [--rows 1000000] [--households 20000] [--match-share 0.01] [--kind payroll]

Creates the database schema if needed (migrate), a registry of ~3 persons per household (bulk
insert, once; reused on later runs), writes a CSV roster where `--match-share` of the rows are
registry members (some given as 15-digit numbers or with a lower-case x), then times separately:
loading (read, normalise and validate every ID, COPY into crosscheck_rosterrow) and matching (the
kind's rules). Prints rows/s and seconds, and the plan of the matching query. Not part of pytest.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from fupin.crosscheck.loading import Loader, load_file  # noqa: E402
from fupin.crosscheck.models import Roster, RosterRow, Suspect  # noqa: E402
from fupin.crosscheck.rules import run_rules  # noqa: E402
from fupin.regions.codes import NATION_CODE, Level  # noqa: E402
from fupin.regions.models import Region  # noqa: E402
from fupin.registry.models import Household, Member  # noqa: E402

COUNTY = "610926"


def make_id(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def registry(households: int, rng: random.Random) -> list[str]:
    if Member.objects.filter(household__village__code__startswith=COUNTY).exists():
        return list(Member.objects.filter(household__village__code__startswith=COUNTY).values_list("id_number", flat=True))
    tree = [(NATION_CODE, "全国", Level.NATION, None), ("610000000000", "陕西省", Level.PROVINCE, NATION_CODE),
            ("610900000000", "安康市", Level.CITY, "610000000000"), (f"{COUNTY}000000", "平利县", Level.COUNTY,
                                                                    "610900000000")]
    villages = []
    for t in range(10):
        town = f"{COUNTY}{100 + t:03d}000"
        tree.append((town, f"镇{t}", Level.TOWNSHIP, f"{COUNTY}000000"))
        for v in range(1, 11):
            villages.append(f"{COUNTY}{100 + t:03d}{v:03d}")
            tree.append((villages[-1], f"村{t}-{v}", Level.VILLAGE, town))
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in tree],
                               ignore_conflicts=True)
    hs = Household.objects.bulk_create([
        Household(household_no=f"B{i:08d}", village_id=villages[i % len(villages)], head_name="户主",
                  main_cause="illness", registered_year=2014, status="not_exited") for i in range(households)],
        batch_size=5000)
    taken, members = set(), []
    for h in hs:
        for k in range(3):
            while True:
                born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 75))
                number = make_id(COUNTY, born, rng.randrange(1000))
                if number not in taken:
                    break
            taken.add(number)
            members.append(Member(household=h, name=f"成员{k}", id_number=number, gender="M", birth_date=born,
                                  relation="head" if k == 0 else "son"))
    Member.objects.bulk_create(members, batch_size=5000)
    return [m.id_number for m in members]


def roster_csv(path: Path, rows: int, ids: list[str], share: float, rng: random.Random) -> int:
    taken = set(ids)
    matched = rng.sample(ids, min(int(rows * share), len(ids)))
    births = [date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 75)) for _ in range(5000)]
    regions = ("610902", "610921", "610923", "610925", "610929", "420325", "610926")
    slots = set(rng.sample(range(rows), len(matched)))
    it = iter(matched)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("证件号码,姓名,工作单位,职务\n")
        for i in range(rows):
            if i in slots:
                number = next(it)
                if number[6:8] == "19" and i % 5 == 0:
                    number = number[:6] + number[8:17]  # 15 digits
                elif number.endswith("X") and i % 2:
                    number = number.lower()
            else:
                while True:
                    number = make_id(rng.choice(regions), rng.choice(births), rng.randrange(1000))
                    if number not in taken:
                        taken.add(number)
                        break
            f.write(f"{number},张三,平利县某单位{i % 50},科员\n")
    return len(matched)


def match_plan(roster) -> str:
    """EXPLAIN of the query the rule runs (members of the region with their first matching row)."""
    from fupin.crosscheck.rules import MEMBER_VALUES, Context, _first_row

    ctx = Context(roster)
    q, policy = ctx.groups(())[0]
    qs = ctx.members(q, policy).annotate(row_id=_first_row(ctx)).filter(row_id__isnull=False).values(*MEMBER_VALUES, "row_id")
    return "  " + qs.explain().replace("\n", "\n  ")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--households", type=int, default=20_000)
    p.add_argument("--match-share", type=float, default=0.01)
    p.add_argument("--kind", default="payroll")
    p.add_argument("--keep", action="store_true", help="keep the roster (default: removed after the run)")
    a = p.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("请设置 DATABASE_URL 指向 PostgreSQL")
    rng = random.Random(1)
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    ids = registry(a.households, rng)
    with connection.cursor() as cur:
        cur.execute("ANALYZE registry_household; ANALYZE registry_member")
    print(f"registry: {len(ids):,} members ({time.perf_counter() - t:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.csv"
        t = time.perf_counter()
        matched = roster_csv(path, a.rows, ids, a.match_share, rng)
        print(f"roster CSV: {a.rows:,} rows, {matched:,} registry members, {path.stat().st_size / 2**20:.0f} MB "
              f"({time.perf_counter() - t:.1f} s to write)")
        with transaction.atomic():
            roster = Roster.objects.create(kind=a.kind, name="bench", region_code=f"{COUNTY}000000",
                                           as_of=date(2020, 12, 31))
            t = time.perf_counter()
            result = load_file(path, loader=Loader(roster=roster, kind=a.kind), max_mb=1000)
            load_s = time.perf_counter() - t
            roster.row_count = result.rows
            roster.save(update_fields=["row_count"])
        print(f"load:  {result.rows:,} rows in {load_s:.1f} s = {result.rows / load_s:,.0f} rows/s")
        t = time.perf_counter()
        with transaction.atomic():
            summary = run_rules(roster)
        match_s = time.perf_counter() - t
        found = sum(v["found"] for v in summary["rules"].values())
        print(f"match: {found:,} suspects in {match_s:.2f} s ({result.rows / match_s:,.0f} roster rows/s)")
        print("plan of the matching query:\n" + match_plan(roster))
        if not a.keep:
            with transaction.atomic():
                Suspect.objects.filter(roster=roster).delete()
                RosterRow.objects.filter(roster=roster)._raw_delete(connection.alias)
                roster.delete()


if __name__ == "__main__":
    main()

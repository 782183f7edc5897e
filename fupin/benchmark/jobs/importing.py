"""Registry import from CSV and xlsx, each against the fastest plain way to read the same file.

The job exports the registry of ctx.county_code for ctx.year in the national export layout
(importing_file.py) into ctx.workdir, then times:

- ours: `registry.importing.engine.import_households` — the path the CLI and the web upload use:
  streaming read, every cell cleaned by registry.validation, the checks against the database,
  then bulk upserts with status events and audit entries in one transaction — as a county-level
  importer (县级审批员) into an EMPTY county (a copy of the source county's townships and villages
  under a new code; the file names them, the import resolves the names in the user's scope);
- the reference, on the same file:
  csv  → PostgreSQL: `COPY staging FROM STDIN (FORMAT csv, HEADER true)` into an UNLOGGED table of
         text columns (no parsing of values, no constraints: the floor of loading rows);
         SQLite: the csv module + executemany into a table of text columns in one transaction
         (SQLite has no COPY; this is its fastest plain path);
  xlsx → python-calamine reading every row of the workbook to Python values (a Rust parser: the
         fastest plain read of an xlsx from Python).

checked: the import succeeded and wrote exactly the file's households and persons (its own counts
and a count in the database), and the reference saw the same number of rows.

Memory: the reference runs first; then the process's peak RSS is reset (/proc/self/clear_refs,
Linux), so the runner's wait4 peak and `detail.rss_peak_kb_import` are the import's own.

Afterwards everything the import wrote is removed with set-based deletes (yearly rows, members,
status events, households, the new regions and user) and the audit trail is cut back to where it
was (the rows after the remembered head, the head restored: `verify_audit` still passes). The
audit table refuses DELETE on PostgreSQL by trigger; the trigger is disabled for that one
statement inside the cleanup's transaction — acceptable on a benchmark database only.
"""

from __future__ import annotations

import csv
import os
import re
import time
from pathlib import Path

from django.db import connection, transaction

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.audit.context import acting
from fupin.audit.models import AuditEvent, AuditHead
from fupin.benchmark.context import JobContext, timed_result
from fupin.regions.codes import Level, subtree_range
from fupin.regions.models import Region
from fupin.registry.importing.engine import import_households
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear

from .importing_file import write_file

TARGET_RATIO = 2.0  # ≥ 50 % of the reference's throughput
REGION_SOURCE = "bench-import"
USERNAME = "bench_importer"
TARGET_NAME = "基准导入县"


# --- memory of this process ------------------------------------------------------------------

def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_kb() -> int | None:
    try:
        match = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
        return int(match.group(1)) if match else None
    except OSError:
        return None


# --- the empty county ------------------------------------------------------------------------

def target_county_code(source: str) -> str:
    """A county code in the source's city that no real county uses (a leftover of ours is reused)."""
    for n in range(99, 80, -1):
        code = f"{source[:4]}{n:02d}000000"
        region = Region.objects.filter(code=code).first()
        if region is None or region.source == REGION_SOURCE:
            return code
    raise RuntimeError(f"在 {source[:4]} 下找不到空闲的县级区划代码")


def create_county(source: str, target: str) -> int:
    """The target county with the source's townships and villages (same names, codes moved)."""
    src = Region.objects.get(code=source)
    rows = [Region(code=target, name=TARGET_NAME, level=Level.COUNTY, parent_id=src.parent_id, source=REGION_SOURCE)]
    codes = subtree_range(source)
    for code, name, level, parent in Region.objects.filter(
            code__gt=codes.low, code__lte=codes.high, level__in=(Level.TOWNSHIP, Level.VILLAGE)
    ).order_by("code").values_list("code", "name", "level", "parent_id"):
        rows.append(Region(code=target[:6] + code[6:], name=name, level=level, parent_id=target[:6] + parent[6:],
                           source=REGION_SOURCE))
    Region.objects.bulk_create(rows, batch_size=1000)
    return len(rows) - 1


def importer_user(county: str) -> User:
    user = User(username=USERNAME, role=Role.COUNTY_APPROVER, region_id=county, full_name="基准测试导入")
    user.set_unusable_password()
    user.save()
    return user


def _disable_audit_trigger(enable: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ALTER TABLE {AuditEvent._meta.db_table} {'ENABLE' if enable else 'DISABLE'} "
                        "TRIGGER audit_no_update")


def remove_import(county: str, *, audit_head: tuple[int, str] | None) -> dict:
    """Delete what an import into `county` wrote, the county's regions and the importer user;
    cut the audit trail back to `audit_head` (seq, hash). Set-based: one DELETE per table."""
    codes = subtree_range(county)
    in_county = {"village_id__gte": codes.low, "village_id__lte": codes.high}
    counts = {}
    with transaction.atomic():
        households = Household.objects.filter(**in_county).values("id")
        members = Member.objects.filter(household_id__in=households).values("id")
        for name, qs in (
                ("member_years", MemberYear.objects.filter(member_id__in=members)),
                ("members", Member.objects.filter(household_id__in=households)),
                ("status_events", HouseholdStatusEvent.objects.filter(household_id__in=households)),
                ("household_years", HouseholdYear.objects.filter(household_id__in=households)),
                ("households", Household.objects.filter(**in_county))):
            counts[name] = qs._raw_delete(qs.db)
        if audit_head is not None:
            seq, hash_ = audit_head
            _disable_audit_trigger(False)
            qs = AuditEvent.objects.filter(seq__gt=seq)
            counts["audit_entries"] = qs._raw_delete(qs.db)
            _disable_audit_trigger(True)
            AuditHead.objects.filter(pk=1).update(seq=seq, hash=hash_)
        users = User.objects.filter(username=USERNAME)
        counts["users"] = users._raw_delete(users.db)
        for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY):
            qs = Region.objects.filter(code__gte=codes.low, code__lte=codes.high, level=level, source=REGION_SOURCE)
            counts["regions"] = counts.get("regions", 0) + qs._raw_delete(qs.db)
    return counts


def _audit_head() -> tuple[int, str] | None:
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return head if head else None


# --- references ------------------------------------------------------------------------------

STAGING = "bench_import_staging"


def _staging_table(width: int) -> None:
    columns = ", ".join(f"c{i} text" for i in range(width))
    unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cur.execute(f"CREATE {unlogged}TABLE {STAGING} ({columns})")


def _drop_staging() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {STAGING}")


def reference_csv(path: Path, width: int) -> tuple[float, int, str]:
    """(seconds, rows loaded, what was done) for the plain load of the CSV into text columns."""
    _staging_table(width)
    try:
        if connection.vendor == "postgresql":
            name = "PostgreSQL COPY (FORMAT csv) into an UNLOGGED table of text columns"
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cur, \
                    cur.cursor.copy(f"COPY {STAGING} FROM STDIN (FORMAT csv, HEADER true)") as copy, \
                    path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            seconds = time.perf_counter() - started
        else:
            name = "SQLite: csv module + executemany into a table of text columns, one transaction"
            markers = ", ".join("?" for _ in range(width))
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cur, path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(f)
                next(reader)
                batch = []
                for record in reader:
                    batch.append(record)
                    if len(batch) >= 5000:
                        cur.executemany(f"INSERT INTO {STAGING} VALUES ({markers})", batch)
                        batch = []
                if batch:
                    cur.executemany(f"INSERT INTO {STAGING} VALUES ({markers})", batch)
            seconds = time.perf_counter() - started
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {STAGING}")
            loaded = cur.fetchone()[0]
    finally:
        _drop_staging()
    return seconds, loaded, name


def reference_xlsx(path: Path, header_row: int) -> tuple[float, int, str]:
    """(seconds, data rows, what was done): python-calamine reading every row to Python values."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = 0
    for number, values in enumerate(sheet.iter_rows(), start=1):
        if number > header_row and any(v not in ("", None) for v in values):
            rows += 1
    seconds = time.perf_counter() - started
    return seconds, rows, "python-calamine: every row of the workbook read to Python values"


def reference_tables(county: str) -> tuple[float, int, str]:
    """(seconds, rows, what was done): the rows the import wrote into the registry tables, written
    again without the app — copied aside into temporary tables, deleted, and put back with one
    `INSERT … SELECT` per table inside a transaction that is rolled back. Server-side, no Python per
    row, nothing parsed or validated: the floor of writing the same data into the real tables with
    their indexes and constraints, which any import pays on top of reading the file."""
    codes = subtree_range(county)
    households = Household.objects.filter(village_id__gte=codes.low, village_id__lte=codes.high).values("id")
    members = Member.objects.filter(household_id__in=households).values("id")
    order = ((Household, Household.objects.filter(village_id__gte=codes.low, village_id__lte=codes.high)),
             (HouseholdStatusEvent, HouseholdStatusEvent.objects.filter(household_id__in=households)),
             (HouseholdYear, HouseholdYear.objects.filter(household_id__in=households)),
             (Member, Member.objects.filter(household_id__in=households)),
             (MemberYear, MemberYear.objects.filter(member_id__in=members)))
    qn = connection.ops.quote_name
    rows = 0
    with transaction.atomic(), connection.cursor() as cur:
        for model, qs in order:
            sql, params = qs.values_list(*[f.attname for f in model._meta.concrete_fields]).query.sql_with_params()
            cur.execute(f"CREATE TEMP TABLE {qn('floor_' + model._meta.db_table)} AS {sql}", params)
        for _model, qs in reversed(order):
            qs._raw_delete(qs.db)
        started = time.perf_counter()
        for model, _qs in order:
            names = ", ".join(qn(f.column) for f in model._meta.concrete_fields)
            cur.execute(f"INSERT INTO {qn(model._meta.db_table)} ({names}) "
                        f"SELECT * FROM {qn('floor_' + model._meta.db_table)}")
            rows += cur.rowcount
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)  # the rows stay as the import wrote them; the copies go too
    with connection.cursor() as cur:  # rolled back with the transaction already; never left behind
        for model, _qs in order:
            cur.execute(f"DROP TABLE IF EXISTS {qn('floor_' + model._meta.db_table)}")
    return seconds, rows, "INSERT … SELECT of the rows the import wrote into the registry tables (households, " \
                          "status events, yearly rows, members), from temporary copies, rolled back"


# --- the jobs --------------------------------------------------------------------------------

def run_import_job(ctx: JobContext, *, fmt: str) -> dict:
    workdir = Path(ctx.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    target = target_county_code(ctx.county_code)
    remove_import(target, audit_head=None)  # a crashed run's leftovers
    path = workdir / f"import_{ctx.county_code[:6]}_{ctx.year}.{fmt}"
    head = _audit_head()
    try:
        t0 = time.perf_counter()
        create_county(ctx.county_code, target)
        user = importer_user(target)
        written = write_file(ctx, fmt=fmt, path=path, target_county=target, target_name=TARGET_NAME)
        export_seconds = time.perf_counter() - t0
        if written.persons == 0:
            raise RuntimeError(f"区划 {ctx.county_code} 在 {ctx.year} 年没有成员数据，无法测导入")
        from .importing_file import header, national_columns

        width = len(header(national_columns()))
        if fmt == "csv":
            ref_seconds, ref_rows, ref_name = reference_csv(path, width)
        else:
            ref_seconds, ref_rows, ref_name = reference_xlsx(path, header_row=3)
        rss_reference = peak_rss_kb()
        reset = reset_peak_rss()
        started = time.perf_counter()
        with acting(actor_id=user.pk, actor_name=user.username):
            result = import_households(path, actor=user, year=ctx.year)
        seconds = time.perf_counter() - started
        rss_import = peak_rss_kb()
        floor = reference_tables(target) if result.ok else None
        codes = subtree_range(target)
        in_db_households = Household.objects.filter(village_id__gte=codes.low, village_id__lte=codes.high).count()
        in_db_persons = Member.objects.filter(household__village_id__gte=codes.low,
                                              household__village_id__lte=codes.high).count()
    finally:
        cleanup = remove_import(target, audit_head=head)
    counts = result.counts
    checked = (result.ok and counts.get("members_created") == written.persons == in_db_persons == ref_rows
               and counts.get("households_created") == written.households == in_db_households)
    return timed_result(
        job=f"import_{fmt}", seconds=seconds, rows=written.persons, unit="persons", reference=ref_name,
        reference_seconds=ref_seconds, target_ratio=TARGET_RATIO, checked=checked,
        detail={"file": path.name, "file_mb": round(path.stat().st_size / 1024 / 1024, 2),
                "households": written.households, "persons": written.persons, "reference_rows": ref_rows,
                "imported": {k: counts.get(k) for k in ("households_created", "members_created",
                                                        "household_years_created", "member_years_created",
                                                        "status_events", "audit_entries")},
                "in_database": {"households": in_db_households, "persons": in_db_persons},
                "import_ok": result.ok, "import_message": result.message,
                "errors": [p.text() for p in result.problems[:10]],
                "export_seconds": round(export_seconds, 2), "target_county": target,
                "write_floor": floor and {
                    "what": floor[2], "seconds": round(floor[0], 4), "rows": floor[1],
                    "persons_per_second": round(written.persons / floor[0], 1) if floor[0] else None,
                    "ratio": round(seconds / floor[0], 3) if floor[0] else None,
                    "floor_vs_reference": round(floor[0] / ref_seconds, 3) if ref_seconds else None},
                "rss_peak_kb_reference": rss_reference, "rss_peak_kb_import": rss_import if reset else None,
                "cleanup": cleanup, "pid": os.getpid()})


def import_csv(*, ctx: JobContext) -> dict:
    return run_import_job(ctx, fmt="csv")


def import_xlsx(*, ctx: JobContext) -> dict:
    return run_import_job(ctx, fmt="xlsx")

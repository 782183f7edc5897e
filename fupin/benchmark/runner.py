"""The benchmark orchestrator behind `fupin bench` (bench/README.md).

For each backend and scale: a fresh database (PostgreSQL: drop + create fupin_bench_s{scale};
SQLite: var/bench/bench_s{scale}.sqlite3), `fupin migrate`, `fupin load_regions`, the dataset
(`build_dataset`, timed and measured like a job), then every job in its own process
(`fupin bench_job NAME --context …`) with DATABASE_URL pointing at that database. The peak RSS of
each process comes from os.wait4's rusage (ru_maxrss, KB on Linux) — every job starts as a fresh
process, so the number is that job's. The runner itself keeps nothing but the results.

Everything it does is printed on stderr as it happens; a run at 100,000 persons × 1/2/4 on both
backends takes a long while.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .context import JobContext
from .jobs import JOBS

REPO = Path(__file__).resolve().parents[2]
DEFAULT_REGION = "64"  # 宁夏: 22 counties, so a county of the generated province has a realistic size
DEFAULT_SCALES = (1, 2, 4)
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/"
SCALE_ONE_ONLY = {"api_latency"}  # latency depends on the page, not on the data size
# The fallback dataset while `fupin generate` does not exist: the demo generator's county.
FALLBACK_REGIONS_CSV = REPO / "fupin/demo/data/610926_regions.csv"
FALLBACK_COUNTY = "610926"
PERSONS_PER_HOUSEHOLD = 2.5


class BenchError(RuntimeError):
    """A problem that stops the run (Chinese message)."""


@dataclass
class Options:
    persons: int
    backends: tuple[str, ...] = ("postgresql", "sqlite")
    scales: tuple[int, ...] = DEFAULT_SCALES
    jobs: tuple[str, ...] = tuple(JOBS)
    region: str = DEFAULT_REGION
    seed: int = 2014
    pg_url: str = DEFAULT_PG_URL
    keep: bool = False
    workdir: Path = field(default_factory=lambda: REPO / "var" / "bench")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def region_code(raw: str) -> str:
    """"64", "640000" or "640000000000" → the province's 12-digit code."""
    text = str(raw).strip()
    if not text.isdigit() or len(text) not in (2, 4, 6, 9, 12):
        raise BenchError(f"--region “{raw}”无效：应为省级区划代码，如 64 或 640000")
    return text.ljust(12, "0")


# --- databases -------------------------------------------------------------------------------

def _pg_base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def database_url(options: Options, backend: str, scale: int) -> str:
    if backend == "postgresql":
        return f"{_pg_base(options.pg_url)}fupin_bench_s{scale}"
    return f"sqlite:///{sqlite_path(options, scale)}"


def sqlite_path(options: Options, scale: int) -> Path:
    return (options.workdir / f"bench_s{scale}.sqlite3").resolve()


def check_postgres(url: str) -> str:
    """The server version, or BenchError with what to do."""
    import psycopg

    try:
        with psycopg.connect(_pg_base(url) + "postgres", connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        raise BenchError(f"无法连接 PostgreSQL（{url}）：{str(exc).strip()}。请确认 PostgreSQL 已启动，"
                         "或用 --pg-url 指定地址，或用 --backends sqlite 只测 SQLite") from None


def fresh_database(options: Options, backend: str, scale: int) -> None:
    if backend == "postgresql":
        import psycopg

        name = f"fupin_bench_s{scale}"
        with psycopg.connect(_pg_base(options.pg_url) + "postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = sqlite_path(options, scale)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def drop_database(options: Options, backend: str, scale: int) -> None:
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(_pg_base(options.pg_url) + "postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "fupin_bench_s{scale}" WITH (FORCE)')
    else:
        path = sqlite_path(options, scale)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- processes -------------------------------------------------------------------------------

@dataclass
class ProcessResult:
    exit_code: int
    wall_seconds: float
    rss_peak_kb: int
    stdout: str

    def as_dict(self) -> dict:
        return {"exit_code": self.exit_code, "wall_seconds": round(self.wall_seconds, 2),
                "rss_peak_kb": self.rss_peak_kb}


def fupin_command() -> list[str]:
    """The `fupin` CLI of this interpreter (fupin.cli:main, also when the script is not installed)."""
    return [sys.executable, "-c", "import sys; from fupin.cli import main; sys.exit(main())"]


def run_process(args: list[str], *, database: str, stdout_path: Path) -> ProcessResult:
    """Run `fupin <args>` with DATABASE_URL=database; stdout to a file (read back), stderr passed
    through; peak RSS and exit status from os.wait4."""
    env = {**os.environ, "DATABASE_URL": database}
    stdout_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with stdout_path.open("wb") as out:
        process = subprocess.Popen([*fupin_command(), *args], env=env, stdout=out, stderr=None, cwd=REPO)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return ProcessResult(exit_code=process.returncode, wall_seconds=wall, rss_peak_kb=usage.ru_maxrss,
                         stdout=stdout_path.read_text(encoding="utf-8", errors="replace"))


def _parse_json(text: str) -> dict | None:
    start = text.find("{")
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except json.JSONDecodeError:
        return None


def setup_step(args: list[str], *, database: str, workdir: Path, what: str) -> ProcessResult:
    log(what)
    result = run_process(args, database=database, stdout_path=workdir / f"{args[0]}.out")
    if result.exit_code != 0:
        raise BenchError(f"{what}失败（退出码 {result.exit_code}）：{result.stdout[-1000:]}")
    return result


# --- the dataset -----------------------------------------------------------------------------

def has_command(name: str) -> bool:
    from django.core.management import get_commands

    return name in get_commands()


def build_dataset(options: Options, *, persons: int, database: str, workdir: Path) -> dict:
    """Generate the dataset of one scale; returns the generation recorded as a job
    ({"job": "generate", "method", "seconds", "rows", "throughput", "process", "region_code"}).

    `fupin generate --region R --persons N --seed S --json` (province-wide) when the command exists;
    otherwise the fallback: the demo generator's one county (610926, registry only) with
    persons / 2.5 households — region_code is then that county's province."""
    region = region_code(options.region)
    if has_command("generate"):
        method = "generate"
        args = ["generate", "--region", region, "--persons", str(persons), "--seed", str(options.seed), "--json"]
    else:
        method = "generate_demo (fallback: one county, registry only)"
        setup_step(["import_regions", str(FALLBACK_REGIONS_CSV)], database=database, workdir=workdir,
                   what=f"载入县 {FALLBACK_COUNTY} 的乡镇和村（fupin generate 尚不存在，使用 generate_demo）")
        region = FALLBACK_COUNTY[:2].ljust(12, "0")
        args = ["generate_demo", "--county", FALLBACK_COUNTY, "--households",
                str(max(1, round(persons / PERSONS_PER_HOUSEHOLD))), "--seed", str(options.seed), "--registry-only",
                "--json"]
    log(f"生成数据：fupin {' '.join(args)}")
    proc = run_process(args, database=database, stdout_path=workdir / "generate.out")
    if proc.exit_code != 0:
        raise BenchError(f"生成数据失败（退出码 {proc.exit_code}）：{proc.stdout[-1000:]}")
    info = dataset_info_subprocess(region, database=database, workdir=workdir)
    seconds = proc.wall_seconds
    return {"job": "generate", "ok": True, "method": method, "command": ["fupin", *args],
            "seconds": round(seconds, 2), "rows": info["persons"], "unit": "persons",
            "throughput": round(info["persons"] / seconds, 1) if seconds > 0 else None,
            "region_code": region, "info": info, "output": _parse_json(proc.stdout), "process": proc.as_dict()}


def dataset_info_subprocess(region: str, *, database: str, workdir: Path) -> dict:
    proc = run_process(["bench_job", "--dataset-info", region, "--json"], database=database,
                       stdout_path=workdir / "dataset_info.out")
    info = _parse_json(proc.stdout)
    if proc.exit_code != 0 or not info or not info.get("ok"):
        raise BenchError(f"读取数据集概况失败：{proc.stdout[-1000:]}")
    return info


def dataset_info(region: str) -> dict:
    """What the generated data holds under `region`: persons, households, the last year, and the
    county the county-level jobs use (the one with the most households)."""
    from django.db.models import Count, Max
    from django.db.models.functions import Substr

    from fupin.regions.codes import subtree_range
    from fupin.registry.models import Household, HouseholdYear, Member

    codes = subtree_range(region)
    in_region = {"village_id__gte": codes.low, "village_id__lte": codes.high}
    households = Household.objects.filter(**in_region)
    counties = list(households.annotate(county=Substr("village_id", 1, 6)).values("county")
                    .annotate(n=Count("id")).order_by("-n", "county"))
    year = HouseholdYear.objects.filter(household__in=households.values("id")).aggregate(y=Max("year"))["y"]
    return {"ok": bool(counties) and year is not None, "region_code": region,
            "households": households.count(),
            "persons": Member.objects.filter(household__in=households.values("id")).count(),
            "counties": len(counties), "year": year,
            "county_code": counties[0]["county"].ljust(12, "0") if counties else None,
            "county_households": counties[0]["n"] if counties else 0}


# --- the run ---------------------------------------------------------------------------------

def run_job(name: str, ctx: JobContext, *, database: str) -> dict:
    log(f"[{ctx.vendor} {ctx.scale}×] 运行 {name} …")
    proc = run_process(["bench_job", name, "--context", json.dumps(ctx.as_dict(), ensure_ascii=False), "--json"],
                       database=database, stdout_path=Path(ctx.workdir) / f"{name}.out")
    result = _parse_json(proc.stdout) or {"ok": False, "job": name, "error": proc.stdout[-2000:] or "没有输出"}
    if proc.exit_code != 0:
        result["ok"] = False
        result.setdefault("error", f"退出码 {proc.exit_code}")
    result["process"] = proc.as_dict()
    status = "完成" if result.get("ok", True) and proc.exit_code == 0 else f"失败：{result.get('error')}"
    ratio = f"，比值 {result.get('ratio')}" if result.get("ratio") is not None else ""
    log(f"[{ctx.vendor} {ctx.scale}×] {name} {status}（{proc.wall_seconds:.1f} s，峰值内存 "
        f"{proc.rss_peak_kb / 1024:.0f} MB{ratio}，checked={result.get('checked')}）")
    return result


def run_scale(options: Options, backend: str, scale: int,
              dataset: Callable[..., dict] = build_dataset) -> dict:
    persons = options.persons * scale
    workdir = (options.workdir / f"{backend}_s{scale}").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    database = database_url(options, backend, scale)
    log(f"[{backend} {scale}×] 新建数据库 {database}（{persons:,} 人）")
    fresh_database(options, backend, scale)
    try:
        setup_step(["migrate", "-v0"], database=database, workdir=workdir, what=f"[{backend} {scale}×] 迁移数据库结构")
        setup_step(["load_regions"], database=database, workdir=workdir, what=f"[{backend} {scale}×] 载入区划")
        generated = dataset(options, persons=persons, database=database, workdir=workdir)
        info = generated["info"]
        log(f"[{backend} {scale}×] 数据集：{info['persons']:,} 人，{info['households']:,} 户，{info['counties']} 个县，"
            f"年度 {info['year']}；县级任务使用 {info['county_code']}（{info['county_households']:,} 户）；"
            f"生成用时 {generated['seconds']:.0f} s")
        ctx = JobContext(vendor=backend, persons=persons, scale=scale, region_code=generated["region_code"],
                         county_code=info["county_code"], year=info["year"], seed=options.seed, workdir=workdir)
        jobs = {}
        for name in options.jobs:
            if name in SCALE_ONE_ONLY and scale != min(options.scales):
                continue
            jobs[name] = run_job(name, ctx, database=database)
    finally:
        if not options.keep:
            drop_database(options, backend, scale)
    return {"backend": backend, "scale": scale, "persons": persons, "database": database.split("@")[-1],
            "context": ctx.as_dict(), "dataset": generated, "jobs": jobs}


def run(options: Options, *, dataset: Callable[..., dict] = build_dataset) -> dict:
    """The whole run → the results document (results.build_document)."""
    from . import machine, results

    unknown = [j for j in options.jobs if j not in JOBS]
    if unknown:
        raise BenchError(f"未知的任务：{'、'.join(unknown)}（可选：{'、'.join(JOBS)}）")
    bad = [b for b in options.backends if b not in ("postgresql", "sqlite")]
    if bad:
        raise BenchError(f"未知的数据库：{'、'.join(bad)}（可选：postgresql、sqlite）")
    if options.persons < 100:
        raise BenchError("--persons 至少为 100")
    region_code(options.region)
    if "postgresql" in options.backends:
        version = check_postgres(options.pg_url)
        log(f"PostgreSQL {version}（{options.pg_url}）")
    started = results.utc_now()
    runs = []
    for backend in options.backends:
        for scale in sorted(options.scales):
            try:
                runs.append(run_scale(options, backend, scale, dataset=dataset))
            except BenchError as exc:  # the other scales' results are still worth keeping
                log(f"[{backend} {scale}×] 失败：{exc}")
                runs.append({"backend": backend, "scale": scale, "persons": options.persons * scale,
                             "error": str(exc), "dataset": None, "jobs": {}})
    finished = results.utc_now()
    parameters = {"persons": options.persons, "backends": list(options.backends), "scales": sorted(options.scales),
                  "jobs": list(options.jobs), "region": options.region, "seed": options.seed,
                  "dataset": next((r["dataset"]["method"] for r in runs if r.get("dataset")), None)}
    pg = options.pg_url if "postgresql" in options.backends else None
    return results.build_document(machine=machine.describe(pg_url=pg), parameters=parameters, runs=runs,
                                  started_at=started, finished_at=finished)

"""API latency: the household page and the household search at 20 and 100 concurrent clients.

The app runs under gunicorn (benchmark/server.py) on loopback against the benchmark database; locust
(benchmark/locustfile.py, a subprocess) plays N people of a county office, each with their own API
token of one county-level account made for the run. Each person opens a random household of the
county (`GET /api/v1/households/<id>`), now and then searches (`GET /api/v1/households?q=` with a
head's name or a household number: the API's search parameter, 户主姓名包含 / 户编号开头), and
thinks 0.5–2 s between requests — concurrent clients are people, not a flood; the achieved
requests/s is reported.

Reference, in the same run and under the same load: `GET /api/v1/me` — token authentication, DRF
and a tiny serializer through the same server, i.e. the floor every API request pays. ratio = our
p95 / the reference's p95. Target: household page p95 < 100 ms at 100 clients. A failed request
(an error status, or a body that is not the household asked for / a search that does not find the
household its term came from) makes `checked` false.

The account and its tokens are written directly (no audit rows: the audit table refuses DELETE on
PostgreSQL) and deleted at the end, so the dataset is left as it was found.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import time
from datetime import timedelta
from importlib import metadata
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from fupin.accounts.models import ApiToken, User
from fupin.accounts.roles import Role
from fupin.accounts.scope import in_code_range
from fupin.benchmark.context import JobContext
from fupin.benchmark.server import die_with_parent, group_cpu_seconds, running_server, terminate_raises
from fupin.core.db import analyze
from fupin.regions.codes import subtree_range
from fupin.regions.models import Region
from fupin.registry.models import Household, Member

LEVELS = (20, 100)
THINK_TIME = (0.5, 2.0)  # seconds between one person's requests (uniform)
# A person mostly opens household pages; one request in five is a search, one in five the reference.
WEIGHTS = {"household_detail": 3, "household_search": 1, "reference": 1}
REFERENCE_PATH = "/api/v1/me"
ENDPOINTS = {"household_detail": "GET /api/v1/households/<id>",
             "household_search": "GET /api/v1/households?q=<姓名或户编号>",
             "reference": f"GET {REFERENCE_PATH}"}
TARGET = {"endpoint": "household_detail", "users": 100, "p95_ms_below": 100.0}
# Fixed-size samples, whatever the data size: the plan (and locust's memory) does not grow with it.
SAMPLE_HOUSEHOLDS = 2000
RAMP_SECONDS = 5  # users start over this many seconds; statistics are reset once all run
DURATION = int(os.environ.get("FUPIN_BENCH_LATENCY_SECONDS", "60"))  # measured seconds per level
ACCOUNT_PREFIX = "bench_latency_"
LOCUSTFILE = Path(__file__).resolve().parents[1] / "locustfile.py"


# --- The county account and the plan the load follows ----------------------------------------------

def _token_hash(key: str) -> str:
    # The same digest accounts.services keeps (tokens are stored as SHA-256 of the key).
    return hashlib.sha256(key.encode()).hexdigest()


def drop_bench_accounts() -> int:
    """Delete the benchmark's accounts (and, by cascade, their tokens), also a crashed run's."""
    users = User.objects.filter(username__startswith=ACCOUNT_PREFIX)
    ApiToken.objects.filter(user__in=users).delete()
    return users.delete()[1].get(User._meta.label, 0)


@transaction.atomic
def create_bench_account(*, county_code: str, tokens: int) -> tuple[User, list[str]]:
    """A county-level account (县级审批员) with `tokens` API tokens, one per simulated person."""
    user = User(username=f"{ACCOUNT_PREFIX}{os.getpid()}", role=Role.COUNTY_APPROVER, region_id=county_code,
                full_name="基准测试")
    user.set_unusable_password()  # the clients use tokens; nobody logs in with a password
    user.save()
    keys = [secrets.token_urlsafe(32) for _ in range(tokens)]
    expires = timezone.now() + timedelta(days=1)
    ApiToken.objects.bulk_create([ApiToken(user=user, key_hash=_token_hash(k), prefix=k[:8],
                                           expires_at=expires) for k in keys])
    return user, keys


def analyze_tables() -> None:
    """PostgreSQL: fresh planner statistics for the tables the endpoints read. A deployed database has
    them from autovacuum; a just-generated one may not (autovacuum can be off or not yet have run),
    and without them the planner guesses a county's households to be a handful of rows."""
    if connection.vendor == "postgresql":
        analyze(Household, Member, Region, User, ApiToken)


def sample_households(county_code: str, *, n: int = SAMPLE_HOUSEHOLDS) -> list[tuple[int, str, str]]:
    """`n` random households of the county: (id, household number, head's name)."""
    qs = Household.objects.filter(in_code_range("village_id", subtree_range(county_code)))
    return list(qs.order_by("?").values_list("id", "household_no", "head_name")[:n])


def build_plan(*, username: str, tokens: list[str], households: list[tuple[int, str, str]]) -> dict:
    """What locust requests: household ids, and search terms taken from the same households —
    every other one by the head's name (contained), the others by the full household number."""
    searches = [name if i % 2 == 0 else no for i, (_, no, name) in enumerate(households)]
    return {"username": username, "tokens": tokens, "households": [h[0] for h in households],
            "searches": searches, "reference_path": REFERENCE_PATH, "think_time": list(THINK_TIME),
            "weights": WEIGHTS}


# --- Running locust and reading its statistics -------------------------------------------------------

def locust_command(*, host: str, users: int, csv_prefix: Path, duration: int = DURATION) -> list[str]:
    spawn_rate = max(1, -(-users // RAMP_SECONDS))
    return [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host,
            "-u", str(users), "-r", str(spawn_rate), "-t", f"{RAMP_SECONDS + duration}s",
            "--reset-stats", "--stop-timeout", "5", "--csv", str(csv_prefix), "--only-summary",
            "--exit-code-on-error", "0", "--loglevel", "WARNING"]


def run_locust(*, host: str, users: int, plan_path: Path, workdir: Path,
               duration: int = DURATION) -> tuple[Path, float]:
    """One headless locust run: its `_stats.csv` and the CPU seconds locust used (it shares the
    machine with the server). The process group is killed on any error."""
    prefix = workdir / f"locust_{users}"
    log_path = workdir / f"locust_{users}.log"
    env = {**os.environ, "FUPIN_LATENCY_PLAN": str(plan_path)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log_path, "wb") as log:
        command = locust_command(host=host, users=users, csv_prefix=prefix, duration=duration)
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True,
                                   preexec_fn=die_with_parent)
        try:
            code = process.wait(timeout=RAMP_SECONDS + duration + 120)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    if code != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"locust 以退出码 {code} 结束：{tail}")
    # a reaped child's CPU time is added to our children's rusage (the server is not reaped yet)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Path(f"{prefix}_stats.csv"), cpu


def _num(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def parse_locust_stats(path: Path) -> dict[str, dict]:
    """locust's `_stats.csv` → {name: {requests, failures, p50, p95, p99, mean, max (ms), rps}};
    the "Aggregated" row under the name "all"."""
    rows = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            name = "all" if row["Name"] == "Aggregated" else row["Name"]
            rows[name] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "p50_ms": _num(row["50%"]), "p95_ms": _num(row["95%"]), "p99_ms": _num(row["99%"]),
                "mean_ms": round(float(row["Average Response Time"]), 1),
                "max_ms": _num(row["Max Response Time"]),
                "rps": round(float(row["Requests/s"]), 2),
            }
    return rows


def read_failures(path: Path, limit: int = 20) -> list[dict]:
    """The first `limit` distinct failures locust recorded (`_failures.csv`)."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return [{"name": r["Name"], "error": r["Error"], "occurrences": int(r["Occurrences"])}
                for r in list(csv.DictReader(f))[:limit]]


def level_result(users: int, stats: dict[str, dict]) -> dict:
    """One client count: each endpoint's numbers and our p95 over the reference's."""
    ref_p95 = (stats.get("reference") or {}).get("p95_ms")
    endpoints = {name: stats.get(name) for name in ENDPOINTS}
    ratios = {}
    for name in ("household_detail", "household_search"):
        p95 = (endpoints[name] or {}).get("p95_ms")
        ratios[name] = round(p95 / ref_p95, 2) if p95 is not None and ref_p95 else None
    total = stats.get("all") or {}
    return {"users": users, "endpoints": endpoints, "ratio_p95": ratios,
            "requests": total.get("requests", 0), "failures": total.get("failures", 0),
            "rps": total.get("rps")}


def cpu_per_request(requests: int, *, duration: int, server_cpu: float | None, locust_cpu: float) -> dict:
    """CPU milliseconds per request of the server (gunicorn, not the database) and of locust, an
    estimate: the CPU covers the ramp-up too (users start linearly: half the rate), the requests
    only the measured part. What a request costs depends little on the machine's other load, so
    it says what the latencies would be on a quiet machine when they are queueing on a busy one."""
    counted = requests * (duration + RAMP_SECONDS / 2) / duration if requests else 0

    def per(cpu: float | None) -> float | None:
        return round(cpu * 1000 / counted, 2) if cpu is not None and counted else None

    return {"server_cpu_ms_per_request": per(server_cpu), "locust_cpu_ms_per_request": per(locust_cpu)}


def verdict(levels: list[dict]) -> dict:
    """target_met: the household page's p95 at TARGET users is below the target; checked: every
    level ran every endpoint and no request failed."""
    at = next((lv for lv in levels if lv["users"] == TARGET["users"]), None)
    page = (at or {}).get("endpoints", {}).get(TARGET["endpoint"]) or {}
    p95 = page.get("p95_ms")
    complete = bool(levels) and all(lv["endpoints"].get(n) and lv["endpoints"][n]["requests"] > 0
                                    for lv in levels for n in ENDPOINTS)
    failures = sum(lv["failures"] for lv in levels)
    return {"target_met": p95 is not None and p95 < TARGET["p95_ms_below"],
            "checked": complete and failures == 0, "failures": failures,
            "ratio": (at or {}).get("ratio_p95", {}).get(TARGET["endpoint"])}


# --- The job ----------------------------------------------------------------------------------------

def api_latency(*, ctx: JobContext, levels: tuple[int, ...] = LEVELS, duration: int = DURATION) -> dict:
    with terminate_raises():
        return _api_latency(ctx=ctx, levels=levels, duration=duration)


def _api_latency(*, ctx: JobContext, levels: tuple[int, ...], duration: int) -> dict:
    workdir = Path(ctx.workdir) / "latency"
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = os.getloadavg()
    drop_bench_accounts()
    user, keys = create_bench_account(county_code=ctx.county_code, tokens=max(levels))
    try:
        analyze_tables()
        households = sample_households(ctx.county_code)
        if not households:
            raise RuntimeError(f"区划 {ctx.county_code} 下没有贫困户，无法测延迟")
        plan_path = workdir / "plan.json"
        plan = build_plan(username=user.username, tokens=keys, households=households)
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        connection.close()  # the server has its own connections; don't hold one (SQLite: a lock) meanwhile
        results, failures = [], {}
        with running_server(log_path=workdir / "gunicorn.log") as server:
            for users in levels:
                server_cpu = group_cpu_seconds(server.process.pid)
                stats_path, locust_cpu = run_locust(host=server.url, users=users, plan_path=plan_path,
                                                    workdir=workdir, duration=duration)
                if server_cpu is not None:
                    server_cpu = group_cpu_seconds(server.process.pid) - server_cpu
                level = level_result(users, parse_locust_stats(stats_path))
                results.append({**level, **cpu_per_request(level["requests"], duration=duration,
                                                           server_cpu=server_cpu, locust_cpu=locust_cpu)})
                failures[str(users)] = read_failures(workdir / f"locust_{users}_failures.csv")
            config = server.config
    finally:
        drop_bench_accounts()
    v = verdict(results)
    return {
        "job": "api_latency", "unit": "ms", "vendor": ctx.vendor, "persons": ctx.persons, "scale": ctx.scale,
        "seconds": round(time.perf_counter() - started, 1),
        "server": {**config, "version": _version("gunicorn"), "database": ctx.vendor},
        "load": {"tool": f"locust {_version('locust')} (FastHttpUser)", "think_time_s": list(THINK_TIME),
                 "weights": WEIGHTS, "ramp_s": RAMP_SECONDS, "measured_s": duration,
                 "households_sampled": len(households),
                 "account_role": Role.COUNTY_APPROVER, "county_code": ctx.county_code},
        "endpoints": ENDPOINTS,
        "reference": {"name": ENDPOINTS["reference"],
                      "what": "token auth, DRF and a tiny serializer through the same server: the floor"},
        "levels": results,
        "ratio": v["ratio"],  # household page p95 / reference p95 at TARGET users
        "target": TARGET, "target_met": v["target_met"],
        "checked": v["checked"],
        "detail": {"failures": v["failures"], "failure_samples": {k: f for k, f in failures.items() if f},
                   # The server, the database and locust share the machine's cores with whatever else
                   # runs: a load average well above the core count means the numbers are queueing.
                   "cpu_count": os.cpu_count(), "loadavg_before": [round(x, 2) for x in load_before],
                   "loadavg_after": [round(x, 2) for x in os.getloadavg()]},
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None

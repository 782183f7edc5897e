"""The app under its production WSGI server (gunicorn) on loopback, for the API latency benchmark.

`running_server()` starts gunicorn in its own process group on a free port, waits until Django
answers, and on leaving (also on an error or Ctrl-C) kills the whole group, so no worker outlives
the benchmark. The server inherits DATABASE_URL, so it serves the database the job runs on.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

# 2 cores, shared with the database and the load generator (locust): 2 processes use both cores for
# Python, and 4 threads each keep a worker busy while its requests wait on the database (the GIL is
# released during queries). More processes only add context switches on 2 cores; sync workers would
# need one process per concurrent request. gthread is gunicorn's choice for I/O-bound Django apps.
WORKERS = 2
THREADS = 4
# Any answer from Django (401 without a token) means the app is loaded and routing requests.
READY_PATH = "/api/v1/me"
CONN_MAX_AGE = 600


class ServerError(RuntimeError):
    pass


@dataclass
class Server:
    process: subprocess.Popen
    url: str  # http://127.0.0.1:PORT
    config: dict = field(default_factory=dict)


try:  # resolved here, not in the forked child
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """For Popen(preexec_fn=…), Linux: the child gets SIGTERM when the process that started it dies,
    even by SIGKILL (a runner's timeout), so no server or load generator is left running. Elsewhere
    only the process group kill of stop_group() remains."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextmanager
def terminate_raises() -> Iterator[None]:
    """SIGTERM raises SystemExit while inside (main thread only), so `finally` blocks stop the
    server and locust instead of the process dying around them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def group_cpu_seconds(pgid: int) -> float | None:
    """CPU seconds (user + system) used so far by the live processes of a process group (Linux /proc;
    None elsewhere). Unlike latency, CPU per request hardly depends on what else the machine runs."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        # after the command name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; gunicorn binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command(*, port: int, workers: int = WORKERS, threads: int = THREADS) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "fupin.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
            "--worker-class", "gthread", "--timeout", "60", "--log-level", "warning",
            # no access log: writing a line per request is not part of the app's latency
            *worker_tmp_dir_args()]


def worker_tmp_dir_args() -> list[str]:
    """The worker heartbeat on tmpfs, as gunicorn's deployment notes advise: a worker touches its
    heartbeat file (utime) on every turn of its event loop — twice per request — and on a disk file
    system that call can wait for the journal (PostgreSQL on the same disk), stalling the loop that
    hands requests to all of the worker's threads. Measured here: 0.7 ms per call under load."""
    return ["--worker-tmp-dir", "/dev/shm"] if os.path.isdir("/dev/shm") else []


def server_env(base: dict | None = None) -> dict:
    """The server's environment: the caller's (DATABASE_URL …) with DEBUG off, as in production."""
    env = dict(os.environ if base is None else base)
    env["FUPIN_DEBUG"] = "0"
    env["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
    env.setdefault("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost")
    # Persistent connections, one per server thread, as a deployment sets them (settings.py): opening
    # a PostgreSQL connection per request costs several times the household page itself.
    env.setdefault("FUPIN_DB_CONN_MAX_AGE", str(CONN_MAX_AGE))
    return env


def wait_ready(url: str, process: subprocess.Popen, *, timeout: float = 60.0) -> None:
    """Poll until the app answers any HTTP status; fail early if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"gunicorn 已退出（退出码 {process.returncode}）")
        try:
            with urllib.request.urlopen(url + READY_PATH, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # 401: Django answered
        except OSError:
            time.sleep(0.2)
    raise ServerError(f"gunicorn 在 {timeout:.0f} 秒内没有响应 {url}")


def stop_group(process: subprocess.Popen, *, grace: float = 10.0) -> None:
    """SIGTERM to the process group (master and workers), SIGKILL after `grace` seconds."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stray workers of a master that has already exited
    if process.poll() is None:
        process.wait()


@contextmanager
def running_server(*, workers: int = WORKERS, threads: int = THREADS, log_path: Path | None = None,
                   cwd: Path | None = None, timeout: float = 60.0) -> Iterator[Server]:
    port = free_port()
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    env = server_env()
    try:
        process = subprocess.Popen(gunicorn_command(port=port, workers=workers, threads=threads),
                                   env=env, cwd=cwd or Path(__file__).resolve().parents[2],
                                   stdout=log, stderr=log, start_new_session=True, preexec_fn=die_with_parent)
        try:
            server = Server(process=process, url=f"http://127.0.0.1:{port}",
                            config={"server": "gunicorn", "worker_class": "gthread", "workers": workers,
                                    "threads": threads, "debug": False, "bind": f"127.0.0.1:{port}",
                                    "conn_max_age": int(env["FUPIN_DB_CONN_MAX_AGE"])})
            wait_ready(server.url, process, timeout=timeout)
            yield server
        finally:
            stop_group(process)
    finally:
        if log_path:
            log.close()

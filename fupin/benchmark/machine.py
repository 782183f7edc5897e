"""The machine a benchmark ran on: hardware, software versions, the commit — stored with the results,
because a number without its machine cannot be compared with anything."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _os() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))} (Linux {platform.release()})"
    except OSError:
        pass
    return platform.platform()


def git_commit() -> tuple[str | None, bool | None]:
    """(short commit, dirty?) of the working tree; (None, None) outside a git checkout."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, check=True, timeout=10).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                                capture_output=True, text=True, check=True, timeout=30).stdout
        return commit, bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        return None, None


def _version(module: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return None


def postgres_version(url: str | None) -> str | None:
    """The server's version (SHOW server_version) at `url`, or None when unreachable."""
    if not url:
        return None
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 -- any failure just means "unknown"
        return None


def describe(*, pg_url: str | None = None) -> dict:
    import django

    commit, dirty = git_commit()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "os": _os(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres_version(pg_url),
        "sqlite": sqlite3.sqlite_version,
        "duckdb": _version("duckdb"),
        "python_calamine": _version("python-calamine"),
        "git_commit": commit,
        "git_dirty": dirty,
        "executable": sys.executable,
    }


def summary_line(machine: dict) -> str:
    """One line for the README: CPU, cores, RAM, OS, versions, commit."""
    parts = [f"{machine.get('cpu')}", f"{machine.get('cores')} cores", f"{machine.get('ram_gb')} GB RAM",
             f"{machine.get('os')}", f"Python {machine.get('python')}", f"Django {machine.get('django')}"]
    if machine.get("postgresql"):
        parts.append(f"PostgreSQL {machine['postgresql']}")
    parts.append(f"SQLite {machine.get('sqlite')}")
    if machine.get("duckdb"):
        parts.append(f"DuckDB {machine['duckdb']}")
    commit = machine.get("git_commit") or "?"
    parts.append(f"commit {commit}{' (uncommitted changes)' if machine.get('git_dirty') else ''}")
    return ", ".join(parts)

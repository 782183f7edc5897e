"""Benchmark results: the JSON file of a run, the memory series, and the README table.

A run's document (bench/results/<UTC time>-<commit>.json, copied to latest.json):

    {"format": 1, "started_at", "finished_at", "machine": {...}, "parameters": {...},
     "runs": [{"backend", "scale", "persons", "context", "dataset": {...}, "jobs": {name: result}}],
     "memory": {backend: {job: {"rss_mb": {"1": …, "2": …, "4": …}, "growth", "from_scale",
                                 "to_scale", "verdict"}}}}

Each job result is the job's own dict (context.timed_result, or api_latency's shape) plus
"process": {"wall_seconds", "rss_peak_kb", "exit_code"} measured by the runner.

Memory verdict: a job's peak RSS at the largest scale over its peak RSS at the smallest (4× / 1×
in a full run), and the RSS added per row the job handled more (KB per added row, when its row
count changed with the scale). "flat" when it grew by at most MEMORY_TOLERANCE (25 %) and by at
most MEMORY_KB_PER_ROW per added row: a job bounded by its batch size adds nothing per row. The
second test matters for jobs whose rows are few next to the process's fixed cost (interpreter,
Django, libraries: ~100 MB): 10,000 rows holding 1 KB each add only 10 MB. "grows" otherwise —
the job holds something proportional to the data.

Rendering (`render_markdown`) is a pure function of the document; `replace_block` swaps the text
between the README's markers and leaves everything else as it was.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

FORMAT = 1
MEMORY_TOLERANCE = 0.25
MEMORY_KB_PER_ROW = 0.5
START_MARKER = "<!-- bench:start -->"
END_MARKER = "<!-- bench:end -->"
BACKEND_LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# The dataset's generation is recorded like a job (persons/s, peak RSS) under this name.
DATASET_JOB = "generate"


# --- the memory series -----------------------------------------------------------------------

def memory_verdict(rss_by_scale: dict[int, float | None], *, rows_by_scale: dict[int, int | None] | None = None,
                   tolerance: float = MEMORY_TOLERANCE, kb_per_row: float = MEMORY_KB_PER_ROW) -> dict:
    """{scale: peak RSS in KB} (and {scale: rows handled}) → growth (largest scale over smallest),
    KB per added row and "flat"/"grows" (None: fewer than two scales measured)."""
    known = {int(s): v for s, v in rss_by_scale.items() if v}
    if len(known) < 2:
        return {"growth": None, "from_scale": None, "to_scale": None, "kb_per_added_row": None, "verdict": None}
    lo, hi = min(known), max(known)
    growth = known[hi] / known[lo]
    rows = rows_by_scale or {}
    added = (rows.get(hi) or 0) - (rows.get(lo) or 0)
    per_row = round((known[hi] - known[lo]) / added, 3) if rows.get(hi) and rows.get(lo) and added > 0 else None
    flat = growth <= 1 + tolerance and (per_row is None or per_row <= kb_per_row)
    return {"growth": round(growth, 3), "from_scale": lo, "to_scale": hi, "kb_per_added_row": per_row,
            "verdict": "flat" if flat else "grows"}


def _peak_kb(result: dict | None) -> int | None:
    if not result:
        return None
    return (result.get("process") or {}).get("rss_peak_kb")


def memory_series(runs: list[dict]) -> dict:
    """Per backend and job (the dataset generation included): peak RSS in MB per scale, and the verdict."""
    table: dict[str, dict[str, dict[int, int | None]]] = {}
    rows: dict[str, dict[str, dict[int, int | None]]] = {}
    for run in runs:
        jobs = {DATASET_JOB: run.get("dataset"), **(run.get("jobs") or {})}
        for name, result in jobs.items():
            kb = _peak_kb(result)
            if result is None:
                continue
            table.setdefault(run["backend"], {}).setdefault(name, {})[int(run["scale"])] = kb
            count = result.get("rows")
            rows.setdefault(run["backend"], {}).setdefault(name, {})[int(run["scale"])] = \
                count if isinstance(count, int) else None
    out: dict = {}
    for backend, jobs in table.items():
        for name, by_scale in jobs.items():
            out.setdefault(backend, {})[name] = {
                "rss_mb": {str(s): round(by_scale[s] / 1024, 1) if by_scale[s] else None for s in sorted(by_scale)},
                **memory_verdict(by_scale, rows_by_scale=rows[backend][name])}
    return out


# --- the document and its files --------------------------------------------------------------

def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def build_document(*, machine: dict, parameters: dict, runs: list[dict], started_at: datetime,
                   finished_at: datetime) -> dict:
    return {"format": FORMAT, "started_at": started_at.isoformat().replace("+00:00", "Z"),
            "finished_at": finished_at.isoformat().replace("+00:00", "Z"),
            "seconds": round((finished_at - started_at).total_seconds(), 1),
            "machine": machine, "parameters": parameters, "runs": runs, "memory": memory_series(runs)}


def result_file_name(document: dict) -> str:
    stamp = document["started_at"].replace("-", "").replace(":", "").rstrip("Z")
    commit = document["machine"].get("git_commit") or "nogit"
    return f"{stamp}Z-{commit}.json"


def write_results(document: dict, directory: Path) -> Path:
    """Write the run to directory/<UTC time>-<commit>.json and copy it to latest.json."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / result_file_name(document)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    shutil.copyfile(path, directory / "latest.json")
    return path


# --- rendering -------------------------------------------------------------------------------

def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f} s" if value < 100 else f"{value:,.0f} s"


def _yes_no(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "**no**")


def _timed_row(result: dict) -> str:
    unit = result.get("unit") or "rows"
    ours = f"{_seconds(result.get('seconds'))} ({_num(result.get('throughput'))} {unit}/s)"
    ref = result.get("reference") or {}
    reference = f"{ref.get('name', '')}: {_seconds(ref.get('seconds'))} ({_num(ref.get('throughput'))} {unit}/s)"
    target = result.get("target_ratio")
    return (f"| {result.get('job')} | {ours} | {reference} | {_num(result.get('ratio'), 2)} | "
            f"{'≤ ' + _num(target, 2) if target is not None else '–'} | {_yes_no(result.get('target_met'))} | "
            f"{_yes_no(result.get('checked'))} |")


def _failed_row(name: str, result: dict) -> str:
    error = str(result.get("error") or "failed").replace("|", "/").replace("\n", " ")[:160]
    return f"| {name} | failed: {error} | | | | | |"


def _latency_rows(backend: str, result: dict) -> list[str]:
    rows = []
    target = result.get("target") or {}
    for level in result.get("levels") or []:
        for name, stats in (level.get("endpoints") or {}).items():
            if not stats:
                continue
            is_target = name == target.get("endpoint") and level.get("users") == target.get("users")
            goal = f"p95 < {target.get('p95_ms_below'):g} ms" if is_target else "–"
            met = _yes_no(result.get("target_met")) if is_target else "–"
            rows.append(f"| {BACKEND_LABELS.get(backend, backend)} | {name} | {level.get('users')} | "
                        f"{_num(stats.get('p50_ms'))} | {_num(stats.get('p95_ms'))} | {_num(stats.get('rps'), 1)} | "
                        f"{goal} | {met} |")
    return rows


def _floor_note(name: str, result: dict) -> str | None:
    """For an import: what merely writing its rows into the registry tables costs, against the
    reference — the part of any import's time that no validation strategy can remove."""
    floor = (result.get("detail") or {}).get("write_floor") or {}
    if not floor.get("seconds") or not floor.get("floor_vs_reference"):
        return None
    return (f"- {name}: writing the same rows into the registry tables alone ({_num(floor.get('rows'))} rows, "
            f"`INSERT … SELECT`, nothing read or validated) takes {_seconds(floor['seconds'])} = "
            f"{_num(floor['floor_vs_reference'], 2)}× the reference; ours = {_num(floor.get('ratio'), 2)}× that floor.")


def render_markdown(document: dict) -> str:
    """The README block: the machine line and date, per backend the job table at 1× (scale 1, or
    the smallest run), the memory table and the API latency rows."""
    params = document.get("parameters") or {}
    machine = document.get("machine") or {}
    from .machine import summary_line

    scales = "/".join(f"{s}×" for s in params.get("scales", []))
    lines = [
        f"Latest run: {document.get('started_at', '?')[:10]} ({document.get('started_at', '')} UTC), "
        f"{_num(params.get('persons'))} persons at 1× (scales {scales}), province {params.get('region')}, "
        f"seed {params.get('seed')}; `fupin bench` — results in `bench/results/latest.json`.",
        "",
        f"Machine: {summary_line(machine)}.",
        "",
        "ratio = our time / the reference's time on the same rows in the same run (lower is better); "
        "target = the largest ratio the goal allows; checked = our result equals the reference's.",
    ]
    runs = document.get("runs") or []
    latency = []
    for backend in params.get("backends") or sorted({r["backend"] for r in runs}):
        backend_runs = sorted((r for r in runs if r["backend"] == backend), key=lambda r: r["scale"])
        if not backend_runs:
            continue
        base = backend_runs[0]
        lines += ["", f"**{BACKEND_LABELS.get(backend, backend)}** ({base['scale']}× = "
                      f"{_num(base.get('persons'))} persons)", ""]
        failed = [f"Run at {r['scale']}× failed: {r['error']}" for r in backend_runs if r.get("error")]
        lines += [*failed, ""] if failed else []
        lines += ["| job | ours | reference | ratio | target | met? | checked |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        dataset = base.get("dataset")
        if dataset and dataset.get("seconds") is not None:
            lines.append(f"| {DATASET_JOB} (dataset) | {_seconds(dataset.get('seconds'))} "
                         f"({_num(dataset.get('throughput'))} persons/s) | – | – | – | – | – |")
        for name, result in (base.get("jobs") or {}).items():
            if name == "api_latency":
                if result.get("levels"):
                    latency += _latency_rows(backend, result)
                else:
                    latency.append(f"| {BACKEND_LABELS.get(backend, backend)} | failed: "
                                   f"{str(result.get('error', ''))[:120]} | | | | | | |")
                continue
            lines.append(_timed_row(result) if result.get("ok", True) and "seconds" in result
                         else _failed_row(name, result))
        floors = [_floor_note(name, result) for name, result in (base.get("jobs") or {}).items()]
        lines += ["", *filter(None, floors)] if any(floors) else []
    memory = document.get("memory") or {}
    if memory:
        all_scales = sorted({int(s) for jobs in memory.values() for m in jobs.values() for s in m["rss_mb"]})
        lines += ["", f"Peak memory (RSS of the job's process, MB); flat = at most +{MEMORY_TOLERANCE:.0%} "
                      f"from the smallest to the largest scale and at most {MEMORY_KB_PER_ROW} KB per added row:", "",
                  "| job | backend | " + " | ".join(f"{s}×" for s in all_scales) + " | growth | KB per added row | verdict |",
                  "| --- | --- | " + " | ".join("---" for _ in all_scales) + " | --- | --- | --- |"]
        for backend, jobs in memory.items():
            for name, m in jobs.items():
                cells = " | ".join(_num(m["rss_mb"].get(str(s))) for s in all_scales)
                growth = f"{m['growth']:.2f}×" if m.get("growth") else "–"
                per_row = _num(m.get("kb_per_added_row"), 2) if m.get("kb_per_added_row") is not None else "–"
                verdict = {"flat": "flat", "grows": "**grows**"}.get(m.get("verdict"), "–")
                lines.append(f"| {name} | {BACKEND_LABELS.get(backend, backend)} | {cells} | {growth} | {per_row} "
                             f"| {verdict} |")
    if latency:
        lines += ["", "API latency (loopback, locust; ms):", "",
                  "| backend | endpoint | clients | p50 | p95 | req/s | target | met? |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |", *latency]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """`text` with everything between the bench markers replaced by `block` (markers kept)."""
    start = text.find(START_MARKER)
    end = text.find(END_MARKER)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"README 中找不到成对的标记 {START_MARKER} … {END_MARKER}")
    head = text[:start + len(START_MARKER)]
    return f"{head}\n{block.strip()}\n{text[end:]}"


def update_readme(path: Path, document: dict) -> None:
    path.write_text(replace_block(path.read_text(encoding="utf-8"), render_markdown(document)), encoding="utf-8")

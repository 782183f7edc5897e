"""The runner's pure parts: the memory verdict, the results document and its files, the README
block (rendered from a fixture result, replaced between the markers, the rest untouched), the
machine description, and the run orchestration with the processes replaced by fakes."""

import json
from pathlib import Path

import pytest

from fupin.benchmark import machine, results, runner
from fupin.benchmark.context import timed_result


def _job(name, seconds, rows, ref_seconds, rss_kb, *, checked=True, target=2.0):
    r = timed_result(job=name, seconds=seconds, rows=rows, unit="persons", reference="COPY", reference_seconds=ref_seconds,
                     target_ratio=target, checked=checked)
    return {"ok": True, **r, "process": {"exit_code": 0, "wall_seconds": seconds + 1, "rss_peak_kb": rss_kb}}


LATENCY = {"ok": True, "job": "api_latency", "unit": "ms", "levels": [
    {"users": 20, "endpoints": {"household_detail": {"p50_ms": 12.0, "p95_ms": 30.0, "rps": 15.5},
                                "household_search": {"p50_ms": 20.0, "p95_ms": 55.0, "rps": 4.0},
                                "reference": {"p50_ms": 5.0, "p95_ms": 9.0, "rps": 4.1}}},
    {"users": 100, "endpoints": {"household_detail": {"p50_ms": 18.0, "p95_ms": 80.0, "rps": 70.2},
                                 "household_search": None, "reference": {"p50_ms": 6.0, "p95_ms": 11.0, "rps": 20.0}}}],
    "target": {"endpoint": "household_detail", "users": 100, "p95_ms_below": 100.0}, "target_met": True,
    "checked": True, "process": {"exit_code": 0, "wall_seconds": 150.0, "rss_peak_kb": 90_000}}


def _run(backend, scale, rss_kb):
    jobs = {"import_csv": _job("import_csv", 10.0 * scale, 1000 * scale, 2.0 * scale, rss_kb)}
    jobs["import_csv"]["detail"] = {"write_floor": {"seconds": 1.5, "rows": 3200, "ratio": 6.667,
                                                    "floor_vs_reference": 0.75}}
    if scale == 1:
        jobs["api_latency"] = LATENCY
        jobs["crosscheck"] = {"ok": False, "job": "crosscheck", "error": "ModuleNotFoundError: x | y",
                              "process": {"exit_code": 1, "wall_seconds": 1.0, "rss_peak_kb": 50_000}}
    return {"backend": backend, "scale": scale, "persons": 1000 * scale, "context": {},
            "dataset": {"job": "generate", "seconds": 5.0 * scale, "rows": 1000 * scale, "throughput": 200.0,
                        "process": {"rss_peak_kb": 200_000 * scale}},
            "jobs": jobs}


MACHINE = {"cpu": "Test CPU", "cores": 2, "ram_gb": 23.4, "os": "Debian 12", "python": "3.11.7", "django": "5.2",
           "postgresql": "15.6", "sqlite": "3.40.1", "duckdb": "1.0.0", "python_calamine": "0.2", "git_commit": "abc1234",
           "git_dirty": False}


@pytest.fixture
def document():
    runs = [_run("postgresql", 1, 100_000), _run("postgresql", 2, 110_000), _run("postgresql", 4, 120_000),
            _run("sqlite", 1, 100_000), _run("sqlite", 2, 150_000), _run("sqlite", 4, 200_000)]
    return results.build_document(
        machine=MACHINE, parameters={"persons": 1000, "backends": ["postgresql", "sqlite"], "scales": [1, 2, 4],
                                     "jobs": ["import_csv", "api_latency", "crosscheck"], "region": "64", "seed": 2014},
        runs=runs, started_at=results.datetime(2024, 5, 1, 8, 30, tzinfo=results.UTC),
        finished_at=results.datetime(2024, 5, 1, 9, 0, tzinfo=results.UTC))


# --- memory verdict ----------------------------------------------------------------------------

def test_memory_verdict_flat_within_tolerance_and_grows_beyond():
    assert results.memory_verdict({1: 100.0, 2: 110.0, 4: 125.0}) == {
        "growth": 1.25, "from_scale": 1, "to_scale": 4, "kb_per_added_row": None, "verdict": "flat"}
    assert results.memory_verdict({1: 100.0, 2: 110.0, 4: 126.0})["verdict"] == "grows"
    assert results.memory_verdict({1: 100.0, 2: 200.0}) == {"growth": 2.0, "from_scale": 1, "to_scale": 2,
                                                            "kb_per_added_row": None, "verdict": "grows"}


def test_memory_verdict_per_added_row():
    """A small job that holds ~1 KB per row: +7.5 % of RSS only, but 1 KB per added row — grows."""
    rss, rows = {1: 140_000, 4: 150_500}, {1: 3_500, 4: 14_000}
    assert results.memory_verdict(rss, rows_by_scale=rows) == {
        "growth": 1.075, "from_scale": 1, "to_scale": 4, "kb_per_added_row": 1.0, "verdict": "grows"}
    assert results.memory_verdict({1: 140_000, 4: 141_000}, rows_by_scale=rows)["verdict"] == "flat"
    # the same rows at every scale (a fixed-size roster): only the growth counts
    assert results.memory_verdict(rss, rows_by_scale={1: 1_000, 4: 1_000})["kb_per_added_row"] is None
    assert results.memory_verdict({1: 100.0})["verdict"] is None
    assert results.memory_verdict({1: None, 2: 100.0})["growth"] is None


def test_memory_series_per_backend_and_job(document):
    memory = document["memory"]
    # 100,000 → 120,000 KB for 1,000 → 4,000 rows: 6.7 KB per added row
    assert memory["postgresql"]["import_csv"] == {"rss_mb": {"1": 97.7, "2": 107.4, "4": 117.2}, "growth": 1.2,
                                                  "from_scale": 1, "to_scale": 4, "kb_per_added_row": 6.667,
                                                  "verdict": "grows"}
    assert memory["sqlite"]["import_csv"]["verdict"] == "grows"
    assert memory["sqlite"]["import_csv"]["growth"] == 2.0
    assert memory["postgresql"]["generate"]["rss_mb"] == {"1": 195.3, "2": 390.6, "4": 781.2}
    # measured at one scale only: no verdict
    assert memory["postgresql"]["api_latency"] == {"rss_mb": {"1": 87.9}, "growth": None, "from_scale": None,
                                                   "to_scale": None, "kb_per_added_row": None, "verdict": None}


# --- the document and its files ----------------------------------------------------------------

def test_document_shape_and_files(document, tmp_path):
    assert set(document) == {"format", "started_at", "finished_at", "seconds", "machine", "parameters", "runs",
                             "memory"}
    assert document["started_at"] == "2024-05-01T08:30:00Z" and document["seconds"] == 1800.0
    path = results.write_results(document, tmp_path / "results")
    assert path.name == "20240501T083000Z-abc1234.json"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(
        (tmp_path / "results" / "latest.json").read_text(encoding="utf-8"))


def test_machine_description_keys():
    m = machine.describe(pg_url=None)
    assert set(m) >= {"cpu", "cores", "ram_gb", "os", "python", "django", "postgresql", "sqlite", "duckdb",
                      "git_commit", "git_dirty"}
    assert m["postgresql"] is None and m["cores"] >= 1 and m["sqlite"].count(".") == 2
    line = machine.summary_line(MACHINE)
    assert line == ("Test CPU, 2 cores, 23.4 GB RAM, Debian 12, Python 3.11.7, Django 5.2, PostgreSQL 15.6, "
                    "SQLite 3.40.1, DuckDB 1.0.0, commit abc1234")


# --- the README block --------------------------------------------------------------------------

def test_render_markdown(document):
    text = results.render_markdown(document)
    lines = text.splitlines()
    assert lines[0].startswith("Latest run: 2024-05-01 (2024-05-01T08:30:00Z UTC), 1,000 persons at 1× (scales 1×/2×/4×)")
    assert "Machine: Test CPU, 2 cores" in text
    assert "**PostgreSQL** (1× = 1,000 persons)" in lines and "**SQLite** (1× = 1,000 persons)" in lines
    assert ("| import_csv | 10.00 s (100 persons/s) | COPY: 2.00 s (500 persons/s) | 5.00 | ≤ 2.00 | **no** | yes |"
            in lines)
    assert "| generate (dataset) | 5.00 s (200 persons/s) | – | – | – | – | – |" in lines
    assert ("- import_csv: writing the same rows into the registry tables alone (3,200 rows, `INSERT … SELECT`, "
            "nothing read or validated) takes 1.50 s = 0.75× the reference; ours = 6.67× that floor.") in lines
    assert any(line.startswith("| crosscheck | failed: ModuleNotFoundError: x / y") for line in lines)
    assert "| import_csv | SQLite | 98 | 146 | 195 | 2.00× | 33.33 | **grows** |" in lines
    assert "| import_csv | PostgreSQL | 98 | 107 | 117 | 1.20× | 6.67 | **grows** |" in lines
    assert "| api_latency | PostgreSQL | 88 | – | – | – | – | – |" in lines
    assert "| PostgreSQL | household_detail | 100 | 18 | 80 | 70.2 | p95 < 100 ms | yes |" in lines
    assert "| SQLite | household_detail | 20 | 12 | 30 | 15.5 | – | – |" in lines
    assert not any("household_search | 100" in line for line in lines)  # no numbers at that level


def test_replace_block_keeps_markers_and_the_rest():
    readme = "# T\n\nintro\n<!-- bench:start -->\nold\nlines\n<!-- bench:end -->\n\n## After\ntext\n"
    new = results.replace_block(readme, "| a | b |\n")
    assert new == "# T\n\nintro\n<!-- bench:start -->\n| a | b |\n<!-- bench:end -->\n\n## After\ntext\n"
    assert results.replace_block(new, "| a | b |") == new
    with pytest.raises(ValueError, match="bench:start"):
        results.replace_block("no markers", "x")


def test_update_readme(document, tmp_path):
    path = tmp_path / "README.md"
    path.write_text("head\n<!-- bench:start -->\n(filled in)\n<!-- bench:end -->\ntail\n", encoding="utf-8")
    results.update_readme(path, document)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("head\n<!-- bench:start -->\nLatest run: 2024-05-01")
    assert text.endswith("\n<!-- bench:end -->\ntail\n") and "(filled in)" not in text


# --- orchestration (processes faked) -----------------------------------------------------------

def test_run_orchestrates_scales_jobs_and_memory(monkeypatch, tmp_path):
    calls = []

    def fake_process(args, *, database, stdout_path):
        calls.append((args[0], args[1] if len(args) > 1 else None, database))
        if args[0] == "bench_job":
            ctx = json.loads(args[args.index("--context") + 1])
            out = _job(args[1], 1.0, ctx["persons"], 0.5, 0)
            out.pop("process")
            return runner.ProcessResult(0, 1.5, 100_000 + ctx["scale"] * 1000, json.dumps(out))
        return runner.ProcessResult(0, 0.1, 50_000, "")

    def fake_dataset(options, *, persons, database, workdir):
        return {"job": "generate", "ok": True, "method": "fake", "seconds": 2.0, "rows": persons,
                "throughput": persons / 2.0, "region_code": "640000000000",
                "process": {"exit_code": 0, "wall_seconds": 2.0, "rss_peak_kb": 150_000},
                "info": {"persons": persons, "households": persons // 2, "counties": 22, "year": 2020,
                         "county_code": "640100000000", "county_households": 10}}

    monkeypatch.setattr(runner, "run_process", fake_process)
    monkeypatch.setattr(runner, "fresh_database", lambda *a: None)
    monkeypatch.setattr(runner, "drop_database", lambda *a: None)
    options = runner.Options(persons=1000, backends=("sqlite",), scales=(2, 1), jobs=("import_csv", "api_latency"),
                             workdir=tmp_path)
    doc = runner.run(options, dataset=fake_dataset)
    assert [(r["backend"], r["scale"], r["persons"]) for r in doc["runs"]] == [("sqlite", 1, 1000), ("sqlite", 2, 2000)]
    assert list(doc["runs"][0]["jobs"]) == ["import_csv", "api_latency"]
    assert list(doc["runs"][1]["jobs"]) == ["import_csv"]  # latency at 1× only
    assert doc["runs"][1]["jobs"]["import_csv"]["process"]["rss_peak_kb"] == 102_000
    assert doc["runs"][0]["context"]["county_code"] == "640100000000"
    assert doc["memory"]["sqlite"]["import_csv"]["rss_mb"] == {"1": 98.6, "2": 99.6}
    assert doc["parameters"]["scales"] == [1, 2] and doc["parameters"]["dataset"] == "fake"
    migrate = [c for c in calls if c[0] == "migrate"]
    assert [c[2] for c in migrate] == [f"sqlite:///{tmp_path / 'bench_s1.sqlite3'}",
                                       f"sqlite:///{tmp_path / 'bench_s2.sqlite3'}"]


def test_a_failed_scale_is_recorded_and_the_run_goes_on(monkeypatch, tmp_path):
    def fake_dataset(options, *, persons, database, workdir):
        raise runner.BenchError("生成数据失败（退出码 1）")

    monkeypatch.setattr(runner, "run_process", lambda *a, **k: runner.ProcessResult(0, 0.1, 1, ""))
    monkeypatch.setattr(runner, "fresh_database", lambda *a: None)
    monkeypatch.setattr(runner, "drop_database", lambda *a: None)
    doc = runner.run(runner.Options(persons=1000, backends=("sqlite",), scales=(1, 2), jobs=("import_csv",),
                                    workdir=tmp_path), dataset=fake_dataset)
    assert [(r["scale"], r["error"]) for r in doc["runs"]] == [(1, "生成数据失败（退出码 1）"), (2, "生成数据失败（退出码 1）")]
    assert doc["memory"] == {} and doc["parameters"]["dataset"] is None
    assert "Run at 1× failed: 生成数据失败（退出码 1）" in results.render_markdown(doc).splitlines()


def test_run_refuses_unknown_jobs_and_unreachable_postgres(tmp_path):
    with pytest.raises(runner.BenchError, match="未知的任务"):
        runner.run(runner.Options(persons=1000, jobs=("nope",), workdir=tmp_path))
    with pytest.raises(runner.BenchError, match="无法连接 PostgreSQL"):
        runner.run(runner.Options(persons=1000, backends=("postgresql",), pg_url="postgres://postgres@127.0.0.1:1/",
                                  workdir=tmp_path))


def test_region_code():
    assert runner.region_code("64") == "640000000000"
    assert runner.region_code("640000") == "640000000000"
    with pytest.raises(runner.BenchError):
        runner.region_code("6x")


def test_real_process_peak_memory(tmp_path):
    """run_process reads the child's exit status and peak RSS from wait4 (a real, tiny process)."""
    result = runner.run_process(["bench_job", "nope", "--json"], database="sqlite:///" + str(Path(tmp_path) / "x"),
                                stdout_path=tmp_path / "out.txt")
    assert result.exit_code == 1 and result.rss_peak_kb > 10_000
    assert json.loads(result.stdout)["error"].startswith("未知的任务")

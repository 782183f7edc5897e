"""`fupin bench_job NAME --context '<json>' --json`: one benchmark job in this process (the runner
starts one process per job, so it can read each job's peak memory)."""

import importlib
import json
import re
import traceback
from pathlib import Path

from fupin.core.commands import ReportCommand


def _self_peak_kb() -> int | None:
    try:
        match = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
        return int(match.group(1)) if match else None
    except OSError:
        return None


class Command(ReportCommand):
    help = "运行一项基准测试任务并输出其结果（供 fupin bench 调用）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("name", nargs="?", help="任务名，如 import_csv")
        parser.add_argument("--context", help="任务上下文（JSON，JobContext 的字段）")
        parser.add_argument("--dataset-info", metavar="REGION",
                            help="不运行任务，只输出该省级区划下生成数据的概况（人数、户数、县、年度）")

    def handle(self, *args, **options):
        from fupin.benchmark.context import JobContext
        from fupin.benchmark.jobs import JOBS

        if options["dataset_info"]:
            from fupin.benchmark.runner import dataset_info, region_code

            info = dataset_info(region_code(options["dataset_info"]))
            if not info["ok"]:
                self.fail({"error": "该区划下没有生成的数据"}, "该区划下没有生成的数据", options=options)
            self.report(info, json.dumps(info, ensure_ascii=False), options=options)
            return
        name = options["name"]
        if name not in JOBS:
            message = f"未知的任务“{name}”（可选：{'、'.join(JOBS)}）"
            self.fail({"job": name, "error": message}, message, options=options)
        try:
            ctx = JobContext.from_dict(json.loads(options["context"] or ""))
        except (TypeError, ValueError, KeyError) as exc:
            message = f"--context 无效（应为 JobContext 各字段的 JSON）：{type(exc).__name__}: {exc}"
            self.fail({"job": name, "error": message}, message, options=options)
        try:
            module, function = JOBS[name].split(":")
            result = getattr(importlib.import_module(module), function)(ctx=ctx)
        except Exception as exc:  # noqa: BLE001 -- any failure of a job is reported, not raised
            message = f"{type(exc).__name__}: {exc}"
            self.stderr.write(traceback.format_exc())
            self.fail({"job": name, "error": message, "process_self": {"rss_peak_kb": _self_peak_kb()}},
                      f"任务 {name} 失败：{message}", options=options)
        result = {"ok": True, **result, "process_self": {"rss_peak_kb": _self_peak_kb()}}
        text = (f"{name}: {result.get('seconds')} s, ratio {result.get('ratio')}, checked {result.get('checked')}")
        self.report(result, text, options=options)

"""`fupin bench --persons N`: the benchmark suite on PostgreSQL and SQLite (bench/README.md)."""

from pathlib import Path

from fupin.core.commands import ReportCommand


def _list(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


class Command(ReportCommand):
    help = ("基准测试：在 PostgreSQL 和 SQLite 上按 1×/2×/4× 数据量生成数据并运行各项任务，与参照实现比较；"
            "结果写入 bench/results/")

    def add_arguments(self, parser):
        from fupin.benchmark.jobs import JOBS
        from fupin.benchmark.runner import DEFAULT_PG_URL, DEFAULT_REGION

        super().add_arguments(parser)
        parser.add_argument("--persons", type=int, required=True, help="1× 数据量的人数（如 100000）")
        parser.add_argument("--backends", default="postgresql,sqlite", help="数据库，逗号分隔（默认 postgresql,sqlite）")
        parser.add_argument("--scales", default="1,2,4", help="数据量倍数，逗号分隔（默认 1,2,4）")
        parser.add_argument("--jobs", default=",".join(JOBS), help=f"任务，逗号分隔（默认全部：{','.join(JOBS)}）")
        parser.add_argument("--region", default=DEFAULT_REGION,
                            help=f"生成数据的省级区划（默认 {DEFAULT_REGION} 宁夏：县少，每县规模接近实际）")
        parser.add_argument("--seed", type=int, default=2014, help="随机种子（默认 2014）")
        parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help=f"PostgreSQL 服务器地址（默认 {DEFAULT_PG_URL}）")
        parser.add_argument("--keep", action="store_true", help="保留基准数据库（默认运行后删除）")
        parser.add_argument("--update-readme", action="store_true", help="把结果表格写入 README.md 的基准测试段落")
        parser.add_argument("--results-dir", default=None, help="结果目录（默认 bench/results）")

    def handle(self, *args, **options):
        from fupin.benchmark import results
        from fupin.benchmark.runner import REPO, BenchError, Options, log, run

        try:
            scales = tuple(int(s) for s in _list(options["scales"]))
        except ValueError:
            self.fail({"error": "--scales 应为逗号分隔的整数，如 1,2,4"}, "--scales 应为逗号分隔的整数，如 1,2,4",
                      options=options)
        if not scales or any(s < 1 for s in scales):
            self.fail({"error": "--scales 应为正整数"}, "--scales 应为正整数", options=options)
        opts = Options(persons=options["persons"], backends=_list(options["backends"]), scales=scales,
                       jobs=_list(options["jobs"]), region=options["region"], seed=options["seed"],
                       pg_url=options["pg_url"], keep=options["keep"])
        try:
            document = run(opts)
        except BenchError as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        directory = Path(options["results_dir"]) if options["results_dir"] else REPO / "bench" / "results"
        path = results.write_results(document, directory)
        log(f"结果已写入 {path}（及 {directory / 'latest.json'}）")
        if options["update_readme"]:
            results.update_readme(REPO / "README.md", document)
            log("README.md 的基准测试表格已更新")
        document["results_file"] = str(path)
        self.report(document, results.render_markdown(document), options=options)

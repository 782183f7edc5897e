"""`fupin refresh_stats [--region CODE] [--year Y] [--json]`: 统计数据更新.

Recomputes the pre-aggregated statistics (stats.RegionYearFact) of the region's subtree — the
nation when no region is given — for the year (default: every year from the first status change
to this year), rolls them up the hierarchy and records the run (StatsRefresh)."""

from fupin.core.commands import ReportCommand
from fupin.stats.selectors import refreshed_at
from fupin.stats.services import default_years, refresh_root, refresh_stats


class Command(ReportCommand):
    help = "统计数据更新：重新计算区划及其下级各年度的统计汇总（不指定区划则全国）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", default=None, help="区划代码（6、9 或 12 位）；乡镇、村按所在县更新")
        parser.add_argument("--year", type=int, default=None, help="年度（默认：自首次状态变动至今年的每一年）")

    def handle(self, *args, **options):
        code = self.region_option(options).code if options["region"] else None
        years = [self.year_option(options)] if options["year"] is not None else default_years()
        with self.progress(total=len(years), desc="统计数据更新（年度）", options=options) as bar:
            run = refresh_stats(region_code=code, years=years, actor_name="命令行", progress=bar.update)
        data = {"ok": True, "region_code": refresh_root(code), "year_from": run.year_from, "year_to": run.year_to,
                "rows_written": run.rows_written, "duration_ms": run.duration_ms, "refreshed_at": refreshed_at(run)}
        text = (f"已更新 {run.region_code} {run.year_from}–{run.year_to} 年统计：写入 {run.rows_written} 行，"
                f"耗时 {run.duration_ms / 1000:.2f} 秒；数据更新于 {refreshed_at(run)}")
        self.report(data, text, options=options)

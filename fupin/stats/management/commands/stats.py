"""`fupin stats --region CODE --year Y [--json] [--refresh]`: 区域统计.

Reads the pre-aggregated statistics through the same selector as the web page and the API, so
the numbers are the same. When no refresh has computed that region and year, it says so and
exits 1 — or, with --refresh, computes them first."""

from fupin.core.commands import ReportCommand
from fupin.stats.selectors import NotRefreshed, region_stats_unscoped
from fupin.stats.services import refresh_stats


def _pct(r: dict) -> str:
    return "—" if r["ratio"] is None else f"{r['ratio'] * 100:.2f}%"


class Command(ReportCommand):
    help = "区域统计：在册户数人数、各状态、当年脱贫返贫、监测户、贫困发生率、致贫原因和属性分组（读取预汇总数据）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--refresh", action="store_true", help="先更新该区划（所在县）该年度的统计数据")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        if options["refresh"]:
            refresh_stats(region_code=region.code, years=[year], actor_name="命令行")
        try:
            doc = region_stats_unscoped(region, year)
        except NotRefreshed as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        self.report(doc, self._text(doc), options=options)

    @staticmethod
    def _text(d: dict) -> str:
        inc = d["incidence"]
        lines = [
            f"{d['region']['name']}（{d['region']['code']}）{d['year']} 年统计　数据更新于 {d['refreshed_at']}",
            f"在册 {d['households']} 户 {d['persons']} 人；剩余贫困 {d['poor_households']} 户 {d['poor_persons']} 人",
            f"当年脱贫 {d['exited_households']} 户 {d['exited_persons']} 人；返贫 {d['returned_households']} 户 "
            f"{d['returned_persons']} 人；年末监测户 {d['monitored_households']} 户",
            f"贫困发生率 {_pct(inc)}（{inc['numerator']} ÷ {inc['denominator'] or '无乡村人口数据'}）",
            "年末状态：" + "，".join(f"{r['label']} {r['households']} 户 {r['persons']} 人" for r in d["by_status"]),
            "主要致贫原因：" + "，".join(f"{r['label']} {r['households']} 户" for r in d["by_cause"] if r["households"]),
            "贫困户属性：" + "，".join(f"{r['label']} {r['households']} 户" for r in d["by_attribute"]),
        ]
        if d["children"]:
            lines.append("下级：")
            lines += [f"  {c['code']} {c['name']}：在册 {c['households']} 户 {c['persons']} 人，剩余贫困 "
                      f"{c['poor_persons']} 人，贫困发生率 {_pct(c['incidence'])}" for c in d["children"]]
        return "\n".join(lines)

"""`fupin poverty_measures --region CODE --year Y [--json]`: 贫困测度 of a region and year.

FGT(0, 1, 2) of per-capita income against each village's poverty line (the policy rows used with
the households and persons under each), the Alkire-Foster index (H, A, M0) with k, indicators and
weights, censored headcounts and contributions, and both decomposed by child region. The JSON is
the document `GET /api/v1/measures` returns (plus "ok"). An administrator's tool: it reads the
whole region. Exit 0 whatever the numbers; 1 for a bad region or year or a missing policy value.
"""

from fupin.core.commands import ReportCommand
from fupin.demo.text import table
from fupin.measures.report import MeasuresError
from fupin.measures.selectors import measures_for_region


def pct(value) -> str:
    return "—" if value is None else f"{value:.2%}"


def num(value) -> str:
    return "—" if value is None else f"{value:.6f}"


class Command(ReportCommand):
    help = "贫困测度：FGT 贫困指数（α=0,1,2）和 Alkire-Foster 多维贫困指数（H、A、M0），按下级区划和指标分解"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")
        parser.add_argument("--year", required=True, type=int, help="年度")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        try:
            report = measures_for_region(region, year=year)
        except MeasuresError as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        self.report({"ok": True, **report}, self._text(report), options=options)

    @staticmethod
    def _text(doc: dict) -> str:
        region, pop, f, a = doc["region"], doc["population"], doc["fgt"], doc["af"]
        lines = [f"{region['name']}（{region['code']}）{doc['year']} 年贫困测度",
                 f"人口口径：{pop['definition']}",
                 f"  户数 {pop['households']}，人口 {pop['persons']}（家庭人口数为 0 的户 {pop['zero_size_households']}；"
                 f"缺少年度数据的成员 {pop['members_missing_year_data']}）", "",
                 "一、FGT 贫困指数", f"  {f['definition']}",
                 table(["指数", "取值"], [[i["label"], num(i["value"])] for i in f["indices"]], indent="  "),
                 f"  低于贫困线：{f['poor_households']} 户 {f['poor_persons']} 人", "  所用贫困线：",
                 *[f"    {p['value']} 元（{p['region_name'] or p['region_code']}，{p['year_from']} 年起；{p['source']}）"
                   f"：{p['households']} 户 {p['persons']} 人" for p in f["lines"]],
                 "  按下级区划分解（贡献 = 人口份额 × 该区划指数，合计等于总指数）：",
                 table(["区划", "人口", "人口份额", "FGT0", "FGT1", "FGT2", "贡献0", "贡献1", "贡献2"], [
                     [d["region"]["name"], str(d["persons"]), pct(d["population_share"]),
                      *[num(d["indices"][c]) for c in ("fgt0", "fgt1", "fgt2")],
                      *[num(d["contributions"][c]) for c in ("fgt0", "fgt1", "fgt2")]] for d in f["decomposition"]],
                     indent="    "),
                 f"    贡献合计：{', '.join(num(v) for v in f['contribution_sums'].values())}"
                 f"（{'与总指数一致' if f['adds_up'] else '与总指数不一致'}）", "",
                 "二、Alkire-Foster 多维贫困指数", f"  {a['definition']}",
                 f"  k = {a['k']}；H = {pct(a['H'])}，A = {pct(a['A'])}，M0 = {num(a['M0'])}；"
                 f"多维贫困 {a['poor_households']} 户 {a['poor_persons']} 人",
                 table(["指标", "维度", "权重", "未删减发生率", "删减后发生率", "贡献率"], [
                     [f"{i['label']}（{i['code']}）", i["dimension"], i["weight"], pct(i["uncensored_headcount"]),
                      pct(i["censored_headcount"]), pct(i["contribution"])] for i in a["indicators"]], indent="  "),
                 "  按下级区划分解：",
                 table(["区划", "人口", "人口份额", "H", "A", "M0", "贡献率"], [
                     [d["region"]["name"], str(d["persons"]), pct(d["population_share"]), pct(d["H"]), pct(d["A"]),
                      num(d["M0"]), pct(d["contribution"])] for d in a["decomposition"]], indent="    "),
                 "  政策参数："]
        lines += [f"    {p['key']} = {'（见上表）' if p['key'] == 'measures.af.indicators' else p['value']}（{p['region_name'] or p['region_code']}，{p['year_from']} 年起；"
                  f"{p['source']}）" for p in a["policy"]]
        return "\n".join(lines)

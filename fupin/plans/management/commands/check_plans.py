"""`fupin check_plans --region CODE --year Y [--json]`: checks of the plans (一户一策) under a region.

Per village: plans that look copied (措施雷同: similarity ≥ `plans.copy_similarity` between households
whose causes differ, with clusters of connected plans) and measures that contradict the household
(措施矛盾, each with the rule and the household's facts). An administrator's tool: it sees the whole
region. Names and household numbers are printed, ID numbers never.
"""

from fupin.core.commands import ReportCommand
from fupin.plans.models import HouseholdPlan
from fupin.plans.selectors_region import findings_report
from fupin.regions.codes import Level


class Command(ReportCommand):
    help = "帮扶计划检查：同村不同致贫原因的户帮扶计划雷同（相似度达到阈值），以及与户情矛盾的帮扶措施"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位），检查其下各村的帮扶计划")
        parser.add_argument("--year", required=True, type=int, help="计划年度")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        plans = HouseholdPlan.objects.filter(village_id__gte=region.code_range.low,
                                             village_id__lte=region.code_range.high)
        report = findings_report(plans, region, year=year)
        self.report({"ok": True, **report}, self._text(region, year, report), options=options)

    def _text(self, region, year, report) -> str:
        s = report["summary"]
        lines = [f"{region.name}（{region.code}，{Level.LABELS.get(region.level, '')}）{year} 年度帮扶计划检查",
                 f"检查 {s['villages_checked']} 个村 {s['plans']} 份计划：措施雷同 {s['pairs']} 对"
                 f"（{s['clusters']} 组，涉及 {s['plans_in_clusters']} 份计划），措施矛盾 {s['contradictions']} 项", ""]
        for v in report["villages"]:
            threshold = v["threshold"]["value"] if v["threshold"] else "—"
            lines.append(f"{v['village_name']}（{v['village_code']}）：{v['plans']} 份计划，雷同阈值 {threshold}")
            for c in v["clusters"]:
                households = "、".join(f"{p['head_name']}（{p['household_no']}，{p['main_cause_label']}）"
                                       for p in c["plans"])
                kind = "完全相同" if c["identical"] else f"相似度 {c['min_score']:.2f}–{c['max_score']:.2f}"
                lines.append(f"  措施雷同 {c['size']} 户（{kind}）：{households}")
            for p in v["pairs"]:
                lines.append(f"    {p['a']['household_no']} ↔ {p['b']['household_no']} 相似度 {p['score']:.4f}：{p['why']}")
            for c in v["contradictions"]:
                facts = "，".join(f"{f['label']} {f['text']}" for f in c["facts"])
                lines.append(f"  措施矛盾 [{c['rule']['code']}] {c['head_name']}（{c['household_no']}）"
                             f"{c['measure']['measure_label']}“{c['measure']['content']}”：{c['rule']['name']}（{facts}）")
            lines.append("")
        if not report["villages"]:
            lines.append("（没有发现措施雷同或矛盾）")
        return "\n".join(lines)

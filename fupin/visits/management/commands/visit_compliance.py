"""`fupin visit_compliance --region CODE [--on DATE] [--json]`: 走访频次 compliance over a region.

Per cadre and per village: households to be visited, visited within the window, never visited but
not yet due, overdue and the compliance rate; then every overdue household (longest first) with
its last visit and days since, and the policy rows used. An administrator's tool, as
`check_quality` is: it sees the whole region. Exit 0 whatever the numbers.
"""


from fupin.core.commands import ReportCommand
from fupin.demo.text import table
from fupin.policy.selectors import PolicyMissing
from fupin.visits.compliance import RULE_TEXT
from fupin.visits.selectors import visit_compliance_in_region


def _rate(rate) -> str:
    return "—" if rate is None else f"{rate:.1%}"


class Command(ReportCommand):
    help = "走访频次达标情况：按帮扶责任人和行政村统计应走访户、按时走访、逾期户数和达标率，并列出逾期户"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位），统计其下所有户")
        parser.add_argument("--on", default=None, help="统计日期（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        on = self.date_option(options)
        try:
            report = visit_compliance_in_region(region_code=region.code, on=on)
        except PolicyMissing as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                **report.as_dict()}
        self.report(data, self._text(region, report), options=options)

    @staticmethod
    def _text(region, report) -> str:
        t = report.totals
        headers = ["应走访户", "按时走访", "新户待走访", "逾期", "达标率", "最长间隔（天）"]

        def cells(g):
            return [str(g.tally.households), str(g.tally.visited), str(g.tally.pending), str(g.tally.overdue),
                    _rate(g.tally.rate), "、".join(str(d) for d in sorted(g.max_days))]

        lines = [f"{region.name}（{region.code}）走访频次 {report.on:%Y-%m-%d}",
                 f"应走访 {t.households} 户：按时走访 {t.visited}，新户待走访 {t.pending}，逾期 {t.overdue}，"
                 f"达标率 {_rate(t.rate)}", "", "按帮扶责任人：",
                 table(["帮扶责任人", *headers], [[g.label, *cells(g)] for g in report.by_cadre], indent="  "),
                 "", "按行政村：",
                 table(["行政村", "区划代码", *headers], [[g.label, g.key, *cells(g)] for g in report.by_village],
                       indent="  "), "", f"逾期户（{len(report.overdue)} 户）："]
        if report.overdue:
            lines.append(table(["户编号", "户主", "行政村", "帮扶责任人", "上次走访", "间隔天数", "逾期天数"], [
                [r.household_no, r.head_name, r.village_name, r.cadre_name,
                 f"{r.last_visit:%Y-%m-%d}" if r.last_visit else f"从未走访（建档 {r.registered_on:%Y-%m-%d}）",
                 str(r.days_since), str(r.overdue_days)] for r in report.overdue], indent="  "))
        else:
            lines.append("  （没有逾期户）")
        lines += ["", "规则：" + RULE_TEXT, "政策参数："]
        lines += [f"  {p['key']} = {p['value']}（区划 {p['region_code']}，{p['year_from']} 年起；{p['source']}）"
                  for p in report.policy]
        return "\n".join(lines)

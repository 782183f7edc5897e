"""`fupin credit_report --region CODE [--on DATE] [--json]`: 扶贫小额信贷 rates over a region.

Per village and in total: loans, amount, balance, households with loans over filed households
(获贷率), overdue rate (overdue balance ÷ balance), default, repaid-on-time rate; then the overdue
loans (longest first) and the reminders due on the day, with the policy rows used. An
administrator's tool, as `check_quality` is: it sees the whole region. Exit 0 whatever the numbers.
"""

from fupin.core.commands import ReportCommand
from fupin.credit.cli import add_options, on_option, policy_lines, rate
from fupin.credit.report import RULE_TEXT
from fupin.credit.selectors import credit_report_in_region
from fupin.demo.text import table
from fupin.policy.selectors import PolicyMissing


class Command(ReportCommand):
    help = "扶贫小额信贷统计：按行政村和合计统计贷款笔数、金额、余额、获贷率、逾期率、按期还款率，并列出逾期贷款"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        add_options(parser)

    def handle(self, *args, **options):
        region = self.region_option(options)
        on = on_option(self, options)
        try:
            report = credit_report_in_region(region_code=region.code, on=on)
        except PolicyMissing as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                **report.as_dict()}
        self.report(data, self._text(region, report), options=options)

    @staticmethod
    def _text(region, report) -> str:
        t = report.totals

        def cells(x):
            return [str(x.loans), f"{x.amount:,.2f}", f"{x.balance:,.2f}",
                    f"{x.households_with_loans}/{x.filed_households}", rate(x.coverage_rate), rate(x.overdue_rate),
                    rate(x.on_time_rate)]

        headers = ["笔数", "放款金额", "余额", "获贷户/建档立卡户", "获贷率", "逾期率", "按期还款率"]
        lines = [f"{region.name}（{region.code}）扶贫小额信贷 {report.on:%Y-%m-%d}",
                 table(["", *headers], [["合计", *cells(t)]], indent="  "), "", "按行政村：",
                 table(["行政村", "区划代码", *headers],
                       [[v.name, v.village_code, *cells(v.tally)] for v in report.by_village], indent="  "),
                 "", f"逾期贷款（{len(report.overdue)} 笔）："]
        if report.overdue:
            lines.append(table(["户编号", "户主", "借款人", "合同号", "到期日", "余额", "逾期天数", "状态"], [
                [r.household_no, r.head_name, r.borrower_name, r.contract_no, f"{r.maturity_date:%Y-%m-%d}",
                 f"{r.state.balance:,.2f}", str(r.state.overdue_days), r.state.label] for r in report.overdue],
                indent="  "))
        else:
            lines.append("  （没有逾期贷款）")
        lines += ["", f"今日到期提醒 {len(report.reminders)} 笔", "", "规则：" + RULE_TEXT, "政策参数："]
        return "\n".join(lines + policy_lines(report.policy))

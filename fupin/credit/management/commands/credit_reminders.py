"""`fupin credit_reminders --region CODE [--on DATE] [--json]`: loans due a reminder on the day.

A loan still running whose maturity is exactly k days after the day, k in `credit.reminder_days`
(default 60 → 到期提醒, 30 → 书面通知; seed 003), with its next reminder day; then the running
loans maturing within the largest k (upcoming). Sees the whole region. Exit 0.
"""

from fupin.core.commands import ReportCommand
from fupin.credit.cli import add_options, on_option, policy_lines
from fupin.credit.selectors import loan_reminders_in_region
from fupin.demo.text import table
from fupin.policy.selectors import PolicyMissing


def _rows(rows):
    return [[r.household_no, r.head_name, r.borrower_name, r.village_name, r.contract_no, f"{r.maturity_date:%Y-%m-%d}",
             str(r.days_to_maturity), f"{r.state.balance:,.2f}", r.reminder_label or "—",
             f"{r.next_reminder_on:%Y-%m-%d}" if r.next_reminder_on else "—"] for r in rows]


HEADERS = ["户编号", "户主", "借款人", "行政村", "合同号", "到期日", "距到期天数", "余额", "今日提醒", "下次提醒"]


class Command(ReportCommand):
    help = "扶贫小额信贷到期提醒：到期日前 60 天提醒、30 天书面通知（天数按政策参数），列出当日应提醒的贷款"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        add_options(parser)

    def handle(self, *args, **options):
        region = self.region_option(options)
        on = on_option(self, options)
        try:
            report = loan_reminders_in_region(region_code=region.code, on=on)
        except PolicyMissing as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                **report.as_dict()}
        lines = [f"{region.name}（{region.code}）扶贫小额信贷到期提醒 {on:%Y-%m-%d}", "",
                 f"今日应提醒（{len(report.due)} 笔）："]
        lines.append(table(HEADERS, _rows(report.due), indent="  ") if report.due else "  （没有）")
        lines += ["", f"即将到期（{len(report.upcoming)} 笔）："]
        lines.append(table(HEADERS, _rows(report.upcoming), indent="  ") if report.upcoming else "  （没有）")
        lines += ["", "政策参数："] + policy_lines(report.policy)
        self.report(data, "\n".join(lines), options=options)

"""`fupin ledger_report --region CODE [--on DATE] [--json]`: 问题台账 statistics over a region.

Per child region and per source: total, 待整改, 整改中, 已提交整改, 已核验, 已销号, 逾期, 逾期提交, 即将到期
and the time from finding to closure (average and median days); then the overdue list (longest
first) and the definition used. An administrator's tool, as `check_quality` is: it sees the whole
region. Exit 0 whatever the numbers.
"""


from fupin.core.commands import ReportCommand
from fupin.demo.text import table
from fupin.ledger.selectors import ledger_stats_in_region
from fupin.policy.selectors import PolicyMissing

HEADERS = ["合计", "待整改", "整改中", "已提交", "已核验", "已销号", "逾期", "逾期提交", "即将到期", "平均销号天数",
           "销号天数中位数"]


def _days(v) -> str:
    return "—" if v is None else f"{v:g}"


def cells(t) -> list[str]:
    return [str(t.total), str(t.open), str(t.rectifying), str(t.submitted), str(t.verified), str(t.closed),
            str(t.overdue), str(t.late_submitted), str(t.due_soon), _days(t.closure_avg_days),
            _days(t.closure_median_days)]


class Command(ReportCommand):
    help = "问题台账统计：按下级区划和问题来源统计各状态问题数、逾期数和销号用时，并列出逾期问题"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")
        parser.add_argument("--on", default=None, help="统计日期（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        on = self.date_option(options)
        try:
            stats = ledger_stats_in_region(region=region, on=on)
        except PolicyMissing as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                **stats.as_dict()}
        self.report(data, self._text(stats), options=options)

    @staticmethod
    def _text(s) -> str:
        lines = [f"{s.region_name}（{s.region_code}）问题台账 {s.on:%Y-%m-%d}",
                 table(["", *HEADERS], [["合计", *cells(s.totals)]], indent="  ")]
        if s.by_region:
            lines += ["", "按区划：", table(["区划", "代码", *HEADERS],
                                          [[r.label, r.key, *cells(r.tally)] for r in s.by_region], indent="  ")]
        lines += ["", "按问题来源：", table(["来源", *HEADERS], [[r.label, *cells(r.tally)] for r in s.by_source],
                                        indent="  "), "", f"逾期问题（{len(s.overdue)} 个）："]
        if s.overdue:
            from fupin.ledger.stats import overdue_row

            rows = [overdue_row(i, s.on) for i in s.overdue]
            lines.append(table(["编号", "来源", "区划", "户编号", "问题", "状态", "整改时限", "逾期天数", "责任人"], [
                [str(r["id"]), r["source_label"], r["region_code"], r["household_no"], r["title"][:30],
                 r["state_label"], f"{r['deadline']:%Y-%m-%d}", str(r["overdue_days"]),
                 r["responsible"] or r["responsible_name"]] for r in rows], indent="  "))
        else:
            lines.append("  （没有逾期问题）")
        lines += ["", "口径：" + s.rule]
        lines += [f"  {p['key']} = {p['value']}（区划 {p['region_code']}，{p['year_from']} 年起；{p['source']}）"
                  for p in s.policy]
        return "\n".join(lines)

"""`fupin check_coverage --region CODE [--on DATE] [--json]`: 结对帮扶 coverage over a region.

An administrator's tool: it sees the whole region. Gaps are reported, not failed: the exit code is
0 and `ok` tells whether every check passed (a wrong region or date exits non-zero).
"""

from datetime import date

from django.core.exceptions import ValidationError

from fupin.core.clock import today
from fupin.core.commands import ReportCommand
from fupin.policy.selectors import PolicyMissing

from ...coverage import coverage
from ...inputs import day
from ...selectors import sources_all


class Command(ReportCommand):
    help = "结对帮扶覆盖检查：贫困村有无帮扶单位、驻村工作队和第一书记，贫困户有无帮扶责任人，帮扶责任人结对户数是否超限、是否为建档立卡人口"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位），检查其下所有村和户")
        parser.add_argument("--on", default=None, help="检查日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        try:
            on: date = day(options["on"] or today(), name="on", label="检查日期")
        except ValidationError as exc:
            message = "；".join(exc.messages)
            self.fail({"error": message}, message, options=options)
        try:
            report = coverage(region, on=on, sources=sources_all())
        except PolicyMissing as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        # The command ran: `ok` is true; `coverage_ok` says whether every check passed.
        data = {**report.as_dict(), "coverage_ok": report.ok, "ok": True}
        self.report(data, self._text(report), options=options)

    def _text(self, report) -> str:
        lines = [f"{report.region_name}（{report.region_code}）结对帮扶覆盖检查（{report.on}）",
                 f"贫困村 {report.poor_villages} 个，贫困户 {report.households} 户，帮扶责任人 {report.cadres} 人；"
                 + ("未发现问题" if report.ok else f"共 {report.gaps} 个问题"), ""]
        for c in report.checks:
            lines.append(f"[{'通过' if c.ok else '问题'}] {c.title}：{c.count}（检查 {c.checked_count}）")
            lines.append(f"    检查内容：{c.checked}")
            for item in c.items[:50]:
                lines.append("    - " + _item_text(item))
            if c.count > 50:
                lines.append(f"    …… 共 {c.count} 条，用 --json 查看全部（最多 {len(c.items)} 条）")
        return "\n".join(lines)


ITEM_LABELS = (("township_name", "乡镇"), ("village_name", "村"), ("village_code", "区划"), ("kind_label", "身份"),
               ("name", "姓名"), ("household_no", "户编号"), ("head_name", "户主"), ("status_label", "户状态"),
               ("id_number", "身份证"), ("households", "结对户数"), ("limit", "上限"), ("member_name", "在册成员"),
               ("household_status_label", "该户状态"), ("helper_name", "户登记的帮扶责任人"))


def _item_text(item: dict) -> str:
    return "，".join(f"{label} {item[key]}" for key, label in ITEM_LABELS if item.get(key) not in (None, ""))

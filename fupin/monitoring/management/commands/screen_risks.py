"""`fupin screen_risks --year Y --region CODE [--json]`: 防止返贫监测风险排查 — the households (and persons
found only in department rosters) that should be considered for monitoring, each with its reasons.

An administrator's tool: it reads the whole region. ID numbers are masked.
"""

from fupin.core.commands import ReportCommand
from fupin.monitoring.screening import screen_risks
from fupin.policy.selectors import PolicyMissing


class Command(ReportCommand):
    help = "防止返贫监测风险排查：按收入、刚性支出、收入骤减、大病、残疾和部门数据列出监测对象候选及理由"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--year", required=True, type=int, help="排查年度（比较该年与上年的年度数据）")
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options, data={"region": region.code})
        try:
            result = screen_risks(year=year, region_code=region.code)
        except PolicyMissing as exc:
            self.fail({"region": region.code, "year": year, "error": str(exc)}, str(exc), options=options)
        self.report({"ok": True, **result.as_dict()}, self._text(region, result), options=options)

    def _text(self, region, result) -> str:
        c = result.counts
        lines = [f"{region.name}（{region.code}）{result.year} 年防止返贫监测风险排查",
                 f"排查 {c['screened_households']} 户（另有 {c['skipped_open_case']} 户已在监测中，未排查）；"
                 f"候选 {c['candidates']} 个：建档户 {c['households']}，仅见于部门数据的人员 {c['persons']}", ""]
        for row in result.candidates:
            d = row.as_dict()
            who = (f"{d['household_no']} {d['head_name']}（{d['status_label']}）" if d["kind"] == "household"
                   else f"{d['person']['name']} {d['person']['id_number']}（未建档，{d['person']['roster']}）")
            lines.append(f"{d['village_name'] or d['village_code']}  {who}  {d['object_type_label']}  "
                         f"风险：{'、'.join(d['risk_type_labels'])}")
            lines += [f"    - {r['text']}" for r in d["reasons"]]
        if not result.candidates:
            lines.append("（没有候选）")
        lines += ["", "政策参数："] + [f"  {p['key']} = {p['value']}（区划 {p['region_code']}，{p['year_from']} 年起）"
                                   for p in result.policy]
        return "\n".join(lines)

"""`fupin check_quality --region CODE --year Y [--rule R05] [--json]`: the data-quality rules over a region.

An administrator's tool: it sees the whole region, and prints ID numbers and phones masked
(accounts.masking) in text and JSON alike.
"""

from fupin.accounts.masking import MASKERS
from fupin.accounts.scope import in_code_range
from fupin.core.commands import ReportCommand
from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import subtree_range
from fupin.registry.models import Household
from fupin.registry.quality import SEVERITY_LABELS, UnknownRule, run_rules, select_rules


def mask_always(field: str, value):
    return MASKERS[field](value) if field in MASKERS and isinstance(value, str) else value


class Command(ReportCommand):
    help = "数据质量校验：按规则统计区划内的问题数，列出有问题的户和成员（证件号码、电话脱敏）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位），校验其下所有户")
        parser.add_argument("--year", required=True, type=int, help="校验年度（年龄按该年 12 月 31 日计算）")
        parser.add_argument("--rule", action="append", default=None,
                            help="只运行这些规则，如 --rule R05（可重复，或用逗号分隔）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        codes = [c for item in options["rule"] or [] for c in item.split(",") if c.strip()] or None
        try:
            rules = select_rules(codes)
        except UnknownRule as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        households = Household.objects.filter(in_code_range("village_id", subtree_range(region.code)))
        try:
            report = run_rules(households, year=year, region_code=region.code, rules=rules)
        except PolicyMissing as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                **report.as_dict(mask=mask_always)}
        self.report(data, self._text(region, report), options=options)

    def _text(self, region, report) -> str:
        totals = report.totals
        lines = [f"{region.name}（{region.code}）{report.year} 年度数据质量校验（年龄按 {report.reference_date} 计算）",
                 f"共 {totals['findings']} 个问题（错误 {totals['errors']}、提示 {totals['warnings']}），"
                 f"涉及 {totals['households']} 户", "", "规则  级别  问题数  户数  名称"]
        for row in report.rule_rows:
            r = row["rule"]
            lines.append(f"{r.code}   {SEVERITY_LABELS[r.severity]}  {row['count']:>6}  {row['households']:>4}  {r.title}")
        if report.findings:
            lines += ["", "问题记录："]
        for group in report.by_household():
            lines.append(f"户 {group['household_no']}（{group['head_name']}，区划 {group['village_code']}）")
            for f in group["findings"]:
                lines.append(f"  [{f.code} {SEVERITY_LABELS[f.severity]}] {f.title}：{f.message}")
        return "\n".join(lines)

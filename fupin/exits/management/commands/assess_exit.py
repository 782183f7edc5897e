"""`fupin assess_exit --year Y --region CODE [--failed-only] [--json]`: household exit assessment.

Every poor household (未脱贫, 返贫) under the region against the year's exit standard (收入,
两不愁, 三保障, 饮水安全), each indicator with the values it used and the policy rows behind
them. An administrator's tool: it sees the whole region. Names and household numbers are printed,
ID numbers never.
"""

from fupin.core.commands import ReportCommand
from fupin.exits.household import INDICATORS, assess_households, policy_rows, summarize
from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import Level

MARK = {True: "✓", False: "✗"}


class Command(ReportCommand):
    help = "贫困户退出评估：逐户对照收入、两不愁、三保障和饮水安全标准，列出各项是否达标及所用数值"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位），评估其下所有贫困户")
        parser.add_argument("--year", required=True, type=int, help="评估年度（年龄和成员按该年 12 月 31 日计算）")
        parser.add_argument("--failed-only", action="store_true", help="只列出未达到退出标准的户（汇总仍按全部户）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)

        def progress(items, total):
            bar = self.progress(total=total, desc="退出评估", options=options)
            for item in items:
                yield item
                bar.update(1)
            bar.close()

        try:
            assessments = assess_households(year=year, region_code=region.code, progress=progress)
        except PolicyMissing as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        summary = summarize(assessments)
        listed = [a for a in assessments if not a.passed] if options["failed_only"] else assessments
        data = {"ok": True, "year": year,
                "region": {"code": region.code, "name": region.name, "level": region.level},
                "failed_only": options["failed_only"], "summary": summary,
                "households": [a.as_dict(with_policy=False) for a in listed],
                "policy": policy_rows(assessments, year=year, region_code=region.code)}
        self.report(data, self._text(region, year, summary, listed, data["policy"], options["failed_only"]),
                    options=options)

    def _text(self, region, year, summary, listed, policy, failed_only) -> str:
        level = Level.LABELS.get(region.level, "")
        lines = [f"{region.name}（{region.code}，{level}）{year} 年度贫困户退出评估",
                 f"评估 {summary['households']} 户：达到退出标准 {summary['passed']} 户，未达到 {summary['failed']} 户",
                 "各项未达标户数：" + "，".join(f"{r['short_label']} {r['failed']}" for r in summary["indicators"]),
                 ""]
        header = ["户编号", "户主", *(short for _, _, short in INDICATORS), "结果"]
        lines.append("  ".join(header))
        for a in listed:
            marks = [MARK[i.passed] for i in a.indicators]
            lines.append("  ".join([a.household_no, a.head_name, *marks, "达标" if a.passed else "未达标"]))
            for i in a.failed():
                lines.append(f"    ✗ {i.label}：{i.reason}")
        if not listed:
            lines.append("（没有未达标的户）" if failed_only else "（没有需要评估的贫困户）")
        lines += ["", "所用政策参数："]
        for p in policy:
            value = "、".join(map(str, p["value"])) if isinstance(p["value"], list) else p["value"]
            lines.append(f"  {p['key']} = {value}（区划 {p['region_code']}，{p['year_from']} 年起；{p['source']}）")
        return "\n".join(lines)

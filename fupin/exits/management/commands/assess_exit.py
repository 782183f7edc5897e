"""`fupin assess_exit --year Y --region CODE [--failed-only] [--json]`: household exit assessment.

Every poor household (未脱贫, 返贫) under the region against the year's exit standard (收入,
两不愁, 三保障, 饮水安全), each indicator with the values it used and the policy rows behind
them. An administrator's tool: it sees the whole region. Names and household numbers are printed,
ID numbers never.

Streamed: the summary and policy rows come from one aggregate query, then the households are
written as they are read (chunk by chunk), so a province needs no more memory than a village. The
JSON document is the same as `json.dumps(..., indent=2)` of the whole report would be.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder

from fupin.core.commands import ReportCommand
from fupin.exits.household import INDICATORS, region_assessment
from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import Level

MARK = {True: "✓", False: "✗"}
PLACEHOLDER = "\x00households\x00"


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder, indent=2)


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
        failed_only = options["failed_only"]
        try:
            assessments = region_assessment(year=year, region_code=region.code)
            summary = assessments.summary()
            policy = assessments.policy_rows()
            listed = assessments.failed() if failed_only else assessments
            bar = self.progress(total=summary["failed"] if failed_only else summary["households"], desc="退出评估",
                                options=options)
            if options.get("json"):
                head = {"ok": True, "year": year,
                        "region": {"code": region.code, "name": region.name, "level": region.level},
                        "failed_only": failed_only, "summary": summary, "households": PLACEHOLDER,
                        "policy": policy}
                self._json(head, listed, bar)
            else:
                self._text(region, year, summary, listed, policy, failed_only, bar)
            bar.close()
        except PolicyMissing as exc:  # the region's standard (at once) or a village's (while streaming)
            self.fail({"error": str(exc)}, str(exc), options=options)

    def _json(self, head: dict, listed, bar) -> None:
        before, after = _dumps(head).split(_dumps(PLACEHOLDER))
        write = self.stdout.write
        write(before + "[", ending="")
        first = True
        for a in listed:
            item = "\n".join("    " + line for line in _dumps(a.as_dict(with_policy=False)).splitlines())
            write(("\n" if first else ",\n") + item, ending="")
            first = False
            bar.update(1)
        write("]" if first else "\n  ]", ending="")
        write(after)

    def _text(self, region, year, summary, listed, policy, failed_only, bar) -> None:
        level = Level.LABELS.get(region.level, "")
        write = self.stdout.write
        write(f"{region.name}（{region.code}，{level}）{year} 年度贫困户退出评估")
        write(f"评估 {summary['households']} 户：达到退出标准 {summary['passed']} 户，未达到 {summary['failed']} 户")
        write("各项未达标户数：" + "，".join(f"{r['short_label']} {r['failed']}" for r in summary["indicators"]))
        write("")
        write("  ".join(["户编号", "户主", *(short for _, _, short in INDICATORS), "结果"]))
        empty = True
        for a in listed:
            empty = False
            marks = [MARK[ok] for ok in a.results.values()]
            write("  ".join([a.household_no, a.head_name, *marks, "达标" if a.passed else "未达标"]))
            if not a.passed:
                for i in a.failed():
                    write(f"    ✗ {i.label}：{i.reason}")
            bar.update(1)
        if empty:
            write("（没有未达标的户）" if failed_only else "（没有需要评估的贫困户）")
        write("")
        write("所用政策参数：")
        for p in policy:
            value = "、".join(map(str, p["value"])) if isinstance(p["value"], list) else p["value"]
            write(f"  {p['key']} = {value}（区划 {p['region_code']}，{p['year_from']} 年起；{p['source']}）")

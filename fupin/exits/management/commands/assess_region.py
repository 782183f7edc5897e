"""`fupin assess_region --level village|county --year Y --region CODE [--json]`: village exit
(贫困村出列) or county exit (贫困县摘帽) evaluation of every village / county under CODE.

An administrator's tool: it reads the whole region. Text output is a table (one line per region,
one column per criterion, the reasons of what failed below it); --json gives the full evidence.
"""

import unicodedata

from fupin.core.commands import ReportCommand
from fupin.exits.region import LEVELS, EvaluationError, Status, evaluate
from fupin.policy.selectors import PolicyMissing

MARKS = {Status.PASS: "✓", Status.FAIL: "✗", Status.MISSING: "?"}


class Command(ReportCommand):
    help = "贫困村出列、贫困县摘帽评估：逐个村或县列出各项条件是否达标及依据（--json 输出全部证据）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--level", required=True, help="village（贫困村出列）或 county（贫困县摘帽）")
        parser.add_argument("--year", required=True, type=int, help="评估年度（取该年年末的户状态和该年导入的数据）")
        parser.add_argument("--region", required=True,
                            help="区划代码（6、9 或 12 位）：评估其下所有村或县；本身是村或县时只评估它自己")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        try:
            evaluation = evaluate(region, level=options["level"], year=year)
        except (EvaluationError, PolicyMissing) as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        self.report({"ok": True, **evaluation.as_dict()}, self._text(evaluation), options=options)

    def _text(self, evaluation) -> str:
        region, s = evaluation.region, evaluation.summary
        columns = evaluation.columns
        lines = [f"{region.name}（{region.code}）{evaluation.year} 年{LEVELS[evaluation.level]}评估",
                 f"共 {s['total']} 个{evaluation.unit}：符合退出条件 {s['passed']}，不符合 {s['failed']}，"
                 f"缺少数据 {s['missing']}", "",
                 "条件：" + "  ".join(f"C{i} {label}" for i, (_, label) in enumerate(columns, start=1)),
                 "标记：✓ 达标  ✗ 未达标  ? 缺少数据", "",
                 f"{pad('区划代码', 12)}  {pad('结论', 10)}" + "".join(f"{'C' + str(i):<4}" for i in range(1, len(columns) + 1))
                 + "名称"]
        without_data = 0
        for r in evaluation.results:
            marks = "".join(f"{MARKS[c.status] if (c := r.criterion(code)) else '-':<4}" for code, _ in columns)
            verdict = {Status.PASS: "通过", Status.FAIL: "未通过", Status.MISSING: "缺少数据"}[r.status]
            line = f"{r.code:<12}  {pad(verdict, 10)}{marks}{r.name}"
            incidence = r.criterion("incidence")
            if incidence is not None and incidence.actual is not None:
                line += f"（贫困发生率 {incidence.actual.percent}）"
            lines.append(line)
            if all(c.status == Status.MISSING for c in r.criteria):
                without_data += 1
                continue
            lines += [f"    - {c.label}：{c.reason}" for c in r.failed]
        if without_data:
            lines += ["", f"另有 {without_data} 个{evaluation.unit}全部条件缺少数据（未导入乡村人口、村级指标或核查样本），"
                          "原因见 --json 或网页"]
        if not evaluation.results:
            lines.append(f"（该区划下没有{evaluation.unit}级区划）")
        return "\n".join(lines)


def pad(text: str, columns: int) -> str:
    """Pad to `columns` terminal columns (a Chinese character takes two)."""
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, columns - width)

"""`fupin assess --region CODE --year Y [--level county|township] [--json]`: 考核评估.

The same document as `GET /api/v1/assessment` and `/r/<code>/assessment/` (one selector)."""

from fupin.assessment.selectors import SchemeMissing, assess_regions
from fupin.core.commands import ReportCommand


class Command(ReportCommand):
    help = "考核评估：区划下各县（或乡镇）按考核方案逐项得分、总分、一票否决和排名"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--level", default="county", help="考核对象：county（县，默认）或 township（乡镇）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        try:
            doc = assess_regions(region_code=region.code, year=year, level=options["level"])
        except (ValueError, SchemeMissing) as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        self.report(doc, self._text(doc), options=options)

    @staticmethod
    def _text(d: dict) -> str:
        lines = [f"{d['region']['name']}（{d['region']['code']}）{d['year']} 年{d['level_label']}考核评估"]
        if not d["results"]:
            lines.append("（没有可考核的单位）")
        for r in d["results"]:
            veto = f"　一票否决：{'；'.join(r['veto_reasons'])}" if r["vetoed"] else ""
            lines.append(f"第 {r['rank']} 名　{r['code']} {r['name']}　总分 {r['total']}{veto}")
            for i in r["indicators"]:
                extra = f"（{i['note']}）" if i["note"] else ""
                lines.append(f"    {i['label']}：{i['value_text']} → {i['score']}/{i['weight']} 分{extra}")
        return "\n".join(lines)

"""`fupin status_counts --region CODE [--from Y --to Y] [--on DATE] [--json]`: 户状态变动.

Per calendar year of the effective date and per kind (新识别, 已脱贫, 返贫, 清退, 自然减少 …) the
households and persons whose status changed — the yearly 脱贫 and 返贫 counts come from these
events. With `--on`, also the registry as of that date: households and persons per status.
An administrator's tool, as `check_quality` is: it sees the whole region.
"""

from datetime import date

from fupin.core.commands import ReportCommand
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.regions.selectors import region_get
from fupin.registry.selectors_status import registry_as_of_counts_in_region, status_change_counts_in_region

YEAR_MIN, YEAR_MAX = 2000, 2100


class Command(ReportCommand):
    help = "户状态变动：按年度和变动类型统计户数、人数（脱贫、返贫、清退、自然减少等）；--on 给出某日的在册情况"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位），统计其下所有户")
        parser.add_argument("--from", dest="year_from", type=int, default=None, help="起始年度（按生效日期所在年份）")
        parser.add_argument("--to", dest="year_to", type=int, default=None, help="截止年度（含）")
        parser.add_argument("--on", default=None, help="查看该日（YYYY-MM-DD）的在册情况：各状态户数、人数")

    def handle(self, *args, **options):
        try:
            code = normalize_code(options["region"])
        except InvalidCode as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        region = region_get(code)
        if region is None:
            message = f"区划“{code}”不存在"
            self.fail({"error": message}, message, options=options)
        year_from, year_to = options["year_from"], options["year_to"]
        for name, year in (("--from", year_from), ("--to", year_to)):
            if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
                message = f"{name} 年度 {year} 无效（应在 {YEAR_MIN}–{YEAR_MAX} 之间）"
                self.fail({"error": message}, message, options=options)
        if year_from is not None and year_to is not None and year_from > year_to:
            message = f"起始年度 {year_from} 晚于截止年度 {year_to}"
            self.fail({"error": message}, message, options=options)
        on = self.date_option(options, default_today=False)
        counts = status_change_counts_in_region(region_code=region.code, year_from=year_from, year_to=year_to)
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                "year_from": year_from, "year_to": year_to, "kinds": counts["kinds"], "rows": counts["rows"],
                "totals": counts["totals"]}
        as_of = None
        if on is not None:
            as_of = registry_as_of_counts_in_region(on=on, region_code=region.code)
            data["as_of"] = as_of
        self.report(data, self._text(region, counts, as_of), options=options)

    @staticmethod
    def _text(region, counts: dict, as_of: dict | None) -> str:
        span = "、".join(str(y) for y in (counts["year_from"], counts["year_to"]) if y) or "全部年度"
        kinds = counts["kinds"]
        lines = [f"{region.name}（{region.code}）户状态变动（{span}；户数/人数）", "",
                 "年度  " + "  ".join(k["label"] for k in kinds)]
        for row in counts["years"]:
            cells = "  ".join(f"{c['households']}/{c['persons']}" for c in row["cells"])
            lines.append(f"{row['year']}  {cells}")
        if not counts["years"]:
            lines.append("（没有状态变动记录）")
        lines.append("合计  " + "  ".join(f"{t['households']}/{t['persons']}" for t in counts["totals"]))
        if as_of is not None:
            on: date = as_of["on"]
            lines += ["", f"{on:%Y-%m-%d} 在册 {as_of['households']} 户 {as_of['persons']} 人（不含已清退、已销户）",
                      "状态  户数  人数"]
            lines += [f"{r['label']}  {r['households']}  {r['persons']}" for r in as_of["by_status"]]
        return "\n".join(lines)

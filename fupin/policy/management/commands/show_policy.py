from fupin.core.commands import ReportCommand
from fupin.policy.selectors import policy_overview
from fupin.regions.codes import InvalidCode, normalize_code


def row_dict(row) -> dict:
    return {"region_code": row.region_code, "year_from": row.year_from, "year_to": row.year_to, "value": row.value,
            "unit": row.unit, "source": row.source}


def summary(row) -> str:
    if row is None:
        return "（本年度无适用值）"
    value = f"{len(row.value)} 项" if isinstance(row.value, list | dict) else str(row.value)
    return f"{value} {row.unit}  来自 {row.region_code} 自 {row.year_from} 年"


class Command(ReportCommand):
    help = "列出某区划某年度适用的全部政策参数，及其来源（国家默认或地方设定）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", default="000000000000", help="区划代码（6、9 或 12 位），默认全国")
        parser.add_argument("--year", required=True, type=int, help="年度")

    def handle(self, *args, **options):
        try:
            code = normalize_code(options["region"])
        except InvalidCode as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        lines = policy_overview(region_code=code, year=options["year"])
        values = [{"key": line.key, "effective": row_dict(line.effective) if line.effective else None,
                   "rows": [row_dict(r) for r in line.rows]} for line in lines]
        text = "\n".join(f"{line.key:40} {summary(line.effective)}" for line in lines)
        self.report({"ok": True, "region_code": code, "year": options["year"], "values": values},
                    text, options=options)

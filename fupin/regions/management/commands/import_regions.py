from fupin.core.commands import ReportCommand
from fupin.regions.services import import_regions


class Command(ReportCommand):
    help = "从 CSV/XLSX 导入乡镇和村（列：区划代码、名称、上级代码）；任一行有误则全部不写入"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="CSV 或 XLSX 文件")

    def handle(self, *args, **options):
        result = import_regions(options["file"])
        if not result.ok:
            lines = [f"第 {e['row']} 行：" + "；".join(e["messages"]) if e["row"] else "；".join(e["messages"])
                     for e in result.errors]
            self.fail(result.as_dict(), "导入失败，未写入任何数据：\n" + "\n".join(lines), options=options)
        self.report(result.as_dict(), f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}",
                    options=options)

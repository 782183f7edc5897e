"""What the three exit-data import commands share: FILE --year Y [--json], all or nothing."""

from fupin.core.commands import ReportCommand


class ImportCommand(ReportCommand):
    service = None  # a function (*, path, year, actor) -> exits.importing.ImportResult

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="CSV 或 XLSX 文件")
        parser.add_argument("--year", required=True, type=int, help="数据所属年度")

    def handle(self, *args, **options):
        result = type(self).service(path=options["file"], year=options["year"], actor=None)
        if not result.ok:
            self.fail(result.as_dict(), f"{result.what}导入失败，未写入任何数据：\n" + "\n".join(result.error_lines()),
                      options=options)
        self.report(result.as_dict(), f"{result.what}导入完成（{result.year} 年，{result.rows} 行）：新增 {result.created}，"
                    f"更新 {result.updated}，未变 {result.unchanged}", options=options)

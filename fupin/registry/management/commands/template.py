from pathlib import Path

from fupin.core.commands import ReportCommand
from fupin.registry.importing.template import HOUSEHOLD_SHEET, MEMBER_SHEET, write_template


class Command(ReportCommand):
    help = "生成建档立卡数据导入模板（Excel：户信息、成员信息、说明）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="要写入的 .xlsx 文件")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if path.suffix.lower() != ".xlsx":
            self.fail({"error": "文件扩展名应为 .xlsx"}, "文件扩展名应为 .xlsx", options=options)
        write_template(path)
        self.report({"ok": True, "file": str(path), "sheets": [HOUSEHOLD_SHEET, MEMBER_SHEET]},
                    f"已生成导入模板：{path}", options=options)

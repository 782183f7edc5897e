from pathlib import Path

from fupin.core.commands import ReportCommand
from fupin.registry.importing.commands import acting_user, import_with_progress


class Command(ReportCommand):
    help = "导入建档立卡数据（本系统模板或国家监测系统导出的 Excel，或国家导出格式的 CSV）；任一行有误则全部不写入"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help=".xlsx 或 .csv 文件（CSV：UTF-8 或 GBK 编码）")
        parser.add_argument("--user", required=True, help="操作人用户名（决定管辖范围，并记入审计日志）")
        parser.add_argument("--year", required=True, type=int, help="数据年度（收入、住房、成员年度数据所属年度）")
        parser.add_argument("--registered-year", type=int, default=None,
                            help="识别年度：文件没有“识别年度”列时，新户使用此值")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, **options):
        path = Path(options["file"])
        user = acting_user(self, options)
        error_path = path.with_name(path.stem + ".errors.xlsx")
        result = import_with_progress(self, path, user=user, options=options, error_path=error_path)
        data = result.as_dict()
        if not result.ok:
            lines = [p.text() for p in result.problems[:50]]
            more = result.error_count - len(lines)
            if more > 0:
                lines.append(f"……另有 {more} 处错误")
            if result.error_file:
                lines.append(f"错误标注文件：{result.error_file}")
            self.fail(data, result.message + "\n" + "\n".join(lines), options=options)
        text = result.message
        if result.ignored_columns:
            text += "\n未导入的列（本系统不记录）：" + "、".join(result.ignored_columns)
        self.report(data, text, options=options)

"""`fupin import_assessment_targets FILE --year Y [--user U] [--json]`: 减贫任务 per county or
township (columns 区划代码, 减贫任务（人）); all-or-nothing, every bad row named; re-import
replaces the task of the same region and year (audited)."""

from pathlib import Path

from fupin.accounts.scope import code_in_scope
from fupin.assessment.importing import read_targets
from fupin.assessment.services import targets_import
from fupin.core.commands import ReportCommand


class Command(ReportCommand):
    help = "导入减贫任务（CSV/XLSX：区划代码, 减贫任务（人））；有错误行时全部不导入"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="CSV 或 XLSX 文件")
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--user", help="操作人用户名（给出时只能导入其管辖范围内的区划）")

    def handle(self, *args, **options):
        year = self.year_option(options)
        actor = self.acting_user(options) if options.get("user") else None
        rows, errors = read_targets(options["file"])
        if actor is not None:
            errors += [f"区划代码 {code} 不在 {actor.username} 的管辖范围内" for code, _ in rows
                       if not code_in_scope(actor, code)]
        if errors:
            self.fail({"errors": errors, "imported": 0}, "未导入，文件有错误：\n" + "\n".join(errors), options=options)
        changed = targets_import(actor=actor, year=year, rows=rows, source=Path(options["file"]).name)
        self.report({"ok": True, "year": year, "rows": len(rows), "changed": changed},
                    f"已导入 {year} 年减贫任务 {len(rows)} 行（新增或变更 {changed} 行）", options=options)

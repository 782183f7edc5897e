from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import Http404

from fupin.audit.context import acting
from fupin.core.commands import ReportCommand
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.regions.selectors import region_access
from fupin.registry.choices import HouseholdAttribute, HouseholdStatus, PovertyCause
from fupin.registry.exporting import ExportFilters, export_households
from fupin.registry.importing.commands import acting_user


class Command(ReportCommand):
    help = "导出贫困户名单（与导入模板相同的格式，.xlsx 或 .csv）；个人信息按操作人角色脱敏"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--user", required=True, help="操作人用户名（决定管辖范围、脱敏规则，并记入审计日志）")
        parser.add_argument("--region", help="区划代码（6、9 或 12 位）；默认为操作人所属区划")
        parser.add_argument("--year", required=True, type=int, help="年度数据的年度")
        parser.add_argument("--status", choices=HouseholdStatus.values, help="户状态")
        parser.add_argument("--q", help="户主姓名（包含）或户编号（开头）")
        parser.add_argument("--main-cause", choices=PovertyCause.values, help="主要致贫原因")
        parser.add_argument("--attribute", choices=HouseholdAttribute.values, help="贫困户属性")

    def handle(self, *args, **options):
        path = Path(options["file"])
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            self.fail({"error": "输出文件扩展名应为 .xlsx 或 .csv"}, "输出文件扩展名应为 .xlsx 或 .csv", options=options)
        user = acting_user(self, options)
        try:
            code = normalize_code(options["region"]) if options.get("region") else user.region_id
            region = region_access(user, code)
        except (InvalidCode, Http404) as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        filters = ExportFilters(region_code=region.code, status=options.get("status"), q=options.get("q"),
                                main_cause=options.get("main_cause"), attribute=options.get("attribute"))
        bar = None

        def progress(done, total):
            nonlocal bar
            if bar is None:
                bar = self.progress(total=total, desc="导出", options=options)
                bar.unit = "户"
            bar.n = done
            bar.refresh()

        try:
            with acting(actor_id=user.pk, actor_name=user.username):
                if fmt == "xlsx":
                    with path.open("wb") as f:
                        count, _ = export_households(user, filters, year=options["year"], fmt="xlsx", target=f,
                                                     progress=progress)
                else:
                    count, lines = export_households(user, filters, year=options["year"], fmt="csv",
                                                     progress=progress)
                    with path.open("w", encoding="utf-8", newline="") as f:
                        for line in lines:
                            f.write(line)
        except PermissionDenied as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        finally:
            if bar is not None:
                bar.close()
        self.report({"ok": True, "file": str(path), "households": count, "region": region.code,
                     "year": options["year"], "format": fmt},
                    f"已导出 {region.name} {count} 户到 {path}", options=options)

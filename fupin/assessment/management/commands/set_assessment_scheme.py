"""`fupin set_assessment_scheme FILE.json --region CODE --year Y [--level county|township] --user U`:
a region's own assessment scheme (system administrator with the policy right; weights sum to 100;
audited). FILE has the shape of assessment/defaults.py: {"name", "source", "indicators": [...],
"vetoes": [...]}."""

import json

from django.core.exceptions import PermissionDenied, ValidationError

from fupin.assessment.services import scheme_set
from fupin.core.commands import ReportCommand


class Command(ReportCommand):
    help = "设置区划自己的考核方案（JSON 文件；分值合计须为 100；记入审计）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="方案 JSON 文件")
        parser.add_argument("--region", required=True, help="制定方案的区划代码")
        parser.add_argument("--year", type=int, required=True, help="起始年度")
        parser.add_argument("--level", default="county", help="考核对象：county 或 township")
        parser.add_argument("--user", required=True, help="操作人用户名（系统管理员）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        year = self.year_option(options)
        actor = self.acting_user(options)
        try:
            with open(options["file"], encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            self.fail({"error": f"无法读取方案文件：{exc}"}, f"无法读取方案文件：{exc}", options=options)
        try:
            scheme = scheme_set(actor=actor, region_code=region.code, level=options["level"], year_from=year,
                                data=data)
        except ValidationError as exc:
            self.fail({"errors": exc.messages}, "方案有误：\n" + "\n".join(exc.messages), options=options)
        except PermissionDenied as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        self.report({"ok": True, "scheme_id": scheme.pk, "region": region.code, "year_from": year,
                     "level": scheme.level, "name": scheme.name},
                    f"已设置 {region.name} {year} 年起的{scheme.get_level_display()}考核方案“{scheme.name}”",
                    options=options)

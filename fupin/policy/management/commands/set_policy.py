from django.core.exceptions import PermissionDenied, ValidationError

from fupin.core.commands import ReportCommand
from fupin.policy.services import policy_override


class Command(ReportCommand):
    help = "设置某区划自己的政策参数（如省定扶贫标准），须由该区划的系统管理员操作，记入审计日志"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("key", help="参数名，如 poverty_line")
        parser.add_argument("value", help="取值（JSON），如 3100 或 0.03 或 [...]")
        parser.add_argument("--region", required=True, help="适用区划代码（6、9 或 12 位）")
        parser.add_argument("--year", required=True, type=int, help="起始年度")
        parser.add_argument("--year-to", type=int, default=None, help="截止年度（可选）")
        parser.add_argument("--source", required=True, help="依据（文件名称、文号）")
        parser.add_argument("--user", required=True, help="以该用户身份操作（须有维护政策参数的权限）")

    def handle(self, *args, **options):
        data = {"key": options["key"], "region": options["region"], "year": options["year"]}
        code = self.region_option(options, data=data, must_exist=False)
        actor = self.acting_user(options, data=data)
        try:
            row = policy_override(actor=actor, key=options["key"], region_code=code, year_from=options["year"],
                                  raw_value=options["value"], year_to=options["year_to"], source=options["source"])
        except PermissionDenied as exc:
            self.fail({**data, "error": str(exc)}, f"无权设置：{exc}", options=options)
        except ValidationError as exc:
            message = "；".join(exc.messages)
            self.fail({**data, "error": message}, message, options=options)
        result = {"ok": True, "key": row.key, "region_code": row.region_code, "year_from": row.year_from,
                  "year_to": row.year_to, "value": row.value, "unit": row.unit, "source": row.source}
        self.report(result, f"已设置 {row.key}@{row.region_code} 自 {row.year_from} 年起 = {row.value}{row.unit}",
                    options=options)

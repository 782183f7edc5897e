from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.core.commands import ReportCommand
from fupin.registry.services import year_freeze


class Command(ReportCommand):
    help = "年度数据固化：锁定某区划（县级及以上）某年度全部户和成员的年度数据"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（县、市、省；6、9 或 12 位）")
        parser.add_argument("--year", required=True, type=int, help="要固化的年度，如 2019")
        parser.add_argument("--user", required=True, help="以该用户身份操作（须为县级审批员或以上），记入审计日志")

    def handle(self, *args, **options):
        data = {"region": options["region"], "year": options["year"], "user": options["user"]}
        code = self.region_option(options, data=data, must_exist=False)
        actor = self.acting_user(options, data=data)
        try:
            freeze = year_freeze(actor=actor, region_code=code, year=options["year"])
        except Http404:
            message = f"区划“{code}”不存在，或不在用户 {actor.username} 的管辖范围内"
            self.fail({**data, "error": message}, message, options=options)
        except PermissionDenied as exc:
            self.fail({**data, "error": str(exc)}, f"无权固化：{exc}", options=options)
        except ValidationError as exc:
            message = "；".join(exc.messages)
            self.fail({**data, "error": message}, message, options=options)
        result = {"ok": True, "region_code": freeze.region_code, "year": freeze.year,
                  "frozen_at": freeze.frozen_at, "frozen_by": freeze.frozen_by_name}
        self.report(result, f"已固化 {freeze.region_code} {freeze.year} 年度数据（操作人 {freeze.frozen_by_name}）",
                    options=options)

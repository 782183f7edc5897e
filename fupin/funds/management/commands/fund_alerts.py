"""`fupin fund_alerts --region CODE [--on DATE] [--json]`: fund alerts (资金预警) under a region.

拨付缓慢, 重复拨付, 领款户不在册或不符合条件, 超过到户补助标准 — each with its reason, inputs and the
policy rows used; ID numbers masked. An administrator's tool: it sees the whole region. Exit 0
whatever is found.
"""


from fupin.core.commands import ReportCommand
from fupin.funds.alerts import fund_alerts_in_region
from fupin.funds.choices import AlertKind
from fupin.policy.selectors import PolicyMissing


class Command(ReportCommand):
    help = "扶贫资金预警：拨付缓慢、重复拨付、领款户不在册或不符合条件、超过到户补助标准"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="区划代码（6、9 或 12 位）")
        parser.add_argument("--on", default=None, help="统计日期（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        region = self.region_option(options)
        on = self.date_option(options)
        try:
            result = fund_alerts_in_region(region_code=region.code, on=on)
        except PolicyMissing as exc:
            self.fail({"error": str(exc)}, str(exc), options=options)
        data = {"ok": True, "region": {"code": region.code, "name": region.name, "level": region.level},
                "on": on, "counts": result["counts"], "alerts": [a.as_dict() for a in result["alerts"]]}
        lines = [f"{region.name}（{region.code}）资金预警 {on:%Y-%m-%d}："
                 + "，".join(f"{AlertKind(k).label} {n} 条" for k, n in result["counts"].items())]
        lines += [f"- [{a.kind_label}] {a.reason}" for a in result["alerts"]]
        self.report(data, "\n".join(lines), options=options)

from fupin.core.commands import ReportCommand
from fupin.policy.models import PolicyValue
from fupin.policy.services import load_national_defaults


class Command(ReportCommand):
    help = "载入国家默认政策参数（已存在或已修改的不覆盖）"

    def handle(self, *args, **options):
        created = load_national_defaults()
        rows = list(PolicyValue.objects.order_by("key", "region_code", "year_from")
                    .values("key", "region_code", "year_from", "year_to", "value", "unit", "source"))
        self.report({"ok": True, "created": created, "values": rows},
                    f"新增 {created} 项政策参数，共 {len(rows)} 项", options=options)

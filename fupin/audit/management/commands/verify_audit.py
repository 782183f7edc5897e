from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.core.commands import ReportCommand


class Command(ReportCommand):
    help = "校验审计日志哈希链，报告第一处断裂（记录被篡改或删除）"

    def handle(self, *args, **options):
        total = AuditEvent.objects.count()
        with self.progress(total=total, desc="校验审计日志", options=options) as bar:
            result = verify_chain(progress=bar.update)
        if not result.ok:
            self.fail(result.as_dict(), f"审计日志校验失败：{result.reason}（已校验 {result.checked} 条）",
                      options=options, exit_code=2)
        self.report(result.as_dict(), f"审计日志完整：共 {result.checked} 条，哈希链无断裂", options=options)

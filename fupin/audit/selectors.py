"""Reading and verifying the audit trail."""

from dataclasses import asdict, dataclass

from django.db.models import QuerySet

from fupin.accounts.scope import require, scoped
from fupin.regions.codes import Level

from .chain import GENESIS_HASH, row_hash
from .models import AuditEvent, AuditHead


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    last_seq: int
    broken_at_seq: int | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def verify_chain(*, chunk_size: int = 5000, progress=None) -> VerifyResult:
    """Walk the chain in seq order (streamed) and report the first broken link."""
    expected_seq, prev, checked = 1, GENESIS_HASH, 0
    values_fields = ("seq", "at", "actor_id", "actor_name", "ip", "action", "object_type", "object_id",
                     "object_repr", "region_code", "before", "after", "prev_hash", "hash")
    rows = AuditEvent.objects.order_by("seq").values(*values_fields).iterator(chunk_size=chunk_size)
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return VerifyResult(False, checked, expected_seq - 1, expected_seq,
                                f"第 {expected_seq} 条记录缺失（下一条为第 {seq} 条）：日志被删除")
        if row["prev_hash"] != prev:
            return VerifyResult(False, checked, seq - 1, seq, f"第 {seq} 条记录的前序哈希与第 {seq - 1} 条不符")
        if row_hash(row) != row["hash"]:
            return VerifyResult(False, checked, seq - 1, seq, f"第 {seq} 条记录的内容与其哈希不符：记录被篡改")
        prev = row["hash"]
        expected_seq += 1
        checked += 1
        if progress is not None:
            progress(1)
    head = AuditHead.objects.filter(pk=1).first()
    last = expected_seq - 1
    if head is not None and (head.seq != last or head.hash != prev):
        return VerifyResult(False, checked, last, last + 1,
                            f"链头记录为第 {head.seq} 条，但日志只到第 {last} 条：最新的记录被删除")
    return VerifyResult(True, checked, last)


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Audit rows of the user's region subtree, plus rows with no region only for national scope."""
    require(user, "view_audit")
    qs = scoped(AuditEvent.objects.all(), user, region_field="region_code")
    if user.region.level == Level.NATION:  # national scope also sees events tied to no region
        qs = AuditEvent.objects.all()
    return qs.order_by("-seq")

from django.db import models


class AuditEvent(models.Model):
    """One entry of the audit trail (操作日志). Append-only and hash-chained.

    `hash` = SHA-256 over this row's canonical content and the previous row's hash, so changing or
    removing any row breaks every link after it; `seq` has no gaps, and AuditHead remembers the last
    link, so even removing the newest rows is detected (`fupin verify_audit`).
    The database refuses UPDATE on this table (and DELETE on PostgreSQL) by trigger.
    """

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor_name = models.CharField("操作人", max_length=150)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    action = models.CharField("操作", max_length=30, db_index=True)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    # The region the object belongs to, so the trail itself can be scoped like everything else.
    region_code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The newest link of the chain (one row). Locked while appending, which serialises writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"链头 #{self.seq}"

"""问题台账: every problem found (cross-check suspect, quality finding chosen for follow-up,
inspection or audit finding) followed until it is rectified, verified and closed (销号).

An item's state changes only through `ledger.services`, each change an `ItemEvent` with actor,
date and note. `region_code` is the place the problem belongs to (a village when there is a
household, otherwise any level); scoping is one range condition on it.
"""

from django.conf import settings
from django.db import models

from fupin.registry.models import Household

from .choices import EventKind, ItemState, Source


class LedgerItem(models.Model):
    source = models.CharField("问题来源", max_length=20, choices=Source.choices, db_index=True)
    # What the problem came from, e.g. "crosscheck.suspect:123", "quality:I03:household:45", or an
    # inspection report's reference (文号); one open item per reference.
    source_ref = models.CharField("来源编号", max_length=120, blank=True, db_index=True)
    region_code = models.CharField("所属区划", max_length=12, db_index=True)
    household = models.ForeignKey(Household, verbose_name="涉及户", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="ledger_items")
    title = models.CharField("问题", max_length=200)
    description = models.TextField("问题描述", blank=True)
    inputs = models.JSONField("依据", default=dict, blank=True)  # the finding's reason and inputs as found
    found_on = models.DateField("发现日期")
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="整改责任人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="ledger_items")
    responsible_name = models.CharField("责任人（单位）", max_length=100, blank=True)
    deadline = models.DateField("整改时限")
    measures = models.TextField("整改措施", blank=True)
    state = models.CharField("状态", max_length=20, choices=ItemState.choices, default=ItemState.OPEN, db_index=True)
    submitted_on = models.DateField("提交整改日期", null=True, blank=True)
    verified_on = models.DateField("核验日期", null=True, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新打开次数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "问题台账"
        verbose_name_plural = "问题台账"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"]), models.Index(fields=["region_code", "source"])]
        constraints = [models.UniqueConstraint(fields=["source_ref"], condition=~models.Q(source_ref="") & ~models.Q(state="closed"),
                                               name="ledger_one_open_item_per_ref")]

    def __str__(self) -> str:
        return f"{self.get_source_display()}：{self.title}"


class ItemEvent(models.Model):
    item = models.ForeignKey(LedgerItem, verbose_name="问题", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=EventKind.choices)
    from_state = models.CharField("原状态", max_length=20, choices=ItemState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=ItemState.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=500, blank=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "问题处理记录"
        verbose_name_plural = "问题处理记录"
        ordering = ["item_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.get_kind_display()}"


class Evidence(models.Model):
    """整改佐证材料: a file stored by content hash (core.uploads) or a text note."""

    item = models.ForeignKey(LedgerItem, verbose_name="问题", on_delete=models.PROTECT, related_name="evidence")
    file_name = models.CharField("文件名", max_length=200)
    stored_path = models.CharField("存储路径", max_length=300)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("摘要", max_length=64)
    uploaded_by_name = models.CharField("上传人", max_length=150, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改佐证材料"
        verbose_name_plural = "整改佐证材料"
        ordering = ["item_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.file_name

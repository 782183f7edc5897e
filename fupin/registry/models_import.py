"""An import of registry data from a spreadsheet (导入任务), run by `registry.importing`."""

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "等待处理"
        RUNNING = "running", "正在处理"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT,
                             related_name="import_jobs")
    # The user's region when the job was made, so jobs can be scoped like everything else.
    region_code = models.CharField("区划代码", max_length=12)
    file_name = models.CharField("文件名", max_length=200)
    file_path = models.CharField("存储路径", max_length=500)
    file_size = models.BigIntegerField("文件大小（字节）", default=0)
    year = models.PositiveSmallIntegerField("年度")
    registered_year = models.PositiveSmallIntegerField("识别年度（文件未提供时）", null=True, blank=True)
    dry_run = models.BooleanField("仅校验", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    layout = models.CharField("文件格式", max_length=20, blank=True)
    phase = models.CharField("阶段", max_length=40, blank=True)
    progress_done = models.PositiveIntegerField("已处理行数", default=0)
    progress_total = models.PositiveIntegerField("总行数", default=0)
    counts = models.JSONField("统计", default=dict, blank=True)
    message = models.TextField("结果说明", blank=True)
    errors = models.JSONField("错误（前若干条）", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    error_file_path = models.CharField("错误标注文件", max_length=500, blank=True)
    ignored_columns = models.JSONField("未导入的列", default=list, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"导入 {self.file_name}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(self.progress_done * 100 / self.progress_total))

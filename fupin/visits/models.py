"""The visit log (走访记录): each visit of a helper cadre (帮扶责任人) to a household."""

from django.conf import settings
from django.db import models

from fupin.regions.models import Region
from fupin.registry.models import Household

from .choices import VisitKind


class Visit(models.Model):
    """One visit (入户走访, 电话联系, 集中帮扶 …): what was done, the problems found and the follow-up.

    Written only by `visits.services`; every change is audited. `village` repeats the household's
    village code so that scoping is one range condition on this table's own indexed column."""

    household = models.ForeignKey(Household, verbose_name="贫困户", on_delete=models.PROTECT, related_name="visits")
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="+")
    # The cadre who visited: by default the household's current helper. A clerk or reviewer who
    # records on the cadre's behalf is `recorded_by` and writes why in `on_behalf_note`.
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="帮扶责任人", on_delete=models.PROTECT,
                              related_name="visits")
    visited_on = models.DateField("走访日期")
    kind = models.CharField("走访方式", max_length=10, choices=VisitKind.choices, default=VisitKind.HOME)
    content = models.CharField("走访内容", max_length=1000)
    problems = models.CharField("发现的问题", max_length=1000, blank=True)
    follow_up = models.CharField("措施和跟进事项", max_length=500, blank=True)
    follow_up_due = models.DateField("跟进期限", null=True, blank=True)
    follow_up_done = models.BooleanField("已跟进办结", default=False)
    follow_up_done_on = models.DateField("办结日期", null=True, blank=True)
    on_behalf_note = models.CharField("代录说明", max_length=200, blank=True)
    # Optional photo, checked against visits.photo_max_mb / visits.photo_types and stored under
    # MEDIA_ROOT/visits/<year>/<household>/<sha256>.<ext>; served only through the scoped views.
    photo = models.FileField("照片", max_length=255, blank=True)
    photo_name = models.CharField("照片文件名", max_length=200, blank=True)
    photo_type = models.CharField("照片类型", max_length=50, blank=True)
    photo_size = models.PositiveIntegerField("照片大小（字节）", null=True, blank=True)
    photo_sha256 = models.CharField("照片 SHA-256", max_length=64, blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                                    related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["household", "visited_on"]),
            models.Index(fields=["village", "visited_on"]),
            models.Index(fields=["cadre", "visited_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.get_kind_display()}（户 {self.household_id}）"

    @property
    def has_open_follow_up(self) -> bool:
        return bool(self.follow_up) and not self.follow_up_done

"""大数据比对: rosters from other departments, their rows, and the suspect records the rules find.

A roster (比对数据集) is one uploaded file of one kind, covering one region (`region_code`: the
rules compare it only with registry members under that region). Its rows keep the normalised
18-digit ID number (indexed, so matching is one join on equality) and the department's own fields
as given. A suspect record (疑点) names the rule, the member/household, the reason in Chinese and
the inputs (registry values, roster row, policy rows) that produced it.
"""

from django.conf import settings
from django.db import models

from fupin.core.fields import JSONTextField
from fupin.registry.models import Household, Member

from .choices import DatasetKind, SuspectStatus


class Roster(models.Model):
    kind = models.CharField("数据类别", max_length=30, choices=DatasetKind.choices, db_index=True)
    name = models.CharField("数据集名称", max_length=200)
    department = models.CharField("提供部门", max_length=100, blank=True)
    # The region the department's data covers; scoping and the "absence" rules use it.
    region_code = models.CharField("覆盖区划", max_length=12, db_index=True)
    as_of = models.DateField("数据截止日期")
    # The year of the registry's yearly data (MemberYear) compared; empty = the year of `as_of`.
    year = models.PositiveSmallIntegerField("比对年度", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=255, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)
    row_count = models.PositiveIntegerField("行数", default=0)
    columns = models.JSONField("字段", default=list, blank=True)  # the department's own column names
    matched_at = models.DateTimeField("比对时间", null=True, blank=True)
    match_summary = models.JSONField("比对结果", default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "比对数据集"
        verbose_name_plural = "比对数据集"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class RosterRow(models.Model):
    roster = models.ForeignKey(Roster, verbose_name="数据集", on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField("行号")  # the line/row in the uploaded file
    id_number = models.CharField("证件号码", max_length=18)  # normalised: 18 digits, upper-case X
    name = models.CharField("姓名", max_length=50, blank=True)
    data = models.JSONField("其他字段", default=dict, blank=True)
    # The kind's key field parsed at loading, so rules compare columns rather than JSON text:
    # 死亡日期 of a death roster; 车辆类型, 救助类型 (低保/特困) or 享受残疾人补贴 (是/否/empty).
    event_date = models.DateField("日期", null=True, blank=True)
    category = models.CharField("类别", max_length=50, blank=True)

    class Meta:
        verbose_name = "比对数据行"
        verbose_name_plural = "比对数据行"
        ordering = ["roster_id", "row_no"]
        indexes = [models.Index(fields=["id_number", "roster"], name="rosterrow_id_roster")]

    def __str__(self) -> str:
        return f"{self.roster_id}#{self.row_no}"


class Suspect(models.Model):
    """疑点: one finding of one rule about one member (or household), from one roster."""

    rule = models.CharField("比对规则", max_length=40)
    # Indexed on its own: the unique constraints below are partial (member set or not), so a query by
    # roster alone cannot use them. No index on roster_row and member (see Meta): nothing reads
    # suspects by row or member, and rows and members are never deleted.
    roster = models.ForeignKey(Roster, verbose_name="数据集", on_delete=models.PROTECT, related_name="suspects")
    roster_row = models.ForeignKey(RosterRow, verbose_name="匹配的数据行", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    household = models.ForeignKey(Household, verbose_name="贫困户", on_delete=models.PROTECT, related_name="suspects")
    member = models.ForeignKey(Member, verbose_name="成员", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="suspects", db_index=False)
    village_code = models.CharField("行政村代码", max_length=12)  # scoping (index below)
    year = models.PositiveSmallIntegerField("年度")
    reason = models.CharField("疑点说明", max_length=500)
    # registry values, roster row, policy rows: read only whole, written by the thousand (text, not jsonb)
    inputs = JSONTextField("依据", default=dict, blank=True)
    status = models.CharField("处理状态", max_length=20, choices=SuspectStatus.choices, default=SuspectStatus.NEW)
    status_note = models.CharField("处理说明", max_length=300, blank=True)
    found_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "比对疑点"
        verbose_name_plural = "比对疑点"
        ordering = ["village_code", "household_id", "rule", "id"]
        # Few indexes: a run writes thousands of suspects and each index costs every row. Scoped lists
        # read in this order (a region's range of village codes); the unique constraints below serve
        # reruns' lookups by roster and rule; rule and status alone select too much to be worth one.
        indexes = [models.Index(fields=["village_code", "household", "rule", "id"], name="suspect_list_order")]
        # A rerun of the same roster finds the same suspects again instead of adding copies.
        constraints = [
            models.UniqueConstraint(fields=["roster", "rule", "member"], condition=models.Q(member__isnull=False),
                                    name="suspect_unique_member"),
            models.UniqueConstraint(fields=["roster", "rule", "household"], condition=models.Q(member__isnull=True),
                                    name="suspect_unique_household"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.reason}"

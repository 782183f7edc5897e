"""Funds and projects (扶贫资金和项目库): every yuan from its source to a payment.

    FundSource (资金来源, held by a region: central at the nation, provincial at the province …)
      → Allocation (资金下达, to a lower region; a child allocation passes part of its parent down;
        every allocation keeps its original source — 统筹整合 “性质不变、渠道不乱、各记其功”)
        → ProjectFunding (项目资金安排: a budget line of a project from one allocation)
          → Disbursement (资金拨付: date, payee, amount; to a household, a village or a company)

Rows are written only by `funds.services` (and the demo), which keep the money rules: nothing
allocated beyond what the parent has left, no budget line beyond the allocation's remainder, no
payment beyond the line's remainder. Codes and the source are repeated down the chain (`source`,
`year`, `holder_code`, `location_code`) so that scoping and every total is one range condition or
one GROUP BY on the table's own columns.
"""

from django.conf import settings
from django.db import models

from fupin.regions.models import Region
from fupin.registry.models import Household

from .choices import FundKind, PayeeKind, ProjectStatus, ProjectType

MONEY = {"max_digits": 16, "decimal_places": 2}


class FundSource(models.Model):
    """A fund of one kind and year held by a region (中央专项资金 at the nation, 县级配套 at a county …)."""

    kind = models.CharField("资金类别", max_length=20, choices=FundKind.choices)
    name = models.CharField("资金名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(Region, verbose_name="资金所属区划", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", **MONEY)
    document_no = models.CharField("文号", max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "资金来源"
        verbose_name_plural = "资金来源"
        ordering = ["year", "region_id", "kind", "id"]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"


class Allocation(models.Model):
    """资金下达: part of a source (or of a parent allocation) passed to a region lower down.

    `source` is always the original fund, also for allocations passed down again; `from_code` is
    the region that passed it (the source's holder for a first allocation, else the parent's
    region)."""

    source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT,
                               related_name="allocations")
    parent = models.ForeignKey("self", verbose_name="上级下达", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    year = models.PositiveSmallIntegerField("年度")
    from_code = models.CharField("下达单位区划", max_length=12)
    to_region = models.ForeignKey(Region, verbose_name="下达到", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", **MONEY)
    allocated_on = models.DateField("下达日期")
    document_no = models.CharField("文号", max_length=100, blank=True)
    integrated = models.BooleanField("纳入统筹整合", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "资金下达"
        verbose_name_plural = "资金下达"
        ordering = ["allocated_on", "id"]
        indexes = [models.Index(fields=["to_region", "year"]), models.Index(fields=["year", "to_region"])]

    def __str__(self) -> str:
        return f"下达 {self.amount} 元（{self.allocated_on:%Y-%m-%d}，区划 {self.to_region_id}）"


class Project(models.Model):
    """项目库: a project in a village (or a township) from declaration to 销号."""

    region = models.ForeignKey(Region, verbose_name="项目地点", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("项目名称", max_length=200)
    type = models.CharField("项目类型", max_length=20, choices=ProjectType.choices)
    status = models.CharField("状态", max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DECLARED)
    content = models.CharField("建设内容", max_length=1000, blank=True)
    beneficiary_count = models.PositiveIntegerField("计划受益户数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "扶贫项目"
        verbose_name_plural = "扶贫项目"
        ordering = ["-year", "region_id", "id"]
        indexes = [models.Index(fields=["region", "year"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"


class ProjectEvent(models.Model):
    """One dated step of the life cycle (申报, 审批入库, 开工实施, 验收, 公告公示, 销号)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="events")
    region_code = models.CharField("项目地点区划", max_length=12)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=ProjectStatus.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目状态变动"
        verbose_name_plural = "项目状态变动"
        ordering = ["project_id", "on", "id"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_to_status_display()}"


class ProjectFunding(models.Model):
    """A budget line (项目资金安排): how much of one allocation the project may spend."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="fundings")
    allocation = models.ForeignKey(Allocation, verbose_name="资金下达", on_delete=models.PROTECT,
                                   related_name="fundings")
    source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("资金年度")
    holder_code = models.CharField("资金所在区划", max_length=12)
    location_code = models.CharField("项目地点区划", max_length=12, db_index=True)
    amount = models.DecimalField("金额（元）", **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目资金安排"
        verbose_name_plural = "项目资金安排"
        ordering = ["project_id", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "allocation"], name="funds_one_line_per_allocation")]

    def __str__(self) -> str:
        return f"{self.source.name if self.source_id else ''} {self.amount} 元"


class ProjectBeneficiary(models.Model):
    """A household the project benefits, with the per-household standard (到户补助标准)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="beneficiaries")
    household = models.ForeignKey(Household, verbose_name="受益户", on_delete=models.PROTECT, related_name="+")
    location_code = models.CharField("项目地点区划", max_length=12)
    standard_amount = models.DecimalField("到户补助标准（元）", **MONEY)

    class Meta:
        verbose_name = "项目受益户"
        verbose_name_plural = "项目受益户"
        ordering = ["project_id", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "household"], name="funds_one_beneficiary_row")]

    def __str__(self) -> str:
        return f"项目 {self.project_id} 受益户 {self.household_id}"


class ProjectTarget(models.Model):
    """A performance target (绩效目标) and its result: text and a numeric target and actual."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="targets")
    indicator = models.CharField("绩效指标", max_length=200)
    unit = models.CharField("单位", max_length=20, blank=True)
    target_value = models.DecimalField("目标值", max_digits=16, decimal_places=2, null=True, blank=True)
    actual_value = models.DecimalField("完成值", max_digits=16, decimal_places=2, null=True, blank=True)
    result = models.CharField("完成情况", max_length=500, blank=True)

    class Meta:
        verbose_name = "绩效目标"
        verbose_name_plural = "绩效目标"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return self.indicator


class Disbursement(models.Model):
    """资金拨付: a payment from one budget line to a payee on a date."""

    funding = models.ForeignKey(ProjectFunding, verbose_name="项目资金安排", on_delete=models.PROTECT,
                                related_name="disbursements")
    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="disbursements")
    allocation = models.ForeignKey(Allocation, verbose_name="资金下达", on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(FundSource, verbose_name="资金来源", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("资金年度")
    holder_code = models.CharField("资金所在区划", max_length=12)
    location_code = models.CharField("项目地点区划", max_length=12)
    paid_on = models.DateField("拨付日期")
    amount = models.DecimalField("金额（元）", **MONEY)
    payee_kind = models.CharField("收款方类别", max_length=20, choices=PayeeKind.choices)
    payee_name = models.CharField("收款方", max_length=200)
    payee_id_number = models.CharField("收款人身份证号", max_length=20, blank=True)
    household = models.ForeignKey(Household, verbose_name="收款户", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    item = models.CharField("拨付事项", max_length=200)
    voucher_no = models.CharField("凭证号", max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "资金拨付"
        verbose_name_plural = "资金拨付"
        ordering = ["paid_on", "id"]
        indexes = [models.Index(fields=["location_code", "paid_on"]), models.Index(fields=["holder_code", "year"]),
                   models.Index(fields=["household", "project"])]

    def __str__(self) -> str:
        return f"{self.paid_on:%Y-%m-%d} 拨付 {self.payee_name} {self.amount} 元"

"""Asset income (资产收益扶贫): assets formed by projects, quantified to poor households as shares,
the yearly income and how it is split.

    Asset (formed by an accepted project; book value ≤ what the project paid)
      → AssetShare (one row per household: the household's fraction of the asset, with dates;
        the shares together never exceed the asset's part quantified to households)
      → AssetIncome (one per asset and year: gross income = village retained + distributed + rest)
        → AssetDistribution (the distributed amount split by share; rows sum exactly to it)

Rows are written only by `assets.services` (and the demo). `region` (the asset's place, the
project's place) is repeated on every row as `location_code` so that scoping is one range
condition on the table's own column.
"""

from django.conf import settings
from django.db import models

from fupin.funds.models import Project
from fupin.regions.models import Region
from fupin.registry.models import Household

from .choices import AssetKind, AssetStatus

MONEY = {"max_digits": 16, "decimal_places": 2}
RATIO = {"max_digits": 9, "decimal_places": 6}


class Asset(models.Model):
    """A productive asset formed by a project (光伏电站, 厂房, 大棚, 入股合作社 …)."""

    project = models.ForeignKey(Project, verbose_name="形成资产的项目", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="资产所在区划", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("资产名称", max_length=200)
    kind = models.CharField("资产类别", max_length=20, choices=AssetKind.choices)
    book_value = models.DecimalField("账面价值（元）", **MONEY)
    household_ratio = models.DecimalField("量化到户比例", **RATIO,
                                          help_text="资产中量化给贫困户的部分（0–1），各户股份合计不得超过")
    formed_on = models.DateField("形成日期")
    operator = models.CharField("经营主体", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=AssetStatus.choices, default=AssetStatus.OPERATING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "扶贫资产"
        verbose_name_plural = "扶贫资产"
        ordering = ["region_id", "id"]
        indexes = [models.Index(fields=["region"])]

    def __str__(self) -> str:
        return self.name


class AssetShare(models.Model):
    """A household's share of an asset (资产量化到户): a fraction of the whole asset."""

    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="shares")
    household = models.ForeignKey(Household, verbose_name="持股户", on_delete=models.PROTECT, related_name="+")
    location_code = models.CharField("资产所在区划", max_length=12, db_index=True)
    ratio = models.DecimalField("股份比例", **RATIO)
    start_on = models.DateField("起始日期")
    end_on = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        verbose_name = "资产量化到户股份"
        verbose_name_plural = "资产量化到户股份"
        ordering = ["asset_id", "id"]
        constraints = [models.UniqueConstraint(fields=["asset", "household"], name="assets_one_share_per_household")]
        indexes = [models.Index(fields=["household", "asset"])]

    def __str__(self) -> str:
        return f"资产 {self.asset_id} 户 {self.household_id} 股份 {self.ratio}"


class AssetIncome(models.Model):
    """The income of an asset in a year and its split (村集体留存, 分配到户)."""

    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="incomes")
    location_code = models.CharField("资产所在区划", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    gross_income = models.DecimalField("年收益（元）", **MONEY)
    retained = models.DecimalField("村集体留存（元）", **MONEY)
    distributed = models.DecimalField("分配到户（元）", **MONEY)
    recorded_on = models.DateField("分配日期")
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "资产年收益"
        verbose_name_plural = "资产年收益"
        ordering = ["asset_id", "year"]
        constraints = [models.UniqueConstraint(fields=["asset", "year"], name="assets_one_income_per_year")]
        indexes = [models.Index(fields=["location_code", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年收益 {self.gross_income} 元"


class AssetDistribution(models.Model):
    """What one household received from one year's income (收益分配到户)."""

    income = models.ForeignKey(AssetIncome, verbose_name="资产年收益", on_delete=models.PROTECT,
                               related_name="distributions")
    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, verbose_name="收益户", on_delete=models.PROTECT, related_name="+")
    location_code = models.CharField("资产所在区划", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    ratio = models.DecimalField("股份比例", **RATIO)
    amount = models.DecimalField("分配金额（元）", **MONEY)

    class Meta:
        verbose_name = "收益分配到户"
        verbose_name_plural = "收益分配到户"
        ordering = ["income_id", "id"]
        constraints = [models.UniqueConstraint(fields=["income", "household"], name="assets_one_row_per_household")]
        indexes = [models.Index(fields=["household", "year"]), models.Index(fields=["location_code", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年 户 {self.household_id} 分得 {self.amount} 元"

"""Data behind the village and county exit evaluation (贫困村出列, 贫困县摘帽).

Every table stores a plain 12-digit region code (`region_code`), so it is scoped like everything
else with one range condition: `scoped(qs, user, region_field="region_code")`. The rows come from
imports (`exits.importing`) or the demo (`exits.demo`); the evaluation (`exits.region`) only reads.
"""

from django.db import models


class RegionPopulation(models.Model):
    """The rural population of a village or county in a year (乡村人口): the denominator of the
    poverty incidence. Imported from statistics, never derived from the registry."""

    region_code = models.CharField("区划代码", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    rural_population = models.PositiveIntegerField("乡村人口")
    rural_households = models.PositiveIntegerField("乡村户数", null=True, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "乡村人口"
        verbose_name_plural = "乡村人口"
        ordering = ["region_code", "year"]
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="region_population_unique")]
        indexes = [models.Index(fields=["year", "region_code"])]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} 乡村人口 {self.rural_population}"


class VillageIndicators(models.Model):
    """A village's infrastructure and public services in a year (行政村信息), as in the national
    system's village table. An empty value means "not reported": the evaluation then says 缺少数据."""

    region_code = models.CharField("行政村代码", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    poor_village = models.BooleanField("是否贫困村", null=True, blank=True)
    total_households = models.PositiveIntegerField("总户数", null=True, blank=True)
    total_population = models.PositiveIntegerField("总人口数", null=True, blank=True)
    hardened_road = models.BooleanField("到乡镇通沥青（水泥）路", null=True, blank=True)
    bus_service = models.BooleanField("通客运班车", null=True, blank=True)
    power_grid = models.BooleanField("通动力电", null=True, blank=True)
    clinics = models.PositiveSmallIntegerField("卫生室个数", null=True, blank=True)
    doctors = models.PositiveSmallIntegerField("执业（助理）医师（人）", null=True, blank=True)
    primary_schools = models.PositiveSmallIntegerField("村小学（个数）", null=True, blank=True)
    culture_rooms = models.PositiveSmallIntegerField("文化（图书）室个数", null=True, blank=True)
    collective_income_10k = models.DecimalField("村级集体经济收入（万元）", max_digits=12, decimal_places=2,
                                                null=True, blank=True)
    unsafe_water_households = models.PositiveIntegerField("未实现饮水安全户数", null=True, blank=True)
    dangerous_housing_households = models.PositiveIntegerField("危房户数", null=True, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    imported_at = models.DateTimeField("导入时间")

    # The indicator fields, in the order of the national village table (used by imports,
    # evidence tables and the `village_exit.criteria` policy, whose `field` names one of them).
    INDICATOR_FIELDS = ("poor_village", "total_households", "total_population", "hardened_road", "bus_service",
                        "power_grid", "clinics", "doctors", "primary_schools", "culture_rooms",
                        "collective_income_10k", "unsafe_water_households", "dangerous_housing_households")

    class Meta:
        verbose_name = "村级指标"
        verbose_name_plural = "村级指标"
        ordering = ["region_code", "year"]
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="village_indicators_unique")]
        indexes = [models.Index(fields=["year", "region_code"])]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} 村级指标"


class SampleKind(models.TextChoices):
    # `flagged` means 错退 / 漏评 / 不认可 respectively.
    EXITED_CHECK = "exited_check", "脱贫人口抽查"
    NON_REGISTERED_CHECK = "non_registered_check", "非建档立卡人口抽查"
    SATISFACTION = "satisfaction", "群众认可度调查"


FLAG_LABELS = {
    SampleKind.EXITED_CHECK: "错退",
    SampleKind.NON_REGISTERED_CHECK: "漏评",
    SampleKind.SATISFACTION: "不认可",
}


class VerificationSample(models.Model):
    """One household checked in a county's exit verification (第三方评估抽样): an exited household
    re-checked (错退?), a household outside the registry checked (漏评?), or a household asked
    whether it accepts the result (群众认可度). The county's rates are computed from these rows."""

    county_code = models.CharField("县级区划代码", max_length=12, db_index=True)
    # The village where the household lives (or the county itself when the village is not known);
    # scoping goes through this column.
    region_code = models.CharField("区划代码", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("抽查类型", max_length=30, choices=SampleKind.choices)
    household_ref = models.CharField("户编号或户主姓名", max_length=60)
    persons = models.PositiveSmallIntegerField("人数")
    flagged = models.BooleanField("问题标记（错退/漏评/不认可）", default=False)
    note = models.CharField("备注", max_length=300, blank=True)
    checked_on = models.DateField("核查日期", null=True, blank=True)
    checked_by = models.CharField("核查人", max_length=100, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "退出核查样本"
        verbose_name_plural = "退出核查样本"
        ordering = ["county_code", "year", "kind", "region_code", "household_ref"]
        constraints = [models.UniqueConstraint(fields=["year", "kind", "region_code", "household_ref"],
                                               name="verification_sample_unique")]
        indexes = [models.Index(fields=["year", "county_code", "kind"]), models.Index(fields=["region_code", "year"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.region_code} {self.household_ref}"

    @property
    def flag_label(self) -> str:
        return FLAG_LABELS[self.kind]

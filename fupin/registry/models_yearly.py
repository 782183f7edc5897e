"""Indicators that change over time, one row per household/member and year (年度数据).

A year-end freeze (年度数据固化) on a region makes that year's rows of every household under it
read-only; earlier years stay readable and comparable with the current one.
"""

from django.db import models

from .choices import (
    DangerGrade,
    DisabilityGrade,
    Education,
    Fuel,
    Health,
    HouseholdStatus,
    HousingStructure,
    LabourCapacity,
    LabourSkill,
    RoadType,
    SchoolStatus,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
AREA = {"max_digits": 10, "decimal_places": 2}


class HouseholdYear(models.Model):
    # Not indexed on its own: the unique (household, year) index serves every lookup by household.
    household = models.ForeignKey("registry.Household", verbose_name="贫困户", on_delete=models.PROTECT,
                                  related_name="years", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("年末户状态", max_length=20, choices=HouseholdStatus.choices)
    # Income for the year (yuan). Net and per-capita income are derived, never typed.
    wage_income = models.DecimalField("工资性收入", default=0, **MONEY)
    business_income = models.DecimalField("生产经营性收入", default=0, **MONEY)
    business_cost = models.DecimalField("生产经营费用", default=0, **MONEY)
    property_income = models.DecimalField("财产性收入", default=0, **MONEY)
    transfer_income = models.DecimalField("转移性收入", default=0, **MONEY)
    policy_subsidy = models.DecimalField("其中：政策性补贴", default=0, **MONEY)
    compliant_out_of_pocket = models.DecimalField("合规自付支出", default=0, **MONEY)
    household_size = models.PositiveSmallIntegerField("家庭人口数", default=0)
    net_income = models.DecimalField("家庭纯收入", default=0, **MONEY)
    per_capita_income = models.DecimalField("年人均纯收入", default=0, **MONEY)
    # What an imported file stated as per-capita income; compared with the derived value by the
    # data-quality rule for income components that do not add up.
    declared_per_capita_income = models.DecimalField("申报人均纯收入", null=True, blank=True, **MONEY)
    # Housing (住房)
    housing_area = models.DecimalField("住房面积（平方米）", null=True, blank=True, **AREA)
    housing_structure = models.CharField("住房结构", max_length=20, choices=HousingStructure.choices, blank=True)
    housing_year_built = models.PositiveSmallIntegerField("建房年份", null=True, blank=True)
    danger_grade = models.CharField("危房等级", max_length=1, choices=DangerGrade.choices, blank=True)
    relocated = models.BooleanField("易地扶贫搬迁", default=False)
    # 两不愁: food and clothing secure, as verified at the visit (入户核实); exit requires both.
    food_secure = models.BooleanField("不愁吃", default=True)
    clothing_secure = models.BooleanField("不愁穿", default=True)
    # Living conditions (生活条件)
    living_electricity = models.BooleanField("通生活用电", default=True)
    production_electricity = models.BooleanField("通生产用电", default=True)
    road_distance_km = models.DecimalField("与村主干路距离（公里）", null=True, blank=True, max_digits=6,
                                           decimal_places=2)
    access_road = models.CharField("入户路类型", max_length=20, choices=RoadType.choices, blank=True)
    drinking_water_difficult = models.BooleanField("饮水困难", default=False)
    drinking_water_safe = models.BooleanField("饮水安全", default=True)
    fuel = models.CharField("主要燃料类型", max_length=20, choices=Fuel.choices, blank=True)
    sanitary_toilet = models.BooleanField("有卫生厕所", default=False)
    cooperative_member = models.BooleanField("加入农民专业合作社", default=False)
    # Land (亩)
    arable_mu = models.DecimalField("耕地面积（亩）", default=0, **AREA)
    forest_mu = models.DecimalField("林地面积（亩）", default=0, **AREA)
    grain_for_green_mu = models.DecimalField("退耕还林面积（亩）", default=0, **AREA)
    orchard_mu = models.DecimalField("林果面积（亩）", default=0, **AREA)
    pasture_mu = models.DecimalField("牧草地面积（亩）", default=0, **AREA)
    water_surface_mu = models.DecimalField("水面面积（亩）", default=0, **AREA)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "贫困户年度数据"
        verbose_name_plural = "贫困户年度数据"
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="household_year_unique")]
        indexes = [models.Index(fields=["year", "per_capita_income"])]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.year}"


class MemberYear(models.Model):
    # Not indexed on its own: the unique (member, year) index serves every lookup by member.
    member = models.ForeignKey("registry.Member", verbose_name="成员", on_delete=models.PROTECT, related_name="years",
                               db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    education = models.CharField("文化程度", max_length=20, choices=Education.choices, blank=True)
    school_status = models.CharField("在校生状况", max_length=20, choices=SchoolStatus.choices,
                                     default=SchoolStatus.NOT_STUDENT)
    dropout = models.BooleanField("义务教育阶段失学辍学", default=False)
    dropout_reason = models.CharField("失学辍学原因", max_length=60, blank=True)
    health = models.CharField("健康状况", max_length=20, choices=Health.choices, default=Health.HEALTHY)
    disability_grade = models.CharField("残疾等级", max_length=1, choices=DisabilityGrade.choices, blank=True)
    labour_capacity = models.CharField("劳动能力", max_length=20, choices=LabourCapacity.choices, blank=True)
    labour_skill = models.CharField("劳动技能", max_length=20, choices=LabourSkill.choices, blank=True)
    migrant_worker = models.BooleanField("是否已务工", default=False)
    work_months = models.PositiveSmallIntegerField("务工时间（月）", default=0)
    work_place = models.CharField("务工所在地", max_length=60, blank=True)
    work_monthly_income = models.DecimalField("务工月收入", default=0, **MONEY)
    on_low_income_support = models.BooleanField("享受低保", default=False)
    on_destitute_support = models.BooleanField("特困供养", default=False)
    resident_medical_insurance = models.BooleanField("城乡居民基本医疗保险", default=True)
    employee_medical_insurance = models.BooleanField("城镇职工基本医疗保险", default=False)
    critical_illness_insurance = models.BooleanField("大病保险", default=True)
    resident_pension_insurance = models.BooleanField("城乡居民基本养老保险", default=False)
    # Explains a combination the quality rules would otherwise flag (e.g. an adult in primary school).
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "成员年度数据"
        verbose_name_plural = "成员年度数据"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="member_year_unique")]
        indexes = [models.Index(fields=["year", "health"])]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.year}"


class YearFreeze(models.Model):
    """A year-end freeze (年度数据固化) of one year for a region and everything under it."""

    region_code = models.CharField("区划代码", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    frozen_at = models.DateTimeField("固化时间", auto_now_add=True)
    frozen_by_id = models.BigIntegerField("固化人ID", null=True, blank=True)
    frozen_by_name = models.CharField("固化人", max_length=150, blank=True)

    class Meta:
        verbose_name = "年度数据固化"
        verbose_name_plural = "年度数据固化"
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="year_freeze_unique")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} 已固化"

"""一户一策: one support plan per household and year, its measures, and the rules that suggest and check them.

Written only by `plans.services` / `plans.services_rules` (audited); read through `plans.selectors`.
"""

from django.db import models

from fupin.regions.codes import NATION_CODE
from fupin.regions.models import Region
from fupin.registry.models import Household

from .choices import MeasureStatus, MeasureType, PlanStatus, RuleKind


class HouseholdPlan(models.Model):
    """A household's support plan for a year (帮扶计划, part 4 of the 扶贫手册).

    Progress is derived, never stored: completed measures / measures not cancelled. `village`
    repeats the household's village code so that scoping is one range condition on this table."""

    household = models.ForeignKey(Household, verbose_name="贫困户", on_delete=models.PROTECT, related_name="plans")
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("计划状态", max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    note = models.CharField("备注", max_length=500, blank=True)
    drawn_up_at = models.DateTimeField("制定时间", auto_now_add=True)
    drawn_up_by_id = models.BigIntegerField("制定人ID", null=True, blank=True)
    drawn_up_by_name = models.CharField("制定人", max_length=150, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by_id = models.BigIntegerField("确认人ID", null=True, blank=True)
    confirmed_by_name = models.CharField("确认人", max_length=150, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶计划"
        verbose_name_plural = "帮扶计划"
        ordering = ["village_id", "household_id", "year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="plan_household_year_unique")]
        indexes = [models.Index(fields=["village", "year"]), models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.year} 年帮扶计划（户 {self.household_id}）"


class PlanMeasure(models.Model):
    """One measure of a plan (帮扶措施): what, how much, who is responsible, and how far it is.

    Never deleted: a measure dropped from the plan is cancelled (已取消) with its reason."""

    plan = models.ForeignKey(HouseholdPlan, verbose_name="帮扶计划", on_delete=models.PROTECT,
                             related_name="measures")
    measure_type = models.CharField("措施类型", max_length=30, choices=MeasureType.choices)
    content = models.CharField("措施内容和目标", max_length=500)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    responsible = models.CharField("责任单位或责任人", max_length=100)
    status = models.CharField("实施状态", max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    due_on = models.DateField("计划完成日期", null=True, blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    # The suggestion rule the measure was adopted from (采纳), if any.
    source_rule = models.CharField("来源建议规则", max_length=40, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["plan_id", "id"]
        indexes = [models.Index(fields=["plan", "status"]), models.Index(fields=["measure_type"])]

    def __str__(self) -> str:
        return f"{self.get_measure_type_display()}：{self.content[:40]}"


class PlanRule(models.Model):
    """A suggestion rule (措施建议规则, kind suggest) or a contradiction rule (措施矛盾规则, kind
    contradict), as data.

    `condition` is structured: a fact test {"fact": "labour_count", "op": "gte", "value": 1} (a value
    may come from the policy table instead: {"fact": "danger_grade", "op": "in", "policy":
    "exit.unsafe_danger_grades"}), a list of tests that must all hold, or {"all": [...]},
    {"any": [...]}, {"not": {...}}. Facts: `plans.facts.FACTS`.

    A rule applies to a village in a year like a policy value: among the rows with its code on the
    village or an ancestor, valid that year, the most specific region wins, then the latest
    `year_from`. A province overrides a national rule with a row of the same code on the province,
    and disables it with such a row marked inactive."""

    code = models.CharField("规则代码", max_length=40)
    kind = models.CharField("规则类别", max_length=20, choices=RuleKind.choices, default=RuleKind.SUGGEST)
    name = models.CharField("规则名称", max_length=100)
    condition = models.JSONField("条件")
    measure_type = models.CharField("措施类型", max_length=30, choices=MeasureType.choices)
    explanation = models.CharField("说明和依据", max_length=500)
    region_code = models.CharField("适用区划", max_length=12, default=NATION_CODE)
    year_from = models.PositiveSmallIntegerField("起始年度")
    year_to = models.PositiveSmallIntegerField("截止年度", null=True, blank=True)
    active = models.BooleanField("启用", default=True)
    # Order in which suggestions are listed (lower first).
    position = models.PositiveSmallIntegerField("排序", default=100)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by_name = models.CharField("修改人", max_length=150, blank=True)

    class Meta:
        verbose_name = "帮扶措施规则"
        verbose_name_plural = "帮扶措施规则"
        ordering = ["kind", "position", "code", "region_code", "year_from"]
        constraints = [models.UniqueConstraint(fields=["code", "region_code", "year_from"],
                                               name="plan_rule_code_region_year_unique")]
        indexes = [models.Index(fields=["region_code", "year_from"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

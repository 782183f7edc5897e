"""防止返贫监测: monitoring objects (监测对象), their steps and the measures applied.

A case is one household's period under monitoring, from identification to risk elimination.
A household may have several cases over the years but at most one open case at a time. The
household itself is a registry household (an exited household, or a marginal/suddenly-struck
household filed with status 监测户); its status changes go through
`registry.services.household_change_status`. Every case row repeats the village code so scoping is
one range condition.
"""

from django.conf import settings
from django.db import models

from fupin.plans.choices import MeasureType
from fupin.registry.models import Household

from .choices import CaseState, Discovery, ObjectType, StepKind

MONEY = {"max_digits": 12, "decimal_places": 2}


class MonitoringCase(models.Model):
    household = models.ForeignKey(Household, verbose_name="监测户", on_delete=models.PROTECT,
                                  related_name="monitoring_cases")
    village_code = models.CharField("行政村代码", max_length=12, db_index=True)
    object_type = models.CharField("监测对象类别", max_length=20, choices=ObjectType.choices)
    risk_types = models.JSONField("致贫返贫风险", default=list)  # RiskType values, first = main risk
    discovery = models.CharField("发现方式", max_length=30, choices=Discovery.choices)
    discovered_on = models.DateField("发现日期")
    identified_on = models.DateField("识别监测时间")
    year = models.PositiveSmallIntegerField("识别年度")
    state = models.CharField("状态", max_length=30, choices=CaseState.choices, default=CaseState.IDENTIFIED,
                             db_index=True)
    # What the household looked like when identified: the reasons and inputs of the screening or
    # of the clerk's assessment (income, expenditure, events, policy rows).
    reasons = models.JSONField("纳入理由", default=list)
    inputs = models.JSONField("纳入依据", default=dict)
    status_before = models.CharField("纳入前户状态", max_length=20, blank=True)
    eliminated_on = models.DateField("消除监测时间", null=True, blank=True)
    elimination_inputs = models.JSONField("消除依据", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "监测对象"
        verbose_name_plural = "监测对象"
        ordering = ["village_code", "household_id", "identified_on"]
        constraints = [models.UniqueConstraint(fields=["household"], condition=models.Q(state__in=["identified", "assisted"]),
                                               name="monitoring_one_open_case")]
        indexes = [models.Index(fields=["year", "state"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_object_type_display()}（{self.get_state_display()}）"


class MonitoringStep(models.Model):
    case = models.ForeignKey(MonitoringCase, verbose_name="监测对象", on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField("步骤", max_length=30, choices=StepKind.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=500, blank=True)
    inputs = models.JSONField("依据", default=dict, blank=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "监测过程记录"
        verbose_name_plural = "监测过程记录"
        ordering = ["case_id", "on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.on}"


class MonitoringMeasure(models.Model):
    """A measure applied to a monitored household (针对性帮扶措施)."""

    case = models.ForeignKey(MonitoringCase, verbose_name="监测对象", on_delete=models.PROTECT,
                             related_name="measures")
    measure_type = models.CharField("措施类型", max_length=30, choices=MeasureType.choices)
    description = models.CharField("措施内容", max_length=300)
    started_on = models.DateField("落实日期")
    amount = models.DecimalField("金额（元）", null=True, blank=True, **MONEY)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "监测帮扶措施"
        verbose_name_plural = "监测帮扶措施"
        ordering = ["case_id", "started_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_measure_type_display()}"

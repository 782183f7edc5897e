"""考核评估 (assessment of counties and townships): the indicator set is data.

A scheme (考核方案) belongs to a region (the nation for the default) and applies from `year_from`
to the counties or townships under it; the most specific region's scheme wins, then the latest
`year_from` (like the policy table). Its indicators carry weight (points), direction, target,
floor and scoring method; its veto rules (一票否决) a metric, comparison, threshold and reason.
The poverty-reduction task of a region and year (减贫任务) is an AssessmentTarget row.
"""

from django.db import models


class AssessedLevel(models.TextChoices):
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class Method(models.TextChoices):
    LINEAR = "linear", "达到目标得满分，至底线线性递减为 0"
    PASS_FAIL = "pass_fail", "达到目标得满分，否则 0 分"


class VetoOp(models.TextChoices):
    GT = "gt", "高于"
    GTE = "gte", "不低于"
    LT = "lt", "低于"
    LTE = "lte", "不高于"


class AssessmentScheme(models.Model):
    region_code = models.CharField("制定区划", max_length=12)
    year_from = models.PositiveSmallIntegerField("起始年度")
    level = models.CharField("考核对象级别", max_length=10, choices=AssessedLevel.choices)
    name = models.CharField("方案名称", max_length=200)
    source = models.CharField("依据", max_length=300, blank=True)
    created_by_name = models.CharField("设置人", max_length=150, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["region_code", "level", "year_from"]
        constraints = [models.UniqueConstraint(fields=["region_code", "level", "year_from"],
                                               name="assessment_scheme_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.region_code}，{self.year_from} 年起）"


class AssessmentIndicator(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, verbose_name="方案", on_delete=models.CASCADE,
                               related_name="indicators")
    code = models.CharField("指标代码", max_length=40)
    label = models.CharField("指标名称", max_length=100)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices)
    method = models.CharField("计分方法", max_length=10, choices=Method.choices)
    target = models.DecimalField("目标值", max_digits=12, decimal_places=6)
    floor = models.DecimalField("底线值（线性计分至 0 分处）", max_digits=12, decimal_places=6, null=True, blank=True)
    empty_full = models.BooleanField("分母为 0 时得满分", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="assessment_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.label}（{self.weight} 分）"


class AssessmentVeto(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="vetoes")
    metric = models.CharField("指标代码", max_length=40)
    op = models.CharField("比较", max_length=4, choices=VetoOp.choices)
    threshold = models.DecimalField("阈值", max_digits=12, decimal_places=6)
    reason = models.CharField("否决理由", max_length=200)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "一票否决规则"
        verbose_name_plural = "一票否决规则"
        ordering = ["scheme", "order", "id"]

    def __str__(self) -> str:
        return self.reason


class AssessmentTarget(models.Model):
    region_code = models.CharField("区划代码", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    reduction_task = models.PositiveIntegerField("减贫任务（人）")
    source = models.CharField("来源", max_length=200, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "减贫任务"
        verbose_name_plural = "减贫任务"
        ordering = ["year", "region_code"]
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="assessment_target_unique")]
        indexes = [models.Index(fields=["year", "region_code"])]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} 减贫任务 {self.reduction_task} 人"

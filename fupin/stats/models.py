"""Pre-aggregated statistics (统计监测): one row per region, year, metric and key.

Facts exist for every level (village … nation), so a province's numbers are one indexed lookup
and its children's numbers one query on their codes. Values are integers: counts, and money in
fen (分, yuan × 100). Ratios (incidence, coverage, rates) are never stored — their numerator
and denominator are, and the ratio is computed on read. What each metric means: metrics.py.
Written only by `stats.services.refresh_stats`.
"""

from django.db import models

from fupin.regions.codes import Level


class RegionYearFact(models.Model):
    region_code = models.CharField("区划代码", max_length=12)
    level = models.CharField("级别", max_length=10, choices=Level.CHOICES)
    year = models.PositiveSmallIntegerField("年度")
    metric = models.CharField("指标", max_length=40)
    key = models.CharField("分组", max_length=40, blank=True, default="")
    value = models.BigIntegerField("数值")

    class Meta:
        verbose_name = "区域年度统计"
        verbose_name_plural = "区域年度统计"
        constraints = [models.UniqueConstraint(fields=["region_code", "year", "metric", "key"],
                                               name="region_year_fact_unique")]
        indexes = [models.Index(fields=["year", "region_code"])]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} {self.metric}[{self.key}]={self.value}"


class StatsRefresh(models.Model):
    """One run of the refresh job (数据更新): which subtree and years, when, how long, how many rows."""

    region_code = models.CharField("区划代码", max_length=12)
    year_from = models.PositiveSmallIntegerField("起始年度")
    year_to = models.PositiveSmallIntegerField("截止年度")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间")
    duration_ms = models.PositiveIntegerField("耗时（毫秒）")
    rows_written = models.PositiveIntegerField("写入行数")
    actor_name = models.CharField("操作人", max_length=150, blank=True)

    class Meta:
        verbose_name = "统计数据更新"
        verbose_name_plural = "统计数据更新"
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["year_from", "year_to"])]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year_from}–{self.year_to} 更新于 {self.finished_at}"

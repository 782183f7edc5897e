from django.db import models

from fupin.regions.codes import NATION_CODE


class PolicyValue(models.Model):
    """One policy figure (政策参数) valid from a year on, for a region and everything under it.

    National defaults sit on the root region (000000000000); a province (or any lower region) may
    override a key with its own row. The most specific region wins, then the latest `year_from`.
    Every rule in the system reads its numbers from here — none is written in a code path.
    """

    key = models.CharField("参数", max_length=80)
    # A plain code, not a foreign key: national defaults exist before any region is loaded.
    region_code = models.CharField("适用区划", max_length=12, default=NATION_CODE)
    year_from = models.PositiveSmallIntegerField("起始年度")
    year_to = models.PositiveSmallIntegerField("截止年度", null=True, blank=True)
    value = models.JSONField("取值")
    unit = models.CharField("单位", max_length=20, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        constraints = [models.UniqueConstraint(fields=["key", "region_code", "year_from"], name="policy_unique_key")]
        indexes = [models.Index(fields=["key", "year_from"])]

    def __str__(self) -> str:
        return f"{self.key}@{self.region_code}:{self.year_from}={self.value}"

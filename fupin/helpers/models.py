"""结对帮扶: poor villages, helping units, village work teams and the cadres paired with households.

Every table stores a 12-digit region code (a Region FK's `_id`, or `village_code`), so each is
scoped like everything else with one range condition, e.g. `scoped(qs, user, region_field="village_id")`.

Periods are half-open: a row is in force on day `d` when `start <= d` and (`end` is empty or
`d < end`); `end` is the first day it no longer applies (结束日期：当日起不再有效). A row is never
deleted: ending it keeps the history (不脱贫不脱钩 — who helped whom, when, is always on record).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fupin.regions.models import Region


class UnitKind(models.TextChoices):
    CENTRAL = "central", "中央单位"
    PROVINCIAL = "provincial", "省直单位"
    CITY = "city", "市直单位"
    COUNTY = "county", "县直单位"
    TOWNSHIP = "township", "乡镇单位"
    ENTERPRISE = "enterprise", "企业"
    SOCIAL = "social", "社会组织"
    OTHER = "other", "其他"


class TeamRole(models.TextChoices):
    SECRETARY = "secretary", "第一书记"
    LEADER = "leader", "队长"
    MEMBER = "member", "队员"


class PoorVillage(models.Model):
    """A village designated poor (贫困村, "一高一低一无"), and the year it exited (出列)."""

    village = models.OneToOneField(Region, verbose_name="行政村", on_delete=models.PROTECT,
                                   related_name="poor_village")
    identified_year = models.PositiveSmallIntegerField("认定年度")
    exited_year = models.PositiveSmallIntegerField("出列年度", null=True, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "贫困村"
        verbose_name_plural = "贫困村"
        ordering = ["village_id"]
        constraints = [models.CheckConstraint(condition=Q(exited_year__isnull=True)
                                              | Q(exited_year__gte=models.F("identified_year")),
                                              name="poor_village_exit_after_identification")]

    def __str__(self) -> str:
        return f"贫困村 {self.village_id}"


class HelpingUnit(models.Model):
    """A helping unit (帮扶单位): a government body, enterprise or social organisation.

    `region` is the region whose records the unit belongs to (the county that pairs it with its
    villages, usually); `kind` says what sort of unit it is (a 中央单位 helping a county is still
    kept by that county)."""

    name = models.CharField("单位名称", max_length=100)
    kind = models.CharField("单位类别", max_length=20, choices=UnitKind.choices)
    region = models.ForeignKey(Region, verbose_name="登记区划", on_delete=models.PROTECT, related_name="helping_units")
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶单位"
        verbose_name_plural = "帮扶单位"
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="helping_unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class UnitVillagePairing(models.Model):
    """A helping unit paired with a village (单位包村) for a period."""

    unit = models.ForeignKey(HelpingUnit, verbose_name="帮扶单位", on_delete=models.PROTECT, related_name="pairings")
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="unit_pairings")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True, help_text="当日起不再有效")
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "单位包村"
        verbose_name_plural = "单位包村"
        ordering = ["village_id", "start", "id"]
        indexes = [models.Index(fields=["village", "start"])]
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                                              name="unit_pairing_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.unit} 包 {self.village_id}"


class WorkTeam(models.Model):
    """A village work team (驻村工作队) stationed in a village for a period."""

    village = models.ForeignKey(Region, verbose_name="驻村", on_delete=models.PROTECT, related_name="work_teams")
    unit = models.ForeignKey(HelpingUnit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="teams",
                             null=True, blank=True)
    start = models.DateField("进驻日期")
    end = models.DateField("撤离日期", null=True, blank=True, help_text="当日起不再驻村")
    end_reason = models.CharField("撤离原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "驻村工作队"
        verbose_name_plural = "驻村工作队"
        ordering = ["village_id", "start", "id"]
        indexes = [models.Index(fields=["village", "start"])]
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                                              name="work_team_dates_ordered")]

    def __str__(self) -> str:
        return f"驻村工作队 {self.village_id}（{self.start}）"


class WorkTeamMember(models.Model):
    """A member of a work team: the first secretary (第一书记), the team leader or a member."""

    team = models.ForeignKey(WorkTeam, verbose_name="驻村工作队", on_delete=models.PROTECT, related_name="members")
    name = models.CharField("姓名", max_length=50)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="系统账户", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="team_memberships")
    role = models.CharField("职务", max_length=20, choices=TeamRole.choices)
    id_number = models.CharField("身份证号码", max_length=18, db_index=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    work_unit = models.CharField("工作单位及职务", max_length=100, blank=True)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True, help_text="当日起不再任职")
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "驻村工作队员"
        verbose_name_plural = "驻村工作队员"
        ordering = ["team_id", "start", "id"]
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                                              name="team_member_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class CadreProfile(models.Model):
    """What is known of a helper cadre (帮扶责任人) beyond the account: ID number, unit, position."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="帮扶责任人", on_delete=models.PROTECT,
                                related_name="cadre_profile")
    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    unit = models.ForeignKey(HelpingUnit, verbose_name="工作单位", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="cadres")
    position = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶责任人档案"
        verbose_name_plural = "帮扶责任人档案"
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"帮扶责任人档案 {self.user_id}"


class HelperAssignment(models.Model):
    """A cadre paired with a household (结对帮扶) for a period. The current one (`end` empty) is
    the household's `helper`; both change together, only through helpers.services."""

    household = models.ForeignKey("registry.Household", verbose_name="贫困户", on_delete=models.PROTECT,
                                  related_name="helper_assignments")
    # The household's village, stored so the history is scoped with one range condition.
    village_code = models.CharField("行政村代码", max_length=12)
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="帮扶责任人", on_delete=models.PROTECT,
                              related_name="helper_assignments")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True, help_text="当日起不再结对")
    reason = models.CharField("结对原因", max_length=200, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    actor_name = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "结对帮扶记录"
        verbose_name_plural = "结对帮扶记录"
        ordering = ["household_id", "start", "id"]
        indexes = [models.Index(fields=["village_code"]), models.Index(fields=["cadre", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                   name="helper_assignment_dates_ordered"),
            models.UniqueConstraint(fields=["household"], condition=Q(end__isnull=True),
                                    name="helper_assignment_one_current"),
        ]

    def __str__(self) -> str:
        return f"结对 {self.household_id}←{self.cadre_id}（{self.start}）"

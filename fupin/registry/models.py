from django.conf import settings
from django.db import models

from fupin.regions.models import Region

from .choices import (
    Gender,
    HouseholdAttribute,
    HouseholdStatus,
    IdentificationStandard,
    IdType,
    MemberExit,
    PovertyCause,
    Relation,
    StatusChangeSource,
    StatusEventKind,
)
from .models_import import ImportJob  # noqa: F401  (registered with the app)
from .models_yearly import HouseholdYear, MemberYear, YearFreeze  # noqa: F401  (registered with the app)


class Household(models.Model):
    """A filed and carded household (建档立卡户)."""

    household_no = models.CharField("户编号", max_length=30, unique=True)
    # The village's 12-digit code is stored here directly (Region's key), so region scoping is a
    # range condition on this indexed column. Indexed in Meta: a plain b-tree serves the ranges; the
    # extra LIKE index PostgreSQL would get for a text key (db_index) is never used and slows writes.
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="households",
                                db_index=False)
    group_name = models.CharField("村民小组", max_length=30, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    head_name = models.CharField("户主姓名", max_length=50)
    phone = models.CharField("户联系电话", max_length=20, blank=True)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    bank_account = models.CharField("银行账号", max_length=30, blank=True)
    identification_standard = models.CharField("识别标准", max_length=20, choices=IdentificationStandard.choices,
                                               default=IdentificationStandard.NATIONAL)
    attribute = models.CharField("贫困户属性", max_length=20, choices=HouseholdAttribute.choices,
                                 default=HouseholdAttribute.GENERAL)
    status = models.CharField("户状态", max_length=20, choices=HouseholdStatus.choices,
                              default=HouseholdStatus.NOT_EXITED)  # indexed in Meta (no LIKE index)
    main_cause = models.CharField("主要致贫原因", max_length=20, choices=PovertyCause.choices)
    other_causes = models.JSONField("其他致贫原因", default=list, blank=True)
    registered_year = models.PositiveSmallIntegerField("识别年度")
    exit_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    # 脱贫不脱政策: after exit the household keeps its support policies for a period (policy table
    # exit.policy_retention_years); both ends are kept so the period can be shown and checked.
    policies_kept_from = models.DateField("继续享受政策起", null=True, blank=True)
    policies_kept_until = models.DateField("继续享受政策至", null=True, blank=True)
    # Current helper cadre (帮扶责任人). Pairing history comes with the helpers app.
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="帮扶责任人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="helped_households")
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "贫困户"
        verbose_name_plural = "贫困户"
        ordering = ["household_no"]
        indexes = [models.Index(fields=["village"], name="household_village"),
                   models.Index(fields=["status"], name="household_status"),
                   models.Index(fields=["head_name"]), models.Index(fields=["main_cause"]),
                   models.Index(fields=["attribute"])]

    def __str__(self) -> str:
        return f"{self.head_name}户（{self.household_no}）"


class Member(models.Model):
    """A member of a registered household (家庭成员)."""

    household = models.ForeignKey(Household, verbose_name="所属户", on_delete=models.PROTECT, related_name="members")
    name = models.CharField("姓名", max_length=50)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField("证件号码", max_length=20)  # indexed in Meta: equality only, no LIKE index
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    disability_cert_no = models.CharField("残疾人证号", max_length=30, blank=True)
    # Members are never deleted: one who leaves (死亡, 婚出, 分户 …) keeps the row with the reason.
    left_on = models.DateField("减少日期", null=True, blank=True)
    left_reason = models.CharField("减少原因", max_length=20, choices=MemberExit.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        indexes = [models.Index(fields=["id_number"], name="member_id_number"), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class HouseholdStatusEvent(models.Model):
    """A change of a household's status, with its reason (状态变更记录).

    Written only by `registry.services.household_change_status`, which the identification, exit
    and monitoring procedures call; status is never edited directly."""

    # Not indexed on its own: the (household, effective_on) index serves every lookup by household.
    household = models.ForeignKey(Household, verbose_name="贫困户", on_delete=models.PROTECT,
                                  related_name="status_events", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    from_status = models.CharField("原状态", max_length=20, choices=HouseholdStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=HouseholdStatus.choices)
    kind = models.CharField("变动类型", max_length=20, choices=StatusEventKind.choices)
    # The date the change takes effect (e.g. the day of the exit announcement); the registry as of
    # any date is the latest event on or before it. `at` is when it was recorded.
    effective_on = models.DateField("生效日期", db_index=True)
    source = models.CharField("来源", max_length=20, choices=StatusChangeSource.choices)
    reason = models.CharField("原因", max_length=300)
    at = models.DateTimeField("时间", auto_now_add=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)

    class Meta:
        verbose_name = "户状态变更"
        verbose_name_plural = "户状态变更"
        ordering = ["household_id", "effective_on", "at", "id"]
        indexes = [models.Index(fields=["household", "effective_on"]), models.Index(fields=["kind", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.from_status}→{self.to_status}"

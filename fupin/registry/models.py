from django.conf import settings
from django.db import models

from fupin.regions.models import Region

from .choices import (
    Education,
    Gender,
    Health,
    HouseholdAttribute,
    HouseholdStatus,
    IdentificationStandard,
    IdType,
    LabourCapacity,
    PovertyCause,
    Relation,
)


class Household(models.Model):
    """A filed and carded household (建档立卡户)."""

    household_no = models.CharField("户编号", max_length=30, unique=True)
    # The village's 12-digit code is stored here directly (Region's key), so region scoping is a
    # range condition on this indexed column.
    village = models.ForeignKey(Region, verbose_name="行政村", on_delete=models.PROTECT, related_name="households")
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
                              default=HouseholdStatus.NOT_EXITED, db_index=True)
    main_cause = models.CharField("主要致贫原因", max_length=20, choices=PovertyCause.choices)
    other_causes = models.JSONField("其他致贫原因", default=list, blank=True)
    registered_year = models.PositiveSmallIntegerField("识别年度")
    exit_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    # Current helper cadre (帮扶责任人). Pairing history comes with the helpers app.
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="帮扶责任人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="helped_households")
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "贫困户"
        verbose_name_plural = "贫困户"
        ordering = ["household_no"]

    def __str__(self) -> str:
        return f"{self.head_name}户（{self.household_no}）"


class Member(models.Model):
    """A member of a registered household (家庭成员)."""

    household = models.ForeignKey(Household, verbose_name="所属户", on_delete=models.PROTECT, related_name="members")
    name = models.CharField("姓名", max_length=50)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField("证件号码", max_length=20, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    education = models.CharField("文化程度", max_length=20, choices=Education.choices, blank=True)
    health = models.CharField("健康状况", max_length=20, choices=Health.choices, default=Health.HEALTHY)
    labour_capacity = models.CharField("劳动能力", max_length=20, choices=LabourCapacity.choices, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    on_low_income_support = models.BooleanField("享受低保", default=False)
    on_destitute_support = models.BooleanField("特困供养", default=False)
    resident_medical_insurance = models.BooleanField("城乡居民基本医疗保险", default=True)
    employee_medical_insurance = models.BooleanField("城镇职工基本医疗保险", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name

"""Coded values of the cross-check engine (大数据比对)."""

from django.db import models


class DatasetKind(models.TextChoices):
    """The kinds of roster other departments supply (部门比对数据)."""

    PAYROLL = "payroll", "财政供养人员"  # 财政局/人社局
    VEHICLE = "vehicle", "车辆登记"  # 公安交管
    HOUSING = "housing", "商品房登记"  # 住建/不动产登记
    BUSINESS = "business", "工商注册"  # 市场监管
    DEATH = "death", "死亡人员"  # 公安/民政/卫健
    LOW_INCOME = "low_income", "低保和特困人员"  # 民政
    DISABILITY = "disability", "残疾人登记"  # 残联
    SCHOOL = "school", "学籍"  # 教育
    MEDICAL_INSURANCE = "medical_insurance", "医疗保险参保"  # 医保
    # Department screening for return-to-poverty monitoring (部门筛查预警):
    MEDICAL_EXPENSE = "medical_expense", "大额医疗费用"  # 医保：自付费用高的患者
    DISASTER = "disaster", "受灾和意外事故"  # 应急管理：自然灾害、意外事故


# Rosters listing everyone who *has* something, so a registry member missing from them is a finding
# (not enrolled in school, not insured). Such a roster is only compared with the members in its region.
COVERAGE_KINDS = frozenset({DatasetKind.SCHOOL, DatasetKind.MEDICAL_INSURANCE, DatasetKind.DISABILITY})


class SuspectStatus(models.TextChoices):
    NEW = "new", "待核查"
    DISMISSED = "dismissed", "已排除"  # checked on the spot: not a problem (reason required)
    LEDGER = "ledger", "已列入问题台账"

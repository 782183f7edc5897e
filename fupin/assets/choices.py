"""Coded values of asset income (资产收益扶贫) and who may change it."""

from decimal import Decimal

from django.db import models

from fupin.accounts.roles import Role
from fupin.funds.choices import ProjectStatus

CENT = Decimal("0.01")
RATIO_PLACES = Decimal("0.000001")
TARGET_RATE_KEY = "assets.target_income_rate"

# A project forms an asset once it has been accepted (验收) — and later steps keep it formed.
FORMED_STATUSES = frozenset({ProjectStatus.ACCEPTED, ProjectStatus.DISCLOSED, ProjectStatus.CLOSED})
# Shares are quantified to poor households (建档立卡贫困户 and 监测户); coverage counts the same statuses.
POOR_FOR_ASSETS = ("not_exited", "returned", "monitored")
# Who records assets, shares and income (县级审批员; 系统管理员 for corrections).
ASSET_MANAGERS = frozenset({Role.COUNTY_APPROVER, Role.SYSADMIN})


class AssetKind(models.TextChoices):
    PV = "pv", "光伏电站"
    PLANT = "plant", "厂房"
    GREENHOUSE = "greenhouse", "大棚"
    COOP_SHARE = "coop_share", "入股合作社"
    COMPANY_SHARE = "company_share", "入股企业"
    SHOP = "shop", "商铺门面"
    OTHER = "other", "其他"


class AssetStatus(models.TextChoices):
    OPERATING = "operating", "运营中"
    IDLE = "idle", "闲置"
    DISPOSED = "disposed", "已处置"

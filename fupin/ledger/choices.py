"""Coded values of the issue ledger (问题台账)."""

from django.db import models


class Source(models.TextChoices):
    """Where a problem was found (问题来源)."""

    CROSSCHECK = "crosscheck", "大数据比对"
    QUALITY = "quality", "数据质量校验"
    INSPECTION = "inspection", "巡视督查"
    AUDIT = "audit", "审计"
    OTHER = "other", "其他"


class ItemState(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFYING = "rectifying", "整改中"
    SUBMITTED = "submitted", "已提交整改"
    VERIFIED = "verified", "已核验"
    CLOSED = "closed", "已销号"


class EventKind(models.TextChoices):
    CREATED = "created", "登记问题"
    ASSIGNED = "assigned", "指定责任人"
    STARTED = "started", "开始整改"
    EVIDENCE = "evidence", "上传整改材料"
    SUBMITTED = "submitted", "提交整改"
    RETURNED = "returned", "核验未通过退回"
    VERIFIED = "verified", "核验通过"
    CLOSED = "closed", "销号"
    REOPENED = "reopened", "重新打开"

"""Coded values of return-to-poverty monitoring (防止返贫监测)."""

from django.db import models


class ObjectType(models.TextChoices):
    """监测对象类别."""

    UNSTABLE = "unstable", "脱贫不稳定户"
    MARGINAL = "marginal", "边缘易致贫户"
    SUDDEN = "sudden", "突发严重困难户"


class RiskType(models.TextChoices):
    """致贫/返贫风险."""

    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    SCHOOLING = "schooling", "因学"
    DISASTER = "disaster", "因自然灾害"
    ACCIDENT = "accident", "因意外事故"
    UNSTABLE_WORK = "unstable_work", "因务工就业不稳"
    LACK_LABOUR = "lack_labour", "缺劳动力"
    HOUSING = "housing", "因安全住房"
    WATER = "water", "因安全饮水"
    OTHER = "other", "其他"


class Discovery(models.TextChoices):
    """How the risk was found (发现方式)."""

    SELF_REPORT = "self_report", "农户自主申报"
    CADRE_SCREENING = "cadre_screening", "基层干部排查"
    DEPARTMENT_SCREENING = "department_screening", "部门筛查预警"


class CaseState(models.TextChoices):
    IDENTIFIED = "identified", "已纳入监测"
    ASSISTED = "assisted", "帮扶中"  # at least one measure applied
    ELIMINATED = "eliminated", "风险已消除"
    NATURALLY_ELIMINATED = "naturally_eliminated", "自然消除"


OPEN_STATES = frozenset({CaseState.IDENTIFIED, CaseState.ASSISTED})


class StepKind(models.TextChoices):
    """The steps of a case's life (监测帮扶过程), each recorded with its date, actor and inputs."""

    IDENTIFIED = "identified", "识别纳入监测"
    MEASURE = "measure", "落实帮扶措施"
    ELIMINATED = "eliminated", "风险消除"
    NATURALLY_ELIMINATED = "naturally_eliminated", "自然消除"
    NOTE = "note", "跟踪记录"

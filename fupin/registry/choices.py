"""Coded values of the registry (建档立卡). Labels are the Chinese terms of the national system."""

from django.db import models


class HouseholdStatus(models.TextChoices):
    # Changes only through identification / exit / monitoring services, each change an event.
    NOT_EXITED = "not_exited", "未脱贫"
    EXITED = "exited", "已脱贫"
    RETURNED = "returned", "返贫"
    MONITORED = "monitored", "监测户"
    # 清退/剔除: wrongly filed, taken out of the registry with a reason (not an exit).
    REMOVED = "removed", "已清退"
    # 自然减少: the household ceased to exist (all members deceased, merged, moved away).
    CANCELLED = "cancelled", "已销户"


# Statuses counted as poor (贫困人口) at a date.
POOR_STATUSES = frozenset({HouseholdStatus.NOT_EXITED, HouseholdStatus.RETURNED})


class HouseholdAttribute(models.TextChoices):
    GENERAL = "general", "一般贫困户"
    LOW_INCOME = "low_income", "低保贫困户"
    DESTITUTE = "destitute", "特困供养贫困户"


class IdentificationStandard(models.TextChoices):
    NATIONAL = "national", "国家标准"
    PROVINCIAL = "provincial", "省定标准"
    CITY = "city", "市定标准"


class PovertyCause(models.TextChoices):
    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    SCHOOLING = "schooling", "因学"
    DISASTER = "disaster", "因灾"
    LACK_LAND = "lack_land", "缺土地"
    LACK_WATER = "lack_water", "缺水"
    LACK_SKILLS = "lack_skills", "缺技术"
    LACK_LABOUR = "lack_labour", "缺劳力"
    LACK_FUNDS = "lack_funds", "缺资金"
    TRANSPORT = "transport", "交通条件落后"
    NO_MOTIVATION = "no_motivation", "自身发展动力不足"
    MARRIAGE = "marriage", "因婚"
    OTHER = "other", "其他"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    DISABILITY_CERT = "disability_cert", "残疾人证"
    OTHER = "other", "其他"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    SON = "son", "之子"
    DAUGHTER = "daughter", "之女"
    SON_IN_LAW = "son_in_law", "之女婿"
    DAUGHTER_IN_LAW = "daughter_in_law", "之儿媳"
    GRANDSON = "grandson", "之孙子"
    GRANDDAUGHTER = "granddaughter", "之孙女"
    FATHER = "father", "之父"
    MOTHER = "mother", "之母"
    SIBLING = "sibling", "之兄弟姐妹"
    OTHER = "other", "其他"


class Education(models.TextChoices):
    ILLITERATE = "illiterate", "文盲或半文盲"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中专"
    COLLEGE = "college", "大专及以上"
    PRESCHOOL = "preschool", "学龄前儿童"


class Health(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "长期慢性病"
    SERIOUS = "serious", "患有大病"
    DISABLED = "disabled", "残疾"


class LabourCapacity(models.TextChoices):
    ORDINARY = "ordinary", "普通劳动力"
    SKILLED = "skilled", "技能劳动力"
    WEAK = "weak", "弱劳动力或半劳动力"
    LOST = "lost", "丧失劳动力"
    NONE = "none", "无劳动力"


class SchoolStatus(models.TextChoices):
    # 在校生状况
    NOT_STUDENT = "not_student", "非在校生"
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "七年级至九年级"
    SENIOR = "senior", "普通高中"
    VOCATIONAL = "vocational", "中职"
    COLLEGE = "college", "高职高专"
    UNIVERSITY = "university", "本科及以上"


COMPULSORY_SCHOOL = frozenset({SchoolStatus.PRIMARY, SchoolStatus.JUNIOR})
STUDENT_STATUSES = frozenset(s for s in SchoolStatus if s != SchoolStatus.NOT_STUDENT)


class DisabilityGrade(models.TextChoices):
    NONE = "", "无"
    GRADE1 = "1", "一级"
    GRADE2 = "2", "二级"
    GRADE3 = "3", "三级"
    GRADE4 = "4", "四级"


class LabourSkill(models.TextChoices):
    NONE = "", "无"
    TECHNICIAN = "technician", "技能人员"
    CRAFT = "craft", "手艺"
    DRIVER = "driver", "驾驶"
    OTHER = "other", "其他"


class HousingStructure(models.TextChoices):
    REINFORCED = "reinforced", "钢混"
    BRICK_CONCRETE = "brick_concrete", "砖混"
    BRICK_WOOD = "brick_wood", "砖木"
    EARTH_WOOD = "earth_wood", "土木"
    OTHER = "other", "其他"


class DangerGrade(models.TextChoices):
    # 危房等级 (A safe … D dangerous as a whole); blank = not assessed
    NONE = "", "未鉴定"
    A = "A", "A级"
    B = "B", "B级"
    C = "C", "C级"
    D = "D", "D级"


class RoadType(models.TextChoices):
    NONE = "", "无"
    MUD = "mud", "泥土路"
    GRAVEL = "gravel", "砂石路"
    HARDENED = "hardened", "水泥或沥青路"


class Fuel(models.TextChoices):
    FIREWOOD = "firewood", "柴草"
    COAL = "coal", "煤炭"
    GAS = "gas", "燃气"
    ELECTRICITY = "electricity", "电"
    OTHER = "other", "其他"


class MemberExit(models.TextChoices):
    # Why a member left the household (自然减少). Members are never deleted.
    DECEASED = "deceased", "死亡"
    MARRIED_OUT = "married_out", "婚出"
    SPLIT = "split", "分户"
    OTHER = "other", "其他"


class StatusEventKind(models.TextChoices):
    """What a status change means (变动类型); yearly exit and return counts are counted by kind."""

    NEW = "new", "新识别"
    CONFIRMED = "confirmed", "未脱贫"  # filed from an existing registry, or confirmed as still poor
    EXITED = "exited", "已脱贫"
    RETURNED = "returned", "返贫"
    MONITORED = "monitored", "纳入监测"
    # 风险消除: a monitored household that had exited returns to 已脱贫; not a new exit (the exit
    # counts are the `exited` kind), so it is not counted twice.
    RISK_ELIMINATED = "risk_eliminated", "风险消除"
    REMOVED = "removed", "清退/剔除"
    NATURAL_DECREASE = "natural_decrease", "自然减少"
    CORRECTION = "correction", "数据纠错"


# The kind a change to a status means when the caller does not name one.
DEFAULT_EVENT_KIND = {
    HouseholdStatus.NOT_EXITED: StatusEventKind.CONFIRMED,
    HouseholdStatus.EXITED: StatusEventKind.EXITED,
    HouseholdStatus.RETURNED: StatusEventKind.RETURNED,
    HouseholdStatus.MONITORED: StatusEventKind.MONITORED,
    HouseholdStatus.REMOVED: StatusEventKind.REMOVED,
    HouseholdStatus.CANCELLED: StatusEventKind.NATURAL_DECREASE,
}


class StatusChangeSource(models.TextChoices):
    IDENTIFICATION = "identification", "识别"
    EXIT = "exit", "退出"
    MONITORING = "monitoring", "监测"
    IMPORT = "import", "导入"
    CORRECTION = "correction", "纠错"
    # 动态调整: 清退/剔除 of a wrongly filed household, 自然减少 of one that ceased to exist.
    ADJUSTMENT = "adjustment", "动态调整"

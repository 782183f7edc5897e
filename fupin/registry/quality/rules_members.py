"""A member's yearly data against their age and against itself (成员年度数据).

Ages are counted at the run's reference date (31 December of the year checked): a person is at
least N years old if born on or before `ctx.born_by(N)`, so age tests are plain date comparisons
in SQL.
"""

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Trim

from ..choices import Education, LabourCapacity, SchoolStatus
from ..models import HouseholdYear, MemberYear
from .base import ERROR, WARNING, rule
from .rows import MEMBER_ALIASES, MEMBER_YEAR_ALIASES, active_member_years, active_members, label

LABOUR_FORCE = (LabourCapacity.ORDINARY, LabourCapacity.SKILLED, LabourCapacity.WEAK)
# (文化程度 values, 在校生状况 values) of each level R08 looks at
PRESCHOOL_LEVELS = ((Education.PRESCHOOL,), (SchoolStatus.PRESCHOOL,))
SENIOR_LEVELS = ((Education.SENIOR, Education.VOCATIONAL), (SchoolStatus.SENIOR, SchoolStatus.VOCATIONAL))
COLLEGE_LEVELS = ((Education.COLLEGE,), (SchoolStatus.COLLEGE, SchoolStatus.UNIVERSITY))


def _at_level(levels) -> Q:
    educations, statuses = levels
    return Q(education__in=educations) | Q(school_status__in=statuses)


def _claims(education: str, school_status: str, educations, statuses) -> str:
    parts = []
    if education in educations:
        parts.append(f"文化程度为“{label(Education, education)}”")
    if school_status in statuses:
        parts.append(f"在校生状况为“{label(SchoolStatus, school_status)}”")
    return "、".join(parts)


def _age_phrase(ctx, birth) -> str:
    return f"出生日期 {birth}，{ctx.reference_date} 时 {ctx.age(birth)} 岁"


@rule("R06", ERROR, "未满劳动年龄认定为劳动力", fields=("出生日期", "劳动能力"),
      policy=("quality.labour_min_age",),
      description="在册成员在参照日（所查年度 12 月 31 日）未满 quality.labour_min_age 周岁，"
                  "劳动能力却为普通劳动力、技能劳动力或弱劳动力或半劳动力。")
def check_child_labour(rule_, ctx, households):
    min_age = ctx.value("quality.labour_min_age")
    rows = (active_member_years(households, ctx.year)
            .filter(member__birth_date__gt=ctx.born_by(min_age), labour_capacity__in=LABOUR_FORCE)
            .values("labour_capacity", birth_date=F("member__birth_date"), **MEMBER_YEAR_ALIASES))
    for row in rows:
        yield rule_.finding(ctx, row, f"{row['m_name']}（{_age_phrase(ctx, row['birth_date'])}）未满 {min_age} 周岁，"
                                      f"劳动能力却为“{label(LabourCapacity, row['labour_capacity'])}”",
                            values={"birth_date": row["birth_date"], "labour_capacity": row["labour_capacity"]})


@rule("R07", WARNING, "成年人在读小学未备注", fields=("出生日期", "在校生状况", "备注"),
      policy=("quality.adult_age",),
      description="在册成员在参照日已满 quality.adult_age 周岁，在校生状况为“小学”，且年度数据的备注为空。")
def check_adult_in_primary(rule_, ctx, households):
    adult = ctx.value("quality.adult_age")
    rows = (active_member_years(households, ctx.year)
            .filter(member__birth_date__lte=ctx.born_by(adult), school_status=SchoolStatus.PRIMARY)
            .annotate(note_text=Trim("note")).filter(note_text="")
            .values(birth_date=F("member__birth_date"), **MEMBER_YEAR_ALIASES))
    for row in rows:
        yield rule_.finding(ctx, row, f"{row['m_name']}（{_age_phrase(ctx, row['birth_date'])}）已满 {adult} 周岁，"
                                      "在校生状况为“小学”，备注中未说明原因",
                            values={"birth_date": row["birth_date"], "school_status": SchoolStatus.PRIMARY.value,
                                    "note": ""})


@rule("R08", WARNING, "年龄与文化程度或在校生状况不符", fields=("出生日期", "文化程度", "在校生状况"),
      policy=("quality.preschool_max_age", "quality.senior_min_age", "quality.college_min_age"),
      description="参照日年龄：超过 quality.preschool_max_age 岁而文化程度为“学龄前儿童”或在校生状况为"
                  "“学前教育”；不满 quality.senior_min_age 岁而文化程度为高中、中专或在读普通高中、中职；"
                  "不满 quality.college_min_age 岁而文化程度为大专及以上或在读高职高专、本科及以上。")
def check_age_vs_school(rule_, ctx, households):
    pre_max, senior_min, college_min = (ctx.value(k) for k in rule_.policy_keys)
    too_old_for_preschool = Q(member__birth_date__lte=ctx.born_by(pre_max + 1))
    too_young_for_senior = Q(member__birth_date__gt=ctx.born_by(senior_min))
    too_young_for_college = Q(member__birth_date__gt=ctx.born_by(college_min))
    rows = (active_member_years(households, ctx.year)
            .filter((too_old_for_preschool & _at_level(PRESCHOOL_LEVELS))
                    | (too_young_for_senior & _at_level(SENIOR_LEVELS))
                    | (too_young_for_college & _at_level(COLLEGE_LEVELS)))
            .values("education", "school_status", birth_date=F("member__birth_date"), **MEMBER_YEAR_ALIASES))
    for row in rows:
        age, edu, school = ctx.age(row["birth_date"]), row["education"], row["school_status"]
        checks = ((age > pre_max, f"超过 {pre_max} 岁", PRESCHOOL_LEVELS),
                  (age < senior_min, f"不满 {senior_min} 岁", SENIOR_LEVELS),
                  (age < college_min, f"不满 {college_min} 岁", COLLEGE_LEVELS))
        problems = [f"{limit}，{claims}" for applies, limit, levels in checks
                    if applies and (claims := _claims(edu, school, *levels))]
        if problems:
            yield rule_.finding(ctx, row, f"{row['m_name']}（{_age_phrase(ctx, row['birth_date'])}）："
                                          + "；".join(problems),
                                values={"birth_date": row["birth_date"], "education": edu, "school_status": school})


@rule("R13", ERROR, "同时参加城乡居民和城镇职工基本医疗保险", fields=("城乡居民基本医疗保险", "城镇职工基本医疗保险"),
      description="在册成员的年度数据中，城乡居民基本医疗保险和城镇职工基本医疗保险都为“是”（重复参保）。")
def check_double_insurance(rule_, ctx, households):
    rows = (active_member_years(households, ctx.year)
            .filter(resident_medical_insurance=True, employee_medical_insurance=True)
            .values(**MEMBER_YEAR_ALIASES))
    for row in rows:
        yield rule_.finding(ctx, row, f"{row['m_name']}同时参加了城乡居民基本医疗保险和城镇职工基本医疗保险（重复参保）",
                            values={"resident_medical_insurance": True, "employee_medical_insurance": True})


@rule("R14", WARNING, "未参加基本医疗保险", fields=("城乡居民基本医疗保险", "城镇职工基本医疗保险"),
      description="在册成员的年度数据中，城乡居民基本医疗保险和城镇职工基本医疗保险都为“否”。")
def check_no_insurance(rule_, ctx, households):
    rows = (active_member_years(households, ctx.year)
            .filter(resident_medical_insurance=False, employee_medical_insurance=False)
            .values(**MEMBER_YEAR_ALIASES))
    for row in rows:
        yield rule_.finding(ctx, row, f"{row['m_name']}既未参加城乡居民基本医疗保险，也未参加城镇职工基本医疗保险",
                            values={"resident_medical_insurance": False, "employee_medical_insurance": False})


@rule("R21", WARNING, "成员缺少本年度数据", fields=("成员年度数据",),
      description="户已有所查年度的年度数据，但其在册成员（参照日时已出生）没有该年度的成员年度数据"
                  "（健康、教育、劳动力等）。")
def check_member_year_missing(rule_, ctx, households):
    has_year = HouseholdYear.objects.filter(household_id=OuterRef("household_id"), year=ctx.year)
    has_member_year = MemberYear.objects.filter(member_id=OuterRef("pk"), year=ctx.year)
    rows = (active_members(households).filter(birth_date__lte=ctx.reference_date)
            .filter(Exists(has_year)).filter(~Exists(has_member_year))
            .values(**MEMBER_ALIASES))
    for row in rows:
        yield rule_.finding(ctx, row, f"{row['m_name']}没有 {ctx.year} 年度的成员年度数据，户的年度数据已填报",
                            values={"year": ctx.year})

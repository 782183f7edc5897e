"""A member's data for one year (MemberYear): schooling, education, labour, insurance, support.

Ages here are ages at the end of the year (31 December), so a member aged 15 at the end of 2019
is 16 at the end of 2020 and may then count as labour. Everything that does not change by age
(health, disability, the age at which a member leaves school, who is on 低保 …) is drawn once per
member in people.py; this module only reads it, so a member's years are consistent with each other.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fupin.registry.choices import (
    STUDENT_STATUSES,
    Education,
    Health,
    LabourCapacity,
    SchoolStatus,
)

from .calibration import KINDERGARTEN_AGE, LABOUR_AGE, NO_LABOUR_AGE, SCHOOL_AGE

# School levels a student attends, by age at the end of the year (6–12 小学, 13–15 初中, 16–18 高中).
_LEVEL_BY_AGE = [SchoolStatus.PRIMARY] * 13 + [SchoolStatus.JUNIOR] * 3 + [SchoolStatus.SENIOR] * 3
_EDUCATION_OF_LEVEL = {
    SchoolStatus.PRIMARY: Education.PRIMARY,
    SchoolStatus.JUNIOR: Education.JUNIOR,
    SchoolStatus.SENIOR: Education.SENIOR,
    SchoolStatus.VOCATIONAL: Education.VOCATIONAL,
    SchoolStatus.COLLEGE: Education.COLLEGE,
    SchoolStatus.UNIVERSITY: Education.COLLEGE,
}
# School levels that make a household 因学 (a kindergarten child does not).
SCHOOL_LEVELS = frozenset(STUDENT_STATUSES - {SchoolStatus.PRESCHOOL})
SICK = (Health.CHRONIC, Health.SERIOUS)
NO_WAGE = Decimal("0.00")
WORKING = (LabourCapacity.ORDINARY, LabourCapacity.SKILLED, LabourCapacity.WEAK)


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_in(member, year: int) -> int:
    """Age at the end of `year`."""
    return year - member.birth_date.year


def present(member, year: int) -> bool:
    """Born by the end of the year and not left before it ended (a year's data is its year-end state)."""
    return member.birth_date.year <= year and (member.left_on is None or member.left_on.year > year)


def is_student(member_year) -> bool:
    """在校生: any 在校生状况 but 非在校生 (a MemberYear, or a dict of its values)."""
    status = member_year["school_status"] if isinstance(member_year, dict) else member_year.school_status
    return status in STUDENT_STATUSES


def school_status(member, age: int) -> str:
    if age < SCHOOL_AGE:
        return SchoolStatus.PRESCHOOL if age >= KINDERGARTEN_AGE and member.kindergarten else SchoolStatus.NOT_STUDENT
    if age < LABOUR_AGE or (member.leave_age is not None and age < member.leave_age):
        if age < len(_LEVEL_BY_AGE):
            level = _LEVEL_BY_AGE[age]
            return SchoolStatus.VOCATIONAL if level == SchoolStatus.SENIOR and member.vocational else level
        return SchoolStatus.UNIVERSITY if member.leave_age > 22 else SchoolStatus.COLLEGE
    return SchoolStatus.NOT_STUDENT


def education(member, age: int, school: str) -> str:
    if age < SCHOOL_AGE:
        return Education.PRESCHOOL
    if school != SchoolStatus.NOT_STUDENT:
        return _EDUCATION_OF_LEVEL[school]
    if member.leave_age is None:
        return member.adult_education
    if member.leave_age <= LABOUR_AGE:
        return Education.JUNIOR
    if member.leave_age <= 19:
        return Education.VOCATIONAL if member.vocational else Education.SENIOR
    return Education.COLLEGE


def labour(member, age: int, school: str, *, destitute: bool, lacks_skills: bool) -> str:
    u = member.u_labour
    if age < LABOUR_AGE or school != SchoolStatus.NOT_STUDENT or age >= NO_LABOUR_AGE:
        return LabourCapacity.NONE
    health = member.health
    if health == Health.DISABLED:
        grade = member.disability_grade
        capacity = LabourCapacity.LOST if grade in ("1", "2") or (grade == "3" and u < 0.5) else LabourCapacity.WEAK
    elif health == Health.SERIOUS:
        capacity = LabourCapacity.LOST if u < 0.7 else LabourCapacity.WEAK
    elif health == Health.CHRONIC:
        capacity = LabourCapacity.WEAK if u < 0.6 else LabourCapacity.ORDINARY
    elif age >= 60:
        capacity = LabourCapacity.WEAK if u < 0.55 else LabourCapacity.ORDINARY
    else:
        capacity = LabourCapacity.SKILLED if u < 0.12 and not lacks_skills else LabourCapacity.ORDINARY
    if destitute:  # 特困供养: nobody able to work
        return LabourCapacity.LOST
    return capacity


def member_year(member, year: int, *, destitute: bool, lacks_skills: bool) -> dict:
    """The member's MemberYear values for `year`; work (务工) is filled in by income.py."""
    age = age_in(member, year)
    school = school_status(member, age)
    capacity = labour(member, age, school, destitute=destitute, lacks_skills=lacks_skills)
    employee = member.employee_insurance
    return {
        "year": year,
        "education": education(member, age, school),
        "school_status": school,
        "dropout": False,  # by 2019 no child of compulsory age was out of school in the demo county
        "dropout_reason": "",
        "health": member.health,
        "disability_grade": member.disability_grade,
        "labour_capacity": capacity,
        "labour_skill": member.skill if capacity == LabourCapacity.SKILLED else "",
        "on_low_income_support": member.low_income,
        "on_destitute_support": destitute,
        "resident_medical_insurance": not employee,
        "employee_medical_insurance": employee,
        "critical_illness_insurance": not employee,
        "resident_pension_insurance": (member.pension and not employee and age >= LABOUR_AGE
                                       and school == SchoolStatus.NOT_STUDENT),
        "migrant_worker": False,
        "work_months": 0,
        "work_place": "",
        "work_monthly_income": NO_WAGE,
        "note": "",
    }

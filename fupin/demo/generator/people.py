"""Households' members: family composition, and what does not change from year to year.

Consistency built in (the cross-checks of DOMAIN.md must find nothing here): head and spouse of
opposite sex; 之子/之孙子/之父/之女婿 male, 之女/之孙女/之母/之儿媳 female; children born when their
parents were ≥ 18; 因病 ⇒ a member 长期慢性病 or 患有大病, 因残 ⇒ a member 残疾 (with a grade and a
残疾人证号), 因学 ⇒ a member in school — each in every year of the household's data, so the member
who bears the cause is one present in all of them and never leaves; 低保 ⇒ the head (at least) on
低保; 特困 ⇒ everybody on 特困供养.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from fupin.registry.choices import (
    Education,
    Gender,
    Health,
    HouseholdAttribute,
    IdType,
    MemberExit,
    PovertyCause,
    Relation,
)

from .calibration import (
    DECEASE_RATE,
    DISABILITY_CATEGORY_SHARES,
    DISABILITY_GRADE_SHARES,
    EMPLOYEE_INSURANCE_SHARE,
    ETHNICITY_SHARES,
    HEALTH_BY_AGE,
    KINDERGARTEN_SHARE,
    LABOUR_AGE,
    LEAVE_SCHOOL_AGE_SHARES,
    LOW_INCOME_ALL_MEMBERS,
    MAIN_CAUSE_SHARES,
    MARRY_OUT_RATE,
    MEMBER_PHONE_SHARE,
    NATURAL_DECREASE_AGE,
    OTHER_CAUSE_COUNT_SHARES,
    PENSION_INSURANCE_SHARE,
    SCHOOL_AGE,
    SKILLS,
    SOFT_CAUSES,
    STUDENT_MAX_AGE,
    VOCATIONAL_TRACK_SHARE,
    WORK_PLACE_SHARES,
)
from .identity import Identities, disability_cert_no, other_gender, random_gender
from .planning import pick
from .yearly import SCHOOL_LEVELS, SICK, age_in, present, school_status

SAME_SURNAME = frozenset({Relation.HEAD, Relation.SON, Relation.DAUGHTER, Relation.GRANDSON, Relation.GRANDDAUGHTER,
                          Relation.FATHER, Relation.SIBLING})
ELDERLY_RELATIONS = frozenset({Relation.FATHER, Relation.MOTHER, Relation.SPOUSE, Relation.SIBLING})


@dataclass
class Person:
    relation: str
    gender: str
    age: int
    student: bool = False


@dataclass
class HouseholdPlan:
    size: int
    cause: str
    attribute: str
    status: str
    registered_year: int
    helper_id: int
    years: tuple[int, ...]  # the data years of this household (from its registration on)
    ceased_on: date | None = None  # 自然减少: the day its (only) member died


class MemberRow:
    """A member being generated: its Member fields (by attname) and its traits for the yearly data."""

    __slots__ = ("id", "household_id", "name", "id_type", "id_number", "gender", "birth_date", "relation",
                 "ethnicity", "phone", "disability_cert_no", "left_on", "left_reason",
                 # traits: age on the reference day, health, schooling, labour and work draws, support
                 "age", "health", "disability_grade", "leave_age", "vocational", "kindergarten", "adult_education",
                 "u_labour", "skill", "u_work", "work_place", "employee_insurance", "pension", "low_income",
                 "student")

    def __init__(self, **values):
        self.id = self.household_id = self.left_on = self.leave_age = None
        self.id_number = self.phone = self.disability_cert_no = self.left_reason = self.disability_grade = ""
        self.low_income = self.employee_insurance = self.student = False
        for k, v in values.items():
            setattr(self, k, v)


class Families:
    """Draws the members of a household from the plan; ages are counted on `ids.reference`."""

    def __init__(self, rng: random.Random, ids: Identities):
        self.rng = rng
        self.ids = ids

    # --- composition ---------------------------------------------------------------------------
    def head_age(self, plan: HouseholdPlan) -> int:
        rng = self.rng
        if plan.ceased_on is not None:  # 自然减少: an elderly person living alone, who died
            return rng.randint(*NATURAL_DECREASE_AGE)
        if plan.attribute == HouseholdAttribute.DESTITUTE:
            if plan.size > 1 or rng.random() < 0.8:
                return rng.randint(62, 90)
            return rng.randint(35, 59)  # alone and disabled
        if plan.cause == PovertyCause.LACK_LABOUR:
            return rng.randint(62, 88)
        if plan.cause == PovertyCause.SCHOOLING:
            return rng.randint(38, 56)
        if plan.size == 1:
            return rng.randint(30, 59) if rng.random() < 0.45 else rng.randint(60, 88)
        band = rng.choices(((25, 39), (40, 59), (60, 84)), weights=(0.15, 0.45, 0.40))[0]
        return rng.randint(*band)

    def family(self, plan: HouseholdPlan) -> list[Person]:
        rng, n = self.rng, plan.size
        head_age = self.head_age(plan)
        spouse = n >= 2 and rng.random() < (0.6 if head_age >= 70 else 0.82)
        if plan.attribute == HouseholdAttribute.DESTITUTE:
            spouse = n == 2  # an elderly couple, or one person
        elif plan.cause == PovertyCause.SCHOOLING:
            spouse = n >= 3 and rng.random() < 0.85  # a size-2 household is a parent and the student
        head_gender = Gender.MALE if rng.random() < (0.95 if spouse else 0.7) else Gender.FEMALE
        people = [Person(Relation.HEAD, head_gender, head_age)]
        if spouse:
            gap = rng.randint(-2, 6)
            spouse_age = max(20, head_age - gap if head_gender == Gender.MALE else head_age + gap)
            people.append(Person(Relation.SPOUSE, other_gender(head_gender), spouse_age))
        parent_age = min(p.age for p in people)  # the younger of head and spouse
        left = n - len(people)
        if left >= 3 and parent_age >= 50 and rng.random() < 0.7 and plan.cause != PovertyCause.SCHOOLING:
            people += self.married_child_with_children(parent_age, left)
        else:
            reserve = 1 if parent_age < 50 and left >= 2 and rng.random() < 0.3 else 0
            people += self.children(parent_age, left - reserve, need_student=plan.cause == PovertyCause.SCHOOLING,
                                    son=Relation.SON, daughter=Relation.DAUGHTER)
        while len(people) < n:  # parents of the head (mothers outlive fathers), then siblings
            has = {p.relation for p in people}
            parents = [r for r in (Relation.MOTHER, Relation.MOTHER, Relation.FATHER) if r not in has]
            if head_age <= 65 and parents:
                if rng.choice(parents) == Relation.MOTHER:
                    people.append(Person(Relation.MOTHER, Gender.FEMALE, min(95, head_age + rng.randint(20, 30))))
                else:
                    people.append(Person(Relation.FATHER, Gender.MALE, min(95, head_age + rng.randint(22, 32))))
            else:
                people.append(Person(Relation.SIBLING, random_gender(rng),
                                     max(LABOUR_AGE, head_age + rng.randint(-8, 8))))
        return people

    def children(self, parent_age: int, count: int, *, need_student: bool, son: str, daughter: str) -> list[Person]:
        rng = self.rng
        kids: list[Person] = []
        age = parent_age - rng.randint(20, 32)
        if need_student:
            age = min(parent_age - 20, rng.randint(15, 21))
        for i in range(count):
            if age < 0:
                break
            gender = random_gender(rng)
            kids.append(Person(son if gender == Gender.MALE else daughter, gender, age,
                               student=need_student and i == 0))
            age -= rng.randint(1, 5)
        return kids

    def married_child_with_children(self, parent_age: int, slots: int) -> list[Person]:
        rng = self.rng
        child_age = max(20, parent_age - rng.randint(22, 30))
        if rng.random() < 0.75:  # a son and his wife, or a daughter and a 上门女婿
            child = Person(Relation.SON, Gender.MALE, child_age)
            inlaw = Person(Relation.DAUGHTER_IN_LAW, Gender.FEMALE, max(20, child_age - rng.randint(-2, 5)))
        else:
            child = Person(Relation.DAUGHTER, Gender.FEMALE, child_age)
            inlaw = Person(Relation.SON_IN_LAW, Gender.MALE, max(20, child_age + rng.randint(-2, 5)))
        young = min(child.age, inlaw.age)
        grand = self.children(young, slots - 2, need_student=False, son=Relation.GRANDSON,
                              daughter=Relation.GRANDDAUGHTER)
        return [child, inlaw, *grand]

    # --- traits of a person ---------------------------------------------------------------------
    def adult_education(self, birth_year: int) -> str:
        if birth_year < 1960:
            weights = (40, 45, 13, 2, 0, 0)
        elif birth_year < 1980:
            weights = (10, 40, 40, 8, 2, 0)
        else:
            weights = (0, 15, 55, 15, 8, 7)
        return self.rng.choices((Education.ILLITERATE, Education.PRIMARY, Education.JUNIOR, Education.SENIOR,
                                 Education.VOCATIONAL, Education.COLLEGE), weights=weights)[0]

    def health(self, age: int) -> str:
        r = self.rng.random()
        chronic, serious, disabled = next(shares for limit, shares in HEALTH_BY_AGE if age < limit)
        if r < chronic:
            return Health.CHRONIC
        if r < chronic + serious:
            return Health.SERIOUS
        if r < chronic + serious + disabled:
            return Health.DISABLED
        return Health.HEALTHY

    def schooling(self, m: MemberRow, first_year: int, last_year: int) -> None:
        """When a young member leaves school; the designated student (因学) is in school throughout."""
        rng = self.rng
        m.kindergarten = rng.random() < KINDERGARTEN_SHARE
        m.vocational = rng.random() < VOCATIONAL_TRACK_SHARE
        if age_in(m, first_year) > STUDENT_MAX_AGE:
            m.adult_education = self.adult_education(m.birth_date.year)
            return
        m.adult_education = Education.PRESCHOOL
        shares = LEAVE_SCHOOL_AGE_SHARES
        if m.student:  # still in school at the end of the last year
            shares = {a: s for a, s in shares.items() if a > age_in(m, last_year)} or {STUDENT_MAX_AGE + 1: 1}
        m.leave_age = pick(rng, shares)

    # --- members of a household -------------------------------------------------------------------
    def members(self, plan: HouseholdPlan) -> tuple[list[MemberRow], str]:
        rng, ids = self.rng, self.ids
        first, last = plan.years[0], plan.years[-1]
        family_name = ids.surname()
        members = []
        for p in self.family(plan):
            birth = ids.birth_date(p.age)
            # The head's blood relatives carry the family name (children of a 上门女婿 too, as is
            # customary in the region); spouses and in-laws their own.
            surname = family_name if p.relation in SAME_SURNAME else ids.surname()
            m = MemberRow(name=surname + ids.given_name(p.gender, birth.year), id_type=IdType.RESIDENT_ID,
                          gender=p.gender, birth_date=birth, relation=p.relation,
                          ethnicity=pick(rng, ETHNICITY_SHARES), age=p.age, student=p.student,
                          health=self.health(p.age) if p.age >= SCHOOL_AGE else Health.HEALTHY)
            self.schooling(m, first, last)
            members.append(m)
        self.enforce_cause(plan, members)
        destitute = plan.attribute == HouseholdAttribute.DESTITUTE
        for m in members:
            m.id_number = ids.id_number(m.birth_date, m.gender)
            if m.health == Health.DISABLED:
                m.disability_grade = "1" if destitute and m.age < 60 else pick(rng, DISABILITY_GRADE_SHARES)
                m.disability_cert_no = disability_cert_no(m.id_number, pick(rng, DISABILITY_CATEGORY_SHARES),
                                                          m.disability_grade)
            m.u_labour, m.u_work = rng.random(), rng.random()
            m.skill = pick(rng, SKILLS)
            m.work_place = pick(rng, WORK_PLACE_SHARES)
            m.pension = rng.random() < PENSION_INSURANCE_SHARE
        if plan.attribute == HouseholdAttribute.LOW_INCOME:
            covered = members if rng.random() < LOW_INCOME_ALL_MEMBERS else [members[0], *rng.sample(
                members[1:], rng.randint(0, len(members) - 1))]
            for m in covered:
                m.low_income = True
        household_phone = ids.phone()
        for m in members:
            if m.relation == Relation.HEAD:
                m.phone = household_phone
            elif 18 <= m.age <= 70 and rng.random() < MEMBER_PHONE_SHARE:
                m.phone = ids.phone()
            if LABOUR_AGE <= m.age < 60 and rng.random() < EMPLOYEE_INSURANCE_SHARE:
                m.employee_insurance = True
        self.leavers(plan, members)
        if plan.ceased_on is not None:  # the household ceased: its last member died that day
            for m in members:
                if m.left_on is None:
                    m.left_on, m.left_reason = plan.ceased_on, MemberExit.DECEASED
        return members, household_phone

    def enforce_cause(self, plan: HouseholdPlan, members: list[MemberRow]) -> None:
        rng = self.rng
        first = plan.years[0]
        always = [m for m in members if present(m, first)]  # heads and adults are always there
        adults = [m for m in always if m.age >= LABOUR_AGE] or always
        if plan.cause == PovertyCause.ILLNESS and not any(m.health in SICK for m in always):
            rng.choice(adults).health = Health.SERIOUS if rng.random() < 0.4 else Health.CHRONIC
        elif plan.cause == PovertyCause.DISABILITY and not any(m.health == Health.DISABLED for m in always):
            young = [m for m in always if age_in(m, first) >= SCHOOL_AGE]
            rng.choice(young if young and rng.random() < 0.1 else adults).health = Health.DISABLED
        if plan.attribute == HouseholdAttribute.DESTITUTE:
            head = members[0]
            if head.age < 60 and head.health == Health.HEALTHY:
                head.health = Health.DISABLED

    def leavers(self, plan: HouseholdPlan, members: list[MemberRow]) -> None:
        """A few members leave during the years: elderly relatives die, daughters marry out. Never
        the head, nor the only member bearing the household's main cause."""
        rng = self.rng
        if len(plan.years) < 2:
            return
        first = plan.years[0]
        for m in members[1:]:
            if m.age >= 75 and m.relation in ELDERLY_RELATIONS:
                rate, reason = DECEASE_RATE, MemberExit.DECEASED
            elif (m.relation in (Relation.DAUGHTER, Relation.GRANDDAUGHTER) and 20 <= m.age <= 32
                  and school_status(m, age_in(m, first)) not in SCHOOL_LEVELS):
                rate, reason = MARRY_OUT_RATE, MemberExit.MARRIED_OUT
            else:
                continue
            year = next((y for y in plan.years[1:] if rng.random() < rate), None)
            if year is None or not self._may_leave(plan, members, m):
                continue
            m.left_on = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            m.left_reason = reason

    @staticmethod
    def _may_leave(plan: HouseholdPlan, members: list[MemberRow], leaver: MemberRow) -> bool:
        first = plan.years[0]
        others = [m for m in members if m is not leaver and m.left_on is None and present(m, first)]
        if plan.cause == PovertyCause.ILLNESS:
            return any(m.health in SICK for m in others)
        if plan.cause == PovertyCause.DISABILITY:
            return any(m.health == Health.DISABLED for m in others)
        return True

    def other_causes(self, plan: HouseholdPlan, members: list[MemberRow]) -> list[str]:
        """Up to two other causes, each borne out by the data of every year of the household."""
        rng = self.rng
        count = pick(rng, OTHER_CAUSE_COUNT_SHARES)
        if not count:
            return []
        years = plan.years
        always = [m for m in members if all(present(m, y) for y in years)]
        candidates = [c for c in SOFT_CAUSES if c != plan.cause]
        if any(m.health in SICK for m in always):
            candidates.append(PovertyCause.ILLNESS)
        if any(m.health == Health.DISABLED for m in always):
            candidates.append(PovertyCause.DISABILITY)
        if all(any(present(m, y) and school_status(m, age_in(m, y)) in SCHOOL_LEVELS for m in members)
               for y in years):
            candidates.append(PovertyCause.SCHOOLING)
        candidates = [c for c in candidates if c != plan.cause]
        chosen: list[str] = []
        while len(chosen) < count and candidates:
            c = rng.choices(candidates, weights=[MAIN_CAUSE_SHARES[c] for c in candidates])[0]
            candidates.remove(c)
            chosen.append(str(c.value))
        return chosen

"""A chunk's members, as arrays: family composition and each member's lasting traits.

The demo's rules (fupin.demo.generator.people), drawn for all households at once: head and spouse
of opposite sex, children born when their parents were ≥ 20, a married child with in-law and
grandchildren in older households, parents or siblings of the head to fill the household; 因病 ⇒ a
member 长期慢性病 or 患有大病, 因残 ⇒ a member 残疾 (grade, 残疾人证号), 因学 ⇒ a child in school
in every year, 低保 ⇒ the head (at least) on 低保, 特困 ⇒ everybody 特困供养. The member bearing the
main cause is one present in every data year, and a member with the cause's condition never
leaves. Leavers: elderly relatives die, daughters marry out (heads never leave).

Members are ordered household by household (head first), the order they are written in.
"""

from __future__ import annotations

import numpy as np

from fupin.demo.generator.calibration import (
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
    MARRY_OUT_RATE,
    MEMBER_PHONE_SHARE,
    NATURAL_DECREASE_AGE,
    PENSION_INSURANCE_SHARE,
    SCHOOL_AGE,
    SKILLS,
    STUDENT_MAX_AGE,
    VOCATIONAL_TRACK_SHARE,
    WORK_PLACES,
)
from fupin.registry.choices import Education, MemberExit, Relation

from . import registry_contacts as contacts
from .registry_plan import DESTITUTE, DISABILITY, ILLNESS, LACK_LABOUR, LOW_INCOME, MAX_SIZE, SCHOOLING, Plan
from .registry_timeline import Timeline
from .registry_years import CHRONIC, DISABLED, HEALTHY, SCHOOL_LEVEL_CODES, SERIOUS, school_status

RELATIONS = tuple(Relation)
R = {r: i for i, r in enumerate(RELATIONS)}
EDUCATIONS = tuple(Education)
E = {e: i for i, e in enumerate(EDUCATIONS)}
EXITS = ("", MemberExit.DECEASED, MemberExit.MARRIED_OUT)
SAME_SURNAME = [R[r] for r in (Relation.HEAD, Relation.SON, Relation.DAUGHTER, Relation.GRANDSON,
                                Relation.GRANDDAUGHTER, Relation.FATHER, Relation.SIBLING)]
ELDERLY = [R[r] for r in (Relation.FATHER, Relation.MOTHER, Relation.SPOUSE, Relation.SIBLING)]
ETHNICITIES = np.array(list(ETHNICITY_SHARES), dtype=object)
SKILL_CODES = tuple(SKILLS)
PLACE_SHARES = np.array([share for _place, share, _wages in WORK_PLACES])
LEAVE_AGES = np.array(list(LEAVE_SCHOOL_AGE_SHARES))
LEAVE_SHARES = np.array(list(LEAVE_SCHOOL_AGE_SHARES.values()))
# Education of adults by birth cohort (before 1960, before 1980, later) [demo], as the demo draws it.
ADULT_EDUCATION = (Education.ILLITERATE, Education.PRIMARY, Education.JUNIOR, Education.SENIOR,
                   Education.VOCATIONAL, Education.COLLEGE)
ADULT_EDUCATION_WEIGHTS = ((40, 45, 13, 2, 0, 0), (10, 40, 40, 8, 2, 0), (0, 15, 55, 15, 8, 7))


def _p(shares) -> np.ndarray:
    p = np.array(list(shares.values()), dtype=float)
    return p / p.sum()


class Family:
    """Slots (household × MAX_SIZE) filled member by member, as fupin.demo.generator.people.Families."""

    def __init__(self, rng, n: int):
        self.rng, self.n = rng, n
        self.relation = np.full((n, MAX_SIZE), -1, dtype=np.int64)
        self.male = np.zeros((n, MAX_SIZE), dtype=bool)
        self.age = np.zeros((n, MAX_SIZE), dtype=np.int64)
        self.student = np.zeros((n, MAX_SIZE), dtype=bool)
        self.count = np.zeros(n, dtype=np.int64)

    def randint(self, low, high):
        return self.rng.integers(low, np.asarray(high) + 1, self.n)

    def add(self, mask, relation, male, age, student=False) -> None:
        rows = np.flatnonzero(mask)
        j = self.count[rows]
        for target, value in ((self.relation, relation), (self.male, male), (self.age, age), (self.student, student)):
            target[rows, j] = value[rows] if np.ndim(value) else value
        self.count[rows] += 1

    def children(self, mask, parent_age, count, need_student, son, daughter) -> None:
        age = parent_age - self.randint(20, 32)
        age = np.where(need_student, np.minimum(parent_age - 20, self.randint(15, 21)), age)
        active = mask & (count > 0)
        for i in range(MAX_SIZE):
            active &= (i < count) & (age >= 0)
            if not active.any():
                break
            male = self.rng.random(self.n) < 0.52
            self.add(active, np.where(male, son, daughter), male, age, need_student & (i == 0))
            age = age - self.randint(1, 5)


def compose(rng, plan: Plan, timeline: Timeline, last_year: int) -> Family:
    n, size, cause, attribute = plan.n, plan.size, plan.cause, plan.attribute
    f = Family(rng, n)
    band = rng.choice(3, n, p=(0.15, 0.45, 0.40))
    age = rng.integers(np.array([25, 40, 60])[band], np.array([39, 59, 84])[band] + 1)
    age = np.where(size == 1, np.where(rng.random(n) < 0.45, f.randint(30, 59), f.randint(60, 88)), age)
    age = np.where(cause == SCHOOLING, f.randint(38, 56), age)
    age = np.where(cause == LACK_LABOUR, f.randint(62, 88), age)
    destitute = attribute == DESTITUTE
    age = np.where(destitute, np.where((size > 1) | (rng.random(n) < 0.8), f.randint(62, 90), f.randint(35, 59)), age)
    # 自然减少: an elderly person living alone, who died in the cease year at this age.
    ceased = timeline.ceased_year > 0
    age = np.where(ceased, f.randint(*NATURAL_DECREASE_AGE) + (last_year - timeline.ceased_year), age)
    head_age = age
    r = rng.random(n)
    spouse = (size >= 2) & (r < np.where(head_age >= 70, 0.6, 0.82))
    spouse = np.where(destitute, size == 2, spouse)
    spouse = np.where(cause == SCHOOLING, (size >= 3) & (r < 0.85), spouse)
    head_male = rng.random(n) < np.where(spouse, 0.95, 0.7)
    f.add(np.ones(n, dtype=bool), R[Relation.HEAD], head_male, head_age)
    gap = f.randint(-2, 6)
    spouse_age = np.maximum(20, np.where(head_male, head_age - gap, head_age + gap))
    f.add(spouse, R[Relation.SPOUSE], ~head_male, spouse_age)
    parent_age = np.where(spouse, np.minimum(head_age, spouse_age), head_age)
    left = size - f.count
    married_child = (left >= 3) & (parent_age >= 50) & (rng.random(n) < 0.7) & (cause != SCHOOLING)
    # A son and his wife, or a daughter and a 上门女婿, with their children.
    child_age = np.maximum(20, parent_age - f.randint(22, 30))
    son_line = rng.random(n) < 0.75
    inlaw_age = np.maximum(20, np.where(son_line, child_age - f.randint(-2, 5), child_age + f.randint(-2, 5)))
    f.add(married_child, np.where(son_line, R[Relation.SON], R[Relation.DAUGHTER]), son_line, child_age)
    f.add(married_child, np.where(son_line, R[Relation.DAUGHTER_IN_LAW], R[Relation.SON_IN_LAW]), ~son_line,
          inlaw_age)
    f.children(married_child, np.minimum(child_age, inlaw_age), left - 2, np.zeros(n, dtype=bool),
               R[Relation.GRANDSON], R[Relation.GRANDDAUGHTER])
    own = ~married_child
    reserve = (parent_age < 50) & (left >= 2) & (rng.random(n) < 0.3)
    f.children(own, parent_age, left - reserve, cause == SCHOOLING, R[Relation.SON], R[Relation.DAUGHTER])
    for _ in range(MAX_SIZE):  # parents of the head (mothers outlive fathers), then siblings
        need = f.count < size
        if not need.any():
            break
        has_mother = (f.relation == R[Relation.MOTHER]).any(1)
        has_father = (f.relation == R[Relation.FATHER]).any(1)
        parent = need & (head_age <= 65) & ~(has_mother & has_father)
        mother = np.where(has_father, True, np.where(has_mother, False, rng.random(n) < 2 / 3))
        f.add(parent & mother, R[Relation.MOTHER], False, np.minimum(95, head_age + f.randint(20, 30)))
        f.add(parent & ~mother, R[Relation.FATHER], True, np.minimum(95, head_age + f.randint(22, 32)))
        sibling_male = rng.random(n) < 0.52
        f.add(need & ~parent, R[Relation.SIBLING], sibling_male, np.maximum(LABOUR_AGE, head_age + f.randint(-8, 8)))
    return f


def _segment_max(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return np.maximum.reduceat(values, starts)


class Members:
    """The chunk's members (arrays, household by household) and their lasting traits."""

    def __init__(self, rng, plan: Plan, timeline: Timeline, *, data_years: tuple[int, ...], ids):
        last = data_years[-1]
        f = compose(rng, plan, timeline, last)
        filled = np.arange(MAX_SIZE)[None, :] < f.count[:, None]
        self.household, _slot = np.nonzero(filled)
        hh = self.household
        self.starts = np.flatnonzero(np.r_[True, hh[1:] != hh[:-1]])  # every household has a head
        m = self.n = len(hh)
        self.relation, self.male, self.age, self.student = (a[filled] for a in (f.relation, f.male, f.age, f.student))
        self.is_head = self.relation == R[Relation.HEAD]
        age = self.age
        self.birth_year = last - age
        year_start = ((self.birth_year - 1970) * 12).astype("datetime64[M]").astype("datetime64[D]")
        days = (((self.birth_year + 1 - 1970) * 12).astype("datetime64[M]").astype("datetime64[D]") - year_start)
        birth = year_start + (rng.random(m) * days.astype(np.int64)).astype(np.int64)
        first = np.maximum(plan.registered, data_years[0])[hh]  # the household's first data year
        self.first_year = first
        age_first = age - (last - first)
        present_first = age_first >= 0
        # Health by age band, then the main cause's condition on a member present throughout.
        u = rng.random(m)
        health = np.full(m, HEALTHY)
        for limit, (chronic, serious, disabled) in reversed(HEALTH_BY_AGE):
            band = age < limit
            health = np.where(band, np.select([u < chronic, u < chronic + serious, u < chronic + serious + disabled],
                                              [CHRONIC, SERIOUS, DISABLED], HEALTHY), health)
        health = np.where(age >= SCHOOL_AGE, health, HEALTHY)
        cause = plan.cause[hh]
        adult = present_first & (age >= LABOUR_AGE)
        adults = np.where(np.repeat(_segment_max(adult.astype(np.int64), self.starts), np.diff(np.r_[self.starts, m])) > 0,
                          adult, present_first)
        sick = present_first & np.isin(health, [CHRONIC, SERIOUS])
        need = (cause == ILLNESS) & ~self._any(sick)
        chosen = self._pick(rng, adults & need)
        health = np.where(chosen, np.where(rng.random(m) < 0.4, SERIOUS, CHRONIC), health)
        disabled = present_first & (health == DISABLED)
        need = (cause == DISABILITY) & ~self._any(disabled)
        young = present_first & (age_first >= SCHOOL_AGE)
        use_young = self._any(young) & (np.repeat(rng.random(plan.n), np.diff(np.r_[self.starts, m])) < 0.1)
        chosen = self._pick(rng, need & np.where(use_young, young, adults))
        health = np.where(chosen, DISABLED, health)
        destitute = plan.attribute[hh] == DESTITUTE
        health = np.where(destitute & self.is_head & (age < 60) & (health == HEALTHY), DISABLED, health)
        self.health = health
        # Schooling: when a young member leaves school; the 因学 student stays to the last year.
        self.kindergarten = rng.random(m) < KINDERGARTEN_SHARE
        self.vocational = rng.random(m) < VOCATIONAL_TRACK_SHARE
        cohort = np.where(self.birth_year < 1960, 0, np.where(self.birth_year < 1980, 1, 2))
        weights = np.array(ADULT_EDUCATION_WEIGHTS, dtype=float)[cohort]
        pick = (rng.random(m)[:, None] * weights.sum(1)[:, None] > np.cumsum(weights, 1)).sum(1)
        self.adult_education = np.array([E[e] for e in ADULT_EDUCATION])[pick]
        allowed = np.where(self.student[:, None], LEAVE_AGES[None, :] > age[:, None], True) * LEAVE_SHARES
        allowed[allowed.sum(1) == 0, -1] = 1.0
        cum = np.cumsum(allowed, 1)
        drawn = rng.random(m) * cum[:, -1]
        leave = LEAVE_AGES[np.minimum((drawn[:, None] >= cum).sum(1), len(LEAVE_AGES) - 1)]
        self.leave_age = np.where(age_first > STUDENT_MAX_AGE, 0, leave)
        # Lasting draws read by the yearly data.
        grade_p, category_p = _p(DISABILITY_GRADE_SHARES), _p(DISABILITY_CATEGORY_SHARES)
        grade = rng.choice(4, m, p=grade_p) + 1
        self.disability_grade = np.where(health == DISABLED, np.where(destitute & (age < 60), 1, grade), 0)
        category = rng.choice(len(category_p), m, p=category_p) + 1
        self.u_labour, self.u_work = rng.random(m), rng.random(m)
        self.skill = rng.choice(len(SKILL_CODES), m, p=_p(SKILLS))
        self.work_place = rng.choice(len(PLACE_SHARES), m, p=PLACE_SHARES / PLACE_SHARES.sum())
        self.pension = rng.random(m) < PENSION_INSURANCE_SHARE
        self.employee_insurance = (age >= LABOUR_AGE) & (age < 60) & (rng.random(m) < EMPLOYEE_INSURANCE_SHARE)
        low_income = plan.attribute[hh] == LOW_INCOME
        all_covered = np.repeat(rng.random(plan.n) < LOW_INCOME_ALL_MEMBERS, np.diff(np.r_[self.starts, m]))
        self.low_income = low_income & (self.is_head | all_covered | self._random_subset(rng))
        self._leavers(rng, plan, timeline, data_years)
        self._identity(rng, plan, ids, birth, category)
        self.ethnicity = ETHNICITIES[rng.choice(len(ETHNICITIES), m, p=_p(ETHNICITY_SHARES))]

    def per_household(self, values: np.ndarray) -> np.ndarray:
        """Spread one value per household over its members."""
        return np.repeat(values, np.diff(np.r_[self.starts, self.n]))

    def _any(self, flags: np.ndarray) -> np.ndarray:
        """Whether any member of each member's household has the flag (per member)."""
        return self.per_household(_segment_max(flags.astype(np.int64), self.starts) > 0) if self.n else flags

    def _pick(self, rng, eligible: np.ndarray) -> np.ndarray:
        """One eligible member (at random) of each household that has one."""
        score = np.where(eligible, rng.random(self.n), -1.0)
        best = self.per_household(_segment_max(score, self.starts))
        return eligible & (score == best)

    def _random_subset(self, rng) -> np.ndarray:
        """Besides the head, k of the other members, k uniform in 0 … others (the demo's 低保 cover)."""
        sizes = np.diff(np.r_[self.starts, self.n])
        k = self.per_household((rng.random(len(sizes)) * sizes).astype(np.int64))
        key = np.where(self.is_head, -1.0, rng.random(self.n))
        order = np.lexsort((key, self.household))
        rank = np.empty(self.n, dtype=np.int64)
        rank[order] = np.arange(self.n) - self.per_household(self.starts)
        return ~self.is_head & (rank <= k)

    def _leavers(self, rng, plan: Plan, timeline: Timeline, data_years: tuple[int, ...]) -> None:
        m, hh = self.n, self.household
        cause = plan.cause[hh]
        bears_cause = (((cause == ILLNESS) & np.isin(self.health, [CHRONIC, SERIOUS]))
                       | ((cause == DISABILITY) & (self.health == DISABLED)))
        age_first = self.age - (data_years[-1] - self.first_year)
        in_school = np.isin(school_status(age_first, self.kindergarten, self.vocational, self.leave_age),
                            SCHOOL_LEVEL_CODES)
        elderly = ~self.is_head & (self.age >= 75) & np.isin(self.relation, ELDERLY)
        marrying = (np.isin(self.relation, [R[Relation.DAUGHTER], R[Relation.GRANDDAUGHTER]])
                    & (self.age >= 20) & (self.age <= 32) & ~in_school)
        candidate = (elderly | marrying) & ~bears_cause & (timeline.ceased_year[hh] == 0)
        rate = np.where(elderly, DECEASE_RATE, MARRY_OUT_RATE)
        self.left_year = np.zeros(m, dtype=np.int64)
        last_data = np.where(timeline.ceased_year > 0, timeline.ceased_year - 1, data_years[-1])[hh]
        for year in data_years:
            hit = candidate & (self.left_year == 0) & (year > self.first_year) & (year <= last_data)
            self.left_year = np.where(hit & (rng.random(m) < rate), year, self.left_year)
        left_day = rng.integers(0, 365, m)
        left_on = np.where(self.left_year > 0,
                           ((self.left_year - 1970) * 12).astype("datetime64[M]").astype("datetime64[D]") + left_day,
                           np.datetime64("NaT"))
        self.left_reason = np.where(self.left_year > 0, np.where(elderly, 1, 2), 0)
        # 自然减少: the one member died on the day the household ceased.
        ceased = timeline.ceased_year[hh] > 0
        self.left_on = np.where(ceased, timeline.ceased_on[hh], left_on).astype("datetime64[D]")
        self.left_year = np.where(ceased, timeline.ceased_year[hh], self.left_year)
        self.left_reason = np.where(ceased, 1, self.left_reason)

    def _identity(self, rng, plan: Plan, ids, birth, category) -> None:
        m = self.n
        self.id_number, self.birth = ids.allocate(birth, self.male)
        family = contacts.surnames(rng, plan.n)
        own = contacts.surnames(rng, m)
        surname = np.where(np.isin(self.relation, SAME_SURNAME), self.per_household(family), own)
        self.name = (surname + contacts.given_names(rng, self.male, self.birth_year)).tolist()
        self.cert = [f"{i}{c}{g}" if g else "" for i, c, g in
                     zip(self.id_number, category.tolist(), self.disability_grade.tolist(), strict=True)]
        household_phone = contacts.phones(rng, plan.n)
        own_phone = contacts.phones(rng, m)
        has_phone = (self.age >= 18) & (self.age <= 70) & (rng.random(m) < MEMBER_PHONE_SHARE)
        heads = self.starts.tolist()
        phone = [p if h else "" for p, h in zip(own_phone, has_phone.tolist(), strict=True)]
        for k, i in enumerate(heads):
            phone[i] = household_phone[k]
        self.phone = phone
        self.household_phone = household_phone
        self.head_name = [self.name[i] for i in heads]

    def present(self, year: int) -> np.ndarray:
        """Born by the end of `year` and not left before it ended."""
        return (self.birth_year <= year) & ((self.left_year == 0) | (self.left_year > year))

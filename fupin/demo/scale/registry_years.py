"""A chunk's data of one year, as arrays: MemberYear (schooling, labour, insurance, work away) and
HouseholdYear (income, housing, living conditions, land) — the demo's rules (fupin.demo.generator
yearly, income, housing), vectorised.

Ages are ages at the end of the year. Income aims at a band around the year's poverty line that
depends on the household's status that year; where members work away, wages come first and the
household's income follows them; net income is the sum of the components, per-capita income
net ÷ members present at the year's end (half up to the fen, as fupin.registry.income.derive),
checked against the band. Money and areas are integers in fen / hundredths.
"""

from __future__ import annotations

import numpy as np

from fupin.demo.generator.calibration import (
    BELOW_LINE,
    BELOW_LINE_MIGRANT_FACTOR,
    BELOW_LINE_WAGE_SHARE,
    BUSINESS_COST_RATIO,
    INCOME_BANDS,
    INCOME_PERSISTENCE,
    INCOME_SPLIT,
    INCOME_SPLIT_NOISE,
    KINDERGARTEN_AGE,
    LABOUR_AGE,
    MAX_WAGE_SHARE,
    MIGRANT_SHARES,
    MIGRANT_WAGE_SHARE,
    MIN_MONTHLY_WAGE,
    NO_LABOUR_AGE,
    NO_PROPERTY_INCOME_SHARE,
    OUT_OF_POCKET,
    POLICY_SUBSIDY_RATIO,
    SCHOOL_AGE,
    WAGE_GROWTH,
    WORK_MONTHS,
    WORK_PLACES,
)
from fupin.registry.choices import Education, Health, LabourCapacity, SchoolStatus

from .registry_plan import ATTRIBUTES, DESTITUTE, GENERAL, LACK_SKILLS, LOW_INCOME, STATUSES

HEALTHS = (Health.HEALTHY, Health.CHRONIC, Health.SERIOUS, Health.DISABLED)
HEALTHY, CHRONIC, SERIOUS, DISABLED = range(4)
SCHOOLS = tuple(SchoolStatus)
NOT_STUDENT, PRESCHOOL, PRIMARY, JUNIOR, SENIOR, VOCATIONAL, COLLEGE, UNIVERSITY = (SCHOOLS.index(s) for s in (
    SchoolStatus.NOT_STUDENT, SchoolStatus.PRESCHOOL, SchoolStatus.PRIMARY, SchoolStatus.JUNIOR, SchoolStatus.SENIOR,
    SchoolStatus.VOCATIONAL, SchoolStatus.COLLEGE, SchoolStatus.UNIVERSITY))
SCHOOL_LEVEL_CODES = [PRIMARY, JUNIOR, SENIOR, VOCATIONAL, COLLEGE, UNIVERSITY]  # 在校 (not 学前)
EDUCATIONS = tuple(Education)
ED = {e: i for i, e in enumerate(EDUCATIONS)}
EDUCATION_OF_SCHOOL = np.array([ED[e] for e in (
    Education.PRESCHOOL, Education.PRESCHOOL, Education.PRIMARY, Education.JUNIOR, Education.SENIOR,
    Education.VOCATIONAL, Education.COLLEGE, Education.COLLEGE)])  # by SCHOOLS
LABOURS = tuple(LabourCapacity)
ORDINARY, SKILLED, WEAK, LOST, NONE = (LABOURS.index(c) for c in (
    LabourCapacity.ORDINARY, LabourCapacity.SKILLED, LabourCapacity.WEAK, LabourCapacity.LOST, LabourCapacity.NONE))
WORKING = [ORDINARY, SKILLED, WEAK]
# By status code (registry_plan.STATUSES): (lowest, median, highest, log-sd) of the line multiple.
_BAND = np.array([INCOME_BANDS.get(s, (1.0, 1.0, 1.0, 0.0)) for s in STATUSES])
_BELOW = np.array([s in BELOW_LINE for s in STATUSES])
_MAX_WAGE = np.array([MAX_WAGE_SHARE[a] for a in ATTRIBUTES])
_SPLIT = np.array([INCOME_SPLIT[k] for k in ("destitute", "low_income", "migrants", "general")])
_POCKET = np.array([OUT_OF_POCKET[k] for k in ("healthy", "chronic", "serious", "disabled")], dtype=float)
_WAGES = np.array([wages for _place, _share, wages in WORK_PLACES], dtype=float)


class CalibrationError(AssertionError):
    """A derived income fell outside its band: a bug in the generator, never in the data."""


def school_status(age, kindergarten, vocational, leave_age) -> np.ndarray:
    """在校生状况 by age at the year's end; leave_age 0 = an adult who left school long ago."""
    before = np.where((age >= KINDERGARTEN_AGE) & kindergarten, PRESCHOOL, NOT_STUDENT)
    in_school = (age < LABOUR_AGE) | ((leave_age > 0) & (age < leave_age))
    level = np.select([age <= 12, age <= 15, age <= 18], [PRIMARY, JUNIOR, np.where(vocational, VOCATIONAL, SENIOR)],
                      np.where(leave_age > 22, UNIVERSITY, COLLEGE))
    return np.where(age < SCHOOL_AGE, before, np.where(in_school, level, NOT_STUDENT))


def education(age, school, leave_age, vocational, adult_education) -> np.ndarray:
    left = np.select([leave_age == 0, leave_age <= LABOUR_AGE, leave_age <= 19],
                     [adult_education, ED[Education.JUNIOR],
                      np.where(vocational, ED[Education.VOCATIONAL], ED[Education.SENIOR])], ED[Education.COLLEGE])
    edu = np.where(school != NOT_STUDENT, EDUCATION_OF_SCHOOL[school], left)
    return np.where(age < SCHOOL_AGE, ED[Education.PRESCHOOL], edu)


def labour(age, school, health, grade, u, *, destitute, lacks_skills) -> np.ndarray:
    capacity = np.select(
        [health == DISABLED, health == SERIOUS, health == CHRONIC, age >= 60],
        [np.where((grade == 1) | (grade == 2) | ((grade == 3) & (u < 0.5)), LOST, WEAK),
         np.where(u < 0.7, LOST, WEAK), np.where(u < 0.6, WEAK, ORDINARY), np.where(u < 0.55, WEAK, ORDINARY)],
        np.where((u < 0.12) & ~lacks_skills, SKILLED, ORDINARY))
    capacity = np.where(destitute, LOST, capacity)
    return np.where((age < LABOUR_AGE) | (school != NOT_STUDENT) | (age >= NO_LABOUR_AGE), NONE, capacity)


def next_rank(rng, z: np.ndarray) -> np.ndarray:
    return INCOME_PERSISTENCE * z + np.sqrt(1 - INCOME_PERSISTENCE ** 2) * rng.standard_normal(len(z))


class YearData:
    """One year of a chunk: the rows of MemberYear and HouseholdYear (columns by attname)."""

    def __init__(self, rng, *, year: int, line: int, plan, timeline, members, housing, rank: np.ndarray):
        self.year = year
        households = np.flatnonzero(timeline.has_data(year))
        self.households = households
        data = np.zeros(plan.n, dtype=bool)
        data[households] = True
        m = members
        present = m.present(year) & data[m.household]
        rows = np.flatnonzero(present)
        self.members = rows
        hh = m.household[rows]
        age = year - m.birth_year[rows]
        destitute = plan.attribute[hh] == DESTITUTE
        lacks_skills = plan.cause[hh] == LACK_SKILLS
        school = school_status(age, m.kindergarten[rows], m.vocational[rows], m.leave_age[rows])
        health = m.health[rows]
        capacity = labour(age, school, health, m.disability_grade[rows], m.u_labour[rows],
                          destitute=destitute, lacks_skills=lacks_skills)
        employee = m.employee_insurance[rows]
        self.member_columns = {
            "year": year,
            "education": education(age, school, m.leave_age[rows], m.vocational[rows], m.adult_education[rows]),
            "school_status": school,
            "health": health,
            "disability_grade": m.disability_grade[rows],
            "labour_capacity": capacity,
            "labour_skill": np.where(capacity == SKILLED, m.skill[rows] + 1, 0),
            "on_low_income_support": m.low_income[rows],
            "on_destitute_support": destitute,
            "resident_medical_insurance": ~employee,
            "employee_medical_insurance": employee,
            "critical_illness_insurance": ~employee,
            "resident_pension_insurance": m.pension[rows] & ~employee & (age >= LABOUR_AGE) & (school == NOT_STUDENT),
        }
        status = timeline.status_in(year)
        self._income(rng, plan=plan, members=m, rows=rows, hh=hh, age=age, school=school, capacity=capacity,
                     health=health, status=status, line=line, rank=rank)
        self.household_columns.update(housing.year(year, households))
        self.household_columns["status"] = status[households]
        self.household_columns["year"] = year

    def _income(self, rng, *, plan, members, rows, hh, age, school, capacity, health, status, line, rank) -> None:
        n = plan.n
        households = self.households
        size = np.bincount(hh, minlength=n)
        st = status
        low, median, high, sigma = (_BAND[st, i] for i in range(4))
        multiple = np.clip(median * np.exp(sigma * rank), low, high)
        below = _BELOW[st]
        attribute = plan.attribute
        # Work away (务工): members able to work, of working age, not in school, by chance.
        below_m = below[hh]
        share = np.where(capacity == WEAK, MIGRANT_SHARES[2], np.where(age <= 50, MIGRANT_SHARES[0], MIGRANT_SHARES[1]))
        works = (np.isin(capacity, WORKING) & (school == NOT_STUDENT) & (age >= 16) & (age <= 59)
                 & (attribute[hh] != DESTITUTE)
                 & (members.u_work[rows] < share * np.where(below_m, BELOW_LINE_MIGRANT_FACTOR, 1.0)))
        jobs = np.flatnonzero(works)
        job_hh = hh[jobs]
        place = members.work_place[rows][jobs]
        w_low, w_high = _WAGES[place, 0], _WAGES[place, 1]
        w_high = np.where(below_m[jobs], (w_low + w_high) / 2, w_high)
        growth = (1 + WAGE_GROWTH) ** (self.year - 2019)
        monthly = np.round(rng.uniform(w_low, w_high) * growth, -1).astype(np.int64)
        months = np.where(below_m[jobs], rng.integers(WORK_MONTHS["below"][0], WORK_MONTHS["below"][1] + 1, len(jobs)),
                          rng.integers(WORK_MONTHS["above"][0], WORK_MONTHS["above"][1] + 1, len(jobs)))
        wages = np.bincount(job_hh, months * monthly, minlength=n).astype(np.int64)
        safe_size = np.maximum(size, 1)
        follow = (wages > 0) & (attribute == GENERAL) & ~below
        migrant_share = rng.uniform(*MIGRANT_WAGE_SHARE, n)
        multiple = np.where(follow, np.clip(wages / (migrant_share * line * safe_size), low, high), multiple)
        target = np.rint(multiple * line * size).astype(np.int64)
        max_share = np.where(below, np.minimum(_MAX_WAGE[attribute], BELOW_LINE_WAGE_SHARE), _MAX_WAGE[attribute])
        cap = np.floor(max_share * target).astype(np.int64)
        # Cut wages to the cap: fewer months first, then the monthly wage; below the minimum: dropped.
        over = wages > cap
        if over.any():
            cut = over[job_hh]
            factor = np.where(wages > 0, cap / np.maximum(wages, 1), 1.0)[job_hh]
            budget = months * monthly * factor
            new_months = np.maximum(1, np.minimum(months, np.rint(budget / monthly))).astype(np.int64)
            new_monthly = (budget / new_months // 10 * 10).astype(np.int64)
            months = np.where(cut, np.where(new_monthly < MIN_MONTHLY_WAGE, 0, new_months), months)
            monthly = np.where(cut, new_monthly, monthly)
            kept = months > 0
            jobs, job_hh, months, monthly, place = jobs[kept], job_hh[kept], months[kept], monthly[kept], place[kept]
            wages = np.bincount(job_hh, months * monthly, minlength=n).astype(np.int64)
        migrant = np.zeros(len(rows), dtype=bool)
        migrant[jobs] = True
        work_months = np.zeros(len(rows), dtype=np.int64)
        work_months[jobs] = months
        work_income = np.zeros(len(rows), dtype=np.int64)
        work_income[jobs] = monthly * 100
        work_place = np.full(len(rows), -1, dtype=np.int64)
        work_place[jobs] = place
        self.member_columns.update(migrant_worker=migrant, work_months=work_months,
                                   work_monthly_income=work_income, work_place=work_place)
        # The rest: local wages, business net, property, transfers.
        has_jobs = np.bincount(job_hh, minlength=n) > 0
        kind = np.where(attribute == DESTITUTE, 0, np.where(attribute == LOW_INCOME, 1, np.where(has_jobs, 2, 3)))
        weights = _SPLIT[kind] * rng.uniform(*INCOME_SPLIT_NOISE, (n, 4))
        working = np.bincount(hh, np.isin(capacity, WORKING), minlength=n) > 0
        weights[~working, 0] = 0.0
        weights[rng.random(n) < NO_PROPERTY_INCOME_SHARE, 2] = 0.0
        rest = target - wages
        parts = np.floor(rest[:, None] * weights[:, :3] / weights.sum(1)[:, None]).astype(np.int64)
        local, business_net, prop = parts.T
        transfer = rest - parts.sum(1)
        cost_ratio = rng.uniform(*BUSINESS_COST_RATIO, n)
        business = np.where(business_net > 0, np.rint(business_net / (1 - cost_ratio)), 0).astype(np.int64)
        ratio = np.where(attribute == GENERAL, rng.uniform(*POLICY_SUBSIDY_RATIO["other"], n),
                         rng.uniform(*POLICY_SUBSIDY_RATIO["support"], n))
        subsidy = np.floor(transfer * ratio).astype(np.int64)
        sickest = np.select([np.bincount(hh, health == SERIOUS, minlength=n) > 0,
                             np.bincount(hh, health == CHRONIC, minlength=n) > 0,
                             np.bincount(hh, health == DISABLED, minlength=n) > 0], [2, 1, 3], 0)
        pocket = np.rint(rng.uniform(_POCKET[sickest, 0], _POCKET[sickest, 1])).astype(np.int64)
        pocket = np.where((sickest == 0) & (rng.random(n) < 0.7), 0, pocket)
        per_capita = (target * 200 + safe_size) // (2 * safe_size)  # fen, half up
        h = households
        line_fen = line * 100
        lowest = np.where(below[h], 0, line_fen)
        highest = np.where(below[h], line_fen, np.where(high[h] < 1.5, 150 * line, np.iinfo(np.int64).max))
        if not ((lowest < per_capita[h]) & (per_capita[h] < highest)).all():
            raise CalibrationError(f"{self.year}: per-capita income outside its band")
        fen = 100
        self.household_columns = {
            "wage_income": (wages + local)[h] * fen, "business_income": business[h] * fen,
            "business_cost": (business - business_net)[h] * fen, "property_income": prop[h] * fen,
            "transfer_income": transfer[h] * fen, "policy_subsidy": subsidy[h] * fen,
            "compliant_out_of_pocket": pocket[h] * fen, "household_size": size[h],
            "net_income": target[h] * fen, "per_capita_income": per_capita[h],
        }

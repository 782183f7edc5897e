"""A household's income for one year, and its members' work away (务工).

The per-capita net income is aimed at a band around the year's poverty line that depends on the
household's status that year (calibration.INCOME_BANDS): exited households above the line,
监测户 between the line and 1.5×, 未脱贫/返贫 below it. Where members work away, wages come first
(months × monthly wage by workplace) and the household's income follows from them (wages 55–80 %
of it); 低保 and 特困 households live mainly on transfers. The rest is split into local wages,
business (生产经营, net of its costs), property and transfers. Net and per-capita income are then
derived by `fupin.registry.income.derive` — never set directly.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

from fupin.registry.choices import Health, HouseholdAttribute, LabourCapacity, SchoolStatus
from fupin.registry.income import derive

from .calibration import (
    BELOW_LINE,
    BELOW_LINE_MIGRANT_FACTOR,
    BELOW_LINE_WAGE_SHARE,
    BUSINESS_COST_RATIO,
    INCOME_BANDS,
    INCOME_PERSISTENCE,
    INCOME_SPLIT,
    INCOME_SPLIT_NOISE,
    MAX_WAGE_SHARE,
    MIGRANT_SHARES,
    MIGRANT_WAGE_SHARE,
    MIN_MONTHLY_WAGE,
    NO_PROPERTY_INCOME_SHARE,
    OUT_OF_POCKET,
    POLICY_SUBSIDY_RATIO,
    POVERTY_LINE,
    WAGE_GROWTH,
    WORK_MONTHS,
    WORK_PLACES,
)
from .yearly import WORKING, age_in

CENT = Decimal("0.01")
_WAGE_RANGE = {place: wages for place, _share, wages in WORK_PLACES}
_SICKEST = (Health.SERIOUS, Health.CHRONIC, Health.DISABLED)


class CalibrationError(AssertionError):
    """A derived income fell outside its band: a bug in the generator, never in the data."""


def money(yuan: int) -> Decimal:
    return Decimal(yuan).quantize(CENT)


def next_rank(rng: random.Random, z: float) -> float:
    """A household's income rank (standard normal) next year: persistent, with some change."""
    return INCOME_PERSISTENCE * z + math.sqrt(1 - INCOME_PERSISTENCE ** 2) * rng.gauss(0, 1)


def _jobs(rng: random.Random, states: list, year: int, *, below: bool) -> list[list]:
    """[member-year values, member, months, monthly wage] for each member working away this year."""
    jobs = []
    for member, values in states:
        capacity = values["labour_capacity"]
        if capacity not in WORKING or values["school_status"] != SchoolStatus.NOT_STUDENT:
            continue
        age = age_in(member, year)
        if not 16 <= age <= 59:
            continue
        share = MIGRANT_SHARES[2] if capacity == LabourCapacity.WEAK else MIGRANT_SHARES[0 if age <= 50 else 1]
        if member.u_work >= share * (BELOW_LINE_MIGRANT_FACTOR if below else 1):
            continue
        low, high = _WAGE_RANGE[member.work_place]
        if below:
            high = (low + high) / 2
        growth = (1 + WAGE_GROWTH) ** (year - 2019)
        monthly = round(rng.uniform(low, high) * growth, -1)
        jobs.append([values, member, rng.randint(*WORK_MONTHS["below" if below else "above"]), int(monthly)])
    return jobs


def _fit_wages(jobs: list[list], cap: int) -> int:
    """Cut wages to total at most `cap`: fewer months first (short-term work), the monthly wage only
    as far as the months do not absorb the cut; a job left below the minimum wage is dropped.
    Returns the total."""
    total = sum(months * monthly for _v, _m, months, monthly in jobs)
    if total > cap:
        factor = cap / total
        for job in jobs:
            budget = job[2] * job[3] * factor
            job[2] = max(1, min(job[2], round(budget / job[3])))
            job[3] = int(budget / job[2] // 10 * 10)
            if job[3] < MIN_MONTHLY_WAGE:
                job[2] = 0
        jobs[:] = [j for j in jobs if j[2]]
        total = sum(months * monthly for _v, _m, months, monthly in jobs)
    return total


def income_year(rng: random.Random, *, attribute: str, status: str, year: int, rank: float, states: list) -> dict:
    """Income values of the HouseholdYear (derived net and per-capita income included); fills in
    the work fields of the members' values. `states`: (member, member-year values) of those present."""
    line = POVERTY_LINE[year]
    size = len(states)
    low, median, high, sigma = INCOME_BANDS[status]
    multiple = min(high, max(low, median * math.exp(sigma * rank)))
    below = status in BELOW_LINE
    jobs = [] if attribute == HouseholdAttribute.DESTITUTE else _jobs(rng, states, year, below=below)
    wages = sum(months * monthly for _v, _m, months, monthly in jobs)
    if wages and attribute == HouseholdAttribute.GENERAL and not below:
        multiple = min(high, max(low, wages / (rng.uniform(*MIGRANT_WAGE_SHARE) * line * size)))
    target = round(multiple * line * size)
    max_share = min(MAX_WAGE_SHARE[attribute], BELOW_LINE_WAGE_SHARE) if below else MAX_WAGE_SHARE[attribute]
    wages = _fit_wages(jobs, math.floor(max_share * target))
    for values, member, months, monthly in jobs:
        values.update(migrant_worker=True, work_months=months, work_place=member.work_place,
                      work_monthly_income=money(monthly))

    # The rest: local wages, business net, property, transfers.
    kind = ("destitute" if attribute == HouseholdAttribute.DESTITUTE else
            "low_income" if attribute == HouseholdAttribute.LOW_INCOME else "migrants" if jobs else "general")
    weights = [w * rng.uniform(*INCOME_SPLIT_NOISE) for w in INCOME_SPLIT[kind]]
    if not any(v["labour_capacity"] in WORKING for _m, v in states):
        weights[0] = 0.0
    if rng.random() < NO_PROPERTY_INCOME_SHARE:
        weights[2] = 0.0
    rest = target - wages
    local, business_net, prop = (math.floor(rest * w / sum(weights)) for w in weights[:3])
    transfer = rest - local - business_net - prop
    business = round(business_net / (1 - rng.uniform(*BUSINESS_COST_RATIO))) if business_net else 0
    subsidy_ratio = POLICY_SUBSIDY_RATIO["other" if attribute == HouseholdAttribute.GENERAL else "support"]
    health = {v["health"] for _m, v in states}
    sickest = next((h for h in _SICKEST if h in health), Health.HEALTHY)
    pocket = 0 if sickest == Health.HEALTHY and rng.random() < 0.7 else round(rng.uniform(*OUT_OF_POCKET[sickest]))
    values = {
        "wage_income": money(wages + local), "business_income": money(business),
        "business_cost": money(business - business_net), "property_income": money(prop),
        "transfer_income": money(transfer), "policy_subsidy": money(math.floor(transfer * rng.uniform(*subsidy_ratio))),
        "compliant_out_of_pocket": money(pocket),
    }
    net, per_capita = derive(values, size)
    lowest, highest = (0, line) if below else (line, 1.5 * line if high < 1.5 else math.inf)
    if not lowest < per_capita < highest:
        raise CalibrationError(f"{year} {status}: per-capita income {per_capita} against the line {line}")
    values.update(household_size=size, net_income=net, per_capita_income=per_capita)
    return values

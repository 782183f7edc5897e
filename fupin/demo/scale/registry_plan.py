"""A chunk of households, planned as arrays: exact shares, sizes that fit them, attributes.

Every share of the demo's calibration (fupin.demo.generator.calibration) is met exactly in each
chunk (largest remainder, then shuffled), so a run of any size is calibrated chunk by chunk and
needs no memory of earlier chunks. Household sizes: the national registry's 3.04 persons a
household (89.62 M persons in 29.48 M households, 2014 [v]); the chunk's persons are met exactly.
"""

from __future__ import annotations

import numpy as np

from fupin.demo.generator.calibration import (
    ATTRIBUTE_SHARES,
    DESTITUTE_CAUSES,
    DESTITUTE_SIZE_SHARES,
    IDENTIFICATION_STANDARD_SHARES,
    MAIN_CAUSE_SHARES,
    REGISTERED_YEAR_SHARES,
    STATUS_SHARES,
)
from fupin.registry.choices import HouseholdAttribute, HouseholdStatus, IdentificationStandard, PovertyCause

from .regions import apportion_counts

PERSONS_PER_HOUSEHOLD = 89.62 / 29.48  # national registry 2014 [v]
# Shape of the household sizes [demo]; the mean is then pinned to the persons asked for.
HOUSEHOLD_SIZE_SHARES = {1: 0.15, 2: 0.25, 3: 0.23, 4: 0.19, 5: 0.11, 6: 0.05, 7: 0.02}
MAX_SIZE = max(HOUSEHOLD_SIZE_SHARES)

# Coded values: arrays hold the index into these tuples.
CAUSES = tuple(MAIN_CAUSE_SHARES)
ATTRIBUTES = (HouseholdAttribute.GENERAL, HouseholdAttribute.LOW_INCOME, HouseholdAttribute.DESTITUTE)
STATUSES = tuple(HouseholdStatus)
STANDARDS = (IdentificationStandard.NATIONAL, IdentificationStandard.PROVINCIAL)
C = {c: i for i, c in enumerate(CAUSES)}
GENERAL, LOW_INCOME, DESTITUTE = range(3)
S = {s: i for i, s in enumerate(STATUSES)}
NOT_EXITED, EXITED, RETURNED, MONITORED, REMOVED, CANCELLED = (S[s] for s in (
    HouseholdStatus.NOT_EXITED, HouseholdStatus.EXITED, HouseholdStatus.RETURNED, HouseholdStatus.MONITORED,
    HouseholdStatus.REMOVED, HouseholdStatus.CANCELLED))
ILLNESS, DISABILITY, SCHOOLING, LACK_LABOUR, LACK_SKILLS = (C[c] for c in (
    PovertyCause.ILLNESS, PovertyCause.DISABILITY, PovertyCause.SCHOOLING, PovertyCause.LACK_LABOUR,
    PovertyCause.LACK_SKILLS))


def households_for(persons: int) -> int:
    """Households for `persons` persons: 3.04 a household, each of 1–7 persons."""
    return min(persons, max(1, round(persons / PERSONS_PER_HOUSEHOLD), -(-persons // MAX_SIZE)))


def exact(rng: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    """Indices into `shares` in exactly the shares' proportions (largest remainder), shuffled."""
    counts = apportion_counts(np.array(list(shares.values()), dtype=float), n)
    return rng.permutation(np.repeat(np.arange(len(shares)), counts))


def _pin(counts: np.ndarray, persons: int) -> np.ndarray:
    """Move households between adjacent sizes until they hold exactly `persons` (counts[k] = size k+1)."""
    counts = counts.copy()
    sizes = np.arange(1, len(counts) + 1)
    total = int(counts @ sizes)
    up, down = (2, 1, *range(3, MAX_SIZE)), (3, 2, *range(4, MAX_SIZE + 1))
    while total != persons:
        order = up if total < persons else down
        k = next((k for k in order if counts[k - 1]), None)
        if k is None:
            break
        step = 1 if total < persons else -1
        counts[k - 1] -= 1
        counts[k - 1 + step] += 1
        total += step
    return counts


class _Pool:
    """Household sizes left to hand out; draws without replacement, preferring allowed sizes."""

    def __init__(self, rng, counts: np.ndarray):
        self.rng, self.counts = rng, counts

    def draw(self, n: int, *allowed: tuple[int, ...]) -> np.ndarray:
        out = np.empty(0, dtype=np.int64)
        for sizes in (*allowed, tuple(range(1, MAX_SIZE + 1))):
            if len(out) == n:
                break
            keep = np.zeros(MAX_SIZE, dtype=np.int64)
            keep[[s - 1 for s in sizes]] = self.counts[[s - 1 for s in sizes]]
            pool = np.repeat(np.arange(1, MAX_SIZE + 1), keep)
            got = self.rng.permutation(pool)[: n - len(out)]
            self.counts -= np.bincount(got - 1, minlength=MAX_SIZE)
            out = np.concatenate([out, got])
        return out


class Plan:
    """The chunk's households: cause, attribute, size, status at the end, registration year,
    identification standard (arrays of coded values)."""

    def __init__(self, rng: np.random.Generator, *, households: int, persons: int, data_years: tuple[int, ...]):
        n = self.n = households
        self.cause = exact(rng, MAIN_CAUSE_SHARES, n)
        self.attribute = self._attributes(rng)
        self.size = self._sizes(rng, persons)
        self.registered = np.array(list(REGISTERED_YEAR_SHARES))[exact(rng, REGISTERED_YEAR_SHARES, n)]
        self.status = self._statuses(rng, data_years)
        self.standard = rng.choice(len(STANDARDS), n, p=list(IDENTIFICATION_STANDARD_SHARES.values()))

    def _attributes(self, rng) -> np.ndarray:
        n, cause = self.n, self.cause
        counts = apportion_counts(np.array([ATTRIBUTE_SHARES[a] for a in ATTRIBUTES]), n)
        attribute = np.full(n, GENERAL)
        candidates = np.flatnonzero(np.isin(cause, [C[c] for c in DESTITUTE_CAUSES]))
        if len(candidates) < counts[DESTITUTE]:
            candidates = np.flatnonzero(cause != SCHOOLING)
        attribute[rng.permutation(candidates)[: counts[DESTITUTE]]] = DESTITUTE
        rest = np.flatnonzero(attribute == GENERAL)
        attribute[rng.permutation(rest)[: counts[LOW_INCOME]]] = LOW_INCOME
        return attribute

    def _sizes(self, rng, persons: int) -> np.ndarray:
        n = self.n
        counts = apportion_counts(np.array(list(HOUSEHOLD_SIZE_SHARES.values())), n)
        pool = _Pool(rng, _pin(counts, persons))
        size = np.zeros(n, dtype=np.int64)
        destitute = np.flatnonzero(self.attribute == DESTITUTE)
        alone = rng.random(len(destitute)) < DESTITUTE_SIZE_SHARES[1] / sum(DESTITUTE_SIZE_SHARES.values())
        for group, allowed in ((destitute[alone], ((1,), (1, 2))), (destitute[~alone], ((2,), (1, 2)))):
            size[group] = pool.draw(len(group), *allowed)
        for cause, allowed in ((SCHOOLING, tuple(range(2, MAX_SIZE + 1))), (LACK_LABOUR, (1, 2, 3))):
            group = np.flatnonzero((size == 0) & (self.cause == cause))
            size[group] = pool.draw(len(group), allowed)
        rest = np.flatnonzero(size == 0)
        size[rest] = pool.draw(len(rest))
        return size

    def _statuses(self, rng, data_years: tuple[int, ...]) -> np.ndarray:
        """Exact status shares; 已销户 (自然减少) only on one-person households with a data year after
        their first to cease in — traded with an exited one-person household, else 已脱贫."""
        status = np.array([S[s] for s in STATUS_SHARES])[exact(rng, STATUS_SHARES, self.n)]
        can_cease = (self.size == 1) & (np.maximum(self.registered, data_years[0]) < data_years[-1])
        wrong = np.flatnonzero((status == CANCELLED) & ~can_cease)
        singles = rng.permutation(np.flatnonzero((status == EXITED) & can_cease))
        swap = min(len(wrong), len(singles))
        status[wrong[:swap]], status[singles[:swap]] = EXITED, CANCELLED
        status[wrong[swap:]] = EXITED
        return status

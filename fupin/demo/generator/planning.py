"""Planning over the whole county: exact shares, household sizes that fit them, helper loads."""

from __future__ import annotations

import math
import random

from fupin.registry.choices import HouseholdAttribute, HouseholdStatus, PovertyCause

from .calibration import (
    ATTRIBUTE_SHARES,
    DESTITUTE_CAUSES,
    DESTITUTE_SIZE_SHARES,
    HELPER_LOAD_WEIGHTS,
    HELPER_MAX_HOUSEHOLDS,
    HOUSEHOLD_SIZE_SHARES,
    PERSONS_PER_HOUSEHOLD,
    Shares,
)


def apportion(shares: dict, total: int) -> dict:
    """Split `total` by `shares` (largest remainder, ties in dict order): exact counts summing to total."""
    weight = sum(shares.values())
    raw = {k: total * v / weight for k, v in shares.items()}
    counts = {k: math.floor(x) for k, x in raw.items()}
    left = total - sum(counts.values())
    order = sorted(shares, key=lambda k: -(raw[k] - counts[k]))  # stable: dict order breaks ties
    for k in order[:left]:
        counts[k] += 1
    return counts


def shuffled_labels(rng: random.Random, shares: dict, total: int) -> list:
    labels = [k for k, n in apportion(shares, total).items() for _ in range(n)]
    rng.shuffle(labels)
    return labels


def pick(rng: random.Random, shares: dict):
    """One key of `shares`, drawn by weight."""
    if type(shares) is Shares:
        return shares.draw(rng)
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _pin_sizes(counts: dict[int, int], persons: int) -> dict[int, int]:
    """Move households between adjacent sizes until the sizes add up to exactly `persons`."""
    counts = dict(counts)
    total = sum(k * n for k, n in counts.items())
    largest = max(counts)
    while total != persons:
        if total < persons:
            k = next((k for k in (2, 1, *range(3, largest)) if counts[k]), None)
            if k is None:
                break
            counts[k] -= 1
            counts[k + 1] += 1
            total += 1
        else:
            k = next((k for k in (3, 2, *range(4, largest + 1)) if counts[k]), None)
            if k is None:
                break
            counts[k] -= 1
            counts[k - 1] += 1
            total -= 1
    return counts


def assign_sizes(rng: random.Random, causes: list, attributes: list) -> list[int]:
    n = len(causes)
    counts = _pin_sizes(apportion(HOUSEHOLD_SIZE_SHARES, n), round(n * PERSONS_PER_HOUSEHOLD))
    sizes = [0] * n

    def draw(allowed) -> int:
        keys = [k for k in allowed if counts[k]] or [k for k in counts if counts[k]]
        k = rng.choices(keys, weights=[counts[k] for k in keys])[0]
        counts[k] -= 1
        return k

    for i in range(n):
        if attributes[i] == HouseholdAttribute.DESTITUTE:
            wanted = pick(rng, DESTITUTE_SIZE_SHARES)
            sizes[i] = draw([wanted] if counts[wanted] else list(DESTITUTE_SIZE_SHARES))
    for i in range(n):
        if sizes[i]:
            continue
        if causes[i] == PovertyCause.SCHOOLING:
            sizes[i] = draw(range(2, 8))
        elif causes[i] == PovertyCause.LACK_LABOUR:
            sizes[i] = draw(range(1, 4))
    rest = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(rest)
    it = iter(rest)
    return [s or next(it) for s in sizes]


def assign_attributes(rng: random.Random, causes: list) -> list:
    n = len(causes)
    counts = apportion(ATTRIBUTE_SHARES, n)
    attributes = [HouseholdAttribute.GENERAL] * n
    candidates = [i for i in range(n) if causes[i] in DESTITUTE_CAUSES]
    if len(candidates) < counts[HouseholdAttribute.DESTITUTE]:
        candidates = [i for i in range(n) if causes[i] != PovertyCause.SCHOOLING]
    for i in rng.sample(candidates, min(len(candidates), counts[HouseholdAttribute.DESTITUTE])):
        attributes[i] = HouseholdAttribute.DESTITUTE
    rest = [i for i in range(n) if attributes[i] == HouseholdAttribute.GENERAL]
    for i in rng.sample(rest, min(len(rest), counts[HouseholdAttribute.LOW_INCOME])):
        attributes[i] = HouseholdAttribute.LOW_INCOME
    return attributes


def helper_loads(rng: random.Random, households: int) -> list[int]:
    loads: list[int] = []
    left = households
    while left > 0:
        load = min(left, pick(rng, HELPER_LOAD_WEIGHTS), HELPER_MAX_HOUSEHOLDS)
        loads.append(load)
        left -= load
    return loads


def place_natural_decrease(rng: random.Random, statuses: list, sizes: list[int]) -> list:
    """自然减少 (已销户) households are one-person households whose member died: each such label on
    a larger household trades places with an exited one-person household's (or, with none left,
    becomes 已脱贫), so the counts of the other statuses stay as apportioned."""
    ceased, common = HouseholdStatus.CANCELLED, HouseholdStatus.EXITED
    singles = [i for i, size in enumerate(sizes) if size == 1 and statuses[i] == common]
    rng.shuffle(singles)
    placed = list(statuses)
    for i, status in enumerate(statuses):
        if status != ceased or sizes[i] == 1:
            continue
        if singles:
            j = singles.pop()
            placed[i], placed[j] = placed[j], placed[i]
        else:
            placed[i] = common
    return placed

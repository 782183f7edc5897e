"""How alike two plans are (措施雷同), and when two households' causes differ.

A plan is the multiset of its active measures (cancelled ones left out), each an item
(measure type, normalized content, amount). Content is normalized by NFKC, lower case, and
dropping whitespace and punctuation, so re-spacing or re-punctuating a copied text changes nothing.

Similarity of plans A and B (0…1), in the spirit of difflib's ratio 2·M/T:

    sim(A, B) = 2 · Σ s(a, b) / (|A| + |B|)

over pairs (a, b) of measures of the same type, paired greedily by highest s (each measure used at
most once), where s(a, b) is difflib's SequenceMatcher ratio of "content|amount" (1.0 when equal).
Identical plans score 1; a plan with one measure more than an identical one scores 2n/(2n+1);
plans with no measure type in common score 0. A measure only pairs with one of its own type, so
the score can never exceed the type multiset's Dice coefficient — `upper_bound`, which skips most
pairs of a village without comparing texts.

Causes differ (`causes_differ`): the two households have no cause in common — neither the main
cause nor any other cause of one is among the other's causes. 因病 vs 因病 → same; 因病 (main) vs
缺技术 with 因病 as another cause → same (a plan for illness fits both); 交通 + 因病 vs 缺资金 + 因病 →
same (both need 健康帮扶); 因病 vs 缺资金 → differ.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalize_text(text: str) -> str:
    return NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def amount_text(amount) -> str:
    if amount is None or amount == "":
        return ""
    return f"{Decimal(str(amount)).normalize():f}"


@dataclass(frozen=True)
class Item:
    measure_type: str
    text: str
    amount: str

    @property
    def key(self) -> str:
        return f"{self.text}|{self.amount}"


def item_of(measure_type: str, content: str, amount) -> Item:
    return Item(measure_type, normalize_text(content), amount_text(amount))


def fingerprint(items: list[Item]) -> tuple:
    """Equal for plans that are identical after normalization (order of measures aside)."""
    return tuple(sorted((i.measure_type, i.key) for i in items))


class Comparer:
    """Plan similarity with the ratio of each distinct pair of item texts computed once."""

    def __init__(self):
        self._ratios: dict[tuple[str, str], float] = {}

    def ratio(self, a: str, b: str) -> float:
        if a == b:
            return 1.0
        key = (a, b) if a < b else (b, a)
        if key not in self._ratios:
            self._ratios[key] = SequenceMatcher(None, key[0], key[1], autojunk=False).ratio()
        return self._ratios[key]

    def similarity(self, a: list[Item], b: list[Item]) -> tuple[float, list[tuple[Item, Item, float]]]:
        """The score and the pairs that made it (each with its own ratio)."""
        if not a or not b:
            return 0.0, []
        pairs: list[tuple[Item, Item, float]] = []
        for mtype in sorted({i.measure_type for i in a} & {i.measure_type for i in b}):
            left = [i for i in a if i.measure_type == mtype]
            right = [i for i in b if i.measure_type == mtype]
            scored = sorted(((self.ratio(x.key, y.key), n, m) for n, x in enumerate(left) for m, y in enumerate(right)),
                            key=lambda t: (-t[0], t[1], t[2]))
            used_l, used_r = set(), set()
            for s, n, m in scored:
                if n in used_l or m in used_r:
                    continue
                used_l.add(n)
                used_r.add(m)
                pairs.append((left[n], right[m], s))
        score = 2 * sum(s for _, _, s in pairs) / (len(a) + len(b))
        return score, pairs


def upper_bound(a: Counter, b: Counter) -> float:
    """The most two plans with these measure-type counts can score."""
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 0.0
    return 2 * sum((a & b).values()) / total


def causes_differ(main_a: str, causes_a, main_b: str, causes_b) -> bool:
    """No cause in common (each list may or may not include its main cause)."""
    return not ({main_a, *causes_a} & {main_b, *causes_b})

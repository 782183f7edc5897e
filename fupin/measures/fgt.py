"""Foster-Greer-Thorbecke poverty measures (FGT α = 0, 1, 2) of per-capita income.

    P_α = (1 / N) · Σ_i w_i · g_i^α · [y_i < z_i],   g_i = (z_i − y_i) / z_i

with y_i the household's per-capita net income (年人均纯收入), z_i the poverty line of its village
for the year, w_i its persons (家庭人口数) and N = Σ w_i. P_0 is the headcount ratio (贫困发生率),
P_1 the poverty gap index (贫困距指数), P_2 the squared poverty gap (贫困强度, FGT2).
A household is poor when its income is strictly below the line (equal is not poor). A negative
income counts as 0, so a gap is never above 1.

FGT is additively decomposable: with groups r of N_r persons,
    P_α = Σ_r (N_r / N) · P_α,r
so the contribution of a group is its population share times its own index; the contributions
sum to the total exactly (everything here is a Fraction).

Pure functions only; `loader.py` reads the rows from the database.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

ALPHAS = (0, 1, 2)
LABELS = {0: "贫困发生率（FGT0，贫困人口比率）", 1: "贫困距指数（FGT1）", 2: "平方贫困距指数（FGT2，贫困强度）"}
DEFINITION = ("FGT(α) = 1/N · Σ 人口数 × ((贫困线 − 人均纯收入) ÷ 贫困线)^α，只计人均纯收入低于（不含等于）"
              "本村当年贫困线的户；人均纯收入为负的按 0 计。α=0 为贫困发生率，α=1 为贫困距指数，α=2 为平方贫困距指数。")


def exact(value) -> Fraction:
    """A Decimal, int, Fraction or number-like text as an exact Fraction; a float through its
    shortest decimal form (4000.5 → 8001/2), never its binary expansion."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("不是数值")
    if isinstance(value, int | Decimal | str):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    raise TypeError(f"不是数值：{value!r}")


@dataclass
class FgtSums:
    """Running sums over households: the indices are these sums divided by the persons."""

    households: int = 0
    persons: int = 0
    poor_households: int = 0
    poor_persons: int = 0
    gap: Fraction = field(default_factory=Fraction)  # Σ w·g over the poor
    gap2: Fraction = field(default_factory=Fraction)  # Σ w·g² over the poor

    def add(self, income, weight: int, line) -> None:
        y, z = max(exact(income), Fraction(0)), exact(line)
        if z <= 0:
            raise ValueError("贫困线必须大于 0")
        self.households += 1
        self.persons += weight
        if y < z:
            g = (z - y) / z
            self.poor_households += 1
            self.poor_persons += weight
            self.gap += weight * g
            self.gap2 += weight * g * g

    def merge(self, other: FgtSums) -> None:
        for name in ("households", "persons", "poor_households", "poor_persons", "gap", "gap2"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def total(self, alpha: int) -> Fraction:
        """Σ w·g^α over the poor (the numerator of P_α)."""
        return {0: Fraction(self.poor_persons), 1: self.gap, 2: self.gap2}[alpha]

    def index(self, alpha: int) -> Fraction | None:
        """P_α, or None for an empty population."""
        return self.total(alpha) / self.persons if self.persons else None


def fgt_sums(rows: Iterable[tuple]) -> FgtSums:
    """`rows` of (income, weight, line)."""
    sums = FgtSums()
    for income, weight, line in rows:
        sums.add(income, weight, line)
    return sums


def fgt(rows: Iterable[tuple], alpha: int) -> Fraction | None:
    """P_α of (income, weight, line) rows."""
    if alpha not in ALPHAS:
        raise ValueError("α 只能为 0、1、2")
    return fgt_sums(rows).index(alpha)


@dataclass
class GroupShare:
    group: Hashable
    sums: FgtSums
    share: Fraction | None  # N_r / N
    indices: dict[int, Fraction | None]  # P_α,r
    contributions: dict[int, Fraction | None]  # (N_r / N) · P_α,r


@dataclass
class Decomposition:
    total: FgtSums
    groups: list[GroupShare]

    def contribution_sum(self, alpha: int) -> Fraction | None:
        if not self.total.persons:
            return None
        return sum((g.contributions[alpha] for g in self.groups), Fraction(0))

    def adds_up(self) -> bool:
        """Σ_r contribution_r = P_α for every α (exact)."""
        return all(self.contribution_sum(a) == self.total.index(a) for a in ALPHAS)


def decompose(rows: Iterable[tuple]) -> Decomposition:
    """`rows` of (group, income, weight, line); groups in the order first seen."""
    total, by_group = FgtSums(), {}
    for group, income, weight, line in rows:
        by_group.setdefault(group, FgtSums()).add(income, weight, line)
    for sums in by_group.values():
        total.merge(sums)
    groups = []
    for group, sums in by_group.items():
        share = Fraction(sums.persons, total.persons) if total.persons else None
        indices = {a: sums.index(a) for a in ALPHAS}
        contributions = {a: (share * indices[a] if share is not None and indices[a] is not None else
                             (Fraction(0) if share is not None else None)) for a in ALPHAS}
        groups.append(GroupShare(group, sums, share, indices, contributions))
    return Decomposition(total, groups)

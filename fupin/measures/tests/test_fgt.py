"""FGT on hand-computed cases (exact fractions) and its decomposition."""

from decimal import Decimal
from fractions import Fraction as F

import pytest

from fupin.measures.fgt import decompose, exact, fgt, fgt_sums

Z = 4000
# (income, persons, line)
A = (Decimal("2000"), 2, Z)  # g = (4000 − 2000) / 4000 = 1/2
B = (Decimal("3000"), 3, Z)  # g = 1/4
C = (Decimal("4000"), 1, Z)  # equal to the line: not poor
D = (Decimal("5000"), 4, Z)  # not poor
ROWS = [A, B, C, D]  # N = 2 + 3 + 1 + 4 = 10


def test_headcount_gap_and_squared_gap():
    # FGT0 = (2 + 3) / 10 = 1/2
    assert fgt(ROWS, 0) == F(1, 2)
    # FGT1 = (2·1/2 + 3·1/4) / 10 = (1 + 3/4) / 10 = 7/40
    assert fgt(ROWS, 1) == F(7, 40)
    # FGT2 = (2·1/4 + 3·1/16) / 10 = (8/16 + 3/16) / 10 = 11/160
    assert fgt(ROWS, 2) == F(11, 160)
    sums = fgt_sums(ROWS)
    assert (sums.households, sums.persons, sums.poor_households, sums.poor_persons) == (4, 10, 2, 5)


def test_boundary_negative_income_and_own_lines():
    # Exactly at the line is not poor; one cent below is.
    assert fgt([(Decimal("4000.00"), 1, Z)], 0) == 0
    assert fgt([(Decimal("3999.99"), 1, Z)], 0) == 1
    assert fgt([(Decimal("3999.99"), 1, Z)], 1) == F(1, 400000)  # 0.01 / 4000
    # A negative income counts as 0: the gap is 1, never more.
    assert fgt([(Decimal("-500"), 2, Z)], 1) == 1
    assert fgt([(Decimal("-500"), 2, Z)], 2) == 1
    # Each household against its own (village's) line: 4000 under a 5000 line has g = 1/5.
    rows = [(Decimal("4000"), 1, 5000), (Decimal("4000"), 1, Z)]
    assert fgt(rows, 0) == F(1, 2) and fgt(rows, 1) == F(1, 10)
    # A float line is taken at its decimal value, not its binary expansion.
    assert exact(4000.5) == F(8001, 2)
    assert fgt([(Decimal("0"), 1, 4000.5)], 1) == 1


def test_empty_population_and_bad_alpha():
    assert fgt([], 0) is None
    assert fgt([(Decimal("100"), 0, Z)], 1) is None  # a household of 0 persons adds nobody
    with pytest.raises(ValueError):
        fgt(ROWS, 3)
    with pytest.raises(ValueError):
        fgt([(Decimal("1"), 1, 0)], 0)


def test_decomposition_adds_up():
    # X = {A, C}: N=3, FGT0 = 2/3, FGT1 = (2·1/2)/3 = 1/3, FGT2 = (2·1/4)/3 = 1/6; share 3/10
    # Y = {B, D}: N=7, FGT0 = 3/7, FGT1 = (3·1/4)/7 = 3/28, FGT2 = (3·1/16)/7 = 3/112; share 7/10
    dec = decompose([("X", *A), ("Y", *B), ("X", *C), ("Y", *D)])
    x, y = dec.groups
    assert (x.group, y.group) == ("X", "Y")
    assert x.share == F(3, 10) and y.share == F(7, 10)
    assert x.indices == {0: F(2, 3), 1: F(1, 3), 2: F(1, 6)}
    assert y.indices == {0: F(3, 7), 1: F(3, 28), 2: F(3, 112)}
    # contributions = share × index: X 1/5, 1/10, 1/20; Y 3/10, 3/40, 3/160
    assert x.contributions == {0: F(1, 5), 1: F(1, 10), 2: F(1, 20)}
    assert y.contributions == {0: F(3, 10), 1: F(3, 40), 2: F(3, 160)}
    # 1/5 + 3/10 = 1/2; 1/10 + 3/40 = 7/40; 1/20 + 3/160 = 11/160 — the totals above.
    assert [dec.contribution_sum(a) for a in (0, 1, 2)] == [F(1, 2), F(7, 40), F(11, 160)]
    assert dec.adds_up()
    assert [dec.total.index(a) for a in (0, 1, 2)] == [fgt(ROWS, a) for a in (0, 1, 2)]

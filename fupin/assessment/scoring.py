"""Scoring of one indicator and one veto rule: exact fractions (no float at the boundary)."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .models import Direction, Method, VetoOp

POINTS = Decimal("0.01")
MISSING = "缺少数据"


def fraction(value) -> Fraction | None:
    if value.missing is not None or value.numerator is None:
        return None
    if value.denominator is None:
        return Fraction(value.numerator)
    if not value.denominator:
        return None
    return Fraction(Decimal(value.numerator)) / Fraction(Decimal(value.denominator))


def as_decimal(f: Fraction, places: int = 6) -> Decimal:
    return (Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def percent(f: Fraction | None) -> str:
    return MISSING if f is None else f"{as_decimal(f * 100, 2)}%"


def points(f: Fraction) -> Decimal:
    return as_decimal(f, 2)


def score(ind, v: Fraction) -> Fraction:
    """Points for value `v` under indicator `ind` (weight, direction, method, target, floor)."""
    weight, target = Fraction(ind.weight), Fraction(ind.target)
    higher = ind.direction == Direction.HIGHER
    reached = v >= target if higher else v <= target
    if reached:
        return weight
    if ind.method == Method.PASS_FAIL:
        return Fraction(0)
    floor = Fraction(ind.floor)
    if (v <= floor) if higher else (v >= floor):
        return Fraction(0)
    return weight * ((v - floor) / (target - floor) if higher else (floor - v) / (floor - target))


def rule_text(ind) -> str:
    target = percent(Fraction(ind.target))
    if ind.method == Method.PASS_FAIL:
        return f"{'达到' if ind.direction == Direction.HIGHER else '不高于'} {target} 得 {ind.weight} 分，否则 0 分"
    floor = percent(Fraction(ind.floor))
    if ind.direction == Direction.HIGHER:
        return f"≥ {target} 得 {ind.weight} 分，≤ {floor} 得 0 分，其间线性"
    return f"≤ {target} 得 {ind.weight} 分，≥ {floor} 得 0 分，其间线性"


def vetoed(op: str, v: Fraction, threshold: Decimal) -> bool:
    t = Fraction(threshold)
    return {VetoOp.GT: v > t, VetoOp.GTE: v >= t, VetoOp.LT: v < t, VetoOp.LTE: v <= t}[op]

"""Exact rates and criterion results of the exit evaluation.

Rates are fractions of whole persons (`fractions.Fraction`), thresholds are read from the policy
table as decimals (`Decimal(str(0.02))` is exactly 0.02), so 2 poor persons of 100 is exactly 2 %
and fails "below 2 %". Percentages are displayed rounded down, which never shows a failing rate
as passing or the reverse (1.999 % shows as 1.99 %, 2.004 % as 2.00 %).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from fractions import Fraction


class Status:
    PASS = "pass"
    FAIL = "fail"
    MISSING = "missing"

    LABELS = {PASS: "达标", FAIL: "未达标", MISSING: "缺少数据"}


OPS = {
    "eq": ("=", operator.eq),
    "gt": (">", operator.gt),
    "gte": ("≥", operator.ge),
    "lt": ("<", operator.lt),
    "lte": ("≤", operator.le),
}
# How a failed comparison reads ("not below 2 %").
OP_NEGATED = {"eq": "≠", "gt": "不高于", "gte": "低于", "lt": "不低于", "lte": "高于"}


class PolicyValueError(ValueError):
    pass


def policy_number(value) -> Fraction:
    """A policy threshold as an exact number (a JSON float 0.02 means the decimal 0.02)."""
    if isinstance(value, bool) or value is None:
        raise PolicyValueError(f"取值“{value}”不是数值")
    try:
        return Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError) as exc:
        raise PolicyValueError(f"取值“{value}”不是数值") from exc


def percent(value: Fraction, places: int = 2) -> str:
    d = Decimal(value.numerator) / Decimal(value.denominator) * 100
    return f"{format(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN), 'f')}%"


@dataclass(frozen=True)
class Rate:
    """numerator / denominator persons, kept whole so the comparison is exact."""

    numerator: int
    denominator: int

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    @property
    def percent(self) -> str:
        return percent(self.fraction)

    def display(self) -> str:
        return f"{self.percent}（{self.numerator}/{self.denominator}）"

    def as_dict(self) -> dict:
        exact = Decimal(self.numerator) / Decimal(self.denominator)
        return {"numerator": self.numerator, "denominator": self.denominator,
                "value": format(exact.quantize(Decimal("0.00000001"), rounding=ROUND_DOWN), "f"), "percent": self.percent}


def display_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Rate):
        return value.display()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def json_value(value):
    if isinstance(value, Rate):
        return value.as_dict()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass
class Criterion:
    """One exit condition: the value found, the threshold, the verdict and why."""

    code: str
    label: str
    status: str
    actual: object  # Rate, bool, int, Decimal or None (missing)
    op: str
    threshold: object
    threshold_display: str
    reason: str
    policy: dict | None = None

    @property
    def passed(self) -> bool:
        return self.status == Status.PASS

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def actual_display(self) -> str:
        return display_value(self.actual)

    @property
    def op_symbol(self) -> str:
        return OPS[self.op][0] if self.op in OPS else self.op

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "status": self.status, "status_label": self.status_label,
                "passed": self.passed, "actual": json_value(self.actual), "actual_display": self.actual_display,
                "op": self.op, "op_symbol": self.op_symbol, "threshold": json_value(self.threshold),
                "threshold_display": self.threshold_display, "reason": self.reason, "policy": self.policy}


def missing(*, code: str, label: str, op: str, threshold, threshold_display: str, reason: str,
            policy: dict | None) -> Criterion:
    return Criterion(code=code, label=label, status=Status.MISSING, actual=None, op=op, threshold=threshold,
                     threshold_display=threshold_display, reason=f"缺少数据：{reason}", policy=policy)


def compare(*, code: str, label: str, actual, op: str, threshold, policy: dict | None,
            threshold_display: str | None = None, subject: str | None = None) -> Criterion:
    """Check `actual op threshold` exactly. A malformed policy item fails with the reason named.
    `subject` names the value in the reason (default: the label)."""
    subject = subject or label
    shown = threshold_display if threshold_display is not None else display_value(threshold)

    def result(status: str, reason: str) -> Criterion:
        return Criterion(code=code, label=label, status=status, actual=actual, op=op, threshold=threshold,
                         threshold_display=shown, reason=reason, policy=policy)

    if op not in OPS:
        return result(Status.FAIL, f"政策参数有误：比较方式“{op}”无效（应为 eq、gt、gte、lt 或 lte）")
    symbol, fn = OPS[op]
    try:
        if isinstance(threshold, bool) or isinstance(actual, bool):
            if not (isinstance(threshold, bool) and isinstance(actual, bool)) or op != "eq":
                return result(Status.FAIL, f"政策参数有误：“{label}”为是/否指标，只能用 eq 与 true/false 比较")
            ok = actual == threshold
        else:
            left = actual.fraction if isinstance(actual, Rate) else Fraction(Decimal(str(actual)))
            ok = fn(left, policy_number(threshold))
    except PolicyValueError as exc:
        return result(Status.FAIL, f"政策参数有误：{exc}")
    shown_actual = actual.percent if isinstance(actual, Rate) else display_value(actual)
    if ok:
        return result(Status.PASS, f"{subject} {shown_actual} {symbol} {shown}，达标")
    return result(Status.FAIL, f"{subject} {shown_actual} {OP_NEGATED[op]} {shown}，未达标")


@dataclass
class Evidence:
    """One input of the evaluation with where it came from."""

    code: str
    label: str
    value: object
    source: str = ""

    @property
    def display(self) -> str:
        return display_value(self.value)

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "value": json_value(self.value), "display": self.display,
                "source": self.source}


@dataclass
class RegionResult:
    """The evaluation of one village or county: criteria, inputs and the policy rows used."""

    code: str
    name: str
    level: str
    year: int
    criteria: list[Criterion] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    policies: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.criteria) and all(c.passed for c in self.criteria)

    @property
    def status(self) -> str:
        if self.passed:
            return Status.PASS
        return Status.FAIL if any(c.status == Status.FAIL for c in self.criteria) else Status.MISSING

    @property
    def status_label(self) -> str:
        return {Status.PASS: "符合退出条件", Status.FAIL: "不符合退出条件", Status.MISSING: "缺少数据"}[self.status]

    @property
    def failed(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.passed]

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)

    def as_dict(self) -> dict:
        return {"region": {"code": self.code, "name": self.name, "level": self.level}, "year": self.year,
                "passed": self.passed, "status": self.status, "status_label": self.status_label, "tags": self.tags,
                "criteria": [c.as_dict() for c in self.criteria], "evidence": [e.as_dict() for e in self.evidence],
                "policies": self.policies}

"""What a data-quality rule is, what it finds, and the context it runs in.

A rule is data plus one set-based query: `Rule.check(ctx, households)` issues exactly one query over
the households it is given (whatever their number) and turns the rows into `Finding`s in Python,
without further queries. Thresholds come from the policy table through `Context.policy`, so every
finding can say which numbers it used and where they came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from fupin.accounts.masking import mask_id_number, mask_phone
from fupin.policy.selectors import Resolved

ERROR = "error"
WARNING = "warning"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}


def json_value(value: Any) -> Any:
    """Values of a finding as JSON-friendly primitives (Decimal and dates as text)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def age_at(birth: date, reference: date) -> int:
    return reference.year - birth.year - ((reference.month, reference.day) < (birth.month, birth.day))


def shown_id(value: str) -> str:
    """ID numbers inside messages are always masked: a message may be shown to anyone in scope."""
    return mask_id_number(value or "") or "（空）"


def shown_phone(value: str) -> str:
    return mask_phone(value or "") or "（空）"


@dataclass(frozen=True)
class Finding:
    """One problem found by one rule, on one household and possibly one member.

    `message` is Chinese, names the fields and values, and never carries a full ID number or
    phone number (those are masked in it). `values` holds the raw values the rule looked at,
    keyed by model field name, so a caller masks them for its user (accounts.masking).
    `inputs` are the policy thresholds used, each with its source (`Resolved.explain()`).
    """

    code: str
    severity: str
    title: str
    message: str
    household_id: int
    household_no: str
    village_code: str
    head_name: str = ""
    member_id: int | None = None
    member_name: str = ""
    fields: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    def as_dict(self, *, mask: Callable[[str, Any], Any] | None = None) -> dict:
        values = json_value(self.values)
        if mask is not None:
            values = {k: mask(k, v) for k, v in values.items()}
        return {
            "code": self.code, "severity": self.severity, "title": self.title, "message": self.message,
            "household_id": self.household_id, "household_no": self.household_no,
            "village_code": self.village_code, "head_name": self.head_name, "member_id": self.member_id, "member_name": self.member_name,
            "fields": list(self.fields), "values": values, "inputs": self.inputs,
        }


@dataclass
class Context:
    """One run: the year checked, the date ages are counted at, and the resolved thresholds."""

    year: int
    region_code: str
    reference_date: date
    policy: dict[str, Resolved]
    # Households whose number and member names may be named when another record points at them
    # (a duplicate ID); None = the households checked.
    visible: QuerySet | None = None
    memo: dict = field(default_factory=dict)

    def value(self, key: str):
        return self.policy[key].value

    def born_by(self, age: int) -> date:
        """The latest birth date of a person who is at least `age` at the reference date."""
        ref = self.reference_date
        try:
            return ref.replace(year=ref.year - age)
        except ValueError:  # 29 February
            return ref.replace(year=ref.year - age, day=28)

    def age(self, birth: date) -> int:
        return age_at(birth, self.reference_date)

    def inputs(self, keys: Iterable[str]) -> dict:
        return {k: self.policy[k].explain() for k in keys}

    def once(self, name: str, compute: Callable[[], Any]) -> Any:
        """Rows shared by several rules (e.g. the duplicate-ID rules) are fetched once per run."""
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]


CheckFn = Callable[["Rule", Context, QuerySet], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    fields: tuple[str, ...]
    description: str
    check: CheckFn
    policy_keys: tuple[str, ...] = ()

    def run(self, ctx: Context, households: QuerySet) -> list[Finding]:
        return list(self.check(self, ctx, households))

    def finding(self, ctx: Context, row: dict, message: str, *, values: dict | None = None,
                member: bool = True) -> Finding:
        """A finding from a row carrying the standard aliases (see `rows.HOUSEHOLD_ALIASES`)."""
        return Finding(
            code=self.code, severity=self.severity, title=self.title, message=message,
            household_id=row["h_id"], household_no=row["h_no"], village_code=row["v_code"],
            head_name=row.get("h_head") or "",
            member_id=row.get("m_id") if member else None, member_name=(row.get("m_name") or "") if member else "",
            fields=self.fields, values=values or {},
            inputs=ctx.once(("inputs", self.code), lambda: ctx.inputs(self.policy_keys)),
        )

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "severity_label": SEVERITY_LABELS[self.severity],
                "title": self.title, "fields": list(self.fields), "description": self.description,
                "policy_keys": list(self.policy_keys)}


RULES: dict[str, Rule] = {}


def rule(code: str, severity: str, title: str, *, fields: tuple[str, ...], description: str,
         policy: tuple[str, ...] = ()) -> Callable[[CheckFn], CheckFn]:
    """Register a rule: `@rule("R05", ERROR, "…", fields=(…), description="…")` over its check."""
    if severity not in SEVERITY_LABELS:
        raise ValueError(f"unknown severity {severity!r}")

    def register(check: CheckFn) -> CheckFn:
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        RULES[code] = Rule(code=code, severity=severity, title=title, fields=fields, description=description,
                           check=check, policy_keys=policy)
        return check

    return register

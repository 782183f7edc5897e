"""Credit rates per village and over a region (扶贫小额信贷统计), and the reminders due on a day.

On day D, for the loans of the region disbursed on or before D (standing per `rules.loan_state_on`,
policy per loan's village for D's year):

- 贷款笔数 / 放款金额: loans disbursed by D (a renewal is a loan of its own);
- 贷款余额: principal outstanding on D of loans still running (正常, 逾期, 违约);
- 获贷户 / 建档立卡户 = 获贷率: households filed on D (status on D 未脱贫, 返贫 or 已脱贫) with at
  least one loan disbursed by D, over the households filed on D;
- 逾期率 = balance of 逾期 and 违约 loans ÷ 贷款余额 (违约 also on its own);
- 按期还款率: of the loans whose maturity + grace is before D and that were not written off, the share
  repaid in full on or before maturity + grace; a loan renewed (展期/续贷) instead counts as not
  repaid on time (seed 003 names 无还本续贷 as a finding).

Set-based: three queries whatever the size of the region (the loans with their repayment sums and
renewal dates; the filed households with and without loans per village; the policy rows), plus the
village names. Callers pass querysets already scoped (`selectors` does).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from fupin.accounts.scope import in_code_range
from fupin.policy.selectors import resolver
from fupin.regions.codes import subtree_range
from fupin.regions.models import Region
from fupin.registry.models import Household
from fupin.registry.selectors_status import status_on_expr

from .choices import DEFAULT_AFTER_KEY, FILED_STATUSES, GRACE_KEY, REMINDER_DAYS_KEY, LoanStatus, ReminderKind
from .models import Loan
from .rules import LoanState, loan_state_on, next_reminder_on, reminder_kind

REPORT_KEYS = (GRACE_KEY, DEFAULT_AFTER_KEY, REMINDER_DAYS_KEY)
RUNNING = frozenset({LoanStatus.NORMAL, LoanStatus.OVERDUE, LoanStatus.DEFAULTED})
LATE = frozenset({LoanStatus.OVERDUE, LoanStatus.DEFAULTED})
RULE_TEXT = ("获贷率 = 有贷款的建档立卡户 ÷ 建档立卡户（统计日户状态为未脱贫、返贫、已脱贫）；"
             "逾期率 = 逾期和违约贷款余额 ÷ 贷款余额；按期还款率 = 到期（含宽限期）贷款中按期结清的比例，展期/续贷计为未按期；"
             "到期日后（超过宽限天数）未结清为逾期，逾期超过规定天数为违约。")


def _rate(num, den) -> float | None:
    return round(float(num) / float(den), 4) if den else None


@dataclass
class LoanRow:
    """One loan on day `on` with every input of its standing."""

    loan_id: int
    household_id: int
    household_no: str
    head_name: str
    village_code: str
    borrower_name: str
    contract_no: str
    bank: str
    amount: Decimal
    start_date: date
    maturity_date: date
    principal_paid: Decimal
    last_principal_on: date | None
    state: LoanState
    grace_days: int
    default_after_days: int
    reminder_days: tuple[int, ...]
    on: date
    village_name: str = ""

    @property
    def days_to_maturity(self) -> int:
        return (self.maturity_date - self.on).days

    @property
    def next_reminder_on(self) -> date | None:
        if self.state.state != LoanStatus.NORMAL:
            return None
        return next_reminder_on(maturity=self.maturity_date, on=self.on, reminder_days=list(self.reminder_days))

    @property
    def reminder_due(self) -> bool:
        return self.state.state == LoanStatus.NORMAL and self.days_to_maturity in self.reminder_days

    @property
    def reminder_kind(self) -> str:
        return reminder_kind(self.days_to_maturity, list(self.reminder_days)) if self.reminder_due else ""

    @property
    def reminder_label(self) -> str:
        return ReminderKind(self.reminder_kind).label if self.reminder_kind else ""

    @property
    def matured(self) -> bool:
        return self.maturity_date + timedelta(days=self.grace_days) < self.on

    @property
    def repaid_on_time(self) -> bool:
        return (self.state.state == LoanStatus.REPAID and self.last_principal_on is not None
                and self.last_principal_on <= self.maturity_date + timedelta(days=self.grace_days))

    def explain(self) -> str:
        s = self.state
        if s.state in LATE:
            return (f"到期日 {self.maturity_date:%Y-%m-%d}，已过 {s.overdue_days} 天（宽限 {self.grace_days} 天），"
                    f"余额 {s.balance} 元；逾期超过 {self.default_after_days} 天为违约")
        if s.state == LoanStatus.NORMAL:
            return f"距到期日 {self.maturity_date:%Y-%m-%d} 还有 {self.days_to_maturity} 天，余额 {s.balance} 元"
        return s.label

    def as_dict(self) -> dict:
        return {
            "loan_id": self.loan_id, "household_id": self.household_id, "household_no": self.household_no,
            "head_name": self.head_name, "village_code": self.village_code, "village_name": self.village_name,
            "borrower_name": self.borrower_name, "contract_no": self.contract_no, "bank": self.bank,
            "amount": self.amount, "start_date": self.start_date, "maturity_date": self.maturity_date,
            "principal_paid": self.principal_paid, "balance": self.state.balance, "state": self.state.state,
            "state_label": self.state.label, "overdue_days": self.state.overdue_days,
            "days_to_maturity": self.days_to_maturity, "reminder_due": self.reminder_due,
            "reminder_kind": self.reminder_kind, "reminder_label": self.reminder_label,
            "next_reminder_on": self.next_reminder_on, "explanation": self.explain(),
        }


def loan_rows(loans: QuerySet[Loan], *, on: date) -> tuple[list[LoanRow], list[dict]]:
    """Every loan of `loans` disbursed by `on` with its standing; and the policy rows used."""
    from .selectors import annotate_facts

    qs = (annotate_facts(loans.filter(start_date__lte=on), on=on).order_by("maturity_date", "id")
          .values("pk", "household_id", "household__household_no", "household__head_name", "village_id",
                  "borrower__name", "contract_no", "bank", "amount", "start_date", "maturity_date", "status",
                  "status_on", "principal_paid", "last_principal_on", "renewal_start"))
    policy_for = resolver(REPORT_KEYS, year=on.year)
    policy: dict[tuple, dict] = {}
    rows = []
    for r in qs:
        p = policy_for(r["village_id"])
        for k in REPORT_KEYS:
            e = p[k].explain()
            policy[(e["key"], e["region_code"], e["year_from"])] = e
        grace, default_after = int(p[GRACE_KEY].value), int(p[DEFAULT_AFTER_KEY].value)
        state = loan_state_on(on=on, amount=r["amount"], start=r["start_date"], maturity=r["maturity_date"],
                              principal_paid=r["principal_paid"], renewal_start=r["renewal_start"],
                              written_off_on=r["status_on"] if r["status"] == LoanStatus.WRITTEN_OFF else None,
                              grace_days=grace, default_after_days=default_after)
        rows.append(LoanRow(
            loan_id=r["pk"], household_id=r["household_id"], household_no=r["household__household_no"],
            head_name=r["household__head_name"], village_code=r["village_id"], borrower_name=r["borrower__name"],
            contract_no=r["contract_no"], bank=r["bank"], amount=r["amount"], start_date=r["start_date"],
            maturity_date=r["maturity_date"], principal_paid=r["principal_paid"],
            last_principal_on=r["last_principal_on"], state=state, grace_days=grace, default_after_days=default_after,
            reminder_days=tuple(int(d) for d in p[REMINDER_DAYS_KEY].value), on=on))
    return rows, sorted(policy.values(), key=lambda e: (e["key"], e["region_code"], e["year_from"]))


@dataclass
class Tally:
    loans: int = 0
    amount: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)
    overdue_loans: int = 0
    overdue_balance: Decimal = Decimal(0)
    defaulted_loans: int = 0
    defaulted_balance: Decimal = Decimal(0)
    matured: int = 0
    repaid_on_time: int = 0
    renewed: int = 0
    written_off: int = 0
    filed_households: int = 0
    households_with_loans: int = 0

    def add(self, row: LoanRow) -> None:
        s = row.state
        self.loans += 1
        self.amount += row.amount
        if s.state in RUNNING:
            self.balance += s.balance
        if s.state in LATE:
            self.overdue_loans += 1
            self.overdue_balance += s.balance
        if s.state == LoanStatus.DEFAULTED:
            self.defaulted_loans += 1
            self.defaulted_balance += s.balance
        if s.state == LoanStatus.RENEWED:
            self.renewed += 1
        if s.state == LoanStatus.WRITTEN_OFF:
            self.written_off += 1
        elif row.matured:
            self.matured += 1
            self.repaid_on_time += row.repaid_on_time

    @property
    def coverage_rate(self) -> float | None:
        return _rate(self.households_with_loans, self.filed_households)

    @property
    def overdue_rate(self) -> float | None:
        return _rate(self.overdue_balance, self.balance)

    @property
    def default_rate(self) -> float | None:
        return _rate(self.defaulted_balance, self.balance)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.repaid_on_time, self.matured)

    def as_dict(self) -> dict:
        return {
            "loans": self.loans, "amount": self.amount, "balance": self.balance,
            "overdue_loans": self.overdue_loans, "overdue_balance": self.overdue_balance,
            "defaulted_loans": self.defaulted_loans, "defaulted_balance": self.defaulted_balance,
            "matured": self.matured, "repaid_on_time": self.repaid_on_time, "renewed": self.renewed,
            "written_off": self.written_off, "filed_households": self.filed_households,
            "households_with_loans": self.households_with_loans, "coverage_rate": self.coverage_rate,
            "overdue_rate": self.overdue_rate, "default_rate": self.default_rate, "on_time_rate": self.on_time_rate,
        }


@dataclass
class VillageTally:
    village_code: str
    name: str
    tally: Tally = field(default_factory=Tally)

    def as_dict(self) -> dict:
        return {"village_code": self.village_code, "name": self.name, **self.tally.as_dict()}


@dataclass
class CreditReport:
    region_code: str
    on: date
    totals: Tally
    by_village: list[VillageTally]
    overdue: list[LoanRow]
    reminders: list[LoanRow]
    policy: list[dict]

    def as_dict(self, *, overdue_rows: list[LoanRow] | None = None) -> dict:
        return {"region_code": self.region_code, "on": self.on, "rule": RULE_TEXT, "totals": self.totals.as_dict(),
                "by_village": [v.as_dict() for v in self.by_village], "overdue_count": len(self.overdue),
                "overdue": [r.as_dict() for r in (self.overdue if overdue_rows is None else overdue_rows)],
                "reminders": [r.as_dict() for r in self.reminders], "policy": self.policy}


def _names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


def build_report(*, loans: QuerySet[Loan], households: QuerySet[Household], region_code: str, on: date) -> CreditReport:
    rng = subtree_range(region_code)
    rows, policy = loan_rows(loans.filter(in_code_range("village_id", rng)), on=on)
    has_loan = Loan.objects.filter(household_id=OuterRef("pk"), start_date__lte=on)
    filed = (households.filter(in_code_range("village_id", rng)).order_by()
             .annotate(status_then=Coalesce(status_on_expr(on), F("status")), has_loan=Exists(has_loan))
             .filter(status_then__in=FILED_STATUSES).filter(Q(registered_year__lte=on.year))
             .values("village_id").annotate(n=Count("pk"), with_loans=Count("pk", filter=Q(has_loan=True))))
    villages: dict[str, VillageTally] = {}
    totals = Tally()
    for f in filed:
        v = villages.setdefault(f["village_id"], VillageTally(f["village_id"], ""))
        v.tally.filed_households += f["n"]
        v.tally.households_with_loans += f["with_loans"]
        totals.filed_households += f["n"]
        totals.households_with_loans += f["with_loans"]
    for row in rows:
        villages.setdefault(row.village_code, VillageTally(row.village_code, "")).tally.add(row)
        totals.add(row)
    names = _names(villages)
    for v in villages.values():
        v.name = names.get(v.village_code, v.village_code)
    for row in rows:
        row.village_name = names.get(row.village_code, row.village_code)
    overdue = sorted((r for r in rows if r.state.state in LATE), key=lambda r: (-r.state.overdue_days, r.household_no))
    reminders = [r for r in rows if r.reminder_due]
    return CreditReport(region_code=region_code, on=on, totals=totals,
                        by_village=sorted(villages.values(), key=lambda v: v.village_code), overdue=overdue,
                        reminders=reminders, policy=policy)


@dataclass
class ReminderReport:
    region_code: str
    on: date
    due: list[LoanRow]  # reminders falling due on `on`
    upcoming: list[LoanRow]  # running loans maturing within the largest reminder day count, not due today
    policy: list[dict]

    def as_dict(self) -> dict:
        return {"region_code": self.region_code, "on": self.on, "due_count": len(self.due),
                "due": [r.as_dict() for r in self.due], "upcoming": [r.as_dict() for r in self.upcoming],
                "policy": self.policy}


def build_reminders(*, loans: QuerySet[Loan], region_code: str, on: date) -> ReminderReport:
    """Loans whose maturity is exactly k days after `on` for a k in `credit.reminder_days` (due), and
    the running loans maturing later within the largest k (upcoming, with their next reminder day).
    Only loans maturing in [on, on + 366 days] are read."""
    rng = subtree_range(region_code)
    window = loans.filter(in_code_range("village_id", rng), maturity_date__gte=on,
                          maturity_date__lte=on + timedelta(days=366))
    rows, policy = loan_rows(window, on=on)
    names = _names({r.village_code for r in rows})
    for r in rows:
        r.village_name = names.get(r.village_code, r.village_code)
    running = [r for r in rows if r.state.state == LoanStatus.NORMAL]
    due = [r for r in running if r.reminder_due]
    upcoming = [r for r in running if not r.reminder_due and r.days_to_maturity <= max(r.reminder_days, default=0)]
    return ReminderReport(region_code=region_code, on=on, due=due, upcoming=upcoming, policy=policy)

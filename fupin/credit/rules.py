"""The arithmetic of 扶贫小额信贷, free of the database: dates, ages, a loan's standing on a day,
reminder days and the derived repayment schedule. Who may do what is at the end.

Standing on day D (`loan_state_on`), from the dates and repayments only:

- not yet disbursed: start_date > D (the loan is not counted on D);
- 已核销 written off on or before D (a county approver's decision, `status_on`);
- 已展期/续贷 if its renewal loan started on or before D (the renewal carries the balance on);
- 已结清 if the principal repaid on or before D covers the amount;
- otherwise 逾期 if D is later than maturity + `credit.overdue_grace_days`, and 违约 once the days
  past maturity exceed `credit.default_after_days` (exactly that many days is still 逾期);
- otherwise 正常.

Reminders (`reminder_kind`): on D a loan still running (正常, balance > 0) is due a reminder when its
maturity is exactly k days after D for a k in `credit.reminder_days` (default 60 → 到期提醒,
30 → 书面通知: seed 003 "到期日60天前提醒、到期日30天前书面通知"). The largest k is the
first (oral/SMS) reminder, every smaller one a written notice.

Schedule (`schedule`): interest every three months from the start date (按季结息) on the balance
at the rate for the days in the period (actual days / 360, the banks' convention), principal at
maturity (到期还本). With 财政贴息 the subsidy share (subsidy_rate / annual_rate) of each interest
instalment is paid by the county, the rest by the household.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from fupin.accounts.roles import Cap, Role

from .choices import LoanStatus, ReminderKind

CENT = Decimal("0.01")


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has fewer days (31 Jan + 1 → 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def age_on(birth: date, day: date) -> int:
    """Whole years of age on `day` (周岁): one more on each birthday (29 Feb: on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LoanState:
    state: str  # a LoanStatus value, or "" when not yet disbursed on the day
    balance: Decimal  # principal outstanding on the day (0 once renewed, repaid or written off)
    overdue_days: int  # days past maturity (0 unless 逾期/违约)

    @property
    def label(self) -> str:
        return LoanStatus(self.state).label if self.state else "未放款"


def loan_state_on(*, on: date, amount: Decimal, start: date, maturity: date, principal_paid: Decimal,
                  renewal_start: date | None, written_off_on: date | None, grace_days: int,
                  default_after_days: int) -> LoanState:
    """The loan's standing on `on` (see the module text). `principal_paid` is what was repaid on or
    before `on`."""
    if start > on:
        return LoanState("", Decimal(0), 0)
    if written_off_on is not None and written_off_on <= on:
        return LoanState(LoanStatus.WRITTEN_OFF, Decimal(0), 0)
    if renewal_start is not None and renewal_start <= on:
        return LoanState(LoanStatus.RENEWED, Decimal(0), 0)
    balance = max(Decimal(amount) - Decimal(principal_paid or 0), Decimal(0))
    if balance <= 0:
        return LoanState(LoanStatus.REPAID, Decimal(0), 0)
    past = (on - maturity).days
    if past > grace_days:
        return LoanState(LoanStatus.DEFAULTED if past > default_after_days else LoanStatus.OVERDUE, balance, past)
    return LoanState(LoanStatus.NORMAL, balance, 0)


def reminder_kind(days: int, reminder_days: list[int]) -> str:
    return ReminderKind.NOTICE if days == max(reminder_days) else ReminderKind.WRITTEN


def reminder_text(days: int, reminder_days: list[int]) -> str:
    return f"到期前 {days} 天{ReminderKind(reminder_kind(days, reminder_days)).label}"


def next_reminder_on(*, maturity: date, on: date, reminder_days: list[int], include_today: bool = False) -> date | None:
    """The next day (after `on`, or from `on` with include_today) a reminder falls due; None when none is left."""
    days = sorted(maturity - timedelta(days=int(k)) for k in reminder_days)
    for day in days:
        if day > on or (include_today and day == on):
            return day
    return None


@dataclass(frozen=True)
class Instalment:
    due_on: date
    period_from: date
    days: int
    principal: Decimal
    interest: Decimal
    subsidy: Decimal  # paid by the county (财政贴息)
    household_pays: Decimal


def schedule(*, amount: Decimal, start: date, maturity: date, annual_rate: Decimal, subsidised: bool,
             subsidy_rate: Decimal) -> list[Instalment]:
    """Interest quarterly from the start date, principal at maturity (the whole amount, as scheduled:
    early repayments lower the balance but not the plan)."""
    rows: list[Instalment] = []
    share = (Decimal(subsidy_rate) / Decimal(annual_rate)) if subsidised and annual_rate else Decimal(0)
    share = min(share, Decimal(1))
    period_from, i = start, 1
    while period_from < maturity:
        due = min(add_months(start, 3 * i), maturity)
        days = (due - period_from).days
        interest = money(Decimal(amount) * Decimal(annual_rate) * days / 360)
        subsidy = money(interest * share)
        principal = money(amount) if due == maturity else Decimal("0.00")
        rows.append(Instalment(due, period_from, days, principal, interest, subsidy, interest - subsidy + principal))
        period_from, i = due, i + 1
    return rows


# --- Who may do what -------------------------------------------------------------------------------
# Recording ratings, loans, repayments and renewals: the village clerk (村级信息员, who keeps the
# village's 评级授信 and loan ledger with the bank's list), the township reviewer and the county
# approver (capability edit_registry), inside their scope. Writing a loan off (核销, paid from the
# county risk-compensation fund) is the county approver's alone. Cadres, viewers, auditors and
# administrators read only.

def may_record(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.can(Cap.EDIT_REGISTRY))


def may_write_off(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.COUNTY_APPROVER)

"""Scoped reads of 扶贫小额信贷. Views, the API and the commands read credit data only through here.

Scope: ratings, loans and repayments are seen by whoever sees their village (one range condition
on the table's own `village` column); a cadre (帮扶责任人) sees those of the households paired with
them now.
"""

from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from fupin.accounts.scope import scoped, scoped_get
from fupin.core.clock import today
from fupin.policy.selectors import PolicyMissing, resolve_many
from fupin.registry.models import Household
from fupin.registry.selectors import household_members

from .choices import DEFAULT_AFTER_KEY, GRACE_KEY, REMINDER_DAYS_KEY, STATE_KEYS, LoanStatus
from .models import CreditRating, Loan, LoanRepayment
from .rules import (
    LoanState,
    loan_state_on,
    may_record,
    may_write_off,
    next_reminder_on,
    reminder_text,
    schedule,
)

CREDIT_SCOPE = {"region_field": "village_id", "cadre_field": "household__helper_id"}
REPAYMENT_SCOPE = {"region_field": "village_id", "cadre_field": "loan__household__helper_id"}
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))


def ratings_visible_to(user) -> QuerySet[CreditRating]:
    return scoped(CreditRating.objects.all(), user, **CREDIT_SCOPE)


def loans_visible_to(user) -> QuerySet[Loan]:
    return scoped(Loan.objects.all(), user, **CREDIT_SCOPE)


def repayments_visible_to(user) -> QuerySet[LoanRepayment]:
    return scoped(LoanRepayment.objects.all(), user, **REPAYMENT_SCOPE)


def loan_access(user, pk, *, for_update: bool = False) -> Loan:
    """The gate for one loan: 404 outside the user's scope."""
    return scoped_get(Loan.objects.select_related("household", "borrower", "rating", "village"), user, pk=pk,
                      for_update=for_update, **CREDIT_SCOPE)


def annotate_facts(loans: QuerySet[Loan], *, on: date) -> QuerySet[Loan]:
    """Add `principal_paid` (repaid on or before `on`), `last_principal_on` and `renewal_start`."""
    paid = (LoanRepayment.objects.filter(loan_id=OuterRef("pk"), paid_on__lte=on).order_by()
            .values("loan_id").annotate(s=Sum("principal")).values("s"))
    last = (LoanRepayment.objects.filter(loan_id=OuterRef("pk"), paid_on__lte=on, principal__gt=0)
            .order_by("-paid_on").values("paid_on"))
    renewal = Loan.objects.filter(renewed_from_id=OuterRef("pk")).values("start_date")
    return loans.annotate(principal_paid=Coalesce(Subquery(paid[:1]), ZERO),
                          last_principal_on=Subquery(last[:1]), renewal_start=Subquery(renewal[:1]))


def state_policy(village_code: str, year: int) -> dict:
    return resolve_many(STATE_KEYS + (REMINDER_DAYS_KEY,), year=year, region_code=village_code)


def loan_state(loan: Loan, *, on: date) -> LoanState:
    """One loan's standing on `on` (rules.loan_state_on) with the policy of its village for that year."""
    p = state_policy(loan.village_id, on.year)
    paid = (LoanRepayment.objects.filter(loan_id=loan.pk, paid_on__lte=on).aggregate(s=Sum("principal"))["s"]
            or Decimal(0))
    renewal = Loan.objects.filter(renewed_from_id=loan.pk).values_list("start_date", flat=True).first()
    return loan_state_on(on=on, amount=loan.amount, start=loan.start_date, maturity=loan.maturity_date,
                         principal_paid=paid, renewal_start=renewal,
                         written_off_on=loan.status_on if loan.status == LoanStatus.WRITTEN_OFF else None,
                         grace_days=int(p[GRACE_KEY].value), default_after_days=int(p[DEFAULT_AFTER_KEY].value))


def household_ratings(user, household: Household) -> QuerySet[CreditRating]:
    return ratings_visible_to(user).filter(household_id=household.pk).select_related("rated_by")


def household_loans(user, household: Household) -> QuerySet[Loan]:
    return loans_visible_to(user).filter(household_id=household.pk).select_related("borrower", "rating")


def loan_repayments(user, loan: Loan) -> QuerySet[LoanRepayment]:
    return repayments_visible_to(user).filter(loan_id=loan.pk).select_related("recorded_by").order_by("paid_on", "id")


def loan_detail(user, loan: Loan, *, on: date, policy: dict | None = None) -> dict:
    """A loan with its standing on `on`, its derived schedule, its repayments and the reminders."""
    try:
        p = policy or state_policy(loan.village_id, on.year)
    except PolicyMissing:
        p = None
    state = loan_state(loan, on=on) if p else None
    repayments = list(loan_repayments(user, loan))
    days = [int(d) for d in p[REMINDER_DAYS_KEY].value] if p else []
    running = state is not None and state.state == LoanStatus.NORMAL
    left = (loan.maturity_date - on).days
    return {
        "loan": loan, "state": state, "repayments": repayments,
        "principal_paid": sum((r.principal for r in repayments), Decimal(0)),
        "interest_paid": sum((r.interest for r in repayments), Decimal(0)),
        "schedule": schedule(amount=loan.amount, start=loan.start_date, maturity=loan.maturity_date,
                             annual_rate=loan.annual_rate, subsidised=loan.subsidised, subsidy_rate=loan.subsidy_rate),
        "days_to_maturity": left,
        "reminder_today": reminder_text(left, days) if running and left in days else "",
        "next_reminder_on": next_reminder_on(maturity=loan.maturity_date, on=on, reminder_days=days)
        if running and days else None,
        "renewal": getattr(loan, "renewal", None),
    }


def household_credit_context(user, household: Household, *, on: date | None = None) -> dict:
    """Context for `web/credit/_household_section.html` on the household page and for the
    household credit page: the valid rating, every rating, the loans with their standing, schedule
    and repayments, the present members who may borrow and what the user may do."""
    on = on or today()
    ratings = list(household_ratings(user, household))
    valid = next((r for r in ratings if r.rated_on <= on <= r.valid_until), None)
    loans = [loan_detail(user, loan, on=on) for loan in household_loans(user, household)]
    open_loans = [d for d in loans if d["state"] is not None and d["state"].balance > 0]
    members = [m for m in household_members(user, household)
               if m.birth_date <= on and (m.left_on is None or m.left_on > on)]
    return {"credit_section": {
        "household": household, "on": on, "ratings": ratings, "rating": valid, "loans": loans,
        "balance": sum((d["state"].balance for d in open_loans), Decimal(0)),
        "open_loans": len(open_loans), "members": members,
        "can_record": may_record(user), "can_write_off": may_write_off(user),
    }}


# --- Rates and reminders over a region -------------------------------------------------------------

def credit_report(user, *, region_code: str, on: date):
    """Rates per village and in total for what `user` may see under `region_code` (region already
    opened through `region_access`). See `report.py` for the definitions."""
    from fupin.registry.selectors import households_visible_to

    from .report import build_report

    return build_report(loans=loans_visible_to(user), households=households_visible_to(user),
                        region_code=region_code, on=on)


def credit_report_in_region(*, region_code: str, on: date):
    """The same over the whole region (the CLI, an administrator's tool)."""
    from .report import build_report

    return build_report(loans=Loan.objects.all(), households=Household.objects.all(), region_code=region_code, on=on)


def loan_reminders(user, *, region_code: str, on: date):
    """Reminders due on `on` (maturity exactly k days later, k in `credit.reminder_days`) with each
    loan's next reminder day, and the running loans approaching maturity."""
    from .report import build_reminders

    return build_reminders(loans=loans_visible_to(user), region_code=region_code, on=on)


def loan_reminders_in_region(*, region_code: str, on: date):
    from .report import build_reminders

    return build_reminders(loans=Loan.objects.all(), region_code=region_code, on=on)

"""The demo credit data on a small generated county: plausible, deterministic, within the rules."""

import hashlib
from datetime import date

import pytest

from fupin.credit.demo import generate_credit_demo
from fupin.credit.models import CreditRating, Loan, LoanRepayment
from fupin.credit.rules import age_on
from fupin.credit.selectors import credit_report_in_region, loan_reminders_in_region
from fupin.demo.generator import DemoError, generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.demo.users import ensure_demo_users
from fupin.regions.models import Region
from fupin.regions.services import import_regions

pytestmark = pytest.mark.django_db
ON = date(2020, 12, 15)


@pytest.fixture
def demo_county(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=300, seed=7, years="2019-2020")
    ensure_demo_users(county_code="610926")
    return Region.objects.get(code="610926000000")


def digest() -> str:
    h = hashlib.sha256()
    for row in Loan.objects.order_by("contract_no").values_list("household__household_no", "borrower__name", "amount",
                                                                "term_months", "start_date", "status"):
        h.update(repr(row).encode())
    for row in LoanRepayment.objects.order_by("loan__contract_no", "paid_on", "id").values_list(
            "loan__contract_no", "paid_on", "principal", "interest"):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_demo_credit_is_plausible_and_deterministic(demo_county, django_db_blocker):
    stats = generate_credit_demo(county_code="610926", on=ON, seed=3)
    eligible, loans = stats["eligible_households"], stats["loans"]
    assert 0.5 <= stats["ratings"] / eligible <= 0.8
    assert 0.15 <= loans / eligible <= 0.35, stats
    assert CreditRating.objects.count() == stats["ratings"] and Loan.objects.count() == loans
    for loan in Loan.objects.select_related("borrower", "rating"):
        assert loan.amount <= loan.rating.credit_line and loan.amount <= 50000 and loan.term_months <= 36
        assert 18 <= age_on(loan.borrower.birth_date, loan.start_date) <= 65
        assert loan.rating.rated_on <= loan.start_date <= loan.rating.valid_until and loan.start_date <= ON
    report = credit_report_in_region(region_code="610926000000", on=ON)
    t = report.totals
    assert t.loans == loans and 0.9 * loans <= t.households_with_loans <= loans  # monitored households are not filed
    assert t.overdue_loans > 0 and t.defaulted_loans > 0 and 0 < t.overdue_rate < 0.6
    assert t.matured > 0 and 0.5 < t.on_time_rate < 1
    states = {r.loan_id: r.state.state for r in report.overdue}
    assert set(states.values()) <= {"overdue", "defaulted"}
    # The recorded statuses agree with the standing on the demo day.
    for loan in Loan.objects.filter(pk__in=states):
        assert loan.status == states[loan.pk]
    reminders = loan_reminders_in_region(region_code="610926000000", on=ON)
    assert reminders.due and {r.days_to_maturity for r in reminders.due} <= {60, 30}
    first = digest()
    with pytest.raises(DemoError):
        generate_credit_demo(county_code="610926", on=ON, seed=3)
    LoanRepayment.objects.all().delete()
    Loan.objects.filter(renewed_from__isnull=False).delete()
    Loan.objects.all().delete()
    CreditRating.objects.all().delete()
    generate_credit_demo(county_code="610926", on=ON, seed=3)
    assert digest() == first

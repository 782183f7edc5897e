"""Repayments, renewal, overdue and default transitions, write-off, reminders at the exact days,
rates per village and in total."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.audit.models import AuditEvent
from fupin.credit.models import Loan
from fupin.credit.rules import schedule
from fupin.credit.selectors import (
    credit_report,
    credit_report_in_region,
    loan_reminders,
    loan_state,
)
from fupin.credit.services import loan_renew, loan_repay, loan_write_off, loans_refresh_status
from fupin.policy.services import policy_set

from .helpers import borrow, rate

pytestmark = pytest.mark.django_db
MATURITY = date(2021, 3, 1)  # 12 months from 2020-03-01


@pytest.fixture
def loan(users, households):
    rate(users, households["a1"])
    return borrow(users, households["a1"], amount="20000", term_months=12)


def repay(users, loan, day, principal="0", interest="0", who="clerk_a"):
    return loan_repay(actor=users[who], loan_id=loan.pk, data={"paid_on": day, "principal": principal,
                                                              "interest": interest})


def test_repayments_lower_the_balance_and_settle_the_loan(users, loan):
    repay(users, loan, date(2020, 6, 1), interest="217.50")
    repay(users, loan, date(2020, 9, 1), principal="5000")
    with pytest.raises(ValidationError) as info:
        repay(users, loan, date(2020, 10, 1), principal="15000.01")
    assert "超过贷款余额 15000.00 元" in info.value.message_dict["principal"][0]
    with pytest.raises(ValidationError) as info:
        repay(users, loan, date(2020, 2, 1), principal="1")
    assert "不能早于放款日期" in info.value.message_dict["paid_on"][0]
    repay(users, loan, date(2021, 3, 1), principal="15000")
    loan.refresh_from_db()
    assert loan.status == "repaid" and loan.status_on == date(2021, 3, 1)
    assert loan_state(loan, on=date(2021, 2, 28)).balance == Decimal("15000")
    assert loan_state(loan, on=date(2021, 3, 1)).state == "repaid"
    with pytest.raises(ValidationError):
        repay(users, loan, date(2021, 3, 2), interest="1")
    with pytest.raises(PermissionDenied):
        repay(users, loan, date(2020, 6, 1), interest="1", who="auditor")


def test_overdue_and_default_transitions(users, loan):
    def state(day):
        return loan_state(loan, on=day)
    assert state(MATURITY).state == "normal"  # due today, not yet overdue
    assert state(MATURITY + timedelta(days=1)).state == "overdue"
    assert state(MATURITY + timedelta(days=90)).state == "overdue"  # exactly 90 days: still overdue
    s = state(MATURITY + timedelta(days=91))
    assert s.state == "defaulted" and s.overdue_days == 91 and s.balance == Decimal("20000")
    # A grace period moves the boundary.
    policy_set(actor=None, key="credit.overdue_grace_days", region_code="610926000000", year_from=2021, value=10)
    assert state(MATURITY + timedelta(days=10)).state == "normal"
    assert state(MATURITY + timedelta(days=11)).state == "overdue"
    # The recorded status follows, audited.
    assert loans_refresh_status(actor=users["county"], loans=Loan.objects.all(), on=MATURITY + timedelta(days=11)) == 1
    loan.refresh_from_db()
    assert loan.status == "overdue"
    assert loans_refresh_status(actor=users["county"], loans=Loan.objects.all(), on=date(2021, 7, 1)) == 1
    loan.refresh_from_db()
    assert loan.status == "defaulted"
    assert AuditEvent.objects.filter(object_type="credit.loan", object_id=str(loan.pk), action="update").count() == 2


def test_renewal_once_and_not_when_defaulted(users, loan, households):
    repay(users, loan, date(2020, 12, 1), principal="5000")
    new = loan_renew(actor=users["township_a"], loan_id=loan.pk, data={"contract_no": "XD-1", "term_months": 12,
                                                                       "start_date": MATURITY})
    loan.refresh_from_db()
    assert new.renewed_from_id == loan.pk and new.amount == Decimal("15000") and loan.status == "renewed"
    assert new.maturity_date == date(2022, 3, 1)
    assert loan_state(loan, on=MATURITY).state == "renewed" and loan_state(loan, on=MATURITY).balance == 0
    with pytest.raises(ValidationError) as info:  # the renewal itself may not be renewed again (max 1)
        loan_renew(actor=users["township_a"], loan_id=new.pk, data={"contract_no": "XD-2", "term_months": 6,
                                                                    "start_date": date(2022, 3, 1)})
    assert "已展期/续贷 1 次，已达上限 1 次" in info.value.message_dict["renewed_from"][0]
    # A defaulted loan may not be renewed.
    rate(users, households["a2"], who="township_a")
    other = borrow(users, households["a2"], who="township_a", amount="1000", term_months=6)
    with pytest.raises(ValidationError) as info:
        loan_renew(actor=users["township_a"], loan_id=other.pk,
                   data={"contract_no": "XD-3", "term_months": 6, "start_date": date(2020, 12, 31)})
    assert "为“违约”（逾期 121 天），不能展期或续贷" in info.value.message_dict["renewed_from"][0]
    with pytest.raises(ValidationError) as info:
        loan_renew(actor=users["township_a"], loan_id=other.pk,
                   data={"contract_no": "XD-3", "term_months": 6, "start_date": date(2020, 9, 1), "amount": "1000.01"})
    assert "不能超过原贷款余额" in info.value.message_dict["amount"][0]


def test_write_off_by_the_county_only_for_defaulted_loans(users, loan):
    with pytest.raises(PermissionDenied):
        loan_write_off(actor=users["township_a"], loan_id=loan.pk, data={"reason": "x"})
    with pytest.raises(ValidationError) as info:
        loan_write_off(actor=users["county"], loan_id=loan.pk, data={"written_off_on": MATURITY, "reason": "无力偿还"})
    assert "只有违约贷款可以核销" in info.value.message_dict["loan"][0]
    day = MATURITY + timedelta(days=120)
    loan_write_off(actor=users["county"], loan_id=loan.pk, data={"written_off_on": day, "reason": "风险补偿金代偿"})
    loan.refresh_from_db()
    assert loan.status == "written_off" and loan_state(loan, on=day).state == "written_off"
    assert loan_state(loan, on=day - timedelta(days=1)).state == "defaulted"


@pytest.mark.parametrize(("days_before", "due", "kind"), [
    (61, False, ""), (60, True, "notice"), (59, False, ""),
    (31, False, ""), (30, True, "written"), (29, False, ""),
])
def test_reminders_on_the_exact_days(users, loan, days_before, due, kind):
    on = MATURITY - timedelta(days=days_before)
    report = loan_reminders(users["clerk_a"], region_code="610926000000", on=on)
    assert [r.loan_id for r in report.due] == ([loan.pk] if due else [])
    if due:
        row = report.due[0]
        assert row.reminder_kind == kind and row.days_to_maturity == days_before
        assert row.next_reminder_on == (MATURITY - timedelta(days=30) if days_before == 60 else None)
    else:
        assert [r.loan_id for r in report.upcoming] == ([loan.pk] if days_before <= 60 else [])
        if days_before == 61:
            assert report.upcoming == []
    # the village clerk of another village sees nothing
    assert loan_reminders(users["clerk_b"], region_code="610926101001", on=on).due == []


def test_reminders_follow_the_policy_and_skip_settled_loans(users, loan):
    policy_set(actor=None, key="credit.reminder_days", region_code="610000000000", year_from=2020, value=[45, 15])
    assert loan_reminders(users["county"], region_code="610926000000", on=MATURITY - timedelta(days=60)).due == []
    assert len(loan_reminders(users["county"], region_code="610926000000", on=MATURITY - timedelta(days=45)).due) == 1
    repay(users, loan, date(2020, 12, 1), principal="20000")
    assert loan_reminders(users["county"], region_code="610926000000", on=MATURITY - timedelta(days=15)).due == []


def test_schedule_interest_quarterly_principal_at_maturity():
    rows = schedule(amount=Decimal("20000"), start=date(2020, 3, 1), maturity=date(2021, 3, 1),
                    annual_rate=Decimal("0.0435"), subsidised=True, subsidy_rate=Decimal("0.0435"))
    assert [r.due_on for r in rows] == [date(2020, 6, 1), date(2020, 9, 1), date(2020, 12, 1), date(2021, 3, 1)]
    assert rows[0].interest == Decimal("222.33") and rows[0].subsidy == rows[0].interest  # 92 days
    assert [r.principal for r in rows] == [0, 0, 0, Decimal("20000.00")]
    assert rows[-1].household_pays == Decimal("20000.00")
    half = schedule(amount=Decimal("20000"), start=date(2020, 3, 1), maturity=date(2021, 3, 1),
                    annual_rate=Decimal("0.0435"), subsidised=True, subsidy_rate=Decimal("0.02175"))
    assert half[0].subsidy == Decimal("111.17") and half[0].household_pays == Decimal("111.16")


def test_rates_per_village_and_in_total(users, households):
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    for h, who in ((a1, "clerk_a"), (a2, "township_a"), (b1, "county")):
        rate(users, h, who=who)
    l1 = borrow(users, a1, amount="20000", term_months=12)  # matures 2021-03-01, repaid on time
    repay(users, l1, date(2021, 3, 1), principal="20000")
    borrow(users, a1, amount="10000", term_months=12, start_date=date(2020, 4, 1))  # matures 2021-04-01, overdue
    l3 = borrow(users, b1, who="county", amount="30000", term_months=24)  # running
    repay(users, l3, date(2020, 9, 1), principal="6000", who="county")
    on = date(2021, 5, 1)
    report = credit_report(users["county"], region_code="610926000000", on=on)
    t = report.totals
    assert (t.loans, t.amount, t.balance) == (3, Decimal("60000"), Decimal("34000"))
    assert (t.filed_households, t.households_with_loans, t.coverage_rate) == (3, 2, 0.6667)
    assert t.overdue_balance == Decimal("10000") and t.overdue_rate == round(10000 / 34000, 4)
    assert (t.matured, t.repaid_on_time, t.on_time_rate) == (2, 1, 0.5)
    by = {v.village_code: v.tally for v in report.by_village}
    assert by["610926100001"].loans == 2 and by["610926100001"].overdue_rate == 1.0
    assert by["610926100002"].loans == 0 and by["610926100002"].coverage_rate == 0.0
    assert by["610926101001"].balance == Decimal("24000") and by["610926101001"].overdue_rate == 0.0
    assert [r.head_name for r in report.overdue] == ["王一"] and report.overdue[0].state.overdue_days == 30
    # Scope: the township of 城关镇 sees its own villages only; the CLI sees everything.
    assert {v.village_code for v in credit_report(users["township_a"], region_code="610926000000",
                                                  on=on).by_village} == {"610926100001", "610926100002"}
    assert credit_report_in_region(region_code="610926000000", on=on).totals.loans == 3
    # Before any loan: nothing counted, rates undefined.
    early = credit_report(users["county"], region_code="610926000000", on=date(2020, 1, 1)).totals
    assert early.loans == 0 and early.overdue_rate is None and early.coverage_rate == 0.0

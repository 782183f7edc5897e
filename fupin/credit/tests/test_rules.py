"""Loan rules at their boundaries: age, amount, term, use, rating and line, household cap, status,
a provincial override — each refusal names the rule and the values."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.audit.models import AuditEvent
from fupin.credit.models import CreditRating, Loan
from fupin.policy.services import policy_set
from fupin.registry.choices import StatusChangeSource, StatusEventKind
from fupin.registry.models import HouseholdStatusEvent

from .helpers import borrow, member, rate

pytestmark = pytest.mark.django_db
START = date(2020, 3, 1)


@pytest.fixture
def h(users, households):
    household = households["a1"]
    rate(users, household)
    return household


def refused(call) -> dict:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


def test_rating_gives_the_line_of_the_table_and_is_audited(users, households):
    r = rate(users, households["a1"], rating="aa", rated_on=date(2019, 5, 1))
    assert r.rating == "AA" and r.credit_line == Decimal("30000.00") and r.valid_until == date(2022, 5, 1)
    assert {p["key"] for p in r.policy} == {"credit.rating_levels", "credit.rating_valid_months"}
    assert AuditEvent.objects.filter(object_type="credit.creditrating", object_id=str(r.pk)).exists()
    errors = refused(lambda: rate(users, households["a1"], rating="BBB"))
    assert "不在评级授信表中" in errors["rating"][0] and "AAA" in errors["rating"][0]
    errors = refused(lambda: rate(users, households["a1"], valid_until=date(2025, 1, 1)))
    assert "超过 36 个月" in errors["valid_until"][0]


def test_loan_is_recorded_with_derived_maturity_and_its_checks(users, h):
    loan = borrow(users, h)
    assert loan.maturity_date == date(2023, 3, 1) and loan.annual_rate == Decimal("0.0435")
    assert loan.subsidised and loan.subsidy_rate == Decimal("0.0435") and loan.status == "normal"
    rules = {c["rule"]: c["ok"] for c in loan.checks if "ok" in c}
    assert rules == {"registered": True, "age": True, "max_amount": True, "credit_line": True,
                     "household_cap": True, "term": True, "use": True}
    assert AuditEvent.objects.filter(object_type="credit.loan", object_id=str(loan.pk), action="create").exists()


@pytest.mark.parametrize(("birth", "ok", "age"), [
    (date(2002, 3, 1), True, 18),   # 18th birthday on the start date
    (date(2002, 3, 2), False, 17),  # one day short
    (date(1955, 3, 1), True, 65),
    (date(1954, 3, 2), True, 65),   # 66 tomorrow
    (date(1954, 3, 1), False, 66),
])
def test_age_limits_on_the_start_date(users, h, birth, ok, age):
    m = member(h, birth)
    if ok:
        assert borrow(users, h, borrower=m).borrower_id == m.pk
    else:
        errors = refused(lambda: borrow(users, h, borrower=m))
        assert f"放款日年龄 {age} 周岁" in errors["borrower"][0] and "18–65" in errors["borrower"][0]
        assert not Loan.objects.exists()


def test_amount_cap(users, h):
    errors = refused(lambda: borrow(users, h, amount="50000.01"))
    assert any("超过扶贫小额信贷额度上限 50,000.00 元" in m for m in errors["amount"])
    assert borrow(users, h, amount="50000").amount == Decimal("50000.00")


def test_term_cap(users, h):
    errors = refused(lambda: borrow(users, h, term_months=37))
    assert "期限 37 个月超过上限 36 个月" in errors["term_months"][0]
    assert borrow(users, h, term_months=36).maturity_date == date(2023, 3, 1)


def test_non_productive_use_is_refused(users, h):
    errors = refused(lambda: borrow(users, h, use_category="建房、装修", declared_use="翻修住房"))
    assert "不是生产性用途" in errors["use_category"][0] and "建房、装修" in errors["use_category"][0]


def test_rating_first_and_within_the_line(users, households):
    h = households["a2"]
    errors = refused(lambda: borrow(users, h, who="township_a"))
    assert "没有有效的评级授信" in errors["amount"][0]
    rate(users, h, who="township_a", rating="A")
    errors = refused(lambda: borrow(users, h, who="township_a", amount="10000.01"))
    assert any("超过该户授信额度 10,000.00 元（A 级" in m for m in errors["amount"])
    assert borrow(users, h, who="township_a", amount="10000").rating.rating == "A"
    # A rating that expired before the start date does not count.
    CreditRating.objects.update(valid_until=date(2020, 2, 29))
    assert "没有有效的评级授信" in refused(lambda: borrow(users, h, who="township_a", amount="100"))["amount"][0]


def test_household_cap_counts_the_outstanding_balance(users, h):
    borrow(users, h, amount="30000")
    errors = refused(lambda: borrow(users, h, amount="20000.01"))
    assert any("未结清贷款余额 30,000.00 元" in m and "超过每户上限 50,000.00 元" in m for m in errors["amount"])
    assert borrow(users, h, amount="20000").amount == Decimal("20000")


def test_household_status_on_the_start_date(users, h):
    def event(to_status, day, kind=StatusEventKind.NEW):
        HouseholdStatusEvent.objects.create(household=h, year=day.year, from_status="", to_status=to_status,
                                            kind=kind, effective_on=day, source=StatusChangeSource.IDENTIFICATION,
                                            reason="测试")
    event("not_exited", date(2020, 6, 1))
    errors = refused(lambda: borrow(users, h))  # filed only in June
    assert "尚未建档立卡" in errors["household"][0]
    assert borrow(users, h, start_date=date(2020, 6, 1)).start_date == date(2020, 6, 1)
    event("removed", date(2020, 7, 1), kind=StatusEventKind.REMOVED)
    errors = refused(lambda: borrow(users, h, start_date=date(2020, 7, 1), amount="1000"))
    assert "状态为已清退，不在可贷范围（未脱贫、返贫、监测户）" in errors["household"][0]


def test_exited_household_within_its_policy_period(users, h):
    HouseholdStatusEvent.objects.create(household=h, year=2019, from_status="not_exited", to_status="exited",
                                        kind=StatusEventKind.EXITED, effective_on=date(2019, 12, 1),
                                        source=StatusChangeSource.EXIT, reason="脱贫")
    h.policies_kept_until = date(2020, 2, 29)
    h.save()
    errors = refused(lambda: borrow(users, h))
    assert "不在政策期内" in errors["household"][0]
    h.policies_kept_until = date(2020, 3, 1)
    h.save()
    assert borrow(users, h).status == "normal"


def test_borrower_must_be_a_present_member(users, h, households):
    gone = member(h, date(1990, 1, 1), left_on=date(2020, 1, 1))
    assert "不是该户的在册成员" in refused(lambda: borrow(users, h, borrower=gone))["borrower"][0]
    other = households["a2"].members.first()
    assert "不是该户成员" in refused(lambda: borrow(users, h, borrower=other))["borrower"][0]


def test_provincial_override_changes_the_outcome(users, h):
    m = member(h, date(1958, 1, 1))  # 62 on the start date
    assert borrow(users, h, borrower=m, amount="1000")
    policy_set(actor=None, key="credit.borrower_age_max", region_code="610000000000", year_from=2020, value=60,
               source="陕西省：借款人60周岁以下")
    errors = refused(lambda: borrow(users, h, borrower=m, amount="1000"))
    assert "放款日年龄 62 周岁，不在 18–60 周岁之间" in errors["borrower"][0]
    policy_set(actor=None, key="credit.max_amount", region_code="610000000000", year_from=2020, value=30000)
    errors = refused(lambda: borrow(users, h, amount="30000.01"))
    assert any("额度上限 30,000.00 元" in msg for msg in errors["amount"])


def test_rights_and_scope(users, h, households):
    with pytest.raises(PermissionDenied):
        borrow(users, h, who="city")
    with pytest.raises(Http404):
        borrow(users, h, who="clerk_b")
    with pytest.raises(Http404):
        rate(users, households["b1"], who="clerk_a")
    assert not Loan.objects.exists()


def test_every_failed_rule_is_named_at_once(users, h):
    m = member(h, date(2005, 1, 1))
    errors = refused(lambda: borrow(users, h, borrower=m, amount="60000", term_months=48, use_category="consumption"))
    assert set(errors) == {"borrower", "amount", "term_months", "use_category"}

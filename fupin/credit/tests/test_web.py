"""The credit pages: a region's rates, reminders and overdue loans; a household's loans and the
recording forms (a refused loan shows each failed rule next to its field); scope (404) and rights (403)."""

import pytest

from fupin.credit.models import CreditRating, Loan

from .helpers import borrow, rate

pytestmark = pytest.mark.django_db

@pytest.fixture
def loan(users, households):
    rate(users, households["a1"])
    return borrow(users, households["a1"], term_months=12, contract_no="WEB-1")  # matures 2021-03-01

def test_region_page_shows_rates_reminders_and_overdue(client, login, users, loan):
    login(users["county"])
    page = client.get("/r/610926000000/credit/?on=2020-12-31").content.decode()
    assert "扶贫小额信贷" in page and "WEB-1" in page and "到期提醒" in page and "龙头村" in page
    page = client.get("/r/610926000000/credit/?on=2021-04-15").content.decode()
    assert "逾期贷款（1 笔" in page and "<strong>45</strong> 天" in page and "100%" in page

def test_household_page_and_forms(client, login, users, households, loan):
    a1 = households["a1"]
    login(users["clerk_a"])
    page = client.get(f"/households/{a1.pk}/credit/").content.decode()
    assert "WEB-1" in page and "还款计划" in page and "登记新贷款" in page
    member = a1.members.order_by("id").first()
    r = client.post(f"/households/{a1.pk}/credit/", {
        "action": "loan", "loan-borrower": member.pk, "loan-bank": "农商银行", "loan-contract_no": "WEB-2",
        "loan-amount": "20000.01", "loan-term_months": "37", "loan-start_date": "2020-05-01", "loan-annual_rate": "4.35",
        "loan-subsidised": "on", "loan-use_category": "consumption", "loan-declared_use": "买家电"})
    page = r.content.decode()
    assert r.status_code == 200 and "期限 37 个月超过上限 36 个月" in page and "不是生产性用途" in page
    assert "户贷款余额上限" in page and not Loan.objects.filter(contract_no="WEB-2").exists()
    r = client.post(f"/households/{a1.pk}/credit/", {"action": "repay", "repay-loan": loan.pk,
                                                     "repay-paid_on": "2020-06-01", "repay-interest": "200"})
    assert r.status_code == 302 and loan.repayments.count() == 1
    r = client.post(f"/households/{a1.pk}/credit/", {"action": "repay", "repay-loan": loan.pk,
                                                     "repay-paid_on": "2020-06-01", "repay-principal": "99999"})
    assert "超过贷款余额" in r.content.decode()
    r = client.post(f"/households/{a1.pk}/credit/", {"action": "rating", "rating-rating": "A",
                                                     "rating-rated_on": "2020-01-01"})
    assert r.status_code == 302 and CreditRating.objects.filter(rating="A").exists()

def test_scope_and_rights(client, login, users, households, loan):
    a1 = households["a1"]
    login(users["clerk_b"])
    assert client.get(f"/households/{a1.pk}/credit/").status_code == 404
    assert client.get("/r/610926100001/credit/").status_code == 404
    login(users["city"])
    assert client.get(f"/households/{a1.pk}/credit/").status_code == 200
    assert client.post(f"/households/{a1.pk}/credit/", {"action": "rating", "rating-rating": "A"}).status_code == 403
    assert CreditRating.objects.count() == 1
    login(users["township_b"])
    page = client.get("/r/610926000000/credit/?on=2020-12-31").content.decode()
    assert "WEB-1" not in page  # another township's loans are not counted

"""The credit API: report, reminders, a household's loans, recording a rating, a loan (refused with
the rules named), a repayment and a renewal — scope (404), rights (403), the schema."""

from datetime import date

import pytest

from fupin.api.tests.conftest import assert_error
from fupin.credit.models import Loan

from .helpers import borrow, rate

pytestmark = pytest.mark.django_db


def loan_body(household, **over):
    return {"borrower": household.members.order_by("id").first().pk, "bank": "平利农商银行", "contract_no": "A-1",
            "amount": "20000", "term_months": 12, "start_date": "2020-03-01", "annual_rate": "4.35",
            "use_category": "种植业", "declared_use": "种植茶叶 5 亩", **over}


def test_rating_loan_repayment_renewal_round_trip(api, households):
    a1 = households["a1"]
    client = api("clerk_a")
    r = client.post(f"/api/v1/households/{a1.pk}/credit-rating", {"rating": "AA", "rated_on": "2020-01-10"},
                    format="json")
    assert r.status_code == 201, r.content
    assert r.json()["credit_line"] == "30000.00" and r.json()["valid_until"] == "2023-01-10"
    r = client.post(f"/api/v1/households/{a1.pk}/loans", loan_body(a1), format="json")
    assert r.status_code == 201, r.content
    loan = r.json()
    assert loan["maturity_date"] == "2021-03-01" and loan["annual_rate"] == "0.0435" and loan["use_category"] == "planting"
    assert len(loan["schedule"]) == 4 and loan["schedule"][-1]["principal"] == "20000.00"
    assert {c["rule"] for c in loan["checks"]} >= {"age", "max_amount", "credit_line", "term", "use"}
    r = client.post(f"/api/v1/loans/{loan['id']}/repayments", {"paid_on": "2020-06-01", "interest": "222.33",
                                                                 "principal": "5000"}, format="json")
    assert r.status_code == 201 and r.json()["repayments"][0]["principal"] == "5000.00"
    r = client.post(f"/api/v1/loans/{loan['id']}/renewal", {"contract_no": "A-2", "term_months": 12,
                                                            "start_date": "2021-03-01"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["renewed_from_id"] == loan["id"] and r.json()["amount"] == "15000.00"
    listed = client.get(f"/api/v1/households/{a1.pk}/loans").json()
    assert [x["contract_no"] for x in listed["loans"]] == ["A-2", "A-1"]
    assert listed["loans"][1]["status"] == "renewed" and listed["rating"] is None  # expired 2023-01-10


def test_refusals_name_the_rules(api, users, households):
    a1 = households["a1"]
    rate(users, a1, rating="AAA")
    client = api("township_a")
    error = assert_error(client.post(f"/api/v1/households/{a1.pk}/loans",
                                     loan_body(a1, amount="50000.01", term_months=37, use_category="housing"),
                                     format="json"), 400)
    fields = error["fields"]
    assert any("超过扶贫小额信贷额度上限 50,000.00 元" in m for m in fields["amount"])
    assert "期限 37 个月超过上限 36 个月" in fields["term_months"][0]
    assert "不是生产性用途" in fields["use_category"][0]
    assert not Loan.objects.exists()


def test_scope_and_rights(api, users, households):
    a1 = households["a1"]
    rate(users, a1)
    loan = borrow(users, a1)
    assert_error(api("clerk_b").get(f"/api/v1/households/{a1.pk}/loans"), 404)
    assert_error(api("clerk_b").post(f"/api/v1/loans/{loan.pk}/repayments", {"interest": "1"}, format="json"), 404)
    assert_error(api("clerk_b").get("/api/v1/regions/610926100001/credit"), 404)
    assert_error(api("city").post(f"/api/v1/households/{a1.pk}/credit-rating", {"rating": "A"}, format="json"), 403)
    assert_error(api("auditor").post(f"/api/v1/loans/{loan.pk}/repayments", {"interest": "1"}, format="json"), 403)
    assert api("city").get(f"/api/v1/households/{a1.pk}/loans").status_code == 200


def test_report_and_reminders(api, users, households):
    a1 = households["a1"]
    rate(users, a1)
    loan = borrow(users, a1, term_months=12)  # matures 2021-03-01
    r = api("county").get("/api/v1/regions/610926/credit-reminders?on=2020-12-31")  # 60 days before
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["due_count"] == 1 and body["due"][0]["loan_id"] == loan.pk
    assert body["due"][0]["reminder_kind"] == "notice" and body["due"][0]["next_reminder_on"] == "2021-01-30"
    assert api("county").get("/api/v1/regions/610926/credit-reminders?on=2021-01-01").json()["due_count"] == 0
    report = api("county").get("/api/v1/regions/610926/credit?on=2021-04-01").json()
    assert report["totals"]["loans"] == 1 and report["totals"]["overdue_rate"] == 1.0
    assert report["overdue"][0]["overdue_days"] == 31 and report["overdue"][0]["state"] == "overdue"
    assert {v["village_code"] for v in report["by_village"]} == {"610926100001", "610926100002", "610926101001"}
    assert_error(api("county").get("/api/v1/regions/610926/credit?on=notadate"), 400)
    assert date.fromisoformat(report["on"]) == date(2021, 4, 1)

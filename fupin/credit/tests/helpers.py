"""Shared by the credit tests: members of a given birth date, ratings and loans in a few words."""

from datetime import date
from itertools import count

from fupin.conftest import make_id_number
from fupin.credit.services import loan_create, rating_create
from fupin.registry.models import Member

_seq = count(500)


def member(household, birth: date, *, name: str | None = None, left_on: date | None = None) -> Member:
    return Member.objects.create(household=household, name=name or f"借款人{birth:%Y%m%d}",
                                 id_number=make_id_number(birth, next(_seq)), gender="M", birth_date=birth,
                                 relation="son", left_on=left_on, left_reason="deceased" if left_on else "")


def rate(users, household, *, who="clerk_a", rating="AAA", rated_on=date(2019, 1, 1), **data):
    return rating_create(actor=users[who], household_id=household.pk,
                         data={"rated_on": rated_on, "rating": rating, **data})


_contract = count(1)


def borrow(users, household, *, who="clerk_a", borrower=None, **data):
    """A loan with sensible defaults: 30,000 yuan, 36 months from 2020-03-01, livestock, 4.35 %."""
    values = {"borrower": (borrower or household.members.order_by("id").first()).pk, "bank": "平利县农村信用合作联社",
              "contract_no": f"PL-{next(_contract):05d}", "amount": "30000", "term_months": 36,
              "start_date": date(2020, 3, 1), "annual_rate": "4.35", "use_category": "livestock",
              "declared_use": "养殖生猪 20 头", **data}
    return loan_create(actor=users[who], household_id=household.pk, data=values)

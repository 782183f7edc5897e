from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.conftest import YEAR, make_id_number
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear
from fupin.registry.services import (
    household_change_status,
    household_create,
    household_year_save,
    member_add,
    member_leave,
    member_update,
    member_year_save,
    year_freeze,
)

NEW = {"household_no": "610926100001099", "village": "610926100001", "head_name": "赵六", "main_cause": "因学",
       "other_causes": "缺资金", "registered_year": "2014", "phone": "13912345678", "attribute": "低保贫困户"}


def test_household_create_with_status_event(users, regions):
    h = household_create(actor=users["clerk_a"], data=NEW, year=YEAR)
    assert h.status == "not_exited" and h.main_cause == "schooling" and h.attribute == "low_income"
    event = HouseholdStatusEvent.objects.get(household=h)
    assert event.to_status == "not_exited" and event.reason == "建档立卡" and event.actor_name == "clerk_a"
    assert AuditEvent.objects.filter(object_type="registry.household", object_id=str(h.pk), action="create").exists()
    with pytest.raises(ValidationError, match="已存在"):
        household_create(actor=users["clerk_a"], data=NEW, year=YEAR)


def test_household_create_outside_scope_or_without_right(users, regions):
    with pytest.raises(PermissionDenied):
        household_create(actor=users["clerk_b"], data=NEW, year=YEAR)
    with pytest.raises(PermissionDenied):
        household_create(actor=users["city"], data=NEW, year=YEAR)
    with pytest.raises(ValidationError) as exc:
        household_create(actor=users["clerk_a"], data={**NEW, "village": "610926100000"}, year=YEAR)
    assert "village" in exc.value.message_dict
    assert not Household.objects.exists()


def test_member_add_update_and_leave(users, households):
    a1 = households["a1"]
    number = make_id_number(date(1982, 3, 4), 31, "F")
    m = member_add(actor=users["clerk_a"], household_id=a1.pk,
                   data={"name": "钱七", "id_number": number, "relation": "配偶"})
    assert (m.gender, m.birth_date) == ("F", date(1982, 3, 4))
    corrected = make_id_number(date(1983, 6, 7), 33, "F")
    m = member_update(actor=users["clerk_a"], member_id=m.pk, changes={"id_number": corrected})
    assert m.birth_date == date(1983, 6, 7)
    with pytest.raises(ValidationError) as exc:
        member_update(actor=users["clerk_a"], member_id=m.pk, changes={"gender": "男"})
    assert "gender" in exc.value.message_dict
    m.refresh_from_db()
    assert m.gender == "F"
    member_leave(actor=users["clerk_a"], member_id=m.pk, left_on="2020-05-01", reason="married_out")
    assert Member.objects.get(pk=m.pk).left_reason == "married_out"  # never deleted
    with pytest.raises(Http404):
        member_update(actor=users["clerk_b"], member_id=m.pk, changes={"name": "x"})
    assert verify_chain().ok


def test_yearly_income_is_derived_and_follows_household_size(users, households):
    a1 = households["a1"]  # two members with 2020 data
    hy = household_year_save(actor=users["clerk_a"], household_id=a1.pk, year=YEAR,
                             data={"wage_income": "9000", "business_income": "3000", "business_cost": "1000",
                                   "transfer_income": "1000", "policy_subsidy": "600"})
    assert (hy.household_size, hy.net_income, hy.per_capita_income) == (2, Decimal("12000.00"), Decimal("6000.00"))
    m = member_add(actor=users["clerk_a"], household_id=a1.pk,
                   data={"name": "新生儿", "id_number": make_id_number(date(2020, 2, 2), 41), "relation": "之孙子"})
    member_year_save(actor=users["clerk_a"], member_id=m.pk, year=YEAR, data={"school_status": "非在校生"})
    hy.refresh_from_db()
    assert (hy.household_size, hy.per_capita_income) == (3, Decimal("4000.00"))
    event = AuditEvent.objects.filter(object_type="registry.householdyear", action="update").last()
    assert event.after["per_capita_income"] == "6000.00"


def test_frozen_year_is_read_only(users, households):
    a1 = households["a1"]
    with pytest.raises(PermissionDenied):
        year_freeze(actor=users["township_a"], region_code="610926100000", year=YEAR)
    year_freeze(actor=users["county"], region_code="610926000000", year=YEAR)
    with pytest.raises(ValidationError, match="已固化"):
        household_year_save(actor=users["clerk_a"], household_id=a1.pk, year=YEAR, data={"wage_income": "1"})
    member = a1.members.first()
    with pytest.raises(ValidationError, match="已固化"):
        member_year_save(actor=users["clerk_a"], member_id=member.pk, year=YEAR, data={"health": "健康"})
    with pytest.raises(ValidationError, match="已"):
        year_freeze(actor=users["county"], region_code="610926000000", year=YEAR)
    # The next year stays open, and the frozen one keeps its values.
    household_year_save(actor=users["clerk_a"], household_id=a1.pk, year=YEAR + 1, data={"wage_income": "1"})
    assert HouseholdYear.objects.get(household=a1, year=YEAR).wage_income == Decimal("6000.00")
    assert MemberYear.objects.filter(member=member, year=YEAR).get().health == "serious"


def test_status_changes_only_with_reason_and_are_recorded(users, households):
    a1 = households["a1"]
    with pytest.raises(ValidationError, match="原因"):
        household_change_status(actor=users["county"], household_id=a1.pk, to_status="exited", year=YEAR,
                                source="exit", reason=" ")
    household_change_status(actor=users["county"], household_id=a1.pk, to_status="exited", year=YEAR,
                            source="exit", reason="人均纯收入稳定超过标准，两不愁三保障")
    a1.refresh_from_db()
    assert a1.status == "exited"
    assert HouseholdYear.objects.get(household=a1, year=YEAR).status == "exited"
    event = HouseholdStatusEvent.objects.get(household=a1)
    assert (event.to_status, event.source) == ("exited", "exit")
    with pytest.raises(Http404):
        household_change_status(actor=users["township_b"], household_id=a1.pk, to_status="returned", year=YEAR,
                                source="monitoring", reason="x")


def test_new_past_year_takes_the_status_of_that_year(users, households):
    a1 = households["a1"]
    household_change_status(actor=users["county"], household_id=a1.pk, to_status="not_exited", year=2016,
                            source="identification", reason="建档立卡")
    household_change_status(actor=users["county"], household_id=a1.pk, to_status="exited", year=2019,
                            source="exit", reason="脱贫退出")
    assert household_year_save(actor=users["clerk_a"], household_id=a1.pk, year=2018, data={}).status == "not_exited"
    assert household_year_save(actor=users["clerk_a"], household_id=a1.pk, year=2019, data={}).status == "exited"

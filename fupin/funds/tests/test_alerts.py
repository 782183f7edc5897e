"""Each fund alert on crafted cases and at its boundary; a provincial override changes the outcome."""

from datetime import date

import pytest

from fupin.funds.alerts import fund_alerts_in_region
from fupin.funds.selectors import fund_alerts
from fupin.policy.models import PolicyValue
from fupin.registry.choices import StatusEventKind

from .helpers import (
    COUNTY,
    TOWN_B,
    VILLAGE_B1,
    add_beneficiary,
    allocate,
    central_source,
    chain,
    declare,
    pay,
    registered,
    start,
)

pytestmark = pytest.mark.django_db


def alerts(kind, on, region=COUNTY):
    return [a for a in fund_alerts_in_region(region_code=region, on=on)["alerts"] if a.kind == kind]


def province_sets(key, value):
    PolicyValue.objects.create(key=key, region_code="610000000000", year_from=2014, value=value, source="省定")


@pytest.fixture
def slow_case(users):
    """1,000.00 passed to 兴隆镇 on 2020-06-01, a project in 兴隆村 paid 499.99 (just under half)."""
    src = central_source(users)
    alloc = allocate(users, "root", to=TOWN_B, amount="1000.00", on="2020-06-01", source=src)
    project = declare(users, who="clerk_b", region=VILLAGE_B1, on="2020-06-01")
    line = start(users, project, allocation=alloc, amount="1000.00", on="2020-06-02")
    payment = pay(users, project, line, amount="499.99", who="township_b", kind="company", name="路桥公司",
                  item="工程款", on="2020-06-10")
    return {"allocation": alloc, "project": project, "line": line, "payment": payment}


def slow_ids(on, region=COUNTY):
    return [a.allocation_id for a in alerts("slow_spending", on, region)]


def test_slow_spending_boundary_days(slow_case):
    a = slow_case["allocation"].pk
    assert slow_ids(date(2020, 8, 30)) == []  # exactly 90 days: not yet
    found = alerts("slow_spending", date(2020, 8, 31))  # 91 days
    assert [x.allocation_id for x in found] == [a]
    alert = found[0]
    assert alert.inputs["days"] == 91 and alert.inputs["max_days"] == 90 and str(alert.inputs["rate"]) == "0.5000"
    assert "91 天" in alert.reason and "拨付率 50.00% 低于 50%" in alert.reason
    assert alert.policy[0]["key"] == "funds.slow_spending_days" and alert.policy[0]["region_code"] == "000000000000"
    # Payments after the date do not count; before the allocation there is nothing to say.
    assert slow_ids(date(2020, 5, 31)) == []


def test_slow_spending_boundary_rate(users, slow_case):
    pay(users, slow_case["project"], slow_case["line"], amount="0.01", who="township_b", kind="company",
        name="路桥公司", item="工程款", on="2020-06-11")  # now exactly 50.00 %
    assert slow_ids(date(2020, 12, 1)) == []


def test_slow_spending_counts_payments_down_the_chain(users):
    c = chain(users)  # county 600,000 (03-01) → 城关镇 200,000 → project line 100,000
    pay(users, c["project"], c["line"], amount="100000.00", kind="company", name="建工公司", item="工程款")
    on = date(2020, 12, 1)
    ids = slow_ids(on)
    # 城关镇: 100,000 of 200,000 paid = 50 % → not slow; the county: 100,000 of 600,000 → slow.
    assert c["county"].pk in ids and c["town"].pk not in ids


def test_provincial_override_of_threshold(slow_case):
    assert slow_ids(date(2020, 8, 31)) == [slow_case["allocation"].pk]
    province_sets("funds.slow_spending_days", 120)
    assert slow_ids(date(2020, 8, 31)) == []
    assert slow_ids(date(2020, 9, 29)) == []  # 120 days
    found = alerts("slow_spending", date(2020, 9, 30))
    assert found and found[0].policy[0]["region_code"] == "610000000000"
    province_sets("funds.slow_spending_min_rate", 0.4)  # 50 % is no longer slow
    assert slow_ids(date(2020, 9, 30)) == []


def test_double_payment(users, households):
    c = chain(users)
    a1 = households["a1"]
    pay(users, c["project"], c["line"], amount="1000.00", household=a1, item="产业奖补", on="2020-04-01")
    pay(users, c["project"], c["line"], amount="1000.00", household=a1, item="务工补贴", on="2020-04-02")
    pay(users, c["project"], c["line"], amount="1000.00", household=households["a2"], item="产业奖补",
        on="2020-04-02")
    assert alerts("double_payment", date(2020, 12, 1)) == []
    second = pay(users, c["project"], c["line"], amount="800.00", household=a1, item="产业奖补", on="2020-05-01")
    assert alerts("double_payment", date(2020, 4, 30)) == []  # the second payment is later
    found = alerts("double_payment", date(2020, 5, 1))
    assert len(found) == 1 and found[0].household_id == a1.pk and found[0].inputs["count"] == 2
    assert second.pk in found[0].disbursement_ids and str(found[0].amount) == "1800.00"
    assert "王一户" in found[0].reason and "拨付了 2 次" in found[0].reason


def test_payee_not_in_registry_or_not_eligible(users, households):
    c = chain(users)
    a1, a2 = households["a1"], households["a2"]
    registered(a1, date(2015, 1, 1))
    registered(a1, date(2020, 5, 1), status="removed", kind=StatusEventKind.REMOVED)
    pay(users, c["project"], c["line"], amount="10.00", household=a1, item="第一笔", on="2020-04-30")
    assert alerts("not_eligible", date(2020, 12, 1)) == []
    late = pay(users, c["project"], c["line"], amount="10.00", household=a1, item="第二笔", on="2020-05-01")
    found = alerts("not_eligible", date(2020, 12, 1))
    assert [x.disbursement_ids for x in found] == [[late.pk]]
    assert "已清退" in found[0].reason and found[0].inputs["status_on_paid"] == "removed"
    # Matched by a member's ID number: a2's head (no history: its current status counts) is fine.
    head = a2.members.order_by("id").first()
    matched = pay(users, c["project"], c["line"], amount="10.00", name="王二", id_number=head.id_number, item="第三笔")
    assert matched.household_id == a2.pk and len(alerts("not_eligible", date(2020, 12, 1))) == 1
    # An ID number of a household outside the payer's scope (李三 in 兴隆镇) links to nothing.
    outside = pay(users, c["project"], c["line"], amount="10.00", name="李三",
                  id_number=households["b1"].members.order_by("id").first().id_number, item="第五笔")
    assert outside.household_id is None
    # Not in the registry at all: masked ID number in the reason.
    stranger = pay(users, c["project"], c["line"], amount="10.00", name="赵某", id_number="610926198001010011",
                   item="第四笔")
    assert stranger.household_id is None
    found = {x.disbursement_ids[0]: x for x in alerts("not_eligible", date(2020, 12, 1))}
    assert "不在建档立卡名册" in found[stranger.pk].reason and "610926********0011" in found[stranger.pk].reason
    # Registered later than the payment.
    registered(a2, date(2020, 11, 1))
    found = {x.disbursement_ids[0]: x for x in alerts("not_eligible", date(2020, 12, 1))}
    assert "尚未建档立卡" in found[matched.pk].reason


def test_eligible_statuses_override(users, households):
    c = chain(users)
    a1 = households["a1"]
    registered(a1, date(2015, 1, 1))
    registered(a1, date(2019, 12, 1), status="exited", kind=StatusEventKind.EXITED)
    pay(users, c["project"], c["line"], amount="10.00", household=a1)
    assert alerts("not_eligible", date(2020, 12, 1)) == []  # 脱贫不脱政策 by default
    province_sets("funds.eligible_statuses", ["not_exited", "returned"])
    found = alerts("not_eligible", date(2020, 12, 1))
    assert len(found) == 1 and "已脱贫" in found[0].reason and found[0].policy[0]["region_code"] == "610000000000"


def test_payment_above_standard(users, households):
    c = chain(users)
    a1, a2 = households["a1"], households["a2"]
    add_beneficiary(users, c["project"], a1, standard="3000.00")
    pay(users, c["project"], c["line"], amount="2000.00", household=a1, item="第一批")
    pay(users, c["project"], c["line"], amount="1000.00", household=a1, item="第二批")
    assert alerts("above_standard", date(2020, 12, 1)) == []  # exactly the standard
    pay(users, c["project"], c["line"], amount="0.01", household=a1, item="第三批")
    found = alerts("above_standard", date(2020, 12, 1))
    assert len(found) == 1 and found[0].inputs["standard"] == 3000 and str(found[0].inputs["paid_total"]) == "3000.01"
    assert "多 0.01 元" in found[0].reason
    pay(users, c["project"], c["line"], amount="5.00", household=a2, item="第一批")  # not a beneficiary
    found = {x.household_id: x for x in alerts("above_standard", date(2020, 12, 1))}
    assert "不是该项目的受益户" in found[a2.pk].reason


def test_scoped_alerts(users, households, slow_case):
    c = chain(users)
    pay(users, c["project"], c["line"], amount="10.00", name="赵某", id_number="610926198001010011")
    on = date(2020, 12, 1)
    mine = fund_alerts(users["township_a"], region_code="610926100000", on=on)
    assert mine["counts"]["not_eligible"] == 1
    assert all(a.region_code.startswith("610926100") for a in mine["alerts"])
    theirs = fund_alerts(users["township_b"], region_code=TOWN_B, on=on)
    assert theirs["counts"]["not_eligible"] == 0 and theirs["counts"]["slow_spending"] == 1

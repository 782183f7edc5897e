"""Reconciliation (对账): money never goes beyond what the level above has left, every payment
traces to its source, totals roll up along the hierarchy."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.audit.models import AuditEvent
from fupin.funds.models import Allocation, Disbursement, ProjectFunding
from fupin.funds.rates import region_figures, source_figures
from fupin.funds.selectors import trace
from fupin.funds.services import allocation_create, funding_add

from .helpers import (
    COUNTY,
    TOWN_A,
    TOWN_B,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    allocate,
    chain,
    d,
    declare,
    pay,
    start,
)

pytestmark = pytest.mark.django_db


def counts():
    return (Allocation.objects.count(), ProjectFunding.objects.count(), Disbursement.objects.count(),
            AuditEvent.objects.count())


def test_allocation_never_exceeds_source_or_parent(users):
    c = chain(users)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        allocate(users, "root", to=COUNTY, amount="400000.01", on="2020-03-02", source=c["source"])
    assert "可下达余额 400,000.00 元" in exc.value.message_dict["amount"][0]
    # The county allocation has 600,000 − 200,000 passed to 城关镇 = 400,000 left.
    with pytest.raises(ValidationError) as exc:
        allocate(users, "county", to=TOWN_B, amount="400000.01", on="2020-03-06", parent=c["county"])
    assert "400,000.00" in exc.value.message_dict["amount"][0]
    # The township allocation: 200,000 − 100,000 budgeted = 100,000 left.
    with pytest.raises(ValidationError) as exc:
        allocate(users, "county", to=VILLAGE_A2, amount="100000.01", on="2020-03-06", parent=c["town"])
    assert "100,000.00" in exc.value.message_dict["amount"][0]
    assert counts() == before
    # Exactly what is left is fine; and only downwards.
    allocate(users, "root", to=COUNTY, amount="400000.00", on="2020-03-02", source=c["source"])
    with pytest.raises(ValidationError, match="以下的区划"):
        allocate(users, "county", to=COUNTY, amount="1.00", on="2020-03-06", parent=c["county"])
    with pytest.raises(ValidationError, match="以下的区划"):
        allocate(users, "county", to=TOWN_B, amount="1.00", on="2020-03-06", parent=c["town"])


def test_allocation_rules_role_and_input(users):
    c = chain(users)
    with pytest.raises(PermissionDenied):
        allocate(users, "clerk_a", to=VILLAGE_A1, amount="1.00", on="2020-03-06", parent=c["town"])
    with pytest.raises(ValidationError) as exc:
        allocation_create(actor=users["county"], data={"parent": c["county"].pk, "to_region": TOWN_B,
                                                       "amount": "-5", "allocated_on": "2020-02-01"})
    errors = exc.value.message_dict
    assert "不能为负数" in errors["amount"][0] and "不能早于上级下达日期" in errors["allocated_on"][0]
    with pytest.raises(ValidationError, match="最多保留 2 位小数"):
        allocate(users, "county", to=TOWN_B, amount="1.005", on="2020-03-06", parent=c["county"])


def test_funding_never_exceeds_allocation(users):
    c = chain(users)
    other = declare(users, name="龙头村饮水工程", type="water")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        funding_add(actor=users["county"], project_id=other.pk, allocation_id=c["town"].pk, amount="100000.01")
    assert "余额 100,000.00 元" in exc.value.message_dict["amount"][0]
    # An allocation to 兴隆镇 cannot fund a project in 城关镇.
    town_b = allocate(users, "county", to=TOWN_B, amount="1000.00", on="2020-03-06", parent=c["county"])
    with pytest.raises(ValidationError, match="不能安排给该区划以外的项目"):
        funding_add(actor=users["county"], project_id=other.pk, allocation_id=town_b.pk, amount="10.00")
    assert counts()[1] == before[1]
    funding_add(actor=users["county"], project_id=other.pk, allocation_id=c["town"].pk, amount="100000.00")


def test_disbursement_beyond_line_refused_and_nothing_written(users, households):
    c = chain(users)
    pay(users, c["project"], c["line"], amount="60000.00", household=households["a1"])
    before = counts()
    with pytest.raises(ValidationError) as exc:
        pay(users, c["project"], c["line"], amount="40000.01", household=households["a1"], item="第二笔")
    assert "未拨付余额 40,000.00 元" in exc.value.message_dict["amount"][0]
    assert "不能超额拨付" in exc.value.message_dict["amount"][0]
    assert counts() == before
    pay(users, c["project"], c["line"], amount="40000.00", kind="company", name="平利县建工公司", item="工程款")
    with pytest.raises(ValidationError, match="未拨付余额 0.00 元"):
        pay(users, c["project"], c["line"], amount="0.01", kind="company", name="平利县建工公司", item="工程款")


def test_disbursement_needs_implementing_project_and_role(users, households):
    c = chain(users)
    fresh = declare(users, who="township_a", name="三里垭村危房改造", region=VILLAGE_A2, type="housing")
    line = funding_add(actor=users["county"], project_id=fresh.pk, allocation_id=c["town"].pk, amount="10.00")
    with pytest.raises(ValidationError, match="只有实施中或已验收的项目可以拨付资金"):
        pay(users, fresh, line, amount="1.00", kind="village", name="三里垭村")
    with pytest.raises(PermissionDenied):
        pay(users, c["project"], c["line"], amount="1.00", who="clerk_a", kind="village", name="龙头村")
    with pytest.raises(ValidationError, match="不能早于项目开工日期"):
        pay(users, c["project"], c["line"], amount="1.00", kind="village", name="龙头村", on="2020-03-09")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        pay(users, c["project"], c["line"], amount="1.00", kind="village", name="龙头村", on="2020-12-16")
    with pytest.raises(ValidationError, match="身份证号"):
        pay(users, c["project"], c["line"], amount="1.00", name="某人")


def test_every_payment_traces_to_its_source(users, households):
    c = chain(users)
    integrated = allocate(users, "county", to=TOWN_A, amount="5000.00", on="2020-03-06", parent=c["county"],
                          integrated=True)
    p2 = declare(users, who="township_a", name="三里垭村产业", region=VILLAGE_A2, type="industry")
    line2 = start(users, p2, allocation=integrated, amount="5000.00")
    pay(users, c["project"], c["line"], amount="100.00", household=households["a1"])
    pay(users, p2, line2, amount="200.00", kind="company", name="合作社", item="种苗款")
    for dsb in Disbursement.objects.select_related("funding", "allocation", "project"):
        t = trace(dsb)
        assert t["source"]["id"] == c["source"].pk and t["source"]["kind"] == "central"
        assert t["allocations"][0]["from_code"] == "000000000000"  # the first one from the source
        assert [a["to_code"] for a in t["allocations"]] == [COUNTY, TOWN_A]
        assert dsb.source_id == dsb.funding.source_id == dsb.allocation.source_id == t["source"]["id"]
        assert dsb.funding.allocation_id == dsb.allocation_id and t["allocations"][-1]["id"] == dsb.allocation_id
    assert trace(Disbursement.objects.get(project=p2))["allocations"][-1]["integrated"] is True
    # 各记其功: integrated money still counts under its original (central) source.
    rows = source_figures(region_code=TOWN_A, year=2020)
    assert [r["kind"] for r in rows] == ["central"] and rows[0]["integrated"] == d("5000.00")


def test_totals_roll_up_along_the_hierarchy(users, households):
    c = chain(users)
    town_b = allocate(users, "county", to=TOWN_B, amount="50000.00", on="2020-03-06", parent=c["county"])
    pb = declare(users, who="clerk_b", name="兴隆村道路", region=VILLAGE_B1)
    line_b = start(users, pb, allocation=town_b, amount="30000.00")
    pa2 = declare(users, who="township_a", name="三里垭村水池", region=VILLAGE_A2, type="water")
    line_a2 = start(users, pa2, allocation=c["county"], amount="20000.00")  # funded by the county directly
    pay(users, c["project"], c["line"], amount="70000.00", kind="company", name="建工公司", item="工程款")
    pay(users, pb, line_b, amount="10000.00", who="township_b", kind="company", name="路桥公司", item="工程款")
    pay(users, pa2, line_a2, amount="5000.00", kind="village", name="三里垭村", item="材料款")

    county, county_rows = region_figures(region_code=COUNTY, year=2020)
    town_a, village_rows = region_figures(region_code=TOWN_A, year=2020)
    by_code = {r["code"]: r["figures"] for r in county_rows}
    # Allocated into the county: 600,000 (from the central source); county level keeps 350,000.
    assert county.allocated == d("600000.00") == sum((r["figures"].allocated for r in county_rows), Decimal(0))
    assert by_code[COUNTY].allocated == d("350000.00") and by_code[TOWN_A].allocated == d("200000.00")
    assert by_code[TOWN_B].allocated == d("50000.00")
    # Paid by holder: the county-held allocation paid 5,000; townships 70,000 and 10,000.
    assert (by_code[COUNTY].paid, by_code[TOWN_A].paid, by_code[TOWN_B].paid) == (d("5000"), d("70000"), d("10000"))
    assert county.paid == d("85000.00") and county.rate == d("0.1417")
    # By project place: county = sum of townships = sum of villages.
    assert county.funded == d("150000.00") == by_code[TOWN_A].funded + by_code[TOWN_B].funded
    assert county.project_paid == d("85000.00") == by_code[TOWN_A].project_paid + by_code[TOWN_B].project_paid
    villages = {r["code"]: r["figures"] for r in village_rows if not r["own_level"]}
    own = [r["figures"] for r in village_rows if r["own_level"]]
    assert set(villages) == {VILLAGE_A1, VILLAGE_A2}
    # The township holds its 200,000 itself (本级) and has no project of its own.
    assert own[0].allocated == d("200000.00") and own[0].funded == 0 and own[0].paid == d("70000.00")
    assert town_a.funded == villages[VILLAGE_A1].funded + villages[VILLAGE_A2].funded == d("120000.00")
    assert town_a.project_paid == villages[VILLAGE_A1].project_paid + villages[VILLAGE_A2].project_paid
    b_total, _ = region_figures(region_code=TOWN_B, year=2020)
    assert county.project_paid == town_a.project_paid + b_total.project_paid
    # Never paid more than allocated, at any level.
    for f in [county, town_a, b_total, *by_code.values()]:
        assert f.paid <= f.allocated
    # Another year has nothing.
    assert region_figures(region_code=COUNTY, year=2019)[0].allocated == 0

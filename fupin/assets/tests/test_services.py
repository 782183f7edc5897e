"""Assets, shares and income: the money rules refuse and write nothing; the split is exact."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from fupin.assets.models import Asset, AssetDistribution, AssetIncome, AssetShare
from fupin.assets.services import asset_create, income_record, split_by_largest_remainder
from fupin.audit.models import AuditEvent
from fupin.conftest import make_household
from fupin.funds.tests.helpers import chain

from .helpers import accepted_project, give, pv_asset

pytestmark = pytest.mark.django_db
D = Decimal


def test_book_value_at_most_what_the_project_paid(users):
    project = accepted_project(users, paid="80000.00")
    with pytest.raises(ValidationError) as exc:
        pv_asset(users, project, book_value="80000.01")
    assert "不能超过项目已拨付金额（80,000.00 元）" in exc.value.message_dict["book_value"][0]
    assert not Asset.objects.exists()
    a = pv_asset(users, project, book_value="50000.00")
    assert a.book_value == D("50000.00") and a.region_id == "610926100001"
    # A second asset of the same project gets at most what is left; by default exactly that.
    with pytest.raises(ValidationError, match="最多 30,000.00 元"):
        pv_asset(users, project, book_value="30000.01")
    b = pv_asset(users, project, book_value=None)
    assert b.book_value == D("30000.00")
    with pytest.raises(ValidationError, match="没有可形成资产的金额"):
        pv_asset(users, project, book_value=None)
    assert AuditEvent.objects.filter(object_type="assets.asset").count() == 2


def test_asset_needs_an_accepted_project_and_a_manager(users):
    c = chain(users)  # implementing
    with pytest.raises(ValidationError, match="验收后才能登记"):
        asset_create(actor=users["county"], data={"project": c["project"].pk, "name": "大棚", "kind": "greenhouse",
                                                  "household_ratio": "0.5", "book_value": "1.00"})
    with pytest.raises(PermissionDenied):
        asset_create(actor=users["clerk_a"], data={"project": c["project"].pk})
    with pytest.raises(ValidationError) as exc:
        asset_create(actor=users["county"], data={"project": c["project"].pk, "kind": "飞船", "household_ratio": "1.5"})
    errors = exc.value.message_dict
    assert {"name", "kind", "household_ratio", "project"} <= errors.keys()


def test_shares_never_exceed_the_household_part(users, households):
    asset = pv_asset(users, accepted_project(users), household_ratio="0.155")
    h2 = make_household("610926100001002", "610926100001", head="王五")
    h3 = make_household("610926100001003", "610926100001", head="王六")
    give(users, asset, households["a1"], "0.1")
    with pytest.raises(ValidationError) as exc:
        give(users, asset, h2, "0.055001")
    assert "不能超过资产量化到户比例 0.155000" in exc.value.message_dict["ratio"][0]
    assert AssetShare.objects.count() == 1
    give(users, asset, h2, "0.055")  # exactly the rest
    # A share that ended before another starts does not count against it.
    give(users, asset, households["a1"], "0.1", start="2019-01-01", end="2019-12-31")
    give(users, asset, h3, "0.1", start="2020-01-01")
    # One row per household: setting it again changes the row.
    give(users, asset, h3, "0.05", start="2020-01-01")
    assert AssetShare.objects.filter(household=h3).get().ratio == D("0.05")
    assert AssetShare.objects.count() == 3
    # Only poor households of the asset's place.
    with pytest.raises(ValidationError, match="不在资产所在区划"):
        give(users, asset, households["a2"], "0.001")
    exited = make_household("610926100001009", "610926100001", status="exited")
    with pytest.raises(ValidationError, match="资产只量化给贫困户和监测户"):
        give(users, asset, exited, "0.001")


def test_retained_plus_distributed_at_most_income(users, households):
    asset = pv_asset(users, accepted_project(users))
    give(users, asset, households["a1"], "0.1")
    with pytest.raises(ValidationError) as exc:
        income_record(actor=users["county"], asset_id=asset.pk,
                      data={"year": 2020, "gross_income": "17500.00", "retained": "14787.50", "distributed": "2712.51"})
    assert "不能超过年收益（17,500.00 元）" in exc.value.message_dict["distributed"][0]
    assert not AssetIncome.objects.exists() and not AssetDistribution.objects.exists()
    income = income_record(actor=users["county"], asset_id=asset.pk,
                           data={"year": 2020, "gross_income": "17500.00", "retained": "14787.50",
                                 "distributed": "2712.50"})  # 84.5 % / 15.5 % (seed 004)
    assert income.distributions.get().amount == D("2712.50")
    with pytest.raises(ValidationError, match="收益已登记"):
        income_record(actor=users["county"], asset_id=asset.pk,
                      data={"year": 2020, "gross_income": "1.00", "retained": "0", "distributed": "0"})
    with pytest.raises(ValidationError, match="年度 2021"):
        income_record(actor=users["county"], asset_id=asset.pk,
                      data={"year": 2021, "gross_income": "1.00", "retained": "0", "distributed": "0"})


def test_distribution_rows_sum_exactly(users, households):
    asset = pv_asset(users, accepted_project(users), household_ratio="0.3")
    hs = [households["a1"]] + [make_household(f"61092610000101{i}", "610926100001", head=f"赵{i}") for i in range(2)]
    for h in hs:
        give(users, asset, h, "0.1")
    income = income_record(actor=users["county"], asset_id=asset.pk,
                           data={"year": 2020, "gross_income": "200.00", "retained": "100.00", "distributed": "100.00"})
    amounts = sorted(income.distributions.values_list("amount", flat=True))
    assert amounts == [D("33.33"), D("33.33"), D("33.34")]
    assert income.distributions.aggregate(s=Sum("amount"))["s"] == D("100.00")


def test_split_by_largest_remainder():
    parts = split_by_largest_remainder(D("10.00"), [D("1"), D("1"), D("1")])
    assert parts == [D("3.34"), D("3.33"), D("3.33")]
    parts = split_by_largest_remainder(D("2712.50"), [D("0.05"), D("0.07"), D("0.035")])
    assert sum(parts) == D("2712.50")
    assert parts == [D("875.00"), D("1225.00"), D("612.50")]
    parts = split_by_largest_remainder(D("0.05"), [D("0.3"), D("0.3"), D("0.4")])
    assert parts == [D("0.02"), D("0.01"), D("0.02")] and sum(parts) == D("0.05")


def test_no_shares_no_distribution(users):
    asset = pv_asset(users, accepted_project(users))
    with pytest.raises(ValidationError, match="没有量化到户的股份"):
        income_record(actor=users["county"], asset_id=asset.pk,
                      data={"year": 2020, "gross_income": "100.00", "retained": "50", "distributed": "50"})
    income = income_record(actor=users["county"], asset_id=asset.pk,
                           data={"year": 2020, "gross_income": "100.00", "retained": "100", "distributed": "0"})
    assert income.distributions.count() == 0

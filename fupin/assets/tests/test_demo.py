"""The demo assets on a small generated county after the funds demo: rules hold, deterministic."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from fupin.assets.demo import generate_assets_demo
from fupin.assets.models import Asset, AssetDistribution, AssetIncome, AssetShare
from fupin.assets.selectors import region_assets_in_region
from fupin.demo.generator import DemoError, generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.funds.demo import generate_funds_demo
from fupin.funds.models import Disbursement
from fupin.regions.models import Region
from fupin.regions.services import import_regions

pytestmark = pytest.mark.django_db
COUNTY = "610926000000"


@pytest.fixture
def demo_county(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=300, seed=7, years="2019-2020")
    generate_funds_demo(county_code="610926", year=2020, on=date(2020, 12, 15), seed=7)


def test_demo_assets(demo_county):
    stats = generate_assets_demo(county_code="610926", year=2020, seed=7)
    assert stats["assets"] == Asset.objects.count() >= 2 and stats["distributions"] > 0
    for a in Asset.objects.select_related("project"):
        assert a.project.status in ("accepted", "disclosed", "closed")
        paid = Disbursement.objects.filter(project_id=a.project_id).aggregate(s=Sum("amount"))["s"]
        assert a.book_value <= paid
        assert (AssetShare.objects.filter(asset=a).aggregate(s=Sum("ratio"))["s"] or 0) <= a.household_ratio
    for inc in AssetIncome.objects.all():
        assert inc.retained + inc.distributed <= inc.gross_income
        assert (AssetDistribution.objects.filter(income=inc).aggregate(s=Sum("amount"))["s"] or 0) == inc.distributed
    assert AssetIncome.objects.filter(note__contains="84.5%").exists()
    report = region_assets_in_region(region_code=COUNTY, year=2020)
    below = [f for f in report["assets"] if f.below_target]
    assert stats["below_target_asset"] in {f.asset.pk for f in below if f.income is not None}
    assert any(f.income is None for f in below)  # one asset without income
    assert report["coverage"]["covered"] > 0 and report["coverage"]["rate"] < Decimal("1")
    # Refuses again; deterministic.
    with pytest.raises(DemoError, match="已有资产收益数据"):
        generate_assets_demo(county_code="610926", year=2020, seed=7)
    first = list(AssetDistribution.objects.order_by("asset__name", "household_id").values_list(
        "asset__name", "household_id", "amount"))
    for model in (AssetDistribution, AssetIncome, AssetShare, Asset):
        model.objects.all().delete()
    assert {k: v for k, v in generate_assets_demo(county_code="610926", year=2020, seed=7).items()
            if k != "below_target_asset"} == {k: v for k, v in stats.items() if k != "below_target_asset"}
    assert list(AssetDistribution.objects.order_by("asset__name", "household_id").values_list(
        "asset__name", "household_id", "amount")) == first

"""The demo funds on a small generated county: plausible, reconciled, deterministic, every alert shows."""

import hashlib
from datetime import date

import pytest
from django.db.models import Sum

from fupin.demo.generator import DemoError, generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.funds.alerts import fund_alerts_in_region
from fupin.funds.demo import generate_funds_demo
from fupin.funds.models import Allocation, Disbursement, FundSource, Project, ProjectEvent, ProjectFunding
from fupin.funds.rates import region_figures
from fupin.regions.codes import subtree_range
from fupin.regions.models import Region
from fupin.regions.services import import_regions

pytestmark = pytest.mark.django_db
ON = date(2020, 12, 15)
COUNTY = "610926000000"


@pytest.fixture
def demo_county(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=300, seed=7, years="2019-2020")
    return Region.objects.get(code=COUNTY)


def digest() -> str:
    h = hashlib.sha256()
    for row in Disbursement.objects.order_by("paid_on", "payee_name", "amount", "item").values_list(
            "project__name", "project__region_id", "paid_on", "amount", "payee_name", "item", "source__kind"):
        h.update(repr(row).encode())
    return h.hexdigest()


def _sum(qs, field="amount"):
    return qs.aggregate(s=Sum(field))["s"] or 0


def test_demo_funds(demo_county):
    stats = generate_funds_demo(county_code="610926", year=2020, on=ON, seed=7)
    assert 30 <= stats["projects"] == Project.objects.count() <= 60
    assert all(stats["by_status"][s] > 0 for s in ("implementing", "closed"))
    assert len({k for k, v in stats["by_type"].items() if v}) >= 5
    assert {s.kind for s in FundSource.objects.all()} >= {"central", "provincial", "city", "county", "integrated",
                                                         "east_west", "donation"}
    assert stats["disbursements"] == Disbursement.objects.count() > 50
    # Reconciliation holds on everything generated.
    for a in Allocation.objects.all():
        passed = _sum(Allocation.objects.filter(parent=a)) + _sum(ProjectFunding.objects.filter(allocation=a))
        assert passed <= a.amount
    for s in FundSource.objects.all():
        assert _sum(Allocation.objects.filter(source=s, parent__isnull=True)) <= s.amount
    for line in ProjectFunding.objects.all():
        assert _sum(Disbursement.objects.filter(funding=line)) <= line.amount
        assert line.location_code in subtree_range(line.holder_code)
    for d in Disbursement.objects.select_related("funding", "allocation"):
        assert d.source_id == d.funding.source_id == d.allocation.source_id
        assert d.paid_on >= d.allocation.allocated_on and d.paid_on <= ON
    assert not ProjectEvent.objects.filter(on__gt=ON).exists()
    total, rows = region_figures(region_code=COUNTY, year=2020)
    assert total.paid <= total.allocated and total.project_paid == sum(r["figures"].project_paid for r in rows)
    # Every alert has a case.
    counts = fund_alerts_in_region(region_code=COUNTY, on=ON)["counts"]
    assert all(counts[k] >= 1 for k in ("slow_spending", "double_payment", "not_eligible", "above_standard")), counts
    # Deterministic; refuses a county that already has funds.
    first = digest()
    with pytest.raises(DemoError, match="已有资金或项目数据"):
        generate_funds_demo(county_code="610926", year=2020, on=ON, seed=7)
    for model in (Disbursement, ProjectFunding, ProjectEvent):
        model.objects.all().delete()
    from fupin.funds.models import ProjectBeneficiary, ProjectTarget

    ProjectBeneficiary.objects.all().delete()
    ProjectTarget.objects.all().delete()
    Project.objects.all().delete()
    Allocation.objects.filter(parent__isnull=False, children__isnull=True).delete()
    while Allocation.objects.exists():
        Allocation.objects.filter(children__isnull=True).delete()
    FundSource.objects.all().delete()
    assert generate_funds_demo(county_code="610926", year=2020, on=ON, seed=7) == stats
    assert digest() == first

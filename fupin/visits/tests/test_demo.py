"""The demo visit log on a small generated county: plausible, deterministic, with lapses."""

import hashlib
from datetime import date, timedelta

import pytest

from fupin.demo.generator import DemoError, generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.demo.users import ensure_demo_users
from fupin.regions.models import Region
from fupin.regions.services import import_regions
from fupin.registry.models import Household
from fupin.visits.compliance import registration_date_expr
from fupin.visits.demo import generate_visit_demo
from fupin.visits.models import Visit
from fupin.visits.selectors import my_households, visit_compliance_in_region

pytestmark = pytest.mark.django_db
ON = date(2020, 12, 15)


@pytest.fixture
def demo_county(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=300, seed=7, years="2019-2020")
    ensure_demo_users(county_code="610926")
    return Region.objects.get(code="610926000000")


def digest() -> str:
    h = hashlib.sha256()
    for row in Visit.objects.order_by("household__household_no", "visited_on", "id").values_list(
            "household__household_no", "cadre__username", "visited_on", "kind", "content", "problems", "follow_up",
            "follow_up_due", "follow_up_done", "follow_up_done_on"):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_demo_visits(demo_county):
    stats = generate_visit_demo(county_code="610926", on=ON, seed=7)
    assert stats["visits"] == Visit.objects.count() > stats["households"] * 8
    assert stats["by_kind"]["home"] > stats["by_kind"]["phone"] > 0 and stats["open_follow_ups"] > 0
    # Every visit is by the household's helper, within the year before `on`, not before registration.
    registered = {h["pk"]: h for h in Household.objects.annotate(reg=registration_date_expr())
                  .values("pk", "helper_id", "reg")}
    for v in Visit.objects.values("household_id", "cadre_id", "recorded_by_id", "visited_on"):
        h = registered[v["household_id"]]
        assert v["cadre_id"] == v["recorded_by_id"] == h["helper_id"]
        assert ON - timedelta(days=365) <= v["visited_on"] <= ON and v["visited_on"] >= h["reg"]
    # Most cadres compliant, some lapses: the overdue list is not empty.
    report = visit_compliance_in_region(region_code="610926000000", on=ON)
    assert 0.75 < report.totals.rate < 0.99 and report.overdue
    compliant_cadres = sum(1 for g in report.by_cadre if g.tally.overdue == 0)
    assert compliant_cadres > 0.7 * len(report.by_cadre)
    # The demo cadre sees every state on the phone page.
    from fupin.accounts.models import User

    mine = my_households(User.objects.get(username="demo_cadre"), on=ON)
    assert mine["counts"]["overdue"] >= 2 and mine["counts"]["due_soon"] >= 2 and mine["counts"]["ok"] > 0
    assert mine["households"][0].due.state == "overdue" and mine["follow_ups"]
    # Deterministic; refuses a county that already has visits.
    first = digest()
    with pytest.raises(DemoError, match="已有走访记录"):
        generate_visit_demo(county_code="610926", on=ON, seed=7)
    Visit.objects.all().delete()
    assert generate_visit_demo(county_code="610926", on=ON, seed=7) == stats
    assert digest() == first

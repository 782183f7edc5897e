"""Demo identification and exit cases on a small generated demo county."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import transaction

from fupin.audit.selectors import verify_chain
from fupin.demo.generator import DemoError, generate_county
from fupin.identification.demo import generate_procedure_demo
from fupin.identification.models import Case, CaseStep, Notice, Objection, VillageQuota
from fupin.identification.selectors import public_notice_entries, public_notice_list
from fupin.regions.codes import NATION_CODE, Level
from fupin.regions.models import Region
from fupin.regions.services import import_regions
from fupin.registry.models import Household

pytestmark = pytest.mark.django_db
CSV = Path(__file__).resolve().parents[2] / "demo" / "data" / "610926_regions.csv"
ON = date(2020, 11, 30)


@pytest.fixture
def county(db):
    """平利县 with its towns and villages and a small demo registry for 2019–2020."""
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in (
        (NATION_CODE, "全国", Level.NATION, None), ("610000000000", "陕西省", Level.PROVINCE, NATION_CODE),
        ("610900000000", "安康市", Level.CITY, "610000000000"),
        ("610926000000", "平利县", Level.COUNTY, "610900000000"))])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=300, seed=7, years="2019-2020")
    return Region.objects.get(code="610926000000")


def _digest() -> list[tuple]:
    return list(Case.objects.order_by("procedure", "village_id", "head_name").values_list(
        "procedure", "village_id", "head_name", "id_number", "per_capita_income", "state", "current_step",
        "end_reason"))


class Rollback(Exception):
    pass


def _run_and_roll_back(seed: int) -> list[tuple]:
    try:
        with transaction.atomic():
            generate_procedure_demo(county_code="610926", year=2020, on=ON, seed=seed)
            digest = _digest()
            raise Rollback
    except Rollback:
        return digest


def test_procedure_demo_cases_notices_and_quotas(county):
    stats = generate_procedure_demo(county_code="610926", year=2020, on=ON, seed=11)
    ident = stats["identification"]
    assert ident["cases"] == 18 and ident["by_state"] == {"open": 12, "rejected": 4, "completed": 2}
    assert ident["waiting_at"]["第一次公示"] == 6 and ident["waiting_at"]["民主评议"] == 3
    assert stats["objections"] == {"pending": 1, "resolved": 1} and stats["running_notices"] >= 4
    assert len(stats["villages"]) == 4 and len(stats["quotas"]) == 4 and all(stats["quotas"].values())

    # The first village is the one the demo clerk gets: the most households in 城关镇.
    first = stats["villages"][0]["code"]
    township = Region.objects.get(parent_id="610926000000", name="城关镇")
    assert first.startswith(township.code[:9])

    # Every case went through the services: steps recorded in order, by the step's role, as of ON at latest.
    assert not CaseStep.objects.filter(acted_on__gt=ON).exists()
    registered = Case.objects.filter(procedure="identification", state="completed")
    assert registered.count() == 2
    for case in registered:
        household = Household.objects.get(pk=case.household_id)
        assert household.status == "not_exited" and household.registered_year == 2020
        assert [s.code for s in case.step_records.order_by("index")] == [s["code"] for s in case.steps]
    reasons = set(Case.objects.filter(procedure="identification", state="rejected").values_list("end_reason",
                                                                                                flat=True))
    assert any("未通过" in r and "赞成 8 票" in r for r in reasons)
    assert any("不低于 2020 年扶贫标准" in r for r in reasons)
    assert any(r.startswith("乡镇审核不同意") for r in reasons)

    # Running notices: published two days before ON, period not over; one objection pending.
    running = Notice.objects.filter(step_kind="notice", ends_on__gte=ON)
    assert running.count() == stats["running_notices"]
    pending = Objection.objects.get(outcome="")
    assert pending.notice.ends_on >= ON and pending.phone and pending.filer_name != "匿名"
    assert VillageQuota.objects.filter(year=2020).count() == 4

    # The public notices list is non-empty and shows masked ID numbers only.
    public = list(public_notice_list(region_code="610926000000"))
    assert len(public) == stats["notices"] > 0
    entry = public_notice_entries(public[0]).first()
    assert "*" in entry.id_number_masked

    # Exits: passing households at different steps, the failing one refused at 核实 with the reason.
    exits = stats["exit"]
    assert exits["cases"] >= 2 and exits["by_state"].get("rejected") == 1
    refused = Case.objects.get(procedure="exit", state="rejected")
    assert "未达到退出标准" in refused.end_reason and refused.step_records.last().code == "verify"
    closed = Case.objects.filter(procedure="exit", state="completed")
    for case in closed:
        assert Household.objects.get(pk=case.household_id).status == "exited"

    # Actors are dedicated accounts nobody can log in as; the audit chain holds.
    from fupin.accounts.models import User

    actors = User.objects.filter(username__in=stats["actors"])
    assert actors.count() == len(stats["actors"]) and not any(u.has_usable_password() for u in actors)
    assert verify_chain().ok
    with pytest.raises(DemoError, match="已有"):
        generate_procedure_demo(county_code="610926", year=2020, on=ON, seed=11)


def test_same_seed_same_cases(county):
    first = _run_and_roll_back(3)
    assert first and first == _run_and_roll_back(3)
    assert first != _run_and_roll_back(4)


def test_refusals(county):
    with pytest.raises(DemoError, match="已固化"):
        generate_procedure_demo(county_code="610926", year=2019, on=ON, seed=1)
    with pytest.raises(DemoError, match="不存在"):
        generate_procedure_demo(county_code="610927", year=2020, on=ON, seed=1)
    with pytest.raises(DemoError):
        generate_procedure_demo(county_code="610926", year=2020, on=ON - timedelta(days=400), seed=1)
    assert not Case.objects.exists()

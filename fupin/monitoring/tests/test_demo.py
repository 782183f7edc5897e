"""The demo: a case for every 监测户, measures, eliminations only where the rules pass, deterministic."""

from datetime import date

import pytest

from fupin.monitoring.demo import generate_monitoring_demo
from fupin.monitoring.models import MonitoringCase, MonitoringStep
from fupin.registry.models import HouseholdStatusEvent, Member

from .conftest import exited_household


def _monitored(no, *, on, reason="纳入防止返贫监测（脱贫不稳定户），风险：因残", members=2):
    h = exited_household(no, members=members)
    HouseholdStatusEvent.objects.create(household=h, year=on.year, from_status="exited", to_status="monitored",
                                        kind="monitored", effective_on=on, source="monitoring", reason=reason)
    h.status = "monitored"
    h.save(update_fields=["status"])
    return h


@pytest.mark.django_db
def test_demo_cases_for_monitored_households(users):
    a = _monitored("610926100001101", on=date(2020, 3, 10))
    b = _monitored("610926100001102", on=date(2020, 11, 5), reason="纳入防止返贫监测（脱贫不稳定户），风险：因病")
    gone = _monitored("610926100001103", on=date(2020, 4, 1), members=1)
    Member.objects.filter(household=gone).update(left_on=date(2020, 9, 1), left_reason="deceased")
    exited_household("610926100001104")  # not monitored: no case
    stats = generate_monitoring_demo(county_code="610926000000", year=2020, on=date(2020, 12, 31), seed=7)
    assert stats["cases"] == 3
    cases = {c.household_id: c for c in MonitoringCase.objects.all()}
    assert set(cases) == {a.pk, b.pk, gone.pk}
    assert cases[a.pk].identified_on == date(2020, 3, 10) and cases[a.pk].risk_types[0] == "disability"
    assert cases[b.pk].risk_types[0] == "illness" and cases[b.pk].object_type == "unstable"
    assert cases[gone.pk].state == "naturally_eliminated"
    assert stats["naturally_eliminated"] == 1
    # b was identified in November: under six months, never eliminated
    assert cases[b.pk].state in ("identified", "assisted")
    for c in cases.values():
        if c.state == "eliminated":
            assert c.elimination_inputs["passed"] is True
            assert c.household.status == "exited"
    assert MonitoringStep.objects.filter(kind="identified").count() == 3
    # deterministic, and a second run does not duplicate
    assert generate_monitoring_demo(county_code="610926000000", year=2020, on=date(2020, 12, 31), seed=7)["cases"] == 0


@pytest.mark.django_db
def test_demo_same_seed_same_result(users):
    for i in range(6):
        _monitored(f"6109261000012{i:02d}", on=date(2020, 3, 1 + i))
    generate_monitoring_demo(county_code="610926000000", year=2020, on=date(2020, 12, 31), seed=3)
    first = sorted(MonitoringCase.objects.values_list("household__household_no", "discovery", "state", "discovered_on"))
    MonitoringStep.objects.all().delete()
    from fupin.monitoring.models import MonitoringMeasure
    MonitoringMeasure.objects.all().delete()
    MonitoringCase.objects.all().delete()
    HouseholdStatusEvent.objects.filter(kind="risk_eliminated").delete()
    from fupin.registry.models import Household
    Household.objects.filter(household_no__startswith="6109261000012").update(status="monitored")
    generate_monitoring_demo(county_code="610926000000", year=2020, on=date(2020, 12, 31), seed=3)
    again = sorted(MonitoringCase.objects.values_list("household__household_no", "discovery", "state", "discovered_on"))
    assert first == again


def _assert_notices_follow_rules(need: int, within: int):
    for c in MonitoringCase.objects.all():
        n = c.inputs["notice"]
        start, end = date.fromisoformat(n["notice_from"]), date.fromisoformat(n["notice_to"])
        assert c.discovered_on <= start <= end <= c.identified_on
        assert 0 <= (c.identified_on - end).days <= 3
        assert need <= (end - start).days + 1 == n["notice_days"] <= need + 2
        assert n["notice_days_required"] == need and n["notice_passed"] is True
        assert c.inputs["identify_within_days"] == within
        assert c.inputs["identified_within_limit"] is ((c.identified_on - c.discovered_on).days <= within)
        if c.state == "eliminated":
            e = c.elimination_inputs["notice"]
            assert c.identified_on <= date.fromisoformat(e["notice_from"])
            assert date.fromisoformat(e["notice_to"]) <= c.eliminated_on and e["notice_days"] >= need


@pytest.mark.django_db
def test_demo_notice_periods_follow_the_policy(users):
    from fupin.policy.models import PolicyValue

    for i in range(12):
        _monitored(f"6109261000013{i:02d}", on=date(2020, 2, 1 + i))
    generate_monitoring_demo(county_code="610926000000", year=2020, on=date(2020, 12, 31), seed=5)
    _assert_notices_follow_rules(5, 15)
    assert MonitoringCase.objects.filter(state="eliminated").exists()
    MonitoringStep.objects.all().delete()
    from fupin.monitoring.models import MonitoringMeasure
    MonitoringMeasure.objects.all().delete()
    MonitoringCase.objects.all().delete()
    PolicyValue.objects.create(key="monitoring.notice_days", region_code="610926000000", year_from=2020, value=7)
    PolicyValue.objects.create(key="monitoring.identify_within_days", region_code="610926000000", year_from=2020,
                               value=10)
    generate_monitoring_demo(county_code="610926000000", year=2020, on=date(2020, 12, 31), seed=5)
    assert MonitoringCase.objects.count() > 0
    _assert_notices_follow_rules(7, 10)

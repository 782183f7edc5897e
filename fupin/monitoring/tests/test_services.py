"""Identification refusals and flags; elimination at its boundaries; natural elimination."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.monitoring.choices import CaseState, StepKind
from fupin.monitoring.models import MonitoringCase, MonitoringStep
from fupin.monitoring.services import (
    case_eliminate,
    case_eliminate_naturally,
    case_identify,
    marginal_household_file,
    measure_add,
)
from fupin.registry.models import HouseholdStatusEvent, HouseholdYear, Member, MemberYear
from fupin.registry.selectors_status import status_change_counts_in_region

from .conftest import exited_household

IDENTIFY = {"object_type": "unstable", "risk_types": ["illness"], "discovery": "cadre_screening",
            "discovered_on": "2020-03-01", "identified_on": "2020-03-16", "notice_from": "2020-03-09",
            "notice_to": "2020-03-13", "year": 2020}
GOOD = {"verified_income": "7000", "expenditure_solved": True}


def notice_ending(day: str, days: int = 5) -> dict:
    """A village notice of `days` days (both ends counted) ending on `day`."""
    end = date.fromisoformat(day)
    return {"notice_from": (end - timedelta(days=days - 1)).isoformat(), "notice_to": end.isoformat()}


def good(on: str, **changes) -> dict:
    return {**GOOD, "on": on, **notice_ending(on), **changes}


def _case(users, h, **changes):
    data = {**IDENTIFY, **changes}
    if "identified_on" in changes and "notice_to" not in changes:
        data.update(notice_ending(changes["identified_on"]))
    return case_identify(actor=users["county"], household_id=h.pk, data=data)


@pytest.mark.django_db
def test_identify_sets_status_and_flags_15_days(users):
    h = exited_household("H1", income=Decimal("5000"))
    case = _case(users, h)  # 15 days after discovery: within the limit
    h.refresh_from_db()
    assert h.status == "monitored" and case.status_before == "exited"
    assert case.inputs["days_to_identify"] == 15 and case.inputs["identified_within_limit"] is True
    ev = HouseholdStatusEvent.objects.filter(household=h).latest("id")
    assert (ev.kind, ev.source, ev.effective_on, ev.from_status) == ("monitored", "monitoring", date(2020, 3, 16), "exited")
    step = MonitoringStep.objects.get(case=case)
    assert step.kind == StepKind.IDENTIFIED and step.inputs["identified_within_limit"] is True
    h2 = exited_household("H2")
    late = _case(users, h2, identified_on="2020-03-17")
    assert late.inputs["days_to_identify"] == 16 and late.inputs["identified_within_limit"] is False
    assert "超过 15 天时限" in MonitoringStep.objects.get(case=late).note


@pytest.mark.django_db
def test_identify_refusals_write_nothing(users, households):
    poor = households["a1"]  # 未脱贫
    with pytest.raises(ValidationError, match="属贫困户"):
        _case(users, poor, object_type="marginal")
    h = exited_household("H1")
    with pytest.raises(ValidationError, match="不能早于发现日期"):
        _case(users, h, identified_on="2020-02-28")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _case(users, h, identified_on="2021-07-01", discovered_on="2021-06-30")
    with pytest.raises(ValidationError, match="致贫返贫风险"):
        _case(users, h, risk_types=[])
    with pytest.raises(PermissionDenied):
        case_identify(actor=users["clerk_a"], household_id=h.pk, data=IDENTIFY)
    with pytest.raises(Http404):
        case_identify(actor=users["township_b"], household_id=h.pk, data=IDENTIFY)
    assert MonitoringCase.objects.count() == 0
    _case(users, h)
    with pytest.raises(ValidationError, match="已有未消除风险"):
        _case(users, h)
    removed = exited_household("H-R", status="removed")
    with pytest.raises(ValidationError, match="已清退"):
        _case(users, removed)
    assert MonitoringCase.objects.count() == 1


def _assisted(users, h, identified_on="2020-03-01"):
    case = _case(users, h, discovered_on="2020-02-20", identified_on=identified_on)
    measure_add(actor=users["clerk_a"], case_id=case.pk,
                data={"measure_type": "health", "description": "医疗救助", "started_on": "2020-04-01", "amount": "3000"})
    case.refresh_from_db()
    assert case.state == CaseState.ASSISTED
    return case


@pytest.mark.django_db
def test_elimination_months_boundary_and_restores_exited(users):
    h = exited_household("H1")
    case = _assisted(users, h)
    with pytest.raises(ValidationError) as err:  # 5 months 30 days
        case_eliminate(actor=users["township_a"], case_id=case.pk, data=good("2020-08-31"))
    assert any("纳入监测时间满足要求" in m for m in err.value.messages)
    assert MonitoringCase.objects.get(pk=case.pk).state == CaseState.ASSISTED
    done = case_eliminate(actor=users["township_a"], case_id=case.pk, data=good("2020-09-01"))
    assert done.state == CaseState.ELIMINATED and done.eliminated_on == date(2020, 9, 1)
    assert done.elimination_inputs["passed"] is True
    h.refresh_from_db()
    assert h.status == "exited"
    ev = HouseholdStatusEvent.objects.filter(household=h).latest("id")
    assert (ev.kind, ev.to_status, ev.effective_on) == ("risk_eliminated", "exited", date(2020, 9, 1))
    counts = status_change_counts_in_region(region_code="610926000000", year_from=2020, year_to=2020)
    exited = next(t for t in counts["totals"] if t["kind"] == "exited")
    assert exited["events"] == 0  # the return to 已脱贫 is not a second exit
    assert list(MonitoringStep.objects.filter(case=case).values_list("kind", flat=True)) == [
        "identified", "measure", "eliminated"]


@pytest.mark.django_db
def test_elimination_income_at_line_passes_below_refused(users):
    h = exited_household("H1", income=Decimal("6000"))
    case = _assisted(users, h)
    with pytest.raises(ValidationError, match="近12个月核实人均纯收入 5999.99 元，低于监测范围 6000 元"):
        case_eliminate(actor=users["county"], case_id=case.pk, data=good("2020-09-01", verified_income="5999.99"))
    assert case_eliminate(actor=users["county"], case_id=case.pk,
                          data=good("2020-09-01", verified_income="6000")).state == "eliminated"


@pytest.mark.django_db
def test_elimination_refused_without_measure_labour_or_security(users):
    h = exited_household("H1")
    case = _case(users, h, discovered_on="2020-02-20", identified_on="2020-03-01")
    with pytest.raises(ValidationError, match="尚未落实任何帮扶措施"):
        case_eliminate(actor=users["county"], case_id=case.pk, data=good("2020-10-01"))
    measure_add(actor=users["county"], case_id=case.pk, data={"measure_type": "public_job", "description": "护林员"})
    MemberYear.objects.filter(member__household=h, year=2020).update(labour_capacity="lost")
    with pytest.raises(ValidationError, match="均无劳动能力"):
        case_eliminate(actor=users["county"], case_id=case.pk, data=good("2020-10-01"))
    MemberYear.objects.filter(member__household=h, year=2020, member__relation="head").update(labour_capacity="weak")
    HouseholdYear.objects.filter(household=h, year=2020).update(danger_grade="D")
    with pytest.raises(ValidationError, match="住房安全有保障"):
        case_eliminate(actor=users["county"], case_id=case.pk, data=good("2020-10-01"))
    HouseholdYear.objects.filter(household=h, year=2020).update(danger_grade="")
    with pytest.raises(ValidationError, match="刚性支出问题未解决"):
        case_eliminate(actor=users["county"], case_id=case.pk, data=good("2020-10-01", expenditure_solved="否"))
    assert MonitoringCase.objects.get(pk=case.pk).state == "assisted"
    with pytest.raises(PermissionDenied):
        case_eliminate(actor=users["clerk_a"], case_id=case.pk, data=good("2020-10-01"))
    assert case_eliminate(actor=users["county"], case_id=case.pk, data=good("2020-10-01")).state == "eliminated"


@pytest.mark.django_db
def test_natural_elimination_only_without_present_members(users):
    h = exited_household("H1", members=1)
    case = _case(users, h)
    with pytest.raises(ValidationError, match="仍有 1 名在册成员"):
        case_eliminate_naturally(actor=users["county"], case_id=case.pk, data={"reason": "死亡", "on": "2020-05-01"})
    with pytest.raises(ValidationError, match="必须填写原因"):
        case_eliminate_naturally(actor=users["county"], case_id=case.pk, data={"on": "2020-05-01"})
    Member.objects.filter(household=h).update(left_on=date(2020, 4, 30), left_reason="deceased")
    done = case_eliminate_naturally(actor=users["county"], case_id=case.pk, data={"reason": "户内唯一成员死亡",
                                                                                   "on": "2020-05-01"})
    assert done.state == CaseState.NATURALLY_ELIMINATED and done.elimination_inputs["present_members"] == 0


@pytest.mark.django_db
def test_marginal_household_file(users):
    from fupin.conftest import make_id_number

    idn = make_id_number(date(1975, 2, 3), 41)
    case = marginal_household_file(actor=users["township_a"], household={
        "household_no": "610926100001900", "village": "610926100001", "head_name": "周九", "main_cause": "illness"},
        members=[{"name": "周九", "id_number": idn, "relation": "head"}],
        data={"object_type": "sudden", "risk_types": ["illness"], "discovery": "department_screening",
              "discovered_on": "2021-03-01", "identified_on": "2021-03-05", **notice_ending("2021-03-05")})
    h = case.household
    assert h.status == "monitored" and case.status_before == ""
    events = list(HouseholdStatusEvent.objects.filter(household=h).values_list("kind", "from_status", "to_status"))
    assert events == [("monitored", "", "monitored")]
    with pytest.raises(ValidationError, match="已在户 610926100001900 中建档"):
        marginal_household_file(actor=users["township_a"], household={
            "household_no": "610926100001901", "village": "610926100001", "head_name": "周九", "main_cause": "illness"},
            members=[{"name": "周九", "id_number": idn, "relation": "head"}],
            data={"object_type": "sudden", "risk_types": ["illness"], "discovery": "self_report",
                  "discovered_on": "2021-03-01", **notice_ending("2021-03-05")})
    with pytest.raises(ValidationError, match="只能列为边缘易致贫户或突发严重困难户"):
        marginal_household_file(actor=users["township_a"], household={}, members=[],
                                data={**IDENTIFY, "object_type": "unstable"})


@pytest.mark.django_db
def test_identification_not_before_monitoring_began_per_policy_table(users):
    """The start of 防止返贫监测 is the first monitoring_line row, not a year written in code."""
    from fupin.policy.models import PolicyValue

    h = exited_household("H-START")
    with pytest.raises(ValidationError, match="自 2020 年开始"):
        _case(users, h, discovered_on="2019-12-01", identified_on="2019-12-16")
    PolicyValue.objects.filter(key="monitoring_line", year_from=2020).update(year_from=2021)
    with pytest.raises(ValidationError, match="自 2021 年开始"):
        _case(users, h)
    assert MonitoringCase.objects.count() == 0

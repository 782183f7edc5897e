"""The exit procedure (民主评议 → 核实 → 户认可 → 公示 → 公告退出 → 销号) with the exit standard checked."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.conftest import make_household
from fupin.identification.models import Case, CaseStep
from fupin.identification.services import exit_case_open
from fupin.identification.services_notices import notice_complete
from fupin.registry.models import HouseholdStatusEvent, HouseholdYear

from .helpers import YEAR, act, d, open_exit, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def able(users):
    """A household of 龙头村 that meets the exit standard (5,000 yuan per person, child at school)."""
    return make_household("610926100001050", "610926100001", head="孙五", income=Decimal("5000"))


def _walk_to_close(users, case):
    act(users, "clerk_a", case, "appraisal", on=d(10, 2), votes={"for": 12, "against": 1})
    act(users, "clerk_a", case, "verify", on=d(10, 3), comment="入户核实：收入稳定，两不愁三保障")
    act(users, "clerk_a", case, "consent", on=d(10, 4), comment="户主签字认可")
    notice = publish(users, "clerk_a", [case], "notice", on=d(10, 5), procedure="exit")
    with pytest.raises(ValidationError, match="尚不能办结"):
        notice_complete(actor=users["clerk_a"], notice_id=notice.pk, on=d(10, 11))
    notice_complete(actor=users["clerk_a"], notice_id=notice.pk, on=d(10, 12))
    announcement = publish(users, "township_a", [case], "announce", on=d(10, 13), procedure="exit")
    case.refresh_from_db()
    return notice, announcement


def test_full_exit_walk_to_closing(users, able):
    case = open_exit(users, able)
    assert (case.procedure, case.current_step, case.household_id) == ("exit", "appraisal", able.pk)
    assert case.per_capita_income == Decimal("5000.00") and case.id_number  # the head's, for the notice
    notice, announcement = _walk_to_close(users, case)
    assert notice.title == f"龙头村{YEAR}年度贫困户退出村内公示" and notice.ends_on == d(10, 11)
    assert announcement.issuer == "城关镇人民政府" and case.current_step == "close"
    verify = CaseStep.objects.get(case=case, code="verify")
    assert verify.data["assessment"]["passed"] is True
    assert {i["code"] for i in verify.data["assessment"]["indicators"]} >= {"income", "education", "housing"}
    with pytest.raises(PermissionDenied, match="县级审批员"):
        act(users, "clerk_a", case, "close", on=d(10, 14))
    act(users, "county", case, "close", on=d(10, 14), comment="经县扶贫办审定")
    case.refresh_from_db()
    able.refresh_from_db()
    assert case.state == "completed" and case.closed_by_name == "county"
    assert (able.status, able.exit_year) == ("exited", YEAR)
    assert (able.policies_kept_from, able.policies_kept_until) == (d(10, 14), date(YEAR + 5, 10, 14))
    event = HouseholdStatusEvent.objects.get(household=able, to_status="exited")
    assert event.kind == "exited" and event.effective_on == d(10, 14) and f"#{case.pk}" in event.reason
    close = CaseStep.objects.get(case=case, code="close")
    assert close.data["policies_kept_until"] == f"{YEAR + 5}-10-14"
    # An exited household cannot be proposed again.
    with pytest.raises(ValidationError, match="不能提出退出"):
        open_exit(users, able, on=d(10, 20))


def test_failed_indicator_refuses_verification(users, households):
    poor = households["a1"]  # 3,000 yuan per person: not above the 2020 line of 4,000
    case = open_exit(users, poor)
    act(users, "clerk_a", case, "appraisal", on=d(10, 2), votes={"for": 9, "against": 2})
    with pytest.raises(ValidationError) as exc:
        act(users, "clerk_a", case, "verify", on=d(10, 3))
    message = " ".join(exc.value.messages)
    assert "未达到退出标准" in message and "收入稳定超过扶贫标准" in message and "4000" in message
    case.refresh_from_db()
    assert case.current_step == "verify" and not CaseStep.objects.filter(case=case, code="verify").exists()
    # The verifier can only reject it, with the reason; the case ends and the household stays poor.
    act(users, "clerk_a", case, "verify", decision="rejected", on=d(10, 3), comment="收入未达标")
    case.refresh_from_db()
    poor.refresh_from_db()
    assert case.state == "rejected" and poor.status == "not_exited"
    # A rejected case does not block a new proposal in the same round.
    again = open_exit(users, poor, on=d(10, 5))
    assert again.pk != case.pk


def test_close_assesses_again(users, able):
    case = open_exit(users, able)
    _walk_to_close(users, case)
    # After the announcement the house is found dangerous (grade D, not relocated).
    HouseholdYear.objects.filter(household=able, year=YEAR).update(danger_grade="D")
    with pytest.raises(ValidationError, match="住房安全有保障"):
        act(users, "county", case, "close", on=d(10, 14))
    able.refresh_from_db()
    assert able.status == "not_exited" and able.exit_year is None
    case.refresh_from_db()
    assert case.state == "open" and case.current_step == "close"


def test_exit_case_rules(users, able, households):
    open_exit(users, able)
    with pytest.raises(ValidationError, match="已有退出案件"):
        open_exit(users, able, on=d(10, 2))
    with pytest.raises(Http404):
        exit_case_open(actor=users["clerk_b"], household_id=able.pk, year=YEAR, on=d(10, 2))
    with pytest.raises(PermissionDenied):  # the first exit step is the village's
        exit_case_open(actor=users["county"], household_id=households["a2"].pk, year=YEAR, on=d(10, 2))
    # A cadre sees the exit cases of the households paired with them, nothing else.
    from fupin.identification.selectors import case_list

    paired = open_exit(users, households["a1"], on=d(10, 3))
    assert [c.pk for c in case_list(users["cadre"])] == [paired.pk]
    assert Case.objects.count() == 2

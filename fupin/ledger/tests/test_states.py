"""The ledger's state rules: the life cycle, every refused transition, dates and duplicates."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.audit.models import AuditEvent
from fupin.ledger import services
from fupin.ledger.models import Evidence, ItemEvent, LedgerItem

from .helpers import make_item, pdf, run_to


@pytest.fixture
def item(users):
    return make_item(users["township_a"])


def _kinds(item):
    return list(ItemEvent.objects.filter(item=item).order_by("id").values_list("kind", "from_state", "to_state"))


def test_full_life_cycle(users, item):
    t, clerk, county = users["township_a"], users["clerk_a"], users["county"]
    services.item_update(actor=t, item_id=item.pk, responsible_id=clerk.pk, deadline=date(2020, 12, 10),
                         on=date(2020, 11, 2))
    services.item_start(actor=clerk, item_id=item.pk, measures="逐户核实收入并更正", on=date(2020, 11, 3))
    services.evidence_add(actor=clerk, item_id=item.pk, files=[pdf()], on=date(2020, 11, 5))
    services.item_submit(actor=clerk, item_id=item.pk, on=date(2020, 11, 6))
    services.item_return(actor=t, item_id=item.pk, reason="佐证材料不全", on=date(2020, 11, 7))
    services.evidence_add(actor=clerk, item_id=item.pk, files=[pdf("补充.pdf", b"%PDF-1.4 more")], on=date(2020, 11, 8))
    services.item_submit(actor=clerk, item_id=item.pk, on=date(2020, 11, 9))
    services.item_verify(actor=t, item_id=item.pk, on=date(2020, 11, 10), note="已入户核验")
    services.item_close(actor=county, item_id=item.pk, on=date(2020, 11, 11))
    item.refresh_from_db()
    assert (item.state, item.responsible_id, item.deadline) == ("closed", clerk.pk, date(2020, 12, 10))
    assert (item.submitted_on, item.verified_on, item.closed_on) == (date(2020, 11, 9), date(2020, 11, 10),
                                                                     date(2020, 11, 11))
    assert _kinds(item) == [
        ("created", "", "open"), ("assigned", "open", "open"), ("started", "open", "rectifying"),
        ("evidence", "rectifying", "rectifying"), ("submitted", "rectifying", "submitted"),
        ("returned", "submitted", "rectifying"), ("evidence", "rectifying", "rectifying"),
        ("submitted", "rectifying", "submitted"), ("verified", "submitted", "verified"),
        ("closed", "verified", "closed")]
    assert ItemEvent.objects.get(item=item, kind="returned").note == "佐证材料不全"
    assert Evidence.objects.filter(item=item).count() == 2
    assert AuditEvent.objects.filter(object_type="ledger.ledgeritem", object_id=str(item.pk)).count() == 8
    assert AuditEvent.objects.filter(object_type="ledger.evidence").count() == 2
    # reopen: back to rectifying, dates cleared, counted
    services.item_reopen(actor=t, item_id=item.pk, reason="回访发现问题反弹", on=date(2020, 11, 20))
    item.refresh_from_db()
    assert (item.state, item.reopen_count, item.closed_on, item.verified_on, item.submitted_on) == (
        "rectifying", 1, None, None, None)
    assert _kinds(item)[-1] == ("reopened", "closed", "rectifying")


@pytest.mark.parametrize("state", ["open", "rectifying", "submitted"])
def test_no_closing_without_verification(users, item, state):
    run_to(item, state, manager=users["township_a"], rectifier=users["clerk_a"])
    with pytest.raises(ValidationError) as exc:
        services.item_close(actor=users["county"], item_id=item.pk)
    assert "须经核验通过后才能销号" in exc.value.message_dict["state"][0]
    item.refresh_from_db()
    assert item.state == state and item.closed_on is None
    assert not ItemEvent.objects.filter(item=item, kind="closed").exists()


def test_close_twice_refused(users, item):
    run_to(item, "closed", manager=users["township_a"], rectifier=users["clerk_a"])
    with pytest.raises(ValidationError, match="已销号"):
        services.item_close(actor=users["county"], item_id=item.pk)


def test_submit_needs_evidence_and_measures(users, item):
    clerk = users["clerk_a"]
    services.item_start(actor=clerk, item_id=item.pk, measures="补录", on=date(2020, 11, 3))
    with pytest.raises(ValidationError) as exc:
        services.item_submit(actor=clerk, item_id=item.pk, on=date(2020, 11, 4))
    assert exc.value.message_dict == {"files": ["提交整改前请至少上传一份整改佐证材料"]}
    services.evidence_add(actor=clerk, item_id=item.pk, files=[pdf()], on=date(2020, 11, 4))
    with pytest.raises(ValidationError) as exc:
        services.item_submit(actor=clerk, item_id=item.pk, on=date(2020, 11, 4), measures="  ")
    assert "measures" in exc.value.message_dict
    assert LedgerItem.objects.get(pk=item.pk).state == "rectifying"


def test_start_requires_measures(users, item):
    with pytest.raises(ValidationError) as exc:
        services.item_start(actor=users["clerk_a"], item_id=item.pk, measures=" ")
    assert exc.value.message_dict == {"measures": ["整改措施不能为空"]}
    assert LedgerItem.objects.get(pk=item.pk).state == "open"


def test_submitter_may_not_verify(users, item):
    county = users["county"]  # county approver may both rectify and manage
    run_to(item, "rectifying", manager=county, rectifier=county)
    services.evidence_add(actor=county, item_id=item.pk, files=[pdf()], on=date(2020, 11, 10))
    services.item_submit(actor=county, item_id=item.pk, on=date(2020, 11, 10))
    with pytest.raises(ValidationError, match="须由其他人员核验"):
        services.item_verify(actor=county, item_id=item.pk)
    services.item_verify(actor=users["township_a"], item_id=item.pk)
    assert LedgerItem.objects.get(pk=item.pk).state == "verified"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reopen_and_return_need_reason(users, item, reason):
    run_to(item, "submitted", manager=users["township_a"], rectifier=users["clerk_a"])
    with pytest.raises(ValidationError, match="退回原因不能为空"):
        services.item_return(actor=users["township_a"], item_id=item.pk, reason=reason)
    services.item_verify(actor=users["township_a"], item_id=item.pk)
    with pytest.raises(ValidationError, match="重新打开的原因不能为空"):
        services.item_reopen(actor=users["township_a"], item_id=item.pk, reason=reason)
    item.refresh_from_db()
    assert (item.state, item.reopen_count) == ("verified", 0)


@pytest.mark.parametrize(("state", "action"), [
    ("open", "submit"), ("open", "verify"), ("open", "return"), ("open", "reopen"), ("rectifying", "start"),
    ("rectifying", "verify"), ("submitted", "evidence"), ("submitted", "reopen"), ("verified", "submit"),
    ("closed", "assign"), ("closed", "start"),
])
def test_refused_transitions(users, item, state, action):
    t, clerk = users["township_a"], users["clerk_a"]
    run_to(item, state, manager=t, rectifier=clerk)
    calls = {
        "submit": lambda: services.item_submit(actor=clerk, item_id=item.pk),
        "verify": lambda: services.item_verify(actor=t, item_id=item.pk),
        "return": lambda: services.item_return(actor=t, item_id=item.pk, reason="x"),
        "reopen": lambda: services.item_reopen(actor=t, item_id=item.pk, reason="x"),
        "start": lambda: services.item_start(actor=clerk, item_id=item.pk, measures="x"),
        "evidence": lambda: services.evidence_add(actor=clerk, item_id=item.pk, files=[pdf()]),
        "assign": lambda: services.item_update(actor=t, item_id=item.pk, deadline=date(2021, 1, 1)),
    }
    events = ItemEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        calls[action]()
    assert "state" in exc.value.message_dict
    assert LedgerItem.objects.get(pk=item.pk).state == state
    assert ItemEvent.objects.count() == events


def test_capabilities_and_scope(users, item):
    with pytest.raises(PermissionDenied):  # village clerk may rectify but not verify/close
        services.item_update(actor=users["clerk_a"], item_id=item.pk, deadline=date(2021, 1, 1))
    with pytest.raises(PermissionDenied):  # auditor manages but does not rectify
        services.item_start(actor=users["auditor"], item_id=item.pk, measures="x")
    with pytest.raises(Http404):  # other township
        services.item_start(actor=users["clerk_b"], item_id=item.pk, measures="x")
    with pytest.raises(Http404):
        services.item_close(actor=users["township_b"], item_id=item.pk)
    with pytest.raises(PermissionDenied):
        services.item_create(actor=users["clerk_a"], source="other", region_code="610926100001", title="x")
    with pytest.raises(PermissionDenied):
        services.item_create(actor=users["township_a"], source="other", region_code="610926101001", title="x")


def test_dates_checked(users, item):
    clerk = users["clerk_a"]
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.item_start(actor=clerk, item_id=item.pk, measures="x", on=date(2020, 12, 16))
    with pytest.raises(ValidationError, match="不能早于发现日期"):
        services.item_start(actor=clerk, item_id=item.pk, measures="x", on=date(2020, 10, 31))
    services.item_start(actor=clerk, item_id=item.pk, measures="x", on=date(2020, 11, 10))
    with pytest.raises(ValidationError, match="不能早于上一次处理日期"):
        services.evidence_add(actor=clerk, item_id=item.pk, files=[pdf()], on=date(2020, 11, 9))
    item = services.item_create(actor=users["township_a"], source="audit", region_code="610926100000", title="审计",
                                found_on=date(2020, 12, 15))
    assert item.deadline == date(2021, 1, 14)  # ledger.default_deadline_days = 30
    with pytest.raises(ValidationError) as exc:
        services.item_create(actor=users["township_a"], source="audit", region_code="610926100000", title="审计",
                             found_on=date(2020, 12, 10), deadline=date(2020, 12, 9))
    assert "deadline" in exc.value.message_dict


def test_responsible_validated(users, item):
    t = users["township_a"]
    for who, message in [("clerk_b", "不包含该问题所属区划"), ("city", "不能承担整改"), ("township_b", "不包含"), ("auditor", "不能承担整改"),
                         ("cadre", "不能承担整改")]:
        with pytest.raises(ValidationError, match=message):
            services.item_update(actor=t, item_id=item.pk, responsible_id=users[who].pk)
    users["clerk_a"].is_active = False
    users["clerk_a"].save()
    with pytest.raises(ValidationError, match="不存在或已停用"):
        services.item_update(actor=t, item_id=item.pk, responsible_id=users["clerk_a"].pk)
    services.item_update(actor=t, item_id=item.pk, responsible_id=users["township_a"].pk, responsible_name="城关镇民政办")
    item.refresh_from_db()
    assert (item.responsible_id, item.responsible_name) == (users["township_a"].pk, "城关镇民政办")


def test_duplicate_source_ref(users):
    t = users["township_a"]
    first = make_item(t, source_ref="巡视〔2020〕3号-1")
    with pytest.raises(ValidationError, match="已在问题台账中"):
        make_item(t, source_ref="巡视〔2020〕3号-1")
    assert LedgerItem.objects.count() == 1
    run_to(first, "closed", manager=t, rectifier=users["clerk_a"])
    second = make_item(t, source_ref="巡视〔2020〕3号-1")
    assert second.pk != first.pk
    with pytest.raises(ValidationError, match="已另行登记"):  # the closed one may not be reopened beside it
        services.item_reopen(actor=t, item_id=first.pk, reason="复查")


def test_household_item_belongs_to_village(users, households):
    item = make_item(users["township_a"], household=households["a2"])
    assert (item.region_code, item.household_id) == ("610926100002", households["a2"].pk)
    with pytest.raises(Http404):
        make_item(users["township_a"], household=households["b1"])

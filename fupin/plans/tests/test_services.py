"""Plan services: who may change what, Chinese per-field validation, audit, progress, frozen years."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from fupin.audit.models import AuditEvent
from fupin.conftest import YEAR
from fupin.plans.models import HouseholdPlan, PlanMeasure
from fupin.plans.selectors import household_plan_context
from fupin.plans.services import measure_add, measure_cancel, measure_update, plan_confirm, plan_create
from fupin.registry.models import YearFreeze

pytestmark = pytest.mark.django_db

MEASURE = {"measure_type": "industry", "content": "发展核桃种植 3 亩", "amount": "1500", "responsible": "镇农业站",
           "due_on": f"{YEAR}-10-31"}


def add(user, household, **changes):
    return measure_add(actor=user, household_id=household.pk, year=YEAR, data={**MEASURE, **changes})


def test_measure_add_draws_up_the_plan_and_audits(users, households):
    m = add(users["clerk_a"], households["a1"])
    plan = m.plan
    assert plan.household_id == households["a1"].pk and plan.year == YEAR and plan.status == "draft"
    assert plan.village_id == "610926100001" and plan.drawn_up_by_name == "clerk_a"
    assert m.measure_type == "industry" and str(m.amount) == "1500.00" and m.status == "planned"
    events = AuditEvent.objects.filter(object_type__in=("plans.householdplan", "plans.planmeasure"))
    assert events.count() == 2 and {e.region_code for e in events} == {"610926100001"}
    # A choice may be given by its Chinese label.
    second = add(users["clerk_a"], households["a1"], measure_type="健康帮扶", content="医保参保资助")
    assert second.plan_id == plan.pk and second.measure_type == "health"


def test_validation_names_the_fields(users, households):
    with pytest.raises(ValidationError) as exc:
        add(users["clerk_a"], households["a1"], measure_type="", content=" ", responsible="", amount="-5")
    errors = exc.value.message_dict
    assert errors["measure_type"] == ["措施类型不能为空"]
    assert errors["content"] == ["措施内容和目标不能为空"]
    assert errors["responsible"] == ["责任单位或责任人不能为空"]
    assert "金额（元）不能为负数" in errors["amount"][0]
    assert not HouseholdPlan.objects.exists()  # nothing written, not even the plan
    with pytest.raises(ValidationError) as exc:
        add(users["clerk_a"], households["a1"], status="completed")
    assert exc.value.message_dict == {"completed_on": ["实施状态为“已完成”时必须填写完成日期"]}
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        add(users["clerk_a"], households["a1"], status="completed", completed_on=tomorrow.isoformat())
    with pytest.raises(ValidationError, match="不能早于计划年度"):
        add(users["clerk_a"], households["a1"], status="completed", completed_on=f"{YEAR - 1}-12-31")
    with pytest.raises(ValidationError, match="不能填写完成日期"):
        add(users["clerk_a"], households["a1"], status="in_progress", completed_on=f"{YEAR}-05-01")
    with pytest.raises(ValidationError, match="不是有效选项"):
        add(users["clerk_a"], households["a1"], measure_type="买彩票")


def test_update_complete_and_cancel(users, households):
    m = add(users["clerk_a"], households["a1"])
    done = date(YEAR, 9, 1)
    m = measure_update(actor=users["clerk_a"], measure_id=m.pk, changes={"status": "completed",
                                                                          "completed_on": done.isoformat()})
    assert m.status == "completed" and m.completed_on == done
    # Back to in progress: the completion date goes with it.
    m = measure_update(actor=users["clerk_a"], measure_id=m.pk, changes={"status": "in_progress"})
    assert m.completed_on is None
    with pytest.raises(ValidationError, match="取消"):
        measure_update(actor=users["clerk_a"], measure_id=m.pk, changes={"status": "cancelled"})
    with pytest.raises(ValidationError) as exc:
        measure_cancel(actor=users["clerk_a"], measure_id=m.pk, reason=" ")
    assert "reason" in exc.value.message_dict
    m = measure_cancel(actor=users["clerk_a"], measure_id=m.pk, reason="该户已搬迁到县城安置点")
    assert m.status == "cancelled" and "已搬迁" in m.note
    assert PlanMeasure.objects.filter(pk=m.pk).exists()  # never deleted
    with pytest.raises(ValidationError, match="已取消"):
        measure_update(actor=users["clerk_a"], measure_id=m.pk, changes={"content": "改"})
    updates = AuditEvent.objects.filter(object_type="plans.planmeasure", action="update")
    assert updates.count() == 3 and updates.last().after["reason"] == "该户已搬迁到县城安置点"


def test_progress_numbers(users, households):
    clerk, h = users["clerk_a"], households["a1"]
    ids = [add(clerk, h, content=f"措施{i}").pk for i in range(5)]
    measure_update(actor=clerk, measure_id=ids[0], changes={"status": "completed", "completed_on": f"{YEAR}-06-01"})
    measure_update(actor=clerk, measure_id=ids[1], changes={"status": "completed", "completed_on": f"{YEAR}-07-01"})
    measure_update(actor=clerk, measure_id=ids[2], changes={"status": "in_progress"})
    measure_cancel(actor=clerk, measure_id=ids[3], reason="重复")
    ctx = household_plan_context(clerk, h, YEAR)
    progress = ctx["plan"]["progress"]
    assert progress == {"total": 4, "completed": 2, "in_progress": 1, "planned": 1, "cancelled": 1,
                        "ratio": 0.5, "percent": 50}
    assert ctx["may_edit"] and ctx["may_confirm"] and not ctx["frozen"]


def test_who_may_edit_and_confirm(users, households):
    a1, a2 = households["a1"], households["a2"]
    # The household's own cadre draws up the plan; another cadre's household is not found.
    m = add(users["cadre"], a1)
    with pytest.raises(Http404):
        add(users["cadre"], a2)
    with pytest.raises(PermissionDenied, match="确认"):
        plan_confirm(actor=users["cadre"], household_id=a1.pk, year=YEAR)
    # Another village's clerk: not found; viewers and auditors: forbidden.
    with pytest.raises(Http404):
        add(users["clerk_b"], a1)
    with pytest.raises(Http404):
        measure_update(actor=users["clerk_b"], measure_id=m.pk, changes={"content": "x"})
    for name in ("city", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            add(users[name], a1)
        with pytest.raises(PermissionDenied):
            measure_update(actor=users[name], measure_id=m.pk, changes={"content": "x"})
    # The township reviewer confirms; confirming twice is refused.
    plan = plan_confirm(actor=users["township_a"], household_id=a1.pk, year=YEAR)
    assert plan.status == "confirmed" and plan.confirmed_by_name == "township_a" and plan.confirmed_at
    with pytest.raises(ValidationError, match="已于"):
        plan_confirm(actor=users["clerk_a"], household_id=a1.pk, year=YEAR)
    # The county approver may keep it up to date too.
    measure_update(actor=users["county"], measure_id=m.pk, changes={"status": "in_progress"})


def test_confirm_needs_a_measure_and_create_once(users, households):
    plan_create(actor=users["clerk_a"], household_id=households["a1"].pk, year=YEAR, note="入户商定")
    with pytest.raises(ValidationError, match="已有帮扶计划"):
        plan_create(actor=users["clerk_a"], household_id=households["a1"].pk, year=YEAR)
    with pytest.raises(ValidationError) as exc:
        plan_confirm(actor=users["clerk_a"], household_id=households["a1"].pk, year=YEAR)
    assert "measures" in exc.value.message_dict
    with pytest.raises(ValidationError, match="还没有"):
        plan_confirm(actor=users["township_a"], household_id=households["a2"].pk, year=YEAR)


def test_frozen_year_is_read_only(users, households):
    m = add(users["clerk_a"], households["a1"])
    YearFreeze.objects.create(region_code="610926000000", year=YEAR)
    for call in (lambda: add(users["clerk_a"], households["a1"]),
                 lambda: measure_update(actor=users["clerk_a"], measure_id=m.pk, changes={"content": "x"}),
                 lambda: measure_cancel(actor=users["clerk_a"], measure_id=m.pk, reason="x"),
                 lambda: plan_confirm(actor=users["clerk_a"], household_id=households["a1"].pk, year=YEAR)):
        with pytest.raises(ValidationError, match="已固化") as exc:
            call()
        assert "year" in exc.value.message_dict
    ctx = household_plan_context(users["clerk_a"], households["a1"], YEAR)
    assert ctx["frozen"] and not ctx["may_edit"] and not ctx["may_confirm"]
    # Another year is still open.
    assert measure_add(actor=users["clerk_a"], household_id=households["a1"].pk, year=YEAR + 1, data=MEASURE).pk

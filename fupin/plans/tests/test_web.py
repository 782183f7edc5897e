"""The plan pages: household plan (measures, suggestions, adopt, confirm), measure edit/cancel, region
report, rules page — scope and roles, and the household-page section."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from fupin.conftest import YEAR
from fupin.plans.models import HouseholdPlan, PlanMeasure, PlanRule
from fupin.plans.selectors import household_plan_context
from fupin.registry.models import YearFreeze

from .factories import crafted, person, plan_with

pytestmark = pytest.mark.django_db


def plan_page(h, year=YEAR):
    return f"{reverse('web:household_plan', args=[h.pk])}?year={year}"


FORM = {"action": "add", "measure_type": "industry", "content": "发展食用菌 2000 袋", "amount": "3000",
        "responsible": "镇农业站", "status": "planned", "due_on": f"{YEAR}-11-30", "completed_on": "", "note": ""}


def test_household_plan_page_add_adopt_confirm(users, households, login):
    h = households["a1"]  # one adult (serious illness, ordinary labour), one son in junior school
    c = login(users["clerk_a"])
    page = c.get(plan_page(h))
    assert page.status_code == 200
    body = page.content.decode()
    assert "尚未制定帮扶计划" in body and "建议措施" in body
    assert "S02" in body and "有义务教育阶段在校生" in body and "采纳" in body  # the rule behind it is shown
    # Add a measure through the form (draws the plan up).
    r = c.post(plan_page(h), FORM)
    assert r.status_code == 302
    plan = HouseholdPlan.objects.get(household=h, year=YEAR)
    assert plan.measures.get().content == "发展食用菌 2000 袋"
    # A bad form keeps the input and names the field.
    r = c.post(plan_page(h), {**FORM, "content": "", "status": "completed"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "措施内容和目标不能为空" in body and "必须填写完成日期" in body
    # One tap adopts a suggestion, prefilled, and opens it for completion.
    r = c.post(plan_page(h), {"action": "adopt", "rule": "S02"})
    adopted = PlanMeasure.objects.get(plan=plan, source_rule="S02")
    assert r.status_code == 302 and r["Location"] == reverse("web:plan_measure_edit", args=[adopted.pk])
    assert adopted.measure_type == "education_aid" and adopted.responsible == "县教育局"
    r = c.post(plan_page(h), {"action": "adopt", "rule": "S02"}, follow=True)
    assert "已有“教育资助”措施" in r.content.decode()
    r = c.post(plan_page(h), {"action": "adopt", "rule": "S01"}, follow=True)  # does not apply to this household
    assert "不适用" in r.content.decode()
    page = c.get(plan_page(h)).content.decode()
    assert "已在计划中" in page and "确认计划" in page and "0/2 项已完成" in page
    r = c.post(plan_page(h), {"action": "confirm"})
    plan.refresh_from_db()
    assert r.status_code == 302 and plan.status == "confirmed"


def test_measure_edit_and_cancel(users, households, login):
    h = households["a1"]
    plan = plan_with(h, [("industry", "养猪", 1000), ("health", "医保", 280)])
    m1, m2 = plan.measures.order_by("id")
    c = login(users["cadre"])  # the household's own cadre
    url = reverse("web:plan_measure_edit", args=[m1.pk])
    assert c.get(url).status_code == 200
    data = {"measure_type": "industry", "content": "养猪 3 头", "amount": "1500", "responsible": "镇农业站",
            "status": "completed", "due_on": "", "completed_on": f"{YEAR}-08-01", "note": ""}
    assert c.post(url, data).status_code == 302
    m1.refresh_from_db()
    assert m1.status == "completed" and str(m1.amount) == "1500.00"
    r = c.post(reverse("web:plan_measure_edit", args=[m2.pk]), {"action": "cancel", "reason": ""})
    assert r.status_code == 200 and "取消措施必须填写原因" in r.content.decode()
    c.post(reverse("web:plan_measure_edit", args=[m2.pk]), {"action": "cancel", "reason": "已参加职工医保"})
    m2.refresh_from_db()
    assert m2.status == "cancelled"
    page = c.get(plan_page(h)).content.decode()
    assert "1/1 项已完成（100%）" in page and "已取消 1 项" in page


def test_scope_and_roles_on_pages(users, households, login, client):
    h = households["a1"]
    plan = plan_with(h, [("industry", "养猪", 1000)])
    m = plan.measures.get()
    # Another village's clerk, another township's reviewer, a stranger, another cadre's household: 404.
    for name in ("clerk_b", "township_b", "stranger"):
        c = login(users[name])
        assert c.get(plan_page(h)).status_code == 404
        assert c.get(reverse("web:plan_measure_edit", args=[m.pk])).status_code == 404
        assert c.post(plan_page(h), FORM).status_code == 404
    assert login(users["cadre"]).get(plan_page(households["a2"])).status_code == 404
    # A viewer reads without forms; posting is forbidden and changes nothing.
    c = login(users["city"])
    page = c.get(plan_page(h)).content.decode()
    assert "养猪" in page and "添加措施" not in page and "采纳" not in page
    assert c.post(plan_page(h), FORM).status_code == 403
    assert c.post(reverse("web:plan_measure_edit", args=[m.pk]), {"action": "cancel", "reason": "x"}).status_code == 403
    assert PlanMeasure.objects.count() == 1 and PlanMeasure.objects.get().status == "planned"
    # Not logged in: to the login page.
    client.logout()
    assert client.get(plan_page(h)).status_code == 302


def test_frozen_year_page_is_read_only(users, households, login):
    h = households["a1"]
    plan_with(h, [("industry", "养猪", 1000)])
    YearFreeze.objects.create(region_code="610926100000", year=YEAR)
    c = login(users["clerk_a"])
    page = c.get(plan_page(h)).content.decode()
    assert "已固化" in page and "添加措施" not in page and "修改</a>" not in page
    r = c.post(plan_page(h), FORM, follow=True)
    assert "已固化" in r.content.decode() and PlanMeasure.objects.count() == 1


def test_household_section_renders(users, households):
    h = households["a1"]
    ctx = household_plan_context(users["county"], h, YEAR)
    html = render_to_string("web/plans/_household_section.html", {"plan_context": ctx})
    assert "尚未制定帮扶计划" in html and "建议措施尚未列入计划" in html
    plan_with(h, [("industry", "养猪", 1000, "completed"), ("skills_training", "电焊培训", None)])
    ctx = household_plan_context(users["county"], h, YEAR)
    html = render_to_string("web/plans/_household_section.html", {"plan_context": ctx})
    assert "1/2 项已完成（50%）" in html and "养猪" in html and reverse("web:household_plan", args=[h.pk]) in html


def test_household_flags_on_the_plan_page(users, regions, login):
    same = [("industry", "发展生猪养殖", 2000), ("health", "医保资助", 280)]
    a = crafted(main_cause="illness", members=[person(72, "none")])
    b = crafted(main_cause="lack_funds")
    plan_with(a, [*same, ("skills_training", "电焊培训", None)])
    plan_with(b, [*same, ("skills_training", "电焊培训", None)])
    page = login(users["clerk_a"]).get(plan_page(a)).content.decode()
    assert "措施雷同" in page and b.head_name in page and "措施矛盾" in page and "C01" in page
    ctx = household_plan_context(users["clerk_a"], a, YEAR)
    assert len(ctx["flags"]["copies"]) == 1 and ctx["flags"]["copies"][0]["identical"]
    # A cadre sees the flag but not who the other household is.
    a.helper = users["cadre"]
    a.save()
    ctx = household_plan_context(users["cadre"], a, YEAR)
    [copy] = ctx["flags"]["copies"]
    assert copy["other"]["household_id"] is None and copy["other"]["head_name"] == "（您无权查看的户）"


def test_region_report(users, regions, login):
    plan_with(crafted(main_cause="illness"), [("industry", "养猪", 1000, "completed"), ("health", "医保", None),
                                               ("employment", "务工", None)])
    plan_with(crafted(main_cause="lack_funds"), [("industry", "养猪", 1000), ("health", "医保", None),
                                                 ("employment", "务工", None)])
    crafted()  # a poor household without a plan
    c = login(users["township_a"])
    r = c.get(reverse("web:region_plans", args=["610926100000"]) + f"?year={YEAR}")
    assert r.status_code == 200
    body = r.content.decode()
    assert "应制定计划户" in body and "发展生产和就业脱贫" in body and "龙头村" in body
    assert r.context["stats"]["coverage"] == {"target_households": 3, "with_plan": 2, "without_plan": 1,
                                              "rate": 0.6667, "other_plans": 0}
    assert r.context["findings"]["summary"]["pairs"] == 1
    assert "完全相同" in body
    assert login(users["township_b"]).get(reverse("web:region_plans", args=["610926100000"])).status_code == 404
    assert login(users["cadre"]).get(reverse("web:region_plans", args=["610926100000"])).status_code == 403
    r = login(users["province"]).get(reverse("web:region_plans", args=["610000000000"]) + f"?year={YEAR}")
    assert r.status_code == 200 and r.context["stats"]["coverage"]["with_plan"] == 2
    assert r.context["findings"] is None and "按县、乡镇或村" in r.content.decode()


def test_rules_page(users, regions, login):
    url = reverse("web:plan_rules")
    page = login(users["county"]).get(url + "?region=610926&year=2020")
    assert page.status_code == 200 and "S01" in page.content.decode() and "C09" in page.content.decode()
    assert page.context["form"] is None
    assert login(users["county"]).post(url, {"code": "S11"}).status_code == 403
    c = login(users["admin"])  # the county's system administrator
    page = c.get(url + "?year=2020&edit=S11")
    assert page.context["form"].initial["code"] == "S11"
    data = {**page.context["form"].initial, "year_from": 2014, "active": ""}
    data = {k: ("" if v is None else v) for k, v in data.items() if k != "active"}
    r = c.post(url + "?year=2020", data)
    assert r.status_code == 302
    row = PlanRule.objects.get(code="S11", region_code="610926000000")
    assert not row.active and row.updated_by_name == "admin"
    bad = {**data, "condition": "{not json", "active": "on"}
    r = c.post(url + "?year=2020", bad)
    assert r.status_code == 200 and "不是有效的 JSON" in r.content.decode()
    assert login(users["admin"]).get(url + "?region=620000").status_code == 404


def test_household_context_takes_a_fixed_number_of_queries(users, households, django_assert_max_num_queries):
    h = households["a1"]
    plan_with(h, [("industry", "养猪", 1000)])
    with django_assert_max_num_queries(20) as few:
        household_plan_context(users["clerk_a"], h, YEAR)
    plan_with(crafted(main_cause="lack_funds"), [("industry", "养鸡", 500)])
    HouseholdPlan.objects.get(household=h).measures.create(measure_type="health", content="医保", responsible="卫健局")
    for i in range(8):
        HouseholdPlan.objects.get(household=h).measures.create(measure_type="water", content=f"饮水{i}", responsible="水利局")
    with django_assert_max_num_queries(len(few.captured_queries)):
        ctx = household_plan_context(users["clerk_a"], h, YEAR)
    assert ctx["plan"]["progress"]["total"] == 10


def test_no_template_comment_leaks(users, households, login):
    plan_with(households["a1"], [("industry", "养猪", 1000)])
    body = login(users["clerk_a"]).get(plan_page(households["a1"])).content.decode()
    html = render_to_string("web/plans/_household_section.html",
                            {"plan_context": household_plan_context(users["clerk_a"], households["a1"], YEAR)})
    assert "{#" not in body and "{#" not in html

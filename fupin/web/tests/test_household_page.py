"""The household page (一户一网页) and the yearly data forms: every section of the 扶贫手册, year
comparison, frozen years, editing through the services, scope, masking and query counts."""

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.conftest import make_household, make_id_number
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear
from fupin.registry.services import (
    household_change_status,
    household_update,
    household_year_save,
    member_add,
    member_leave,
    member_year_save,
    year_freeze,
)

pytestmark = pytest.mark.django_db

COUNTY = "610926000000"
WEB_DIR = Path(__file__).resolve().parent.parent
# Session, user, user's region, household, breadcrumb, members, household years, member years,
# frozen years, audit history, status history, session save (3) — plus the quality rules' own
# the visits section's (at most 6, pinned in fupin/visits/tests) and the plan section's (plan,
# measures, suggestion facts and rules, checks: a fixed 17, pinned in fupin/plans/tests).
PAGE_QUERY_LIMIT = 14 + 6 + 17


def _year_data(**changes) -> dict:
    data = {"wage_income": "2000", "business_income": "1500", "business_cost": "500", "property_income": "0",
            "transfer_income": "1000", "policy_subsidy": "400", "housing_area": "80", "housing_structure": "砖木",
            "danger_grade": "C", "access_road": "砂石路", "arable_mu": "3.5"}
    data.update(changes)
    return data


def build_two_years(users, household):
    """Household data for 2019 and 2020 written through the services (so the audit trail has
    rows), a member who left, a status change and a second cause."""
    clerk = users["clerk_a"]
    members = list(household.members.order_by("id"))
    for m in members:
        member_year_save(actor=clerk, member_id=m.pk, year=2019,
                         data={"health": "chronic", "labour_capacity": "ordinary", "education": "junior"})
    household_year_save(actor=clerk, household_id=household.pk, year=2019, data=_year_data())
    household_year_save(actor=clerk, household_id=household.pk, year=2020,
                        data=_year_data(wage_income="8000", danger_grade="A", housing_structure="砖混"))
    member_year_save(actor=clerk, member_id=members[0].pk, year=2020, data={"migrant_worker": "是",
                     "work_months": "10", "work_place": "西安市", "work_monthly_income": "3000"})
    gone = member_add(actor=clerk, household_id=household.pk, data={
        "name": "王老太", "id_number": make_id_number(date(1940, 5, 1), 77, "F"), "relation": "mother"})
    member_year_save(actor=clerk, member_id=gone.pk, year=2019, data={"health": "serious"})
    member_leave(actor=clerk, member_id=gone.pk, left_on="2020-03-01", reason="deceased")
    household_change_status(actor=clerk, household_id=household.pk, to_status="exited", year=2020,
                            source="exit", reason="人均纯收入稳定超过国家扶贫标准")
    Household.objects.filter(pk=household.pk).update(other_causes=["lack_skills", "lack_funds"])
    household.refresh_from_db()
    return household


@pytest.fixture
def h(users, households):
    return build_two_years(users, households["a1"])


def _page(client, h, **params):
    return client.get(reverse("web:household", args=[h.pk]), params)


def test_page_shows_every_section(login, users, h):
    resp = _page(login(users["clerk_a"]), h, year=2020)
    assert resp.status_code == 200
    html = resp.content.decode()
    # The 扶贫手册's parts in order (plan and measures together, visits, funds and credit received).
    sections = ["家庭基本情况", "家庭成员", "致贫原因", "帮扶责任人", "帮扶计划", "走访记录", "项目资金", "扶贫小额信贷",
                "帮扶成效", "户状态变更记录", "修改记录"]
    positions = [re.search(rf"<h[23][^>]*>{s}", html).start() for s in sections]
    assert positions == sorted(positions)
    # Household facts, both causes, the helper.
    assert "王一户" in html and "龙头村" in html and "因病" in html and "缺技术、缺资金" in html
    assert "帮扶责任人" in html and ">cadre<" in html
    # Members with the year's indicators; the member who left is greyed, with the reason.
    assert "王一家属1" in html and "西安市" in html and "10 个月" in html
    assert re.search(r'<tr class="member-left">\s*<td data-label="姓名"><span>王老太<br><span class="left-note">已减少：死亡'
                     r'（2020-03-01）', html)
    # The year's housing.
    assert "砖混" in html and "A级" in html
    # Income of both years, with derived figures.
    rows = resp.context["income_rows"]
    assert [r["hy"].year for r in rows] == [2019, 2020]
    hy2020 = rows[1]["hy"]
    assert hy2020.net_income == Decimal("10000.00") and hy2020.household_size == 2
    assert hy2020.per_capita_income == Decimal("5000.00")
    assert "5,000.00" in html and "10,000.00" in html
    # Chart data handed over with json_script, library from our own static files.
    data = json.loads(re.search(r'<script id="income-chart-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["years"] == ["2019", "2020"]
    assert data["per_capita"]["data"][1] == 5000.0
    assert [s["name"] for s in data["series"]] == ["工资性收入", "生产经营性净收入", "财产性收入", "转移性收入"]
    assert data["series"][1]["data"] == [1000.0, 1000.0]  # business income net of its cost
    assert 'src="/static/web/vendor/echarts.min.js"' in html and 'src="/static/web/household.js"' in html
    # Status history and audit history.
    assert "人均纯收入稳定超过国家扶贫标准" in html and "已脱贫" in html
    whats = {r["what"] for r in resp.context["audit_rows"]}
    assert {"2019 年度户数据", "2020 年度户数据", "成员 王老太", "户信息"} <= whats
    assert any(w.startswith("王一 2020") for w in whats)
    # Print button and print styles; editing links for the unfrozen year.
    assert "打印扶贫手册" in html and "data-print" in html
    assert reverse("web:household_year_edit", args=[h.pk, 2020]) in html


def test_year_selector_shows_chosen_year(login, users, h):
    c = login(users["clerk_a"])
    resp = _page(c, h, year=2019)
    assert resp.context["year"] == 2019
    html = resp.content.decode()
    assert "C级" in html and "砖木" in html
    assert '<option value="2019" selected>' in html
    # Default: the latest year with data; nonsense falls back to it too.
    assert _page(c, h).context["year"] == 2020
    assert _page(c, h, year="abc").context["year"] == 2020
    assert _page(c, h, year="1900").context["year"] == 2020


def test_compare_shows_changed_indicators(login, users, h):
    resp = _page(login(users["clerk_a"]), h, year=2020, compare=2019)
    comp = resp.context["comparison"]
    assert comp["old"] == 2019 and comp["new"] == 2020
    changes = {c["label"]: (c["old"], c["new"]) for c in comp["household"]}
    assert changes["工资性收入"] == ("2,000.00", "8,000.00")
    assert changes["年人均纯收入"] == ("1,333.33", "5,000.00")  # 4000 / 3 members in 2019
    assert changes["危房等级"] == ("C级", "A级")
    assert changes["家庭人口数"] == ("3", "2")
    assert "耕地面积（亩）" not in changes  # unchanged indicators are not listed
    by_member = {mc["m"].name: mc for mc in comp["members"]}
    assert {c["label"]: c["new"] for c in by_member["王一"]["changes"]}["务工所在地"] == "西安市"
    assert by_member["王老太"]["note"] == "仅 2019 年有记录"
    html = resp.content.decode()
    assert "年度对比：2019 年 → 2020 年" in html and "8,000.00" in html


def test_frozen_year_shows_badge_and_no_edit_links(login, users, h):
    year_freeze(actor=users["county"], region_code=COUNTY, year=2019)
    c = login(users["clerk_a"])
    resp = _page(c, h, year=2019)
    html = resp.content.decode()
    assert resp.context["year_frozen"] and 'class="badge badge-frozen"' in html and "已固化" in html
    assert reverse("web:household_year_edit", args=[h.pk, 2019]) not in html
    assert "/years/2019/edit/" not in html
    # The unfrozen year keeps its links.
    assert reverse("web:household_year_edit", args=[h.pk, 2020]) in _page(c, h, year=2020).content.decode()


def test_frozen_year_edits_are_refused_via_ui_and_service(login, users, h):
    year_freeze(actor=users["county"], region_code=COUNTY, year=2019)
    before = HouseholdYear.objects.filter(household=h, year=2019).values().get()
    events = AuditEvent.objects.count()
    c = login(users["clerk_a"])
    url = reverse("web:household_year_edit", args=[h.pk, 2019])
    resp = c.get(url)
    assert resp.status_code == 302 and resp["Location"].endswith("?year=2019")
    assert "2019 年度数据已固化，不能修改" in c.get(resp["Location"]).content.decode()
    posted = {**_form_of(c.get(reverse("web:household_year_edit", args=[h.pk, 2020]))), "wage_income": "99999"}
    resp = c.post(url, posted)
    assert resp.status_code == 200
    assert "2019 年度数据已固化，不能修改" in resp.content.decode()
    member = h.members.order_by("id").first()
    resp = c.post(reverse("web:member_year_edit", args=[h.pk, member.pk, 2019]), {"health": "healthy"})
    assert resp.status_code == 200 and "已固化" in resp.content.decode()
    assert HouseholdYear.objects.filter(household=h, year=2019).values().get() == before
    assert MemberYear.objects.get(member=member, year=2019).health == "chronic"
    assert AuditEvent.objects.count() == events
    with pytest.raises(ValidationError, match="已固化"):
        household_year_save(actor=users["clerk_a"], household_id=h.pk, year=2019, data={"wage_income": "1"})


def _form_of(resp) -> dict:
    """The form's current values, as a browser would post them back."""
    form = resp.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_clerk_edits_income_and_per_capita_is_recomputed(login, users, h):
    c = login(users["clerk_a"])
    url = reverse("web:household_year_edit", args=[h.pk, 2020])
    resp = c.get(url)
    assert resp.status_code == 200
    html = resp.content.decode()
    for legend in ["收入（元）", "住房", "生活条件", "土地（亩）"]:
        assert f"<legend>{legend}</legend>" in html
    assert 'inputmode="decimal"' in html and "2 人" in html
    data = _form_of(resp)
    assert data["wage_income"] == "8000.00" and data["housing_structure"] == "brick_concrete"
    data["wage_income"] = "12000"
    resp = c.post(url, data)
    assert resp.status_code == 302
    hy = HouseholdYear.objects.get(household=h, year=2020)
    assert hy.net_income == Decimal("14000.00") and hy.per_capita_income == Decimal("7000.00")
    assert hy.housing_structure == "brick_concrete" and hy.arable_mu == Decimal("3.50")  # untouched fields kept
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.object_type == "registry.householdyear" and event.actor_name == "clerk_a"
    assert event.after["wage_income"] == "12000.00" and event.after["per_capita_income"] == "7000.00"
    assert "年人均纯收入 7,000.00 元" in c.get(resp["Location"]).content.decode()


def test_income_errors_are_shown_next_to_fields_in_chinese(login, users, h):
    c = login(users["clerk_a"])
    url = reverse("web:household_year_edit", args=[h.pk, 2020])
    data = _form_of(c.get(url))
    resp = c.post(url, {**data, "wage_income": "abc"})
    assert resp.status_code == 200
    assert resp.context["form"].errors["wage_income"] == ["工资性收入“abc”不是数字"]
    resp = c.post(url, {**data, "policy_subsidy": "5000", "transfer_income": "100"})
    assert "政策性补贴是转移性收入的一部分" in resp.context["form"].errors["policy_subsidy"][0]
    html = resp.content.decode()
    assert re.search(r'<div class="field has-error">\s*<label for="id_policy_subsidy">', html)
    assert HouseholdYear.objects.get(household=h, year=2020).wage_income == Decimal("8000.00")


def test_new_year_form_carries_over_housing_not_income(login, users, h):
    c = login(users["clerk_a"])
    resp = c.get(reverse("web:household_year_edit", args=[h.pk, 2021]))
    assert resp.status_code == 200 and resp.context["carried_from"] == 2020
    data = _form_of(resp)
    assert data["housing_structure"] == "brick_concrete" and data["wage_income"] == "0"
    assert c.get(reverse("web:household_year_edit", args=[h.pk, 1990])).status_code == 404


def test_member_year_edit_adds_a_year_and_changes_household_size(login, users, h):
    c = login(users["clerk_a"])
    son = h.members.order_by("id")[1]
    url = reverse("web:member_year_edit", args=[h.pk, son.pk, 2020])
    resp = c.get(url)
    assert resp.status_code == 200
    data = _form_of(resp)
    assert data["health"] == "healthy"  # this member's 2020 data, from make_household
    resp = c.post(url, {**data, "health": "disabled", "disability_grade": "2", "note": "肢体残疾"})
    assert resp.status_code == 302
    my = MemberYear.objects.get(member=son, year=2020)
    assert (my.health, my.disability_grade, my.note) == ("disabled", "2", "肢体残疾")
    html = c.get(resp["Location"]).content.decode()
    assert "残疾（二级）" in html
    # A new member-year: household size and per-capita income follow.
    mother = h.members.get(name="王老太")
    c.post(reverse("web:member_year_edit", args=[h.pk, mother.pk, 2020]),
           _form_of(c.get(reverse("web:member_year_edit", args=[h.pk, mother.pk, 2020]))))
    hy = HouseholdYear.objects.get(household=h, year=2020)
    assert hy.household_size == 3 and hy.per_capita_income == Decimal("3333.33")
    # A member of another household is not reachable through this one.
    other = Member.objects.exclude(household=h).first()
    assert c.get(reverse("web:member_year_edit", args=[h.pk, other.pk, 2020])).status_code == 404


def test_member_year_errors_in_chinese(login, users, h):
    c = login(users["clerk_a"])
    son = h.members.order_by("id")[1]
    url = reverse("web:member_year_edit", args=[h.pk, son.pk, 2020])
    resp = c.post(url, {**_form_of(c.get(url)), "work_months": "ten"})
    assert resp.status_code == 200
    assert resp.context["form"].errors["work_months"] == ["务工时间（月）“ten”应为非负整数"]


def test_scope_and_rights_on_edit_forms(login, users, h):
    urls = [reverse("web:household_year_edit", args=[h.pk, 2020]),
            reverse("web:member_year_edit", args=[h.pk, h.members.first().pk, 2020])]
    for url in urls:
        assert login(users["township_b"]).get(url).status_code == 404
        assert login(users["township_b"]).post(url, {"wage_income": "1"}).status_code == 404
        assert login(users["city"]).get(url).status_code == 403
        assert login(users["city"]).post(url, {"wage_income": "1"}).status_code == 403
        assert login(users["cadre"]).get(url).status_code == 403
    assert HouseholdYear.objects.get(household=h, year=2020).wage_income == Decimal("8000.00")


def test_cadre_views_only_their_household(login, users, households, h):
    c = login(users["cadre"])
    resp = _page(c, h)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "/edit/" not in html  # no edit links of any kind
    assert resp.context["audit_rows"]  # the history of their own household
    for key in ("a2", "b1"):
        assert _page(c, households[key]).status_code == 404


def test_out_of_scope_page_is_404(login, users, h):
    for persona in ("township_b", "clerk_b", "stranger"):
        resp = _page(login(users[persona]), h)
        assert resp.status_code == 404
        assert "王一" not in resp.content.decode()


def test_page_masks_personal_data_for_city_viewer(login, users, h):
    household_update(actor=users["clerk_a"], household_id=h.pk, changes={"phone": "13912345678"})
    resp = _page(login(users["city"]), h)
    html = resp.content.decode()
    assert "已脱敏" in html
    assert "13912345678" not in html and "139****5678" in html  # household phone and audit "after"
    assert "13800138000" not in html and "138****8000" in html  # audit "before"
    assert "6228480000000000123" not in html
    for m in h.members.all():
        assert m.id_number not in html  # neither in the table nor in the audit snapshot of a new member
        assert m.id_number[:6] + "********" + m.id_number[-4:] in html


def test_page_unmasked_for_clerk(login, users, h):
    household_update(actor=users["clerk_a"], household_id=h.pk, changes={"phone": "13912345678"})
    html = _page(login(users["clerk_a"]), h).content.decode()
    assert "已脱敏" not in html
    assert "13912345678" in html and "13800138000" in html and "6228480000000000123" in html
    for m in h.members.all():
        assert m.id_number in html


def _count_queries(client, h) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert _page(client, h, year=2020, compare=2019).status_code == 200
    return len(ctx.captured_queries)


def _quality_queries(user, h) -> int:
    """Queries the quality rules take for one household (their own budget: one per rule)."""
    from fupin.registry.quality import check_household
    from fupin.registry.selectors import households_visible_to

    with CaptureQueriesContext(connection) as ctx:
        check_household(h, year=2020, visible=households_visible_to(user))
    return len(ctx.captured_queries)


def test_page_query_count_is_pinned(login, users, h, django_assert_max_num_queries):
    c = login(users["county"])
    with django_assert_max_num_queries(PAGE_QUERY_LIMIT + _quality_queries(users["county"], h)):
        _page(c, h, year=2020, compare=2019)
    small = _count_queries(c, h)
    # More members, more years, more history: the same number of queries.
    for i in range(4):
        m = member_add(actor=users["clerk_a"], household_id=h.pk, data={
            "name": f"王孙{i}", "id_number": make_id_number(date(2010, 1, 1 + i), 200 + i), "relation": "grandson"})
        for year in (2017, 2018, 2019, 2020):
            member_year_save(actor=users["clerk_a"], member_id=m.pk, year=year, data={"school_status": "小学"})
    for year in (2017, 2018):
        household_year_save(actor=users["clerk_a"], household_id=h.pk, year=year, data=_year_data())
    assert _count_queries(c, h) == small


def test_empty_household_renders(login, users, regions):
    h = make_household("610926100001099", "610926100001", members=0, head="赵空")
    HouseholdYear.objects.filter(household=h).delete()
    resp = _page(login(users["clerk_a"]), h)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "尚未登记家庭成员" in html and "尚无年度收入数据" in html and "income-chart-data" not in html
    assert "尚未落实帮扶责任人" in html


def test_existing_household_edit_still_works_from_new_module(login, users, households):
    from fupin.web import views_household_edit

    resp = login(users["clerk_a"]).get(reverse("web:household_edit", args=[households["a1"].pk]))
    assert resp.status_code == 200 and resp.resolver_match.func is views_household_edit.household_edit_view


def test_year_forms_cover_every_service_field():
    from fupin.web.forms_household import check_fieldsets_cover_inputs

    check_fieldsets_cover_inputs()


def test_new_view_modules_do_not_query_models_directly():
    for name in ("views_household.py", "views_search.py", "views_freeze.py", "forms_household.py"):
        assert ".objects" not in (WEB_DIR / name).read_text(encoding="utf-8"), name


def test_print_stylesheet_and_local_chart_library():
    css = (WEB_DIR / "static" / "web" / "fupin.css").read_text(encoding="utf-8")
    assert "@media print" in css and "@page" in css and ".print-only" in css
    js = (WEB_DIR / "static" / "web" / "household.js").read_text(encoding="utf-8")
    assert "window.echarts" in js and "income-chart-data" in js and "window.print()" in js
    template = (WEB_DIR / "templates" / "web" / "household" / "page.html").read_text(encoding="utf-8")
    assert "{% static 'web/vendor/echarts.min.js' %}" in template and "json_script" in template


def test_echarts_is_served_from_static_when_built(client):
    """`make assets` copies ECharts from node_modules; then the app serves it itself."""
    built = WEB_DIR / "static" / "web" / "vendor" / "echarts.min.js"
    if not built.exists():
        pytest.skip("ECharts not built (run `make assets`)")
    resp = client.get("/static/web/vendor/echarts.min.js")
    assert resp.status_code == 200
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    assert b"echarts" in body[:2000].lower() or b"Apache" in body[:2000]


def test_quality_findings_of_the_year_are_shown(login, users, households):
    from fupin.registry.quality import check_household

    h = households["a2"]  # no helper: 未落实帮扶责任人
    resp = _page(login(users["township_a"]), h, year=2020)
    findings = check_household(h, year=2020)
    assert findings and resp.context["findings"]
    assert [f.code for f in resp.context["findings"]] == [f.code for f in findings]
    html = resp.content.decode()
    assert "数据质量提示（2020 年度）" in html
    for f in findings:
        assert f.title in html
    assert "R19" in {f.code for f in findings} and "未落实帮扶责任人" in html


def test_nested_personal_data_in_audit_snapshots_is_masked_and_summarised(login, users, h):
    """An import's snapshot of a household carries its members; their IDs must not leak."""
    from fupin.audit.services import Action, entry_for, record

    member = h.members.order_by("id").first()
    record(actor=users["clerk_a"], entry=entry_for(h, action=Action.IMPORT, region_code=h.village_id, after={
        "head_name": h.head_name,
        "members": [{"name": member.name, "id_number": member.id_number, "phone": "13700001111"}]}))
    html = _page(login(users["city"]), h).content.decode()
    assert member.id_number not in html and "13700001111" not in html
    row = next(r for r in _page(login(users["city"]), h).context["audit_rows"] if r["action"] == "导入")
    assert ("家庭成员", "1 条") in row["after"] and ("户主姓名", "王一") in row["after"]


def test_year_without_policy_thresholds_still_renders(login, users, h):
    """Quality thresholds start with the policy table; an early year is shown without them."""
    c = login(users["clerk_a"])
    household_year_save(actor=users["clerk_a"], household_id=h.pk, year=2005, data=_year_data())
    resp = _page(c, h, year=2005)
    assert resp.status_code == 200
    assert resp.context["findings"] == []
    # A year without any data has nothing to check.
    assert _page(c, h, year=2012).context["quality_note"] == ""

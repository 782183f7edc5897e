"""Pages and API: scoped (another village's clerk gets 404), the right role's forms, errors in Chinese."""

import pytest
from django.urls import reverse

from fupin.funds.models import Disbursement
from fupin.funds.selectors import household_funds_context

from .helpers import add_beneficiary, chain, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(users, households):
    c = chain(users)
    add_beneficiary(users, c["project"], households["a1"], standard="3000.00")
    c["payment"] = pay(users, c["project"], c["line"], amount="3500.00", household=households["a1"])
    return c


def test_pages_in_scope(users, login, client, money):
    login(users["township_a"])
    r = client.get(reverse("web:region_funds", args=["610926100000"]) + "?year=2020&on=2020-12-01")
    html = r.content.decode()
    assert r.status_code == 200 and "200,000.00" in html and "超过到户补助标准" in html
    r = client.get(reverse("web:region_projects", args=["610926100000"]))
    assert "龙头村产业路" in r.content.decode()
    # A year out of range is ignored (all years shown), not a server error.
    r = client.get(reverse("web:region_projects", args=["610926100000"]) + "?year=99999999999999999999")
    assert r.status_code == 200 and "龙头村产业路" in r.content.decode()
    r = client.get(reverse("web:region_projects", args=["610926100000"]) + "?year=2019")
    assert "龙头村产业路" not in r.content.decode()
    r = client.get(reverse("web:project", args=[money["project"].pk]))
    html = r.content.decode()
    assert r.status_code == 200 and "登记拨付" in html and "3,500.00" in html and "办理：" not in html
    r = client.get(reverse("web:disbursement_trace", args=[money["payment"].pk]))
    assert "中央财政专项扶贫资金" in r.content.decode() and "下达到城关镇" in r.content.decode()
    login(users["county"])
    html = client.get(reverse("web:project", args=[money["project"].pk])).content.decode()
    assert "办理：已验收" in html


def test_other_village_clerk_gets_404(users, login, client, api, money):
    login(users["clerk_b"])
    for url in (reverse("web:project", args=[money["project"].pk]),
                reverse("web:disbursement_trace", args=[money["payment"].pk]),
                reverse("web:region_funds", args=["610926100001"]),
                reverse("web:region_projects", args=["610926100001"])):
        assert client.get(url).status_code == 404, url
    c = api("clerk_b")
    assert c.get(f"/api/v1/projects/{money['project'].pk}").status_code == 404
    assert c.get(f"/api/v1/disbursements/{money['payment'].pk}/trace").status_code == 404
    assert c.get("/api/v1/regions/610926100001/funds").status_code == 404
    r = c.post(f"/api/v1/projects/{money['project'].pk}/transition", {"to_status": "accepted"}, format="json")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_web_disbursement_form(users, login, client, money):
    login(users["township_a"])
    url = reverse("web:disbursement_new", args=[money["project"].pk])
    assert client.get(url).status_code == 200
    n = Disbursement.objects.count()
    r = client.post(url, {"funding": money["line"].pk, "paid_on": "2020-06-01", "amount": "96500.01",
                          "payee_kind": "company", "payee_name": "建工公司", "item": "工程款"})
    assert r.status_code == 200 and "不能超额拨付" in r.content.decode() and Disbursement.objects.count() == n
    r = client.post(url, {"funding": money["line"].pk, "paid_on": "2020-06-01", "amount": "96500.00",
                          "payee_kind": "company", "payee_name": "建工公司", "item": "工程款"})
    assert r.status_code == 302 and Disbursement.objects.count() == n + 1
    login(users["clerk_a"])
    assert client.get(url).status_code == 403


def test_web_transition_by_role(users, login, client, money):
    login(users["clerk_a"])
    url = reverse("web:project_transition", args=[money["project"].pk])
    assert client.post(url, {"to_status": "accepted", "on": "2020-10-01"}).status_code == 403
    login(users["county"])
    assert client.post(url, {"to_status": "accepted", "on": "2020-10-01"}).status_code == 302
    money["project"].refresh_from_db()
    assert money["project"].status == "accepted"


def test_api(users, api, money, households):
    c = api("township_a")
    r = c.get("/api/v1/regions/610926100/funds?year=2020")
    assert r.status_code == 200 and r.json()["total"]["allocated"] == "200000.00"
    assert r.json()["sources"][0]["kind"] == "central"
    r = c.get("/api/v1/regions/610926100000/fund-alerts?on=2020-12-01")
    assert r.json()["counts"]["above_standard"] == 1
    r = c.get("/api/v1/regions/610926100000/projects?year=2020")
    assert r.json()["count"] == 1 and r.json()["results"][0]["paid"] == "3500.00"
    r = c.get(f"/api/v1/disbursements/{money['payment'].pk}/trace")
    assert r.json()["source"]["kind"] == "central" and len(r.json()["allocations"]) == 2
    # A payment beyond the line: 400, Chinese message, nothing written.
    n = Disbursement.objects.count()
    r = c.post(f"/api/v1/projects/{money['project'].pk}/disbursements",
               {"funding": money["line"].pk, "amount": "96500.01", "payee_kind": "company", "payee_name": "公司",
                "item": "工程款", "paid_on": "2020-06-01"}, format="json")
    assert r.status_code == 400 and "不能超额拨付" in r.json()["error"]["fields"]["amount"][0]
    assert Disbursement.objects.count() == n
    r = c.post(f"/api/v1/projects/{money['project'].pk}/disbursements",
               {"funding": money["line"].pk, "amount": 100, "payee_kind": "household", "payee_name": "王一",
                "household": households["a1"].pk, "item": "第二批", "paid_on": "2020-06-01"}, format="json")
    assert r.status_code == 201 and r.json()["amount"] == "100.00"
    # Declare and move a project.
    r = api("clerk_a").post("/api/v1/projects", {"region": "610926100001", "name": "村道硬化", "type": "基础设施",
                                                 "year": 2020, "declared_on": "2020-05-01"}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "declared"
    pk = r.json()["id"]
    r = c.post(f"/api/v1/projects/{pk}/transition", {"to_status": "approved"}, format="json")
    assert r.status_code == 403
    r = api("county").post(f"/api/v1/projects/{pk}/transition", {"to_status": "implementing"}, format="json")
    assert r.status_code == 400 and "下一步只能是" in r.json()["error"]["message"]
    r = api("county").post(f"/api/v1/projects/{pk}/transition", {"to_status": "approved", "on": "2020-05-02"},
                           format="json")
    assert r.status_code == 200 and r.json()["events"][-1]["to_status"] == "approved"


def test_household_section(users, money, households):
    ctx = household_funds_context(users["township_a"], households["a1"])["funds_section"]
    assert str(ctx["total"]) == "3500.00" and ctx["projects"][0].project_id == money["project"].pk
    assert household_funds_context(users["cadre"], households["a1"])["funds_section"] is None
    from django.template.loader import render_to_string

    html = render_to_string("web/funds/_household_section.html", {"funds_section": ctx})
    assert "3,500.00" in html and "龙头村产业路" in html

"""Entering sources, allocations, budget lines, beneficiaries and target results through the API and
the web: the county approver's whole path, money rules refused in Chinese with nothing written,
403 for a role without the right, 404 for another county's user."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fupin.accounts.roles import Role
from fupin.accounts.services import api_token_create, user_create
from fupin.api.tests.conftest import assert_error
from fupin.audit.models import AuditEvent
from fupin.conftest import PASSWORD
from fupin.funds.models import Allocation, FundSource, ProjectBeneficiary, ProjectFunding, ProjectTarget
from fupin.funds.services import allocation_create, funding_add, source_create
from fupin.funds.services_projects import project_transition
from fupin.regions.codes import Level
from fupin.regions.models import Region

from .helpers import COUNTY, TOWN_A, VILLAGE_A1, declare

pytestmark = pytest.mark.django_db

TARGETS = [{"indicator": "硬化道路", "unit": "公里", "target_value": "3.00"}]


@pytest.fixture
def other_county(users):
    """A county approver of 镇坪县, a neighbouring county."""
    Region.objects.create(code="610927000000", name="镇坪县", level=Level.COUNTY, parent_id="610900000000")
    return user_create(actor=None, username="county_zp", password=PASSWORD, role=Role.COUNTY_APPROVER,
                       region_code="610927000000", full_name="镇坪县审批员")


def counts() -> tuple[int, ...]:
    return (FundSource.objects.count(), Allocation.objects.count(), ProjectFunding.objects.count(),
            ProjectBeneficiary.objects.count(), AuditEvent.objects.count())


def _implement(users, project):
    """Approve and start a project that already has a budget line."""
    project_transition(actor=users["county"], project_id=project.pk, to_status="approved", on="2020-03-10")
    project_transition(actor=users["township_a"], project_id=project.pk, to_status="implementing", on="2020-03-11")


def _implemented(users):
    """A county source, 1,000 yuan allocated to 城关镇, a project in 龙头村 with a 500 line, implementing."""
    src = source_create(actor=users["county"], data={"kind": "county", "name": "县级资金", "year": 2020,
                                                      "region": COUNTY, "amount": "1000"})
    alloc = allocation_create(actor=users["county"], data={"source": src.pk, "to_region": TOWN_A, "amount": "1000",
                                                           "allocated_on": "2020-03-01"})
    project = declare(users, targets=TARGETS)
    project_transition(actor=users["county"], project_id=project.pk, to_status="approved", on="2020-03-10")
    funding_add(actor=users["county"], project_id=project.pk, allocation_id=alloc.pk, amount="500")
    project_transition(actor=users["township_a"], project_id=project.pk, to_status="implementing", on="2020-03-11")
    return {"id": src.pk}, {"id": alloc.pk}, project


# --- API -------------------------------------------------------------------------------------------

def test_api_county_records_the_whole_chain(users, api, households):
    c = api("county")
    r = c.post(f"/api/v1/regions/{COUNTY}/fund-sources",
               {"kind": "县级财政专项扶贫资金", "name": "县级衔接资金", "year": 2020, "amount": "500000.00",
                "document_no": "平财发〔2020〕1号"}, format="json")
    assert r.status_code == 201, r.content.decode()
    src = r.json()
    assert src["kind"] == "county" and src["region_code"] == COUNTY and src["remaining"] == "500000.00"
    source = FundSource.objects.get(pk=src["id"])
    assert source.created_by == users["county"] and source.amount == Decimal("500000.00")

    r = c.post(f"/api/v1/regions/{COUNTY}/allocations",
               {"source": src["id"], "to_region": "610926100", "amount": "300000.00", "allocated_on": "2020-03-01",
                "document_no": "平财发〔2020〕2号"}, format="json")
    assert r.status_code == 201, r.content.decode()
    alloc = r.json()
    assert alloc["to_code"] == TOWN_A and alloc["from_code"] == COUNTY and alloc["parent_id"] is None
    assert alloc["remaining"] == "300000.00" and alloc["from_remaining"] == "200000.00"

    # Above what is left: 400 with a Chinese message on the field, nothing written.
    before = counts()
    r = c.post(f"/api/v1/regions/{COUNTY}/allocations",
               {"source": src["id"], "to_region": "610926101000", "amount": "200000.01",
                "allocated_on": "2020-03-01"}, format="json")
    err = assert_error(r, 400, "invalid")
    assert "超过资金来源“县级衔接资金”的可下达余额 200,000.00 元" in err["fields"]["amount"][0]
    assert counts() == before

    # The township passes part of its allocation on to a village (再下达, parent), through its own region.
    r = c.post(f"/api/v1/regions/{TOWN_A}/allocations",
               {"parent": alloc["id"], "to_region": VILLAGE_A1, "amount": "50000", "allocated_on": "2020-03-02"},
               format="json")
    assert r.status_code == 201 and r.json()["source_id"] == src["id"] and r.json()["parent_id"] == alloc["id"]
    assert r.json()["from_remaining"] == "250000.00"
    # ... but not from a region the allocation was not passed to.
    r = c.post(f"/api/v1/regions/{COUNTY}/allocations",
               {"parent": alloc["id"], "to_region": VILLAGE_A1, "amount": "1", "allocated_on": "2020-03-02"},
               format="json")
    assert "不是下达到平利县" in assert_error(r, 400)["fields"]["parent"][0]

    project = declare(users, targets=TARGETS)
    r = c.post(f"/api/v1/projects/{project.pk}/fundings", {"allocation": alloc["id"], "amount": "100000"},
               format="json")
    assert r.status_code == 201, r.content.decode()
    assert r.json()["amount"] == "100000.00" and r.json()["allocation_remaining"] == "150000.00"
    assert r.json()["source_id"] == src["id"]
    line = ProjectFunding.objects.get(pk=r.json()["id"])
    assert line.location_code == VILLAGE_A1 and line.holder_code == TOWN_A
    before = counts()
    r = c.post(f"/api/v1/projects/{project.pk}/fundings", {"allocation": alloc["id"], "amount": "1"}, format="json")
    assert "已安排过" in assert_error(r, 400)["fields"]["allocation"][0] and counts() == before

    r = c.post(f"/api/v1/projects/{project.pk}/beneficiaries",
               {"household": households["a1"].pk, "standard_amount": "3000"}, format="json")
    assert r.status_code == 201 and r.json()["head_name"] == "王一" and r.json()["standard_amount"] == "3000.00"
    r = c.post(f"/api/v1/projects/{project.pk}/beneficiaries",
               {"household": households["b1"].pk, "standard_amount": "3000"}, format="json")
    assert "不在项目地点龙头村" in assert_error(r, 400)["fields"]["household"][0]

    r = c.get(f"/api/v1/projects/{project.pk}/targets")
    assert r.status_code == 200 and r.json()[0]["indicator"] == "硬化道路"
    target_id = r.json()[0]["id"]
    url = f"/api/v1/projects/{project.pk}/targets/{target_id}/result"
    r = c.post(url, {"actual_value": "3.2", "result": "完成"}, format="json")
    assert "只有实施中或已验收" in assert_error(r, 400)["fields"]["project"][0]
    _implement(users, project)
    r = c.post(url, {"actual_value": "3.2", "result": "按期完成"}, format="json")
    assert r.status_code == 200 and r.json()["actual_value"] == "3.20" and r.json()["result"] == "按期完成"
    assert ProjectTarget.objects.get(pk=target_id).actual_value == Decimal("3.20")
    detail = c.get(f"/api/v1/projects/{project.pk}").json()
    assert detail["budget"] == "100000.00" and detail["beneficiaries"][0]["household_id"] == households["a1"].pk


def test_api_wrong_role_403(users, api, households):
    src, alloc, project = _implemented(users)
    target = project.targets.get()
    t, k, a = api("township_a"), api("clerk_a"), api("auditor")  # token creation is audited: before counting
    before = counts()
    assert "无权登记资金来源" in assert_error(t.post(f"/api/v1/regions/{TOWN_A}/fund-sources",
                                                   {"kind": "county", "name": "x", "year": 2020, "amount": "1"},
                                                   format="json"), 403)["message"]
    assert_error(t.post(f"/api/v1/regions/{TOWN_A}/allocations",
                        {"parent": alloc["id"], "to_region": VILLAGE_A1, "amount": "1"}, format="json"), 403)
    assert_error(t.post(f"/api/v1/projects/{project.pk}/fundings", {"allocation": alloc["id"], "amount": "1"},
                        format="json"), 403)
    assert_error(k.post(f"/api/v1/projects/{project.pk}/targets/{target.pk}/result", {"actual_value": "1"},
                        format="json"), 403)
    assert_error(a.post(f"/api/v1/projects/{project.pk}/beneficiaries",
                        {"household": households["a1"].pk, "standard_amount": "1"}, format="json"), 403)
    assert counts() == before and ProjectTarget.objects.get(pk=target.pk).actual_value is None


def test_api_other_county_404(users, api, households, other_county):
    src, alloc, project = _implemented(users)
    target = project.targets.get()
    _, key = api_token_create(user=other_county)
    z = APIClient()
    z.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    before = counts()
    assert_error(z.post(f"/api/v1/regions/{COUNTY}/fund-sources",
                        {"kind": "county", "name": "x", "year": 2020, "amount": "1"}, format="json"), 404)
    assert_error(z.post(f"/api/v1/regions/{COUNTY}/allocations",
                        {"source": src["id"], "to_region": TOWN_A, "amount": "1"}, format="json"), 404)
    # From its own region, another county's source is not visible either.
    assert_error(z.post("/api/v1/regions/610927000000/allocations",
                        {"source": src["id"], "to_region": TOWN_A, "amount": "1"}, format="json"), 404)
    assert_error(z.post(f"/api/v1/projects/{project.pk}/fundings", {"allocation": alloc["id"], "amount": "1"},
                        format="json"), 404)
    assert_error(z.post(f"/api/v1/projects/{project.pk}/beneficiaries",
                        {"household": households["a1"].pk, "standard_amount": "1"}, format="json"), 404)
    assert_error(z.get(f"/api/v1/projects/{project.pk}/targets"), 404)
    assert_error(z.post(f"/api/v1/projects/{project.pk}/targets/{target.pk}/result", {"actual_value": "1"},
                        format="json"), 404)
    assert counts() == before
    # A target of another project is 404 as well, also for the right county.
    other = declare(users, name="另一个项目", targets=[{"indicator": "x"}])
    assert_error(api("county").post(f"/api/v1/projects/{other.pk}/targets/{target.pk}/result",
                                    {"actual_value": "1"}, format="json"), 404)


# --- Web -------------------------------------------------------------------------------------------

def test_web_county_records_the_whole_chain(users, login, client, households):
    login(users["county"])
    html = client.get(reverse("web:region_funds", args=[COUNTY])).content.decode()
    assert "登记资金来源" in html and "下达资金" in html
    url = reverse("web:fund_source_new", args=[COUNTY])
    assert client.get(url).status_code == 200
    r = client.post(url, {"kind": "county", "name": "县级衔接资金", "year": "2020", "amount": "-5"})
    assert r.status_code == 200 and "金额（元）不能为负数（-5）" in r.content.decode() and FundSource.objects.count() == 0
    r = client.post(url, {"kind": "county", "name": "县级衔接资金", "year": "2020", "amount": "500000"}, follow=True)
    assert "已登记资金来源：2020年县级衔接资金 500,000.00 元" in r.content.decode()
    source = FundSource.objects.get()
    assert source.region_id == COUNTY

    url = reverse("web:allocation_new", args=[COUNTY])
    html = client.get(url).content.decode()
    assert "可下达 500,000.00 元" in html and "城关镇" in html
    before = counts()
    r = client.post(url, {"origin": f"s:{source.pk}", "to_region": TOWN_A, "amount": "500000.01",
                          "allocated_on": "2020-03-01"})
    html = r.content.decode()
    assert r.status_code == 200 and "超过资金来源“县级衔接资金”的可下达余额 500,000.00 元" in html
    assert counts() == before
    r = client.post(url, {"origin": f"s:{source.pk}", "to_region": TOWN_A, "amount": "300000",
                          "allocated_on": "2020-03-01"})
    assert r.status_code == 302 and r["Location"].endswith("?year=2020")
    alloc = Allocation.objects.get()
    assert alloc.to_region_id == TOWN_A and alloc.amount == Decimal("300000.00")

    project = declare(users, targets=TARGETS)
    html = client.get(reverse("web:project", args=[project.pk])).content.decode()
    assert reverse("web:funding_new", args=[project.pk]) in html and ">添加受益户</a>" in html
    assert "填报绩效结果" not in html
    url = reverse("web:funding_new", args=[project.pk])
    assert "余额 300,000.00 元" in client.get(url).content.decode()
    r = client.post(url, {"allocation": alloc.pk, "amount": "300000.01"})
    assert "超过这笔下达资金的余额 300,000.00 元" in r.content.decode() and ProjectFunding.objects.count() == 0
    r = client.post(url, {"allocation": alloc.pk, "amount": "100000"}, follow=True)
    assert "已安排项目资金 100,000.00 元" in r.content.decode()
    assert ProjectFunding.objects.get().amount == Decimal("100000.00")

    url = reverse("web:beneficiary_new", args=[project.pk])
    html = client.get(url).content.decode()
    assert "王一" in html and "李三" not in html  # only households of the project's village
    r = client.post(url, {"household": households["a1"].pk, "standard_amount": "3000"}, follow=True)
    assert "已添加受益户：王一户" in r.content.decode()
    r = client.post(url, {"household": households["a1"].pk, "standard_amount": "3000"})
    assert "王一户已是该项目的受益户" in r.content.decode() and ProjectBeneficiary.objects.count() == 1

    _implement(users, project)
    target = project.targets.get()
    html = client.get(reverse("web:project", args=[project.pk])).content.decode()
    assert reverse("web:target_result", args=[project.pk, target.pk]) in html
    url = reverse("web:target_result", args=[project.pk, target.pk])
    r = client.post(url, {"actual_value": "abc"})
    assert r.status_code == 200 and ProjectTarget.objects.get(pk=target.pk).actual_value is None
    r = client.post(url, {"actual_value": "3.2", "result": "按期完成"}, follow=True)
    assert "已填报绩效目标“硬化道路”的完成情况" in r.content.decode()
    target.refresh_from_db()
    assert target.actual_value == Decimal("3.20") and target.result == "按期完成"


def test_web_roles_and_scope(users, login, client, households, other_county):
    project = declare(users, targets=TARGETS)
    funding_url = reverse("web:funding_new", args=[project.pk])
    login(users["township_a"])
    html = client.get(reverse("web:region_funds", args=[TOWN_A])).content.decode()
    assert "登记资金来源" not in html and reverse("web:allocation_new", args=[TOWN_A]) not in html
    assert client.get(reverse("web:fund_source_new", args=[TOWN_A])).status_code == 403
    assert client.get(reverse("web:allocation_new", args=[TOWN_A])).status_code == 403
    assert client.get(funding_url).status_code == 403
    html = client.get(reverse("web:project", args=[project.pk])).content.decode()
    assert funding_url not in html and reverse("web:beneficiary_new", args=[project.pk]) in html
    login(users["clerk_a"])
    target = project.targets.get()
    assert client.get(reverse("web:target_result", args=[project.pk, target.pk])).status_code == 403
    assert client.get(reverse("web:beneficiary_new", args=[project.pk])).status_code == 200
    login(other_county)
    for url in (reverse("web:fund_source_new", args=[COUNTY]), reverse("web:allocation_new", args=[COUNTY]),
                reverse("web:funding_new", args=[project.pk]), reverse("web:beneficiary_new", args=[project.pk]),
                reverse("web:target_result", args=[project.pk, target.pk])):
        assert client.get(url).status_code == 404, url
    before = counts()
    r = client.post(reverse("web:fund_source_new", args=[COUNTY]),
                    {"kind": "county", "name": "x", "year": "2020", "amount": "1"})
    assert r.status_code == 404 and counts() == before

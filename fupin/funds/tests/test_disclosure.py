"""Public disclosure (项目资金公告公示): only disclosed projects, only names and amounts, figures equal
to the funds selectors, a fixed number of queries; the web pages open without login."""

import pytest
from django.urls import reverse

from fupin.accounts.masking import mask_bank_account, mask_id_number, mask_phone
from fupin.conftest import make_household
from fupin.funds.models import Project, ProjectTarget
from fupin.funds.selectors import project_detail, region_funds_in_region
from fupin.funds.selectors_public import (
    public_fund_summary,
    public_project,
    public_projects,
    public_region_disclosure,
    public_regions,
)
from fupin.funds.services import funding_add, source_create
from fupin.funds.services_projects import project_transition, target_result
from fupin.registry.models import Member

from .helpers import COUNTY, VILLAGE_A1, VILLAGE_B1, add_beneficiary, allocate, chain, d, declare, pay, start

pytestmark = pytest.mark.django_db
PAYEE_ID = "610926198001011234"


def disclose(users, project, *, close=False):
    project_transition(actor=users["county"], project_id=project.pk, to_status="accepted", on="2020-10-01")
    project_transition(actor=users["clerk_a" if project.region_id == VILLAGE_A1 else "clerk_b"],
                       project_id=project.pk, to_status="disclosed", on="2020-10-10")
    if close:
        project_transition(actor=users["county"], project_id=project.pk, to_status="closed", on="2020-11-10")


def build_world(users, households):
    """龙头村: a disclosed road (central 100,000 + provincial 50,000; households 王一 and 赵四 paid, a
    company paid) and an undisclosed project; 兴隆村: an implementing project paying 李三."""
    households["a1b"] = make_household("610926100001002", VILLAGE_A1, head="赵四", members=3)
    c = chain(users)
    road = c["project"]
    target = ProjectTarget.objects.create(project=road, indicator="硬化道路", unit="公里", target_value=d("3.00"))
    prov = source_create(actor=users["root"], data={"kind": "provincial", "name": "省级财政专项扶贫资金",
                                                    "year": 2020, "region": "610000000000", "amount": "300000.00"})
    prov_alloc = allocate(users, "root", to=COUNTY, amount="80000.00", on="2020-03-02", source=prov)
    prov_line = funding_add(actor=users["county"], project_id=road.pk, allocation_id=prov_alloc.pk,
                            amount="50000.00")
    add_beneficiary(users, road, households["a1"], standard="3000.00")
    add_beneficiary(users, road, households["a1b"], standard="3000.00")
    pay(users, road, c["line"], amount="3000.00", household=households["a1"], name="王一", id_number=PAYEE_ID)
    pay(users, road, prov_line, amount="500.00", household=households["a1"], name="王一", on="2020-05-01")
    pay(users, road, c["line"], amount="2000.00", household=households["a1b"], name="赵四")
    pay(users, road, c["line"], amount="40000.00", kind="company", name="平利建工公司", item="工程款")
    target_result(actor=users["county"], target_id=target.pk, actual_value="3.20", result="按期完成")
    disclose(users, road)
    hidden = declare(users, name="龙头村隐秘工程")
    start(users, hidden, allocation=c["town"], amount="10000.00")
    other = declare(users, who="clerk_b", region=VILLAGE_B1, name="兴隆村饮水工程", type="water")
    b_town = allocate(users, "county", to="610926101000", amount="50000.00", on="2020-03-06", parent=c["county"])
    b_line = start(users, other, allocation=b_town, amount="20000.00")
    pay(users, other, b_line, amount="1000.00", household=households["b1"], name="李三", who="township_b")
    return {**c, "road": road, "hidden": hidden, "other": other, "prov_line": prov_line}


@pytest.fixture
def world(users, households):
    return build_world(users, households)


def secrets(households) -> list[str]:
    """Every personal number of the fixture's households, plain and masked."""
    values = {PAYEE_ID}
    for h in households.values():
        values |= {h.phone, h.bank_account}
    values |= set(Member.objects.values_list("id_number", flat=True))
    values |= set(Member.objects.exclude(phone="").values_list("phone", flat=True))
    out = set()
    for v in values:
        if v:
            out |= {v, mask_id_number(v), mask_phone(v), mask_bank_account(v)}
    return sorted(out)


def test_only_disclosed_projects(world):
    rows = public_projects(region_code=COUNTY, year=2020)
    assert [p.name for p in rows] == ["龙头村产业路"]
    assert public_projects(region_code=VILLAGE_B1, year=2020) == []
    assert public_projects(region_code=COUNTY, year=2019) == []
    from django.http import Http404
    for pk in (world["hidden"].pk, world["other"].pk, 10**9, "x"):
        with pytest.raises(Http404):
            public_project(pk)
    regions = public_regions()
    assert [(r["code"], r["project_count"]) for r in regions] == [(COUNTY, 1)]
    assert [(p["code"], p["name"]) for p in regions[0]["places"]] == [(VILLAGE_A1, "龙头村")]


def test_closed_project_stays_public(users, world):
    project_transition(actor=users["county"], project_id=world["road"].pk, to_status="closed", on="2020-11-10")
    p = public_project(world["road"].pk)
    assert p.status == "closed" and [e["status"] for e in p.events][-2:] == ["disclosed", "closed"]


def test_project_figures_match_funds_selectors(users, world):
    p = public_project(world["road"].pk)
    detail = project_detail(users["county"], Project.objects.get(pk=world["road"].pk))
    assert p.budget == detail.budget == d("150000.00")
    assert p.paid == detail.paid == d("45500.00")
    assert [(k["kind"], k["budget"], k["paid"]) for k in p.budget_by_kind] == [
        ("central", d("100000.00"), d("45000.00")), ("provincial", d("50000.00"), d("500.00"))]
    assert p.households == [{"head_name": "王一", "amount": d("3500.00")}, {"head_name": "赵四", "amount": d("2000.00")}]
    assert p.beneficiary_count == 2 and p.paid_to_households == d("5500.00")
    assert p.targets == [{"indicator": "硬化道路", "unit": "公里", "target_value": d("3.00"),
                          "actual_value": d("3.20"), "result": "按期完成"}]
    assert p.place == "城关镇龙头村" and p.disclosed_on.isoformat() == "2020-10-10"
    assert p.approved_on.isoformat() == "2020-03-10" and p.accepted_on.isoformat() == "2020-10-01"
    assert p.rate_text == "30.33%"


def test_summary_matches_region_funds(world):
    for code in (COUNTY, "610926100000", VILLAGE_A1):
        public = public_fund_summary(region_code=code, year=2020)
        funds = region_funds_in_region(region_code=code, year=2020)
        assert [(k["kind"], k["allocated"], k["funded"], k["paid"], k["rate"]) for k in public["by_kind"]] == [
            (k["key"], k["allocated"], k["funded"], k["paid"], k["rate"]) for k in funds["by_kind"]]
        assert public["total"].allocated == funds["total"].allocated
        assert public["total"].paid == funds["total"].paid
    county = public_fund_summary(region_code=COUNTY, year=2020)
    assert [(k["kind"], k["allocated"]) for k in county["by_kind"]] == [
        ("central", d("600000.00")), ("provincial", d("80000.00"))]


def test_fixed_number_of_queries(users, households, world, django_assert_num_queries, regions):
    from fupin.regions.selectors import region_get

    county = region_get(COUNTY)
    with django_assert_num_queries(14):
        ctx = public_region_disclosure(region=county, year=2020)
    assert ctx["project_count"] == 1
    # More disclosed projects with more households: the same number of queries.
    for i in range(3):
        p = declare(users, name=f"产业项目{i}", type="industry")
        line = start(users, p, allocation=world["town"], amount="5000.00")
        add_beneficiary(users, p, households["a1"])
        pay(users, p, line, amount="1000.00", household=households["a1"], name="王一")
        disclose(users, p, close=i == 0)
    with django_assert_num_queries(14):
        ctx = public_region_disclosure(region=county, year=2020)
    assert ctx["project_count"] == 4 and ctx["households"] == 5
    assert ctx["paid"] == d("48500.00")


# --- Web pages (no login) ------------------------------------------------------------------------

def test_pages_without_login(client, world, households, django_assert_max_num_queries):
    r = client.get(reverse("web:public_funds"))
    html = r.content.decode()
    assert r.status_code == 200 and "平利县" in html and "龙头村" in html and "兴隆村" not in html
    r = client.get(reverse("web:public_funds") + "?region=610926")
    assert r.status_code == 302 and r["Location"] == reverse("web:public_funds_region", args=[COUNTY])
    assert "区划代码无效" in client.get(reverse("web:public_funds") + "?region=12x").content.decode()
    assert "区划不存在" in client.get(reverse("web:public_funds") + "?region=650000").content.decode()
    with django_assert_max_num_queries(16):
        r = client.get(reverse("web:public_funds_region", args=["610926"]) + "?year=2020")
    html = r.content.decode()
    assert r.status_code == 200
    assert "龙头村产业路" in html and "隐秘工程" not in html and "兴隆村饮水工程" not in html
    assert "中央财政专项扶贫资金" in html and "省级财政专项扶贫资金" in html and "600,000.00" in html
    assert "150,000.00" in html and "45,500.00" in html
    # Default year: the latest year with disclosed projects.
    assert "龙头村产业路" in client.get(reverse("web:public_funds_region", args=[VILLAGE_A1])).content.decode()
    assert client.get(reverse("web:public_funds_region", args=["999999"])).status_code == 404
    assert client.get(reverse("web:public_funds_region", args=["abc"])).status_code == 404
    r = client.get(reverse("web:public_project", args=[world["road"].pk]))
    html = r.content.decode()
    assert r.status_code == 200 and "王一" in html and "3,500.00" in html and "赵四" in html
    assert "按期完成" in html and "2020年10月10日" in html and "data-print" in html
    assert "平利建工公司" not in html
    for pk in (world["hidden"].pk, world["other"].pk):
        assert client.get(reverse("web:public_project", args=[pk])).status_code == 404


def test_no_personal_numbers_in_html(client, world, households):
    pages = [reverse("web:public_funds"), reverse("web:public_funds_region", args=[COUNTY]) + "?year=2020",
             reverse("web:public_funds_region", args=[VILLAGE_A1]) + "?year=2020",
             reverse("web:public_project", args=[world["road"].pk])]
    html = "".join(client.get(u).content.decode() for u in pages)
    assert "王一" in html
    for value in secrets(households):
        assert value not in html, value
    # Members other than the head are not named either.
    assert "家属" not in html

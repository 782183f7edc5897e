"""Public disclosure API (项目资金公告公示): no authentication, only disclosed projects, names and
amounts only, figures equal to the funds selectors."""

import json

import pytest

from fupin.funds.selectors import project_access, project_detail, region_funds_in_region
from fupin.funds.tests.helpers import COUNTY, TODAY, VILLAGE_A1
from fupin.funds.tests.test_disclosure import PAYEE_ID, build_world, secrets

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.FUPIN_TODAY = TODAY


@pytest.fixture
def world(users, households):
    return build_world(users, households)


def test_region_without_authentication(anon, users, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        r = anon.get("/api/v1/public/funds/610926?year=2020")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["code"] == COUNTY and data["year"] == 2020 and data["years"] == [2020]
    assert [p["name"] for p in data["projects"]] == ["龙头村产业路"]
    funds = region_funds_in_region(region_code=COUNTY, year=2020)
    assert [(k["kind"], k["allocated"], k["paid"]) for k in data["funds_by_kind"]] == [
        (k["key"], f'{k["allocated"]:.2f}', f'{k["paid"]:.2f}') for k in funds["by_kind"]]
    assert data["funds_total"]["allocated"] == f'{funds["total"].allocated:.2f}'
    detail = project_detail(users["county"], project_access(users["county"], world["road"].pk))
    assert data["budget"] == f"{detail.budget:.2f}" and data["paid"] == f"{detail.paid:.2f}"
    assert data["households"] == 2 and data["projects"][0]["households"] == [
        {"head_name": "王一", "amount": "3500.00"}, {"head_name": "赵四", "amount": "2000.00"}]
    # Default year is the latest with disclosed projects.
    assert anon.get(f"/api/v1/public/funds/{VILLAGE_A1}").json()["year"] == 2020
    assert anon.get("/api/v1/public/funds/610926101001?year=2020").json()["projects"] == []


def test_project_without_authentication(anon, world):
    r = anon.get(f"/api/v1/public/projects/{world['road'].pk}")
    assert r.status_code == 200
    p = r.json()
    assert p["status"] == "disclosed" and p["budget"] == "150000.00" and p["paid"] == "45500.00"
    assert [(k["kind"], k["budget"], k["paid"]) for k in p["budget_by_kind"]] == [
        ("central", "100000.00", "45000.00"), ("provincial", "50000.00", "500.00")]
    assert p["targets"][0]["actual_value"] == "3.20" and p["beneficiary_count"] == 2
    assert [e["status"] for e in p["events"]] == ["declared", "approved", "implementing", "accepted", "disclosed"]


def test_undisclosed_and_errors(anon, world):
    for pk in (world["hidden"].pk, world["other"].pk, 999999):
        r = anon.get(f"/api/v1/public/projects/{pk}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert anon.get("/api/v1/public/funds/999999").status_code == 404
    assert anon.get("/api/v1/public/funds/12x").status_code == 404
    r = anon.get("/api/v1/public/funds/610926?year=abc")
    assert r.status_code == 400 and "year" in r.json()["error"]["fields"]
    body = json.dumps(anon.get("/api/v1/public/funds/610926?year=2020").json(), ensure_ascii=False)
    assert "隐秘工程" not in body and "兴隆村饮水工程" not in body and "李三" not in body


def test_bad_token_is_ignored(world):
    from rest_framework.test import APIClient

    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert c.get(f"/api/v1/public/projects/{world['road'].pk}").status_code == 200


def test_no_personal_numbers_in_json(anon, world, households):
    body = anon.get("/api/v1/public/funds/610926?year=2020").content.decode()
    body += anon.get(f"/api/v1/public/projects/{world['road'].pk}").content.decode()
    assert "王一" in body and PAYEE_ID not in body
    for value in secrets(households):
        assert value not in body, value
    assert "家属" not in body and "平利建工公司" not in body

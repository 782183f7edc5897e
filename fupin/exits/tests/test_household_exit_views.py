"""Exit assessment pages and API: content, filters, pagination, scope (404 outside it)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from fupin.accounts.services import api_token_create
from fupin.conftest import YEAR, make_household
from fupin.policy.services import policy_set
from fupin.registry.models import HouseholdYear

REGION_URL = "/r/{}/exit-assessment/"
HOUSEHOLD_URL = "/households/{}/exit-assessment/"
API_REGION = "/api/v1/regions/{}/exit-assessment"
API_HOUSEHOLD = "/api/v1/households/{}/exit-assessment"


@pytest.fixture
def data(households):
    """a1, a2, b1 fail on income (3000 < 4000); `ready` (龙头村) passes every indicator."""
    ready = make_household("610926100001301", "610926100001", head="郑七", income=Decimal("5000"))
    return {**households, "ready": ready}


@pytest.fixture
def api(users):
    def _client(name: str) -> APIClient:
        _, key = api_token_create(user=users[name])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client
    return _client


# --- Web -----------------------------------------------------------------------------------

def test_region_page_lists_households_with_marks_and_reasons(login, users, data, django_assert_max_num_queries):
    client = login(users["county"])
    with django_assert_max_num_queries(14):
        r = client.get(REGION_URL.format("610926000000"), {"year": YEAR})
    assert r.status_code == 200
    page = r.content.decode()
    assert "平利县 贫困户退出评估" in page
    assert [row["a"].household_no for row in r.context["rows"]] == [
        "610926100001001", "610926100001301", "610926100002001", "610926101001001"]
    summary = r.context["summary"]
    assert (summary["households"], summary["passed"], summary["failed"]) == (4, 1, 3)
    assert "年人均纯收入 3000.00 元，未超过扶贫标准 4000 元" in page
    assert "✗" in page and "✓" in page and "龙头村" in page
    assert f'href="{HOUSEHOLD_URL.format(data["ready"].pk)}?year={YEAR}"' in page
    assert "扶贫标准（元/人·年）" in page and "[v] 约4000元" in page  # the policy rows used
    assert "13800138000" not in page and data["a1"].members.first().id_number not in page


def test_region_page_failed_filter_and_pagination(login, users, data):
    client = login(users["county"])
    r = client.get(REGION_URL.format("610926000000"), {"year": YEAR, "failed": "1"})
    assert [row["a"].household_no for row in r.context["rows"]] == [
        "610926100001001", "610926100002001", "610926101001001"]
    assert r.context["summary"]["households"] == 4  # the summary counts every household
    for i in range(50):
        make_household(f"610926100002{400 + i:03d}", "610926100002", head=f"冯{i}")
    r = client.get(REGION_URL.format("610926000000"), {"year": YEAR, "failed": "1", "page": "2"})
    assert r.context["page"].paginator.count == 53 and len(r.context["rows"]) == 3
    assert "第 2 / 2 页" in r.content.decode()


def test_region_page_is_scoped(login, users, data):
    assert login(users["clerk_b"]).get(REGION_URL.format("610926100001")).status_code == 404
    r = login(users["cadre"]).get(REGION_URL.format("610926100000"), {"year": YEAR})
    assert [row["a"].household_id for row in r.context["rows"]] == [data["a1"].pk]  # paired household only
    r = login(users["clerk_a"]).get(REGION_URL.format("610926100001"), {"year": YEAR})
    assert {row["a"].household_no for row in r.context["rows"]} == {"610926100001001", "610926100001301"}


def test_region_page_without_a_standard_and_with_a_bad_year(login, users, data):
    client = login(users["county"])
    r = client.get(REGION_URL.format("610926000000"), {"year": "2005"})
    assert r.status_code == 200 and "未能评估：缺少政策参数：poverty_line" in r.content.decode()
    r = client.get(REGION_URL.format("610926000000"), {"year": "abc"})
    assert r.status_code == 200 and r.context["year"] == YEAR  # the latest year with data


def test_household_page_shows_values_and_policy_rows(login, users, data):
    h = data["a1"]
    HouseholdYear.objects.filter(household=h, year=YEAR).update(danger_grade="D", relocated=True)
    r = login(users["clerk_a"]).get(HOUSEHOLD_URL.format(h.pk))
    assert r.status_code == 200 and r.context["year"] == YEAR
    page = r.content.decode()
    assert "王一户 退出评估" in page and "未达到退出标准" in page
    assert "年人均纯收入（元）" in page and "3000.00" in page and "全国（000000000000）" in page
    assert "原住房为D级危房，已易地扶贫搬迁" in page
    assert "王一家属1" in page and "七年级至九年级" in page  # the child checked, with school status
    assert "exit.unsafe_danger_grades" in page and "C、D" in page
    assert h.members.first().id_number not in page and "13800138000" not in page


def test_household_page_follows_a_provincial_line(login, users, data):
    h = data["ready"]
    client = login(users["county"])
    assert client.get(HOUSEHOLD_URL.format(h.pk), {"year": YEAR}).context["assessment"].passed
    policy_set(actor=None, key="poverty_line", region_code="610000000000", year_from=YEAR, value=6000,
               source="省定标准")
    r = client.get(HOUSEHOLD_URL.format(h.pk), {"year": YEAR})
    assert not r.context["assessment"].passed
    page = r.content.decode()
    assert "未超过扶贫标准 6000 元" in page and "陕西省" in page and "省定标准" in page


def test_household_page_is_scoped(login, users, data):
    for name, key in [("clerk_b", "a1"), ("cadre", "a2"), ("stranger", "b1")]:
        assert login(users[name]).get(HOUSEHOLD_URL.format(data[key].pk)).status_code == 404
    assert login(users["cadre"]).get(HOUSEHOLD_URL.format(data["a1"].pk)).status_code == 200


def test_pages_need_login(client, data):
    r = client.get(REGION_URL.format("610926000000"))
    assert r.status_code == 302 and "/login/" in r["Location"]


# --- API -----------------------------------------------------------------------------------

def test_api_region_assessment_is_paginated_with_summary(api, data):
    client = api("county")
    r = client.get(API_REGION.format("610926"), {"year": YEAR, "page_size": 2})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["region_code"], body["year"], body["failed_only"], body["count"]) == ("610926000000", YEAR, False, 4)
    assert body["summary"]["households"] == 4 and body["summary"]["passed"] == 1
    assert len(body["results"]) == 2 and body["next"] and body["previous"] is None
    first = body["results"][0]
    assert first["household_no"] == "610926100001001" and first["passed"] is False
    assert first["indicators"][0] == {
        "code": "income", "label": "收入稳定超过扶贫标准", "passed": False,
        "values": {"per_capita_income": "3000.00", "poverty_line": 4000, "poverty_line_region": "000000000000",
                   "poverty_line_year_from": 2020},
        "reason": "年人均纯收入 3000.00 元，未超过扶贫标准 4000 元"}
    assert body["policy"][0]["key"] == "poverty_line"
    failed = client.get(API_REGION.format("610926000000"), {"year": YEAR, "failed": "true"}).json()
    assert failed["count"] == 3 and all(not h["passed"] for h in failed["results"])


def test_api_household_assessment(api, data):
    r = api("clerk_a").get(API_HOUSEHOLD.format(data["ready"].pk))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["passed"] is True and body["year"] == YEAR and body["failed_labels"] == []
    assert [i["code"] for i in body["indicators"]] == ["income", "two_no_worries", "education", "medical",
                                                       "housing", "water"]
    assert [p["key"] for p in body["policy"]] == ["poverty_line", "exit.compulsory_school_age_from",
                                                  "exit.compulsory_school_age_to", "exit.unsafe_danger_grades"]
    missing = api("clerk_a").get(API_HOUSEHOLD.format(data["ready"].pk), {"year": YEAR - 1}).json()
    assert missing["indicators"][0]["reason"] == f"缺少{YEAR - 1}年度数据"


def test_api_scope_and_errors(api, data):
    from fupin.api.tests.conftest import assert_error

    clerk_b = api("clerk_b")
    assert_error(clerk_b.get(API_HOUSEHOLD.format(data["a1"].pk)), 404)
    assert_error(clerk_b.get(API_REGION.format("610926100001")), 404)
    assert_error(api("cadre").get(API_HOUSEHOLD.format(data["a2"].pk)), 404)
    assert_error(api("county").get(API_REGION.format("610926000000"), {"year": 2005}), 400)
    assert_error(api("county").get(API_HOUSEHOLD.format(data["a1"].pk), {"year": "x"}), 400)
    assert_error(APIClient().get(API_REGION.format("610926000000")), 401)

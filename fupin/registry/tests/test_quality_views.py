"""The data-quality worklist pages and GET /api/v1/quality: content, masking, scope."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fupin.accounts.services import api_token_create
from fupin.conftest import YEAR
from fupin.registry.models import Household, MemberYear

pytestmark = pytest.mark.django_db

VILLAGE_A = "610926100001"
TOWNSHIP_A = "610926100000"
TOWNSHIP_B = "610926101000"


@pytest.fixture
def problems(users, households):
    """a1 (龙头村): a 14-year-old labourer (R06) and a duplicate ID shared with b1 in 兴隆镇 (R01);
    a2 (三里垭村): a bad phone (R17) and no helper (R19)."""
    a1, a2, b1 = households["a1"], households["a2"], households["b1"]
    MemberYear.objects.filter(member__household=a1, member__relation="son").update(labour_capacity="ordinary")
    Household.objects.filter(pk=a2.pk).update(phone="12345")
    other = b1.members.get(relation="head")
    other.id_number = a1.members.get(relation="head").id_number
    other.save()
    return households


def url(code, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("web:quality", args=[code]) + (f"?{query}" if query else "")


def test_village_worklist_for_a_clerk(login, users, problems):
    a1 = problems["a1"]
    head = a1.members.get(relation="head")
    resp = login(users["clerk_a"]).get(url(VILLAGE_A, year=YEAR))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "龙头村 数据质量校验" in html and "2020 年度" in html
    assert f'href="{reverse("web:household", args=[a1.pk])}"' in html and a1.household_no in html
    assert "未满劳动年龄认定为劳动力" in html and "未满 16 周岁" in html
    assert "证件号码重复（姓名不同）" in html and "区划 610926101001 的另一户" in html
    assert head.id_number not in html and head.id_number[:6] + "********" + head.id_number[-4:] in html
    assert problems["b1"].household_no not in html and "李三" not in html  # out of the clerk's scope
    assert problems["a2"].household_no not in html  # another village
    counts = {row["rule"].code: row["count"] for row in resp.context["rule_rows"]}
    assert counts["R06"] == 1 and counts["R01"] == 1 and counts["R17"] == 0
    assert f'href="{reverse("web:quality", args=[VILLAGE_A])}"' in html  # menu entry


def test_village_worklist_filters_by_rule(login, users, problems):
    resp = login(users["clerk_a"]).get(url(VILLAGE_A, year=YEAR, rule="R06"))
    groups = resp.context["groups"]
    assert [f.code for g in groups for f in g["findings"]] == ["R06"]
    assert "问题记录：R06 未满劳动年龄认定为劳动力" in resp.content.decode()


def test_township_table_of_villages_links_to_worklists(login, users, problems):
    resp = login(users["township_a"]).get(url(TOWNSHIP_A, year=YEAR))
    assert resp.status_code == 200
    html = resp.content.decode()
    units = {u["region"].code: u for u in resp.context["units"]}
    assert set(units) == {"610926100001", "610926100002"}
    assert units["610926100001"]["total"] == 2 and units["610926100002"]["total"] == 2
    assert [r.code for r in resp.context["columns"]] == ["R01", "R06", "R17", "R19"]
    assert f'href="{url("610926100002", year=YEAR)}"' in html
    assert f'href="{url("610926100002", year=YEAR, rule="R17").replace("&", "&amp;")}"' in html


def test_county_table_lists_every_village(login, users, problems):
    resp = login(users["county"]).get(url("610926000000", year=YEAR))
    assert [u["region"].code for u in resp.context["units"]] == ["610926100001", "610926100002", "610926101001"]
    assert resp.context["unit_label"] == "村"


def test_worklist_of_another_township_is_404(login, users, problems):
    c = login(users["township_a"])
    assert c.get(url(TOWNSHIP_B, year=YEAR)).status_code == 404
    assert c.get(url("610926101001", year=YEAR)).status_code == 404
    assert login(users["clerk_b"]).get(url(VILLAGE_A)).status_code == 404
    assert c.get(url("999999999999")).status_code == 404


def test_anonymous_is_sent_to_login(client, problems):
    resp = client.get(url(VILLAGE_A))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:login"))


def test_year_defaults_to_latest_data_and_bad_input_is_explained(login, users, problems):
    c = login(users["clerk_a"])
    assert c.get(url(VILLAGE_A)).context["year"] == YEAR
    resp = c.get(url(VILLAGE_A, year="20x0", rule="R77"))
    html = resp.content.decode()
    assert resp.context["year"] == YEAR and "年度“20x0”无效" in html and "校验规则“R77”不存在" in html
    resp = c.get(url(VILLAGE_A, year=2010))  # before any policy value
    assert resp.status_code == 200 and "未能校验：缺少政策参数" in resp.content.decode()


def test_worklist_uses_no_external_assets_and_fits_a_phone(login, users, problems):
    html = login(users["clerk_a"]).get(url(VILLAGE_A, year=YEAR)).content.decode()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert 'class="table table-cards"' in html and '<meta name="viewport"' in html


# --- API ------------------------------------------------------------------------------------

def api(user) -> APIClient:
    _, key = api_token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_api_report_for_a_region(users, problems):
    r = api(users["county"]).get("/api/v1/quality", {"region": "610926100", "year": YEAR})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["region_code"] == TOWNSHIP_A and data["year"] == YEAR and data["reference_date"] == "2020-12-31"
    assert data["household_id"] is None
    counts = {row["code"]: row["count"] for row in data["rules"]}
    assert (counts["R01"], counts["R06"], counts["R17"], counts["R19"]) == (1, 1, 1, 1)
    assert set(data["findings"][0]) >= {"code", "severity", "title", "message", "household_id", "household_no",
                                        "village_code", "member_id", "values", "inputs"}
    r01 = next(f for f in data["findings"] if f["code"] == "R01")
    number = problems["a1"].members.get(relation="head").id_number
    assert r01["values"]["id_number"] != number and r01["values"]["id_number"].endswith(number[-4:])
    assert data["inputs"]["quality.labour_min_age"]["value"] == 16


def test_api_auditor_sees_values_unmasked(users, problems):
    data = api(users["auditor"]).get("/api/v1/quality", {"region": TOWNSHIP_A, "year": YEAR, "rule": "R01"}).json()
    number = problems["a1"].members.get(relation="head").id_number
    [f] = data["findings"]  # a1 only: b1 is in the county but outside the region checked …
    assert f["values"]["id_number"] == number and number not in f["message"]  # messages are always masked
    # … and, being visible to the auditor, it is named
    assert f["values"]["duplicates"][0]["household_no"] == problems["b1"].household_no
    assert f"户 {problems['b1'].household_no}的李三（区划 610926101001）" in f["message"]


def test_api_scope_rule_filter_and_errors(users, problems):
    township = api(users["township_a"])
    r = township.get("/api/v1/quality", {"region": TOWNSHIP_B, "year": YEAR})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    data = township.get("/api/v1/quality", {"year": YEAR, "rule": "R19,r17"}).json()
    assert data["region_code"] == TOWNSHIP_A and [row["code"] for row in data["rules"]] == ["R17", "R19"]
    r = township.get("/api/v1/quality", {"rule": "R99"})
    assert r.status_code == 400 and "R99" in r.json()["error"]["message"]
    assert township.get("/api/v1/quality", {"year": 1999}).status_code == 400
    assert township.get("/api/v1/quality", {"year": 2010}).status_code == 400  # no thresholds that year
    assert APIClient().get("/api/v1/quality").status_code == 401


def test_api_one_household_after_a_save(users, problems):
    clerk = api(users["clerk_a"])
    a1 = problems["a1"]
    data = clerk.get("/api/v1/quality", {"household": a1.pk, "year": YEAR}).json()
    assert data["household_id"] == a1.pk and data["region_code"] == VILLAGE_A
    assert sorted(f["code"] for f in data["findings"]) == ["R01", "R06"]
    assert {f["household_id"] for f in data["findings"]} == {a1.pk}
    assert clerk.get("/api/v1/quality", {"household": a1.pk}).json()["year"] == YEAR  # latest year with data
    assert clerk.get("/api/v1/quality", {"household": problems["b1"].pk}).status_code == 404
    assert clerk.get("/api/v1/quality", {"household": 10**19}).status_code == 400


def test_api_is_documented(client, users):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/quality"]["get"]
    assert op["summary"].startswith("数据质量校验") and op["operationId"] == "quality_report"
    assert {p["name"] for p in op["parameters"]} >= {"region", "year", "rule", "household"}

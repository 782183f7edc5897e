"""Pages and API: scoped (another village's clerk gets 404), the county approver's forms, the household section."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from fupin.assets.models import AssetDistribution, AssetIncome, AssetShare
from fupin.assets.selectors import household_assets_context
from fupin.assets.services import income_record

from .helpers import accepted_project, give, pv_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(users, households):
    a = pv_asset(users, accepted_project(users), formed_on="2019-01-01")
    give(users, a, households["a1"], "0.155")
    income_record(actor=users["county"], asset_id=a.pk,
                  data={"year": 2020, "gross_income": "17500.00", "retained": "14787.50", "distributed": "2712.50"})
    return a


def test_pages_in_scope(users, login, client, asset):
    login(users["township_a"])
    html = client.get(reverse("web:region_assets", args=["610926100000"]) + "?year=2020").content.decode()
    assert "龙头村光伏电站" in html and "17.50%" in html and "2,712.50" in html and "未达目标" not in html
    assert "龙头村" in html and "50%" in html  # coverage of 龙头村 (1 of 1) and the township (1 of 2)
    r = client.get(reverse("web:asset", args=[asset.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and "14,787.50" in html and "王一" in html and "登记收益并分配到户" not in html
    login(users["county"])
    assert "登记收益并分配到户" in client.get(reverse("web:asset", args=[asset.pk])).content.decode()


def test_other_village_clerk_gets_404(users, login, client, api, asset):
    login(users["clerk_b"])
    for url in (reverse("web:asset", args=[asset.pk]), reverse("web:region_assets", args=["610926100001"])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("web:asset_income_new", args=[asset.pk]), {"year": "2020"}).status_code == 404
    c = api("clerk_b")
    assert c.get(f"/api/v1/assets/{asset.pk}").status_code == 404
    assert c.get("/api/v1/regions/610926100001/assets?year=2020").status_code == 404
    r = c.post(f"/api/v1/assets/{asset.pk}/incomes", {"year": 2019, "gross_income": "1", "retained": "0",
                                                      "distributed": "0"}, format="json")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # Another county's approver neither.
    assert api("stranger").get(f"/api/v1/assets/{asset.pk}").status_code == 404


def test_web_forms_for_county(users, login, client, households, asset):
    from fupin.conftest import make_household

    h = make_household("610926100001002", "610926100001", head="钱二")
    login(users["clerk_a"])
    assert client.post(reverse("web:asset_share_set", args=[asset.pk]),
                       {"household": h.pk, "ratio": "0.01"}).status_code == 403
    login(users["county"])
    r = client.post(reverse("web:asset_share_set", args=[asset.pk]), {"household": h.pk, "ratio": "0.01"},
                    follow=True)
    assert "不能超过资产量化到户比例" in r.content.decode() and not AssetShare.objects.filter(household=h).exists()
    give(users, asset, households["a1"], "0.1")
    r = client.post(reverse("web:asset_share_set", args=[asset.pk]),
                    {"household": h.pk, "ratio": "0.055", "start_on": "2019-01-01"}, follow=True)
    assert "已保存" in r.content.decode() and AssetShare.objects.get(household=h).ratio == Decimal("0.055")
    url = reverse("web:asset_income_new", args=[asset.pk])
    r = client.post(url, {"year": "2019", "gross_income": "1000", "retained": "900", "distributed": "100.01"},
                    follow=True)
    assert "不能超过年收益" in r.content.decode() and not AssetIncome.objects.filter(year=2019).exists()
    r = client.post(url, {"year": "2019", "gross_income": "1000", "retained": "900", "distributed": "100"},
                    follow=True)
    assert "已登记 2019 年收益" in r.content.decode()
    # 2019: only 钱二's share was active (王一's started 2020-01-01).
    assert list(AssetDistribution.objects.filter(year=2019).values_list("household_id", "amount")) == [
        (h.pk, Decimal("100.00"))]


def test_api(users, api, households, asset):
    c = api("township_a")
    r = c.get("/api/v1/regions/610926100000/assets?year=2020")
    body = r.json()
    assert r.status_code == 200 and body["gross_income"] == "17500.00" and body["below_target"] == 0
    a = body["assets"][0]
    assert a["rate"] == "0.1750" and a["target"] == "0.0600" and a["policy"]["key"] == "assets.target_income_rate"
    assert body["coverage"]["poor"] == 2 and body["coverage"]["covered"] == 1 and body["coverage"]["rate"] == "0.5000"
    r = c.get(f"/api/v1/assets/{asset.pk}")
    assert r.json()["incomes"][0]["distributions"][0]["amount"] == "2712.50"
    assert r.json()["project_paid"] == "100000.00"
    # Only the county approver records income.
    body = {"year": 2019, "gross_income": "100.00", "retained": "80.00", "distributed": "20.00"}
    assert c.post(f"/api/v1/assets/{asset.pk}/incomes", body, format="json").status_code == 403
    county = api("county")
    r = county.post(f"/api/v1/assets/{asset.pk}/incomes", {**body, "distributed": "20.01"}, format="json")
    assert r.status_code == 400 and "不能超过年收益" in r.json()["error"]["fields"]["distributed"][0]
    give(users, asset, households["a1"], "0.155", start="2019-01-01")
    r = county.post(f"/api/v1/assets/{asset.pk}/incomes", body, format="json")
    assert r.status_code == 201 and [i["year"] for i in r.json()["incomes"]] == [2020, 2019]
    assert r.json()["incomes"][1]["below_target"] is True  # 100 / 100,000


def test_household_section(users, households, asset):
    ctx = household_assets_context(users["clerk_a"], households["a1"])
    assert ctx["assets_section"]["total"] == Decimal("2712.50")
    html = render_to_string("web/assets/_household_section.html", ctx)
    assert "2,712.50" in html and "龙头村光伏电站" in html


def test_a_cadre_may_not_open_region_asset_figures(client, login, users, api):
    login(users["cadre"])
    assert client.get("/r/610926100000/assets/").status_code == 403
    assert api("cadre").get("/api/v1/regions/610926100000/assets?year=2020").status_code == 403

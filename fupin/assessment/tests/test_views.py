import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from .conftest import COUNTY


@pytest.mark.django_db
def test_api_and_cli_give_the_same_document(townships, api, capsys):
    r = api("county").get("/api/v1/assessment", {"region": "610926", "year": 2020, "level": "township"})
    assert r.status_code == 200
    call_command("assess", "--region", "610926", "--year", "2020", "--level", "township", "--json")
    assert json.loads(capsys.readouterr().out) == r.json()
    assert [x["total"] for x in r.json()["results"]] == ["54.75", "53.09"]


@pytest.mark.django_db
def test_api_scope_and_errors(townships, api):
    assert api("stranger").get("/api/v1/assessment", {"region": "610926", "year": 2020}).status_code == 404
    assert api("cadre").get("/api/v1/assessment", {"region": "610926100", "year": 2020}).status_code == 403
    r = api("county").get("/api/v1/assessment", {"region": "610926", "year": 2020, "level": "village"})
    assert r.status_code == 400 and "level" in r.json()["error"]["fields"]
    r = api("township_a").get("/api/v1/assessment", {"region": "610926100", "year": 2020, "level": "county"})
    assert r.status_code == 400 and "低于" in r.json()["error"]["message"]
    r = api("township_a").get("/api/v1/assessment", {"region": "610926100", "year": 2020, "level": "township"})
    assert [x["code"] for x in r.json()["results"]] == ["610926100000"]


@pytest.mark.django_db
def test_web_page(townships, users, login, client, django_assert_max_num_queries):
    login(users["county"])
    url = reverse("web:region_assessment", args=[COUNTY])
    with django_assert_max_num_queries(25):
        r = client.get(url, {"year": 2020, "level": "township"})
    html = r.content.decode()
    assert r.status_code == 200 and "54.75" in html and "53.09" in html
    assert "错退率超过 2%" in html and 'class="vetoed' in html and "缺少数据" in html
    r = client.get(reverse("web:region_assessment_scheme", args=[COUNTY]), {"year": 2020, "level": "township"})
    assert r.status_code == 200 and "全国默认乡镇考核方案" in r.content.decode()
    login(users["stranger"])
    assert client.get(url, {"year": 2020}).status_code == 404
    login(users["cadre"])
    assert client.get(url, {"year": 2020}).status_code == 404  # the cadre is bound to 城关镇
    assert client.get(reverse("web:region_assessment", args=["610926100000"])).status_code == 403

"""Monitoring, cross-checks, the issue ledger and the statistics are reachable from the region menu
and shown on the household page; a cadre is not offered what their role cannot open."""

import pytest

from fupin.conftest import make_household

MENU = ("/r/610926000000/monitoring/", "/r/610926000000/ledger/", "/r/610926000000/crosscheck/",
        "/r/610926000000/stats/", "/r/610926000000/measures/", "/r/610926000000/assessment/",
        "/r/610926000000/dashboard/")


@pytest.mark.django_db
def test_region_menu_links_open(client, login, users):
    login(users["county"])
    region = client.get("/r/610926000000/").content.decode()
    for url in MENU:
        assert f'href="{url}"' in region, url
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_cadre_menu_and_household_sections(client, login, users):
    h = make_household("610926100001904", "610926100001", head="孙监", helper=users["cadre"])
    login(users["cadre"])
    region = client.get("/r/610926100000/").content.decode()
    for url in ("/r/610926100000/crosscheck/", "/r/610926100000/stats/", "/r/610926100000/measures/",
                "/r/610926100000/assessment/", "/r/610926100000/dashboard/"):
        assert f'href="{url}"' not in region, url
    page = client.get(f"/households/{h.pk}/").content.decode()
    assert "防止返贫监测" in page and "未纳入防止返贫监测" in page
    assert "问题台账" in page and "没有列入问题台账的问题" in page
    login(users["county"])
    page = client.get(f"/households/{h.pk}/").content.decode()
    assert "大数据比对疑点" in page and "没有比对疑点" in page

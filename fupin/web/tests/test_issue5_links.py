"""Helpers, visits and the cadre's home are reachable from the menu, region and household pages."""

import pytest

from fupin.conftest import make_household


@pytest.mark.django_db
def test_cadre_home_and_links(client, login, users):
    h = make_household("610926100001903", "610926100001", head="孙帮", helper=users["cadre"])
    login(users["cadre"])
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/my/"
    assert 'href="/my/"' in client.get("/my/").content.decode()
    page = client.get(f"/households/{h.pk}/").content.decode()
    assert "走访记录" in page and f"/households/{h.pk}/helper/" in page
    login(users["county"])
    assert client.get("/")["Location"] == "/r/610926000000/"
    region = client.get("/r/610926000000/").content.decode()
    for url in ("/r/610926000000/helpers/", "/r/610926000000/helpers/teams/", "/r/610926000000/visits/compliance/",
                "/r/610926000000/plans/", "/plan-rules/?region=610926000000", "/r/610926000000/credit/",
                "/r/610926000000/funds/", "/r/610926000000/projects/", "/r/610926000000/assets/"):
        assert f'href="{url}"' in region, url
        assert client.get(url).status_code == 200, url

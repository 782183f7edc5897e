"""The procedures' pages are reachable: main menu, region page, household page, public footer."""

import pytest

from fupin.conftest import make_household


@pytest.mark.django_db
def test_links_to_the_procedures(client, login, users):
    poor = make_household("610926100001901", "610926100001", head="赵贫")
    exited = make_household("610926100001902", "610926100001", head="钱脱", status="exited")
    login(users["clerk_a"])
    region = client.get("/r/610926100001/").content.decode()
    for url in ("/r/610926100001/cases/", "/r/610926100001/notices/", "/r/610926100001/ranking/",
                "/r/610926100001/status/", "/r/610926100001/exit-assessment/", "/r/610926100001/policy/",
                "/public/notices/", "/public/funds/"):
        assert f'href="{url}' in region, url
    assert f"/households/{poor.pk}/exit-case/new/" in client.get(f"/households/{poor.pk}/").content.decode()
    page = client.get(f"/households/{exited.pk}/").content.decode()
    assert "exit-case/new" not in page and f"/households/{exited.pk}/exit-assessment/" in page
    login(users["city"])
    assert "exit-case/new" not in client.get(f"/households/{poor.pk}/").content.decode()

"""Public notice pages (公示公告): readable without login, printable, nothing beyond the paper."""

import pytest
from django.urls import reverse

from fupin.accounts.masking import mask_id_number

from .helpers import CONTACT, YEAR, open_identification, publish, walk_identification_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(users):
    case = walk_identification_to(users, open_identification(users, head="郑八", wage="6000", members=3), "notice1")
    notice = publish(users, "clerk_a", [case], "notice1", on=walk_date(3, 7))
    return notice, case


def walk_date(month, day):
    from .helpers import d

    return d(month, day)


def test_public_notice_is_readable_without_login_with_masked_ids(client, notice):
    notice, case = notice
    resp = client.get(reverse("web:public_notice", args=[notice.pk]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert notice.title in html and "郑八" in html and "平利县城关镇龙头村" in html
    assert mask_id_number(case.id_number) in html and case.id_number not in html
    assert "2020年3月7日" in html and "2020年3月13日" in html and "7 天" in html
    assert "如有异议" in html and "王主任" in html and CONTACT.split("，")[0] in html
    assert "2000.00" in html  # per-capita income, printed by this step
    # Nothing else: no members, no phone, no address, no publisher's account, no case number.
    for secret in (case.members[1]["id_number"], case.members[1]["name"], "龙头村一组", "clerk_a", f"#{case.pk}"):
        assert secret not in html
    assert "登录" not in html.split("<main")[0]  # no login bar


def test_public_lists_filter_by_region(client, notice):
    notice, _ = notice
    assert notice.title in client.get(reverse("web:public_notices")).content.decode()
    assert notice.title in client.get(reverse("web:public_notices"), {"region": "610926"}).content.decode()
    html = client.get(reverse("web:public_notices"), {"region": "620000"}).content.decode()
    assert notice.title not in html and "暂无公示公告" in html
    assert "区划代码无效" in client.get(reverse("web:public_notices"), {"region": "abc"}).content.decode()
    assert notice.title in client.get(reverse("web:public_village_notices", args=["610926100001"])).content.decode()
    assert notice.title not in client.get(reverse("web:public_village_notices",
                                                  args=["610926101001"])).content.decode()
    assert client.get(reverse("web:public_village_notices", args=["999999999999"])).status_code == 404
    assert client.get(reverse("web:public_notice", args=[notice.pk + 1000])).status_code == 404


def test_inside_pages_need_login(client, notice):
    notice, case = notice
    for url in (reverse("web:notice", args=[notice.pk]), reverse("web:case", args=[case.pk]),
                reverse("web:cases", args=["610926100001"])):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login/" in resp["Location"]
    assert notice.year == YEAR

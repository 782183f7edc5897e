"""Every page renders for a persona allowed to see it, with its key content."""

import re

import pytest
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.registry.services import household_update

pytestmark = pytest.mark.django_db

COUNTY = "610926000000"
TOWNSHIP_A = "610926100000"
VILLAGE_A = "610926100001"


def test_anonymous_is_sent_to_login(client, households):
    for url in [reverse("web:home"), reverse("web:region", args=[COUNTY]),
                reverse("web:households", args=[COUNTY]), reverse("web:household", args=[households["a1"].pk]),
                reverse("web:household_edit", args=[households["a1"].pk]), reverse("web:users"),
                reverse("web:audit")]:
        resp = client.get(url)
        assert resp.status_code == 302, url
        assert resp["Location"].startswith(reverse("web:login") + "?next=")


def test_login_page_renders(client):
    resp = client.get(reverse("web:login"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "精准扶贫信息管理系统" in html and "用户名" in html and "密码" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_home_redirects_to_own_region(login, users):
    c = login(users["clerk_a"])
    resp = c.get(reverse("web:home"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("web:region", args=[VILLAGE_A])


def test_region_overview_for_county(login, users, households):
    c = login(users["county"])
    resp = c.get(reverse("web:region", args=[COUNTY]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "平利县" in html and "城关镇" in html and "兴隆镇" in html
    ov = resp.context["overview"]
    assert ov["households"] == 3 and ov["persons"] == 7
    assert {c["region"].name: c["households"] for c in ov["children"]} == {"城关镇": 2, "兴隆镇": 1}
    # Children link down, and to their household lists.
    assert f'href="{reverse("web:region", args=[TOWNSHIP_A])}"' in html
    assert f'href="{reverse("web:households", args=[TOWNSHIP_A])}"' in html
    # Top bar: name, role, region; nav without admin-only entries.
    assert "县级审批员" in html and reverse("web:logout") in html
    assert reverse("web:users") not in html and reverse("web:audit") not in html


def test_breadcrumb_above_own_region_is_plain_text(login, users, households):
    c = login(users["township_a"])
    resp = c.get(reverse("web:region", args=[VILLAGE_A]))
    assert resp.status_code == 200
    html = resp.content.decode()
    crumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    for name in ["陕西省", "安康市", "平利县", "城关镇", "龙头村"]:
        assert name in crumb
    assert reverse("web:region", args=[COUNTY]) not in crumb  # above township_a: not a link
    assert f'href="{reverse("web:region", args=[TOWNSHIP_A])}"' in crumb  # own region: a link
    assert "龙头村" in html and "村" in html


def test_village_overview_links_to_households(login, users, households):
    c = login(users["clerk_a"])
    resp = c.get(reverse("web:region", args=[VILLAGE_A]))
    assert resp.status_code == 200
    assert f'href="{reverse("web:households", args=[VILLAGE_A])}"' in resp.content.decode()
    assert resp.context["overview"]["households"] == 1


def test_household_list(login, users, households):
    c = login(users["township_a"])
    resp = c.get(reverse("web:households", args=[TOWNSHIP_A]))
    assert resp.status_code == 200
    html = resp.content.decode()
    for text in ["户编号", "户主", "人数", "状态", "电话", "帮扶责任人", "王一", "王二", "龙头村", "三里垭村", "cadre"]:
        assert text in html
    assert "李三" not in html
    assert f'href="{reverse("web:household", args=[households["a1"].pk])}"' in html


def test_household_list_filters(login, users, households):
    c = login(users["county"])
    url = reverse("web:households", args=[COUNTY])
    html = c.get(url, {"q": "李"}).content.decode()
    assert "李三" in html and "王一" not in html
    html = c.get(url, {"q": "610926100002"}).content.decode()
    assert "王二" in html and "王一" not in html
    households["a1"].status = "exited"
    households["a1"].save()
    resp = c.get(url, {"status": "exited"})
    assert [r["h"].head_name for r in resp.context["rows"]] == ["王一"]
    # An unknown status is ignored, not an error.
    assert len(c.get(url, {"status": "nonsense"}).context["rows"]) == 3


def test_household_list_paginates_by_50(login, users, regions):
    from fupin.conftest import make_household

    for i in range(55):
        make_household(f"610926100001{i:03d}", VILLAGE_A, members=0, head=f"户{i}")
    c = login(users["clerk_a"])
    url = reverse("web:households", args=[VILLAGE_A])
    first = c.get(url)
    assert len(first.context["rows"]) == 50 and first.context["page"].paginator.count == 55
    assert "page=2" in first.content.decode()
    second = c.get(url, {"page": 2})
    assert len(second.context["rows"]) == 5


def test_household_detail(login, users, households):
    c = login(users["clerk_a"])
    h = households["a1"]
    resp = c.get(reverse("web:household", args=[h.pk]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "王一户" in html and "家庭成员" in html and "王一家属1" in html and "因病" in html
    assert f'href="{reverse("web:household_edit", args=[h.pk])}"' in html


def test_household_detail_has_no_edit_link_without_right(login, users, households):
    c = login(users["city"])
    h = households["a1"]
    resp = c.get(reverse("web:household", args=[h.pk]))
    assert resp.status_code == 200
    assert reverse("web:household_edit", args=[h.pk]) not in resp.content.decode()


def test_household_edit_form_renders(login, users, households):
    c = login(users["clerk_a"])
    resp = c.get(reverse("web:household_edit", args=[households["a1"].pk]))
    assert resp.status_code == 200
    html = resp.content.decode()
    for label in ["村民小组", "住址", "户联系电话", "开户银行", "银行账号"]:
        assert label in html
    assert 'value="13800138000"' in html


def test_users_page_for_sysadmin(login, users):
    c = login(users["admin"])
    resp = c.get(reverse("web:users"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "clerk_a" in html and "村级信息员" in html and "新建用户" in html
    assert "stranger" not in html  # 甘肃省: outside the county admin's scope
    assert f'href="{reverse("web:users")}"' in html  # nav shows the entry for this role


def test_audit_page_and_chain_check(login, users, households):
    household_update(actor=users["clerk_a"], household_id=households["a1"].pk, changes={"address": "新地址"})
    c = login(users["auditor"])
    resp = c.get(reverse("web:audit"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "校验哈希链" in html and "修改" in html and "clerk_a" in html and "新地址" in html
    assert resp.context["verify"] is None
    resp = c.get(reverse("web:audit"), {"verify": "1"})
    assert resp.context["verify"].ok
    assert "校验通过" in resp.content.decode()
    assert resp.context["verify"].checked == AuditEvent.objects.count() >= 1


def test_audit_page_forbidden_without_right(login, users):
    resp = login(users["county"]).get(reverse("web:audit"))
    assert resp.status_code == 403
    assert "无权访问" in resp.content.decode()


def test_404_page_is_chinese(login, users):
    resp = login(users["county"]).get("/no-such-page/")
    assert resp.status_code == 404
    assert "页面不存在" in resp.content.decode()


def test_static_css_is_served(client):
    resp = client.get("/static/web/fupin.css")
    assert resp.status_code == 200
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    assert b"overflow-x: auto" in body

"""Year-end freeze (年度数据固化): the page at /r/<code>/freeze/ and `fupin freeze_year`."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.registry.models import YearFreeze
from fupin.registry.services import year_freeze

pytestmark = pytest.mark.django_db

COUNTY = "610926000000"
TOWNSHIP_A = "610926100000"
VILLAGE_A = "610926100001"


def _url(code=COUNTY):
    return reverse("web:region_freeze", args=[code])


def test_county_approver_freezes_a_year(login, users, households):
    c = login(users["county"])
    resp = c.get(_url())
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "平利县 年度数据固化" in html and "尚未固化任何年度" in html
    assert "不能再修改" in html and "不能撤销" in html and "确认固化" in html
    events = AuditEvent.objects.count()
    resp = c.post(_url(), {"year": "2020", "confirm": "on"})
    assert resp.status_code == 302 and resp["Location"] == _url()
    freeze = YearFreeze.objects.get()
    assert (freeze.region_code, freeze.year, freeze.frozen_by_name) == (COUNTY, 2020, "county")
    assert AuditEvent.objects.count() == events + 1
    html = c.get(resp["Location"]).content.decode()
    assert "已固化 平利县 2020 年度数据" in html and "本级固化" in html and ">2020<" in html
    # The household page now shows the year as frozen, without edit links.
    page = c.get(reverse("web:household", args=[households["a1"].pk]), {"year": 2020}).content.decode()
    assert "badge-frozen" in page and "/years/2020/edit/" not in page


def test_freezing_twice_or_without_confirmation_is_refused(login, users, households):
    c = login(users["county"])
    resp = c.post(_url(), {"year": "2020"})
    assert resp.status_code == 200 and "请勾选确认后再固化" in resp.content.decode()
    assert not YearFreeze.objects.exists()
    resp = c.post(_url(), {"year": "abc", "confirm": "on"})
    assert resp.status_code == 200 and resp.context["form"].errors["year"]
    c.post(_url(), {"year": "2020", "confirm": "on"})
    resp = c.post(_url(), {"year": "2020", "confirm": "on"})
    assert resp.status_code == 200
    assert "平利县 2020 年度数据已于" in resp.content.decode()
    assert YearFreeze.objects.count() == 1


def test_clerk_and_viewers_may_not_freeze(login, users, households):
    # Clerk at their own village: in scope, but neither the level nor (for viewers) the right.
    assert login(users["clerk_a"]).get(_url(VILLAGE_A)).status_code == 403
    assert login(users["clerk_a"]).post(_url(VILLAGE_A), {"year": "2020", "confirm": "on"}).status_code == 403
    # Township reviewer edits the registry but is below county level.
    assert login(users["township_a"]).post(_url(TOWNSHIP_A), {"year": "2020", "confirm": "on"}).status_code == 403
    # City viewer: a level high enough, no right to edit.
    assert login(users["city"]).post(_url("610900000000"), {"year": "2020", "confirm": "on"}).status_code == 403
    assert login(users["cadre"]).get(_url(TOWNSHIP_A)).status_code == 403
    # Out of scope is 404, as everywhere.
    assert login(users["clerk_a"]).get(_url()).status_code == 404
    assert login(users["stranger"]).post(_url(), {"year": "2020", "confirm": "on"}).status_code == 404
    assert not YearFreeze.objects.exists()


def test_page_lists_freezes_above_and_below(login, users, households, regions):
    from fupin.registry.selectors import year_freezes_for_region

    year_freeze(actor=users["county"], region_code=COUNTY, year=2019)
    html = login(users["county"]).get(_url()).content.decode()
    assert "2019" in html and "本级固化" in html
    # Seen from the province the county's freeze covers part of it; from a village, all of it.
    rows = year_freezes_for_region(users["province"], regions["610000000000"])
    assert [(r["freeze"].year, r["scope"], r["region_name"]) for r in rows] == [(2019, "below", "平利县")]
    rows = year_freezes_for_region(users["clerk_a"], regions[VILLAGE_A])
    assert [(r["freeze"].year, r["scope"]) for r in rows] == [(2019, "above")]
    # A stranger's province sees nothing of it.
    assert year_freezes_for_region(users["stranger"], regions["620000000000"]) == []


def test_region_page_links_to_freeze_for_county_approver_only(login, users, households):
    assert _url() in login(users["county"]).get(reverse("web:region", args=[COUNTY])).content.decode()
    from django.test import Client

    html = login(users["city"], Client()).get(reverse("web:region", args=[COUNTY])).content.decode()
    assert _url() not in html
    html = login(users["clerk_a"], Client()).get(reverse("web:region", args=[VILLAGE_A])).content.decode()
    assert _url(VILLAGE_A) not in html


def test_cli_freezes_and_reports_json(users, households, capsys):
    call_command("freeze_year", region="610926", year=2018, user="county", json=True)
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["region_code"] == COUNTY and out["year"] == 2018 and out["frozen_by"] == "county"
    assert YearFreeze.objects.filter(region_code=COUNTY, year=2018).exists()
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.object_type == "registry.yearfreeze" and event.actor_name == "county"


def test_cli_text_output_and_refusals(users, households, capsys):
    call_command("freeze_year", region=COUNTY, year=2017, user="county")
    assert "已固化 610926000000 2017 年度数据" in capsys.readouterr().out
    with pytest.raises(CommandError, match="已于"):
        call_command("freeze_year", region=COUNTY, year=2017, user="county")
    with pytest.raises(CommandError, match="不在用户 clerk_a 的管辖范围内"):
        call_command("freeze_year", region=COUNTY, year=2016, user="clerk_a")
    with pytest.raises(CommandError, match="无权固化"):
        call_command("freeze_year", region=VILLAGE_A, year=2016, user="clerk_a")
    with pytest.raises(CommandError, match="不存在或已停用"):
        call_command("freeze_year", region=COUNTY, year=2016, user="nobody")
    with pytest.raises(CommandError, match="区划代码“12x”无效"):
        call_command("freeze_year", region="12x", year=2016, user="county")
    assert list(YearFreeze.objects.values_list("year", flat=True)) == [2017]


def test_cli_json_failure_exits_non_zero(users, households, capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("freeze_year", region=COUNTY, year=2016, user="city", json=True)
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and "无权" in out["error"]

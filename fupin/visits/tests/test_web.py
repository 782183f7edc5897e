"""The web pages: the cadre's phone-first list, the short form, history, photo, compliance."""

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.roles import Role
from fupin.accounts.services import user_create
from fupin.conftest import PASSWORD, make_household
from fupin.visits.models import Visit
from fupin.visits.selectors import household_visits_context

from .helpers import JPEG, files_under, jpeg, record

pytestmark = pytest.mark.django_db


def test_cadre_home_lists_overdue_first_with_a_big_button(login, users, households):
    cadre = users["cadre"]
    today = timezone.localdate()
    fresh = make_household("610926100001050", "610926100001", helper=cadre, head="新访户")
    record(users, "cadre", fresh, today - timedelta(days=2))
    soon = make_household("610926100001051", "610926100001", helper=cadre, head="将到户")
    record(users, "cadre", soon, today - timedelta(days=27), follow_up="联系医保", follow_up_due=today - timedelta(days=1))
    # 王一 (a1) was never visited since 2014: overdue, so first.
    r = login(cadre).get(reverse("web:my_households"))
    assert r.status_code == 200
    html = r.content.decode()
    assert html.index("王一户") < html.index("将到户户") < html.index("新访户户")
    assert "已逾期" in html and "3 天内到期" in html and "联系医保" in html
    assert html.count("记录走访</a>") == 3
    assert reverse("web:visit_new", args=[households["a1"].pk]) in html
    assert households["a2"].head_name not in html  # another cadre's (here: nobody's) household


def test_record_a_visit_in_a_few_taps(login, users, households, media):
    a1 = households["a1"]
    c = login(users["cadre"])
    url = reverse("web:visit_new", args=[a1.pk])
    page = c.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'capture="environment"' in html and 'accept="image/*"' in html
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html and 'value="home"' in html and "checked" in html
    assert "tel:13800138000" in html  # the cadre may call the household
    r = c.post(url, {"visited_on": timezone.localdate().isoformat(), "kind": "home",
                     "phrases": ["宣传扶贫政策", "了解子女上学情况"], "content": "", "photo": jpeg()})
    assert r.status_code == 302 and r["Location"] == reverse("web:my_households")
    v = Visit.objects.get()
    assert v.content == "宣传扶贫政策；了解子女上学情况" and v.photo_sha256
    assert (media / v.photo.name).read_bytes() == JPEG
    # Nothing picked, nothing typed: the form says so.
    r = c.post(url, {"visited_on": timezone.localdate().isoformat(), "kind": "home", "content": ""})
    assert r.status_code == 200 and "请点选常用内容或填写走访内容" in r.content.decode()


def test_service_errors_show_next_to_fields(login, users, households, media):
    c = login(users["cadre"])
    url = reverse("web:visit_new", args=[households["a1"].pk])
    r = c.post(url, {"visited_on": "2013-06-01", "kind": "home", "content": "走访", "photo": jpeg("a.gif", b"GIF89a")})
    html = r.content.decode()
    assert r.status_code == 200 and "不能早于该户建档日期" in html
    r = c.post(url, {"visited_on": "2020-06-01", "kind": "home", "content": "走访", "photo": jpeg("a.gif", b"GIF89a")})
    assert "走访照片“a.gif”的类型不允许" in r.content.decode()
    assert not Visit.objects.exists() and files_under(media) == []


def test_cadre_cannot_see_or_record_other_households(login, users, households):
    c = login(users["cadre"])
    other = households["a2"]
    other.helper = user_create(actor=None, username="cadre2", password=PASSWORD, role=Role.CADRE,
                               region_code="610926100000", full_name="另一帮扶人")
    other.save()
    v = record(users, "township_a", other, date(2020, 3, 2), on_behalf_note="补录", follow_up="办低保")
    for url in (reverse("web:visit_new", args=[other.pk]), reverse("web:household_visits", args=[other.pk]),
                reverse("web:visit_photo", args=[v.pk]), reverse("web:visit_edit", args=[v.pk])):
        assert c.get(url).status_code == 404, url
    r = c.post(reverse("web:visit_new", args=[other.pk]), {"visited_on": "2020-03-03", "kind": "home",
                                                            "content": "走访"})
    assert r.status_code == 404 and Visit.objects.count() == 1
    assert c.post(reverse("web:visit_follow_up_close", args=[v.pk])).status_code == 404
    # A viewer sees the history but may not record: 403.
    assert login(users["city"]).get(reverse("web:visit_new", args=[other.pk])).status_code == 403


def test_on_behalf_form_asks_for_the_note(login, users, households):
    c = login(users["clerk_a"])
    url = reverse("web:visit_new", args=[households["a1"].pk])
    assert "代录说明" in c.get(url).content.decode()
    r = c.post(url, {"visited_on": "2020-03-02", "kind": "phone", "content": "电话了解情况"})
    assert "代录走访记录须填写代录说明" in r.content.decode()
    r = c.post(url, {"visited_on": "2020-03-02", "kind": "phone", "content": "电话了解情况", "on_behalf_note": "补录"})
    assert r.status_code == 302 and r["Location"] == reverse("web:household_visits", args=[households["a1"].pk])
    assert Visit.objects.get().cadre == users["cadre"]


def test_history_photo_edit_and_follow_up(login, users, households, media):
    a1 = households["a1"]
    v = record(users, "cadre", a1, date(2020, 3, 2), photo=jpeg(), follow_up="申请危房改造", problems="房屋漏雨")
    c = login(users["cadre"])
    html = c.get(reverse("web:household_visits", args=[a1.pk])).content.decode()
    assert "申请危房改造" in html and "房屋漏雨" in html and reverse("web:visit_photo", args=[v.pk]) in html
    photo = c.get(reverse("web:visit_photo", args=[v.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content) == JPEG
    assert login(users["clerk_b"]).get(reverse("web:visit_photo", args=[v.pk])).status_code == 404
    assert login(users["county"]).get(reverse("web:visit_photo", args=[v.pk])).status_code == 200
    viewer = login(users["city"]).get(reverse("web:household_visits", args=[a1.pk])).content.decode()
    assert "138****8000" in viewer and "13800138000" not in viewer  # masked for a viewer, no tel: link
    # Only the recorder edits.
    assert login(users["township_a"]).get(reverse("web:visit_edit", args=[v.pk])).status_code == 403
    c = login(users["cadre"])
    r = c.post(reverse("web:visit_edit", args=[v.pk]), {"visited_on": "2020-03-03", "kind": "group",
                                                          "content": "集中宣讲", "follow_up": "申请危房改造"})
    assert r.status_code == 302
    v.refresh_from_db()
    assert (v.visited_on, v.kind, v.content, v.problems) == (date(2020, 3, 3), "group", "集中宣讲", "")
    r = c.post(reverse("web:visit_follow_up_close", args=[v.pk]), {"done_on": "2020-03-10"})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.follow_up_done and v.follow_up_done_on == date(2020, 3, 10)


def test_compliance_page(login, users, households):
    record(users, "cadre", households["a1"], date(2020, 3, 2))
    c = login(users["township_a"])
    r = c.get(reverse("web:visit_compliance", args=["610926100000"]), {"on": "2020-04-02"})
    html = r.content.decode()
    assert r.status_code == 200 and "逾期户（2 户" in html and "三里垭村" in html and "兴隆村" not in html
    assert "visits.max_days_between" in html and "0.0%" in html
    assert c.get(reverse("web:visit_compliance", args=["610926101000"])).status_code == 404
    r = c.get(reverse("web:visit_compliance", args=["610926100000"]), {"on": "2020-04-01"})
    assert "逾期户（1 户" in r.content.decode()  # the boundary day: a1 still compliant
    assert "日期“x”无效" in c.get(reverse("web:visit_compliance", args=["610926100000"]), {"on": "x"},
                                  follow=True).content.decode()


def test_household_section_include(users, households):
    a1 = households["a1"]
    record(users, "cadre", a1, date(2020, 3, 2), follow_up="代办医保")
    request = RequestFactory().get("/")
    request.user = users["cadre"]
    context = household_visits_context(users["cadre"], a1, on=date(2020, 3, 10))
    section = context["visit_section"]
    assert section["total"] == 1 and section["open_follow_ups"] == 1 and section["can_record"]
    assert section["due"].due_text == "最迟 04-01 前走访"
    html = render_to_string("web/visits/_household_section.html", context, request=request)
    assert "代办医保" in html and reverse("web:visit_new", args=[a1.pk]) in html and "全部走访记录（1）" in html
    viewer = household_visits_context(users["city"], a1)["visit_section"]
    assert not viewer["can_record"]

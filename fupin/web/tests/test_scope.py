"""Pages answer 404 outside the user's region and 403 without the right, and change nothing."""

import pytest
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.registry.models import Household

pytestmark = pytest.mark.django_db

TOWNSHIP_B = "610926101000"


def _snapshot(h):
    return Household.objects.filter(pk=h.pk).values().get()


def test_township_a_cannot_open_or_edit_b1(login, users, households):
    b1 = households["b1"]
    before = _snapshot(b1)
    events = AuditEvent.objects.count()
    c = login(users["township_a"])
    assert c.get(reverse("web:household", args=[b1.pk])).status_code == 404
    assert c.get(reverse("web:household_edit", args=[b1.pk])).status_code == 404
    resp = c.post(reverse("web:household_edit", args=[b1.pk]),
                  {"phone": "13900000000", "address": "被改", "group_name": "", "bank_name": "", "bank_account": ""})
    assert resp.status_code == 404
    assert "李三" not in resp.content.decode()
    assert _snapshot(b1) == before
    assert AuditEvent.objects.count() == events


def test_township_a_cannot_open_township_b(login, users, households):
    c = login(users["township_a"])
    assert c.get(reverse("web:region", args=[TOWNSHIP_B])).status_code == 404
    assert c.get(reverse("web:households", args=[TOWNSHIP_B])).status_code == 404
    assert c.get(reverse("web:region", args=["610926101001"])).status_code == 404
    # Nor the county above, even though it shows in the breadcrumb.
    assert c.get(reverse("web:region", args=["610926000000"])).status_code == 404


def test_stranger_cannot_open_610926(login, users, households):
    c = login(users["stranger"])
    for url in [reverse("web:region", args=["610926000000"]), reverse("web:households", args=["610926000000"]),
                reverse("web:region", args=["610926100001"]), reverse("web:household", args=[households["a1"].pk]),
                reverse("web:household_edit", args=[households["a1"].pk])]:
        resp = c.get(url)
        assert resp.status_code == 404, url
        assert "平利县" not in resp.content.decode()
    # Own province opens.
    assert c.get(reverse("web:region", args=["620000000000"])).status_code == 200


def test_unknown_region_is_404(login, users):
    c = login(users["root"])
    assert c.get(reverse("web:region", args=["999999999999"])).status_code == 404
    assert c.get(reverse("web:region", args=["abc"])).status_code == 404


def test_viewer_in_scope_without_right_gets_403(login, users, households):
    a1 = households["a1"]
    before = _snapshot(a1)
    c = login(users["city"])
    assert c.get(reverse("web:household_edit", args=[a1.pk])).status_code == 403
    resp = c.post(reverse("web:household_edit", args=[a1.pk]), {"address": "被改"})
    assert resp.status_code == 403
    assert "无权访问" in resp.content.decode()
    assert _snapshot(a1) == before


def test_cadre_sees_only_paired_households(login, users, households):
    c = login(users["cadre"])
    resp = c.get(reverse("web:households", args=["610926100000"]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "王一" in html and "王二" not in html and "李三" not in html
    assert c.get(reverse("web:household", args=[households["a1"].pk])).status_code == 200
    assert c.get(reverse("web:household", args=[households["a2"].pk])).status_code == 404
    # The overview counts only the cadre's households too.
    assert c.get(reverse("web:region", args=["610926100000"])).context["overview"]["households"] == 1
    # A cadre may not edit (no edit_registry), even their own household.
    assert c.get(reverse("web:household_edit", args=[households["a1"].pk])).status_code == 403


def test_views_do_not_query_models_directly():
    from pathlib import Path

    source = (Path(__file__).resolve().parent.parent / "views.py").read_text(encoding="utf-8")
    assert ".objects." not in source

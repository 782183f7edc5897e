"""Editing a household through the web form: errors in Chinese and nothing written, or a change
with its audit row."""

import pytest
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.registry.models import Household

pytestmark = pytest.mark.django_db


def _form(h, **changes):
    data = {"group_name": h.group_name, "address": h.address, "phone": h.phone, "bank_name": h.bank_name,
            "bank_account": h.bank_account}
    data.update(changes)
    return data


def test_invalid_phone_shows_chinese_error_and_writes_nothing(login, users, households):
    h = households["a1"]
    before = Household.objects.filter(pk=h.pk).values().get()
    events = AuditEvent.objects.count()
    c = login(users["clerk_a"])
    resp = c.post(reverse("web:household_edit", args=[h.pk]), _form(h, phone="12345", address="新住址"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "户联系电话“12345”无效" in html
    # The error sits with the phone field.
    assert resp.context["form"].errors["phone"]
    assert "新住址" in html  # the user's input is kept for correction
    assert Household.objects.filter(pk=h.pk).values().get() == before
    assert AuditEvent.objects.count() == events


def test_invalid_bank_account_error(login, users, households):
    h = households["a1"]
    c = login(users["clerk_a"])
    resp = c.post(reverse("web:household_edit", args=[h.pk]), _form(h, bank_account="12ab"))
    assert resp.status_code == 200
    assert "银行账号“12ab”无效" in resp.content.decode()
    h.refresh_from_db()
    assert h.bank_account == "6228480000000000123"


def test_valid_edit_changes_record_and_audits(login, users, households):
    h = households["a1"]
    events = AuditEvent.objects.count()
    c = login(users["clerk_a"])
    resp = c.post(reverse("web:household_edit", args=[h.pk]), _form(h, phone="13912345678", group_name="二组"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("web:household", args=[h.pk])
    h.refresh_from_db()
    assert h.phone == "13912345678" and h.group_name == "二组"
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "update" and event.object_id == str(h.pk) and event.actor_name == "clerk_a"
    assert event.before == {"phone": "13800138000", "group_name": ""}
    assert event.after == {"phone": "13912345678", "group_name": "二组"}
    assert event.ip == "127.0.0.1"
    assert "已保存修改" in c.get(resp["Location"]).content.decode()


def test_unchanged_form_writes_no_audit_row(login, users, households):
    h = households["a1"]
    events = AuditEvent.objects.count()
    resp = login(users["clerk_a"]).post(reverse("web:household_edit", args=[h.pk]), _form(h))
    assert resp.status_code == 302
    assert AuditEvent.objects.count() == events


def test_township_and_county_may_edit_in_scope(login, users, households):
    for persona in ["township_a", "county"]:
        h = households["a2"]
        resp = login(users[persona]).post(reverse("web:household_edit", args=[h.pk]), _form(h, address=persona))
        assert resp.status_code == 302
        h.refresh_from_db()
        assert h.address == persona


def test_edit_requires_csrf_token(users, households):
    from django.test import Client

    h = households["a1"]
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["clerk_a"])
    resp = c.post(reverse("web:household_edit", args=[h.pk]), _form(h, address="无令牌"))
    assert resp.status_code == 403
    assert "页面已过期" in resp.content.decode()
    h.refresh_from_db()
    assert h.address != "无令牌"

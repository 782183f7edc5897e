"""Personal fields (phone, ID number, bank account) are masked by role on every page."""

import pytest
from django.urls import reverse

from fupin.registry.services import household_update

pytestmark = pytest.mark.django_db

RAW_PHONE, MASKED_PHONE = "13800138000", "138****8000"
RAW_ACCOUNT, MASKED_ACCOUNT = "6228480000000000123", "***************0123"


def test_list_masks_phone_for_county_approver(login, users, households):
    html = login(users["county"]).get(reverse("web:households", args=["610926000000"])).content.decode()
    assert MASKED_PHONE in html and RAW_PHONE not in html


def test_list_shows_phone_to_auditor(login, users, households):
    html = login(users["auditor"]).get(reverse("web:households", args=["610926000000"])).content.decode()
    assert RAW_PHONE in html and MASKED_PHONE not in html


def test_detail_masked_for_city_viewer(login, users, households):
    h = households["b1"]
    html = login(users["city"]).get(reverse("web:household", args=[h.pk])).content.decode()
    assert MASKED_PHONE in html and RAW_PHONE not in html
    assert MASKED_ACCOUNT in html and RAW_ACCOUNT not in html
    for m in h.members.all():
        assert m.id_number not in html
        assert m.id_number[:6] + "********" + m.id_number[-4:] in html
    assert "已脱敏" in html


def test_detail_unmasked_for_clerk(login, users, households):
    h = households["a1"]
    html = login(users["clerk_a"]).get(reverse("web:household", args=[h.pk])).content.decode()
    assert RAW_PHONE in html and RAW_ACCOUNT in html
    for m in h.members.all():
        assert m.id_number in html


def test_audit_before_after_masked_for_sysadmin_not_for_auditor(login, users, households):
    household_update(actor=users["clerk_a"], household_id=households["a1"].pk, changes={"phone": "13912345678"})
    admin_html = login(users["admin"]).get(reverse("web:audit")).content.decode()
    assert "139****5678" in admin_html and "13912345678" not in admin_html and RAW_PHONE not in admin_html
    from django.test import Client

    auditor_html = login(users["auditor"], Client()).get(reverse("web:audit")).content.decode()
    assert "13912345678" in auditor_html and RAW_PHONE in auditor_html

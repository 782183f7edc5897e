"""A finding's inputs (e.g. a suspect's roster row) carry ID numbers: masked for roles that may not see them."""

import pytest

from fupin.ledger.services import item_create

pytestmark = pytest.mark.django_db


def test_inputs_masked_by_role(api, client, login, users, households):
    h = households["a1"]
    number = h.members.first().id_number
    item = item_create(actor=users["county"], source="crosscheck", household_id=h.pk, title="四有户：有车",
                       source_ref="crosscheck.suspect:999",
                       inputs={"roster_row": {"id_number": number, "data": {"号牌": "陕G1"}}})
    masked = number[:6] + "*" * 8 + number[-4:]
    full = api("county").get(f"/api/v1/ledger/items/{item.pk}").json()
    assert full["inputs"]["roster_row"]["id_number"] == number
    shown = api("city").get(f"/api/v1/ledger/items/{item.pk}").json()
    assert shown["inputs"]["roster_row"] == {"id_number": masked, "data": {"号牌": "陕G1"}}
    login(users["city"])
    page = client.get(f"/ledger/items/{item.pk}/").content.decode()
    assert masked in page and number not in page

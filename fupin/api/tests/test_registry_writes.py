from datetime import date

from fupin.api.tests.conftest import assert_error
from fupin.conftest import YEAR, make_id_number

NEW = {"household_no": "610926100001099", "village": "610926100001", "head_name": "赵六", "main_cause": "因病",
       "registered_year": 2014, "year": YEAR}


def test_create_household_and_member(api, households):
    client = api("clerk_a")
    response = client.post("/api/v1/households", NEW, format="json")
    assert response.status_code == 201, response.content
    hid = response.json()["id"]
    number = make_id_number(date(1975, 7, 1), 5, "M")
    response = client.post(f"/api/v1/households/{hid}/members",
                           {"name": "赵六", "id_number": number, "relation": "户主"}, format="json")
    assert response.status_code == 201 and response.json()["birth_date"] == "1975-07-01"
    history = client.get(f"/api/v1/households/{hid}/status-history").json()
    assert [e["to_status"] for e in history] == ["not_exited"] and history[0]["reason"] == "建档立卡"


def test_create_household_errors_are_per_field_and_write_nothing(api, households):
    client = api("clerk_a")
    error = assert_error(client.post("/api/v1/households", {**NEW, "main_cause": "没钱", "phone": "123"},
                                     format="json"), 400, "invalid")
    assert set(error["fields"]) >= {"main_cause", "phone"}
    assert_error(client.post("/api/v1/households", {**NEW, "year": "去年"}, format="json"), 400)
    assert_error(api("clerk_b").post("/api/v1/households", NEW, format="json"), 403)
    assert_error(api("city").post("/api/v1/households", NEW, format="json"), 403)
    assert api("county").get("/api/v1/households", {"q": NEW["household_no"]}).json()["count"] == 0


def test_member_id_contradiction_rejected(api, households):
    number = make_id_number(date(1990, 1, 1), 7, "F")
    error = assert_error(api("clerk_a").post(f"/api/v1/households/{households['a1'].pk}/members",
                                             {"name": "x", "id_number": number, "gender": "男", "relation": "之女"},
                                             format="json"), 400)
    assert "与证件号码不符" in error["fields"]["gender"][0]
    assert households["a1"].members.count() == 2


def test_yearly_data_read_and_write(api, households):
    a1 = households["a1"]
    client = api("clerk_a")
    response = client.put(f"/api/v1/households/{a1.pk}/years/{YEAR}",
                          {"wage_income": "8000", "transfer_income": "1000"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["per_capita_income"] == "4500.00"
    assert_error(client.put(f"/api/v1/households/{a1.pk}/years/{YEAR}", {"per_capita_income": "99999"},
                            format="json"), 400)
    years = client.get(f"/api/v1/households/{a1.pk}/years").json()
    assert [y["year"] for y in years] == [YEAR]
    member = a1.members.first()
    response = client.put(f"/api/v1/members/{member.pk}/years/{YEAR}", {"health": "健康"}, format="json")
    assert response.status_code == 200 and response.json()["health"] == "healthy"
    assert len(client.get(f"/api/v1/households/{a1.pk}/member-years").json()) == 2


def test_yearly_data_is_scoped(api, households):
    b1 = households["b1"]
    assert_error(api("township_a").get(f"/api/v1/households/{b1.pk}/years"), 404)
    assert_error(api("township_a").put(f"/api/v1/households/{b1.pk}/years/{YEAR}", {"wage_income": "1"},
                                       format="json"), 404)
    member = b1.members.first()
    assert_error(api("township_a").put(f"/api/v1/members/{member.pk}/years/{YEAR}", {"health": "健康"},
                                       format="json"), 404)
    assert_error(api("cadre").get(f"/api/v1/households/{households['a2'].pk}/years"), 404)
    assert api("cadre").get(f"/api/v1/households/{households['a1'].pk}/years").status_code == 200
    assert b1.years.get(year=YEAR).wage_income == 9000

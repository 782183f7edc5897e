from .conftest import assert_error


def test_township_cannot_read_or_patch_other_township(api, households):
    client = api("township_a")
    b1 = households["b1"]
    assert_error(client.get(f"/api/v1/households/{b1.pk}"), 404, "not_found")
    r = client.patch(f"/api/v1/households/{b1.pk}", {"phone": "13900000000", "address": "改"}, format="json")
    assert_error(r, 404, "not_found")
    b1.refresh_from_db()
    assert b1.phone == "13800138000" and b1.address == "610926101001 一组"
    # Listing does not show it either, and asking for its region is 404.
    numbers = [h["household_no"] for h in client.get("/api/v1/households").json()["results"]]
    assert numbers == ["610926100001001", "610926100002001"]
    assert_error(client.get("/api/v1/households", {"region": "610926101000"}), 404)


def test_region_outside_scope_is_404(api, households):
    error = assert_error(api("township_a").get("/api/v1/regions/610926101000"), 404, "not_found")
    assert error["message"] == "未找到该记录，或该记录不在您的管辖范围内"
    assert_error(api("township_a").get("/api/v1/regions/610926101000/children"), 404)
    assert_error(api("stranger").get("/api/v1/regions/610926000000"), 404)
    assert_error(api("stranger").get("/api/v1/regions/610926"), 404)  # short form, same answer


def test_unknown_and_malformed_region_codes(api, households):
    assert_error(api("county").get("/api/v1/regions/610926199000"), 404)
    assert "无效" in assert_error(api("county").get("/api/v1/regions/abc"), 404)["message"]


def test_county_sees_both_townships(api, households):
    r = api("county").get("/api/v1/regions/610926000000")
    assert r.status_code == 200
    data = r.json()
    assert data["region"]["name"] == "平利县" and data["region"]["parent_code"] == "610900000000"
    assert [(c["code"], c["households"], c["persons"]) for c in data["children"]] == [
        ("610926100000", 2, 4), ("610926101000", 1, 3)]
    assert data["overview"]["households"] == 3 and data["overview"]["persons"] == 7
    not_exited = next(s for s in data["overview"]["by_status"] if s["status"] == "not_exited")
    assert not_exited == {"status": "not_exited", "label": "未脱贫", "households": 3}
    # Above the county the breadcrumb may not be opened.
    assert [(b["name"], b["may_open"]) for b in data["breadcrumb"]] == [
        ("全国", False), ("陕西省", False), ("安康市", False), ("平利县", True)]
    assert len(api("county").get("/api/v1/households").json()["results"]) == 3


def test_region_short_code_and_children(api, households):
    r = api("county").get("/api/v1/regions/610926")
    assert r.status_code == 200 and r.json()["region"]["code"] == "610926000000"
    children = api("township_a").get("/api/v1/regions/610926100000/children").json()
    assert [(c["name"], c["households"]) for c in children] == [("龙头村", 1), ("三里垭村", 1)]


def test_cadre_sees_only_paired_households(api, households):
    client = api("cadre")
    listing = client.get("/api/v1/households").json()
    assert listing["count"] == 1
    assert [h["id"] for h in listing["results"]] == [households["a1"].pk]
    assert client.get(f"/api/v1/households/{households['a1'].pk}").status_code == 200
    assert_error(client.get(f"/api/v1/households/{households['a2'].pk}"), 404)
    # Region counts are limited the same way.
    assert client.get("/api/v1/regions/610926100000").json()["overview"]["households"] == 1


def test_cadre_cannot_patch_own_household(api, households):
    a1 = households["a1"]
    assert_error(api("cadre").patch(f"/api/v1/households/{a1.pk}", {"address": "x"}, format="json"), 403)
    a1.refresh_from_db()
    assert a1.address == "610926100001 一组"


def test_city_viewer_cannot_patch(api, households):
    a1 = households["a1"]
    r = api("city").patch(f"/api/v1/households/{a1.pk}", {"phone": "13900000000"}, format="json")
    assert assert_error(r, 403, "permission_denied")["message"] == "您的角色无权执行此操作"
    a1.refresh_from_db()
    assert a1.phone == "13800138000"
    assert api("city").get(f"/api/v1/households/{a1.pk}").status_code == 200


def test_household_filters(api, households):
    client = api("county")
    assert client.get("/api/v1/households", {"region": "610926101"}).json()["count"] == 1
    assert client.get("/api/v1/households", {"q": "王"}).json()["count"] == 2
    assert client.get("/api/v1/households", {"q": "610926101"}).json()["count"] == 1
    assert client.get("/api/v1/households", {"status": "exited"}).json()["count"] == 0
    assert client.get("/api/v1/households", {"status": "", "q": "", "region": ""}).json()["count"] == 3
    error = assert_error(client.get("/api/v1/households", {"status": "nonsense"}), 400, "invalid")
    assert "status" in error["fields"]


def test_pagination(api, households):
    client = api("county")
    first = client.get("/api/v1/households", {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    second = client.get("/api/v1/households", {"page_size": 2, "page": 2}).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert assert_error(client.get("/api/v1/households", {"page": 9}), 404)["message"] == "无效页面。"

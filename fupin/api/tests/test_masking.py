def _first(client, household_no):
    results = client.get("/api/v1/households").json()["results"]
    return next(h for h in results if h["household_no"] == household_no)


def test_list_masks_for_county_not_for_auditor(api, households):
    masked = _first(api("county"), "610926100001001")
    assert masked["phone"] == "138****8000"
    assert masked["bank_account"] == "***************0123"
    assert masked["village"]["name"] == "龙头村" and masked["member_count"] == 2
    assert masked["status_label"] == "未脱贫" and masked["main_cause_label"] == "因病"
    plain = _first(api("auditor"), "610926100001001")
    assert plain["phone"] == "13800138000" and plain["bank_account"] == "6228480000000000123"


def test_detail_unmasked_for_roles_with_view_personal(api, households):
    a1 = households["a1"]
    data = api("county").get(f"/api/v1/households/{a1.pk}").json()
    assert data["phone"] == "13800138000"
    assert data["can_edit"] is True
    assert data["helper"]["name"] == "cadre"
    members = data["members"]
    assert [m["relation_label"] for m in members] == ["户主", "之子"]
    assert len(members[0]["id_number"]) == 18 and "*" not in members[0]["id_number"]


def test_detail_masked_for_viewer_roles(api, households):
    a1 = households["a1"]
    data = api("city").get(f"/api/v1/households/{a1.pk}").json()
    assert data["phone"] == "138****8000"
    assert data["bank_account"].endswith("0123") and data["bank_account"].startswith("*")
    assert data["can_edit"] is False
    for member in data["members"]:
        assert member["id_number"][:6] == "610926" and "********" in member["id_number"]

from fupin.accounts.masking import mask_dict


def test_mask_dict_masks_nested_records(users):
    data = {"phone": "13800138000", "members": [{"id_number": "610926198001011234", "name": "王一",
                                                 "phone": "13912345678"}],
            "bank": {"bank_account": "6228480000000000123"}}
    masked = mask_dict(data, user=users["admin"], in_list=False)
    assert masked["phone"] == "138****8000"
    assert masked["members"][0]["id_number"] == "610926********1234"
    assert masked["members"][0]["phone"] == "139****5678" and masked["members"][0]["name"] == "王一"
    assert masked["bank"]["bank_account"].endswith("0123") and "6228" not in masked["bank"]["bank_account"]
    assert mask_dict(data, user=users["auditor"], in_list=True) == data

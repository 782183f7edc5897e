"""`fupin asset_report`: JSON and text, the policy row named, a bad region refused."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from fupin.assets.services import income_record

from .helpers import accepted_project, give, pv_asset

pytestmark = pytest.mark.django_db


def test_asset_report(users, households):
    asset = pv_asset(users, accepted_project(users))
    give(users, asset, households["a1"], "0.155")
    income_record(actor=users["county"], asset_id=asset.pk,
                  data={"year": 2020, "gross_income": "5999.99", "retained": "5070.00", "distributed": "929.99"})
    out = StringIO()
    call_command("asset_report", "--region", "610926", "--year", "2020", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["below_target"] == 1 and data["distributed"] == "929.99"
    assert data["assets"][0]["policy"]["key"] == "assets.target_income_rate"
    assert data["coverage"]["poor"] == 3 and data["coverage"]["covered"] == 1
    out = StringIO()
    call_command("asset_report", "--region", "610926100", "--year", "2020", stdout=out)
    assert "← 低于目标" in out.getvalue() and "龙头村（610926100001）贫困户 1，有收益 1，覆盖率 100.00%" in out.getvalue()
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("asset_report", "--region", "999999", "--year", "2020", "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is False

"""`fupin fund_alerts` and `fupin fund_report`: JSON documents, Chinese errors."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from .helpers import add_beneficiary, chain, pay

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_fund_alerts_and_report(users, households):
    c = chain(users)
    add_beneficiary(users, c["project"], households["a1"], standard="100.00")
    pay(users, c["project"], c["line"], amount="150.00", household=households["a1"])
    data = run("fund_alerts", "--region", "610926", "--on", "2020-12-01")
    assert data["ok"] and data["counts"]["above_standard"] == 1 and data["counts"]["slow_spending"] == 2
    assert {a["kind"] for a in data["alerts"]} == {"slow_spending", "above_standard"}
    report = run("fund_report", "--region", "610926", "--year", "2020")
    assert report["total"]["allocated"] == "600000.00" and report["total"]["paid"] == "150.00"
    assert report["by_kind"][0]["key"] == "central" and report["by_level"][0]["label"] == "全国"
    assert {r["code"] for r in report["children"]} == {"610926000000", "610926100000", "610926101000"}
    out = StringIO()
    call_command("fund_report", "--region", "610926", "--year", "2020", stdout=out)
    assert "拨付率" in out.getvalue()


def test_bad_region(db):
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("fund_alerts", "--region", "12", "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is False

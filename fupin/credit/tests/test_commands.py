"""`fupin credit_report` and `fupin credit_reminders`: JSON on stdout, Chinese failures."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from .helpers import borrow, rate

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_reminders_and_report_as_json(users, households):
    rate(users, households["a1"])
    loan = borrow(users, households["a1"], term_months=12)  # matures 2021-03-01
    data = run("credit_reminders", "--region", "610926", "--on", "2021-01-30")  # 30 days before
    assert data["ok"] and data["due_count"] == 1 and data["due"][0]["loan_id"] == loan.pk
    assert data["due"][0]["reminder_kind"] == "written" and data["due"][0]["next_reminder_on"] is None
    assert run("credit_reminders", "--region", "610926", "--on", "2021-01-31")["due_count"] == 0
    report = run("credit_report", "--region", "610926", "--on", "2021-06-10")
    assert report["totals"]["loans"] == 1 and report["overdue"][0]["state"] == "defaulted"
    assert report["overdue"][0]["overdue_days"] == 101
    assert {p["key"] for p in report["policy"]} >= {"credit.overdue_grace_days", "credit.default_after_days"}
    text = StringIO()
    call_command("credit_report", "--region", "610926", "--on", "2021-06-10", stdout=text)
    assert "扶贫小额信贷" in text.getvalue() and "违约" in text.getvalue()


def test_bad_input_fails_in_chinese(regions, capsys):
    with pytest.raises(SystemExit):
        call_command("credit_report", "--region", "999999", "--json")
    assert "不存在" in json.loads(capsys.readouterr().out)["error"]
    with pytest.raises(SystemExit):
        call_command("credit_reminders", "--region", "610926", "--on", "2021-13-01", "--json")
    assert "不是有效日期" in json.loads(capsys.readouterr().out)["error"]

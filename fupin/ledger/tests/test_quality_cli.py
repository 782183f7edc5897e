"""Quality finding → item (services), and the two commands with --json."""

import contextlib
import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from fupin.ledger import services
from fupin.ledger.models import LedgerItem

from .helpers import make_item, run_to

pytestmark = pytest.mark.django_db


def test_quality_finding_to_item(users, households):
    t, a2 = users["township_a"], households["a2"]
    item = services.item_from_quality_finding(actor=t, household_id=a2.pk, rule_code="R19", year=2020,
                                              deadline=date(2021, 1, 10))
    assert (item.source, item.source_ref, item.household_id, item.deadline) == (
        "quality", f"quality:R19:{a2.pk}:-:2020", a2.pk, date(2021, 1, 10))
    assert item.title.startswith("R19 ") and item.inputs["message"] == item.description
    with pytest.raises(ValidationError, match="尚未销号"):
        services.item_from_quality_finding(actor=t, household_id=a2.pk, rule_code="R19", year=2020)
    run_to(item, "closed", manager=t, rectifier=users["township_a"],
           verifier=users["county"], day=date(2020, 12, 15))
    again = services.item_from_quality_finding(actor=t, household_id=a2.pk, rule_code="R19", year=2020)
    assert again.pk != item.pk  # closed, finding still there: a new item
    a2.helper = users["cadre"]
    a2.save()
    with pytest.raises(ValidationError, match="已不存在"):
        services.item_from_quality_finding(actor=users["county"], household_id=a2.pk, rule_code="R19", year=2019)
    LedgerItem.objects.filter(pk=again.pk).update(state="closed")
    with pytest.raises(ValidationError, match="已不存在"):  # corrected: the finding is gone
        services.item_from_quality_finding(actor=t, household_id=a2.pk, rule_code="R19", year=2020)


def _json(*args):
    out = StringIO()
    with contextlib.suppress(SystemExit):
        call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_ledger_add_and_report_json(users, households):
    data = _json("ledger_add", "--user", "county", "--source", "inspection", "--region", "610926100",
                 "--title", "巡视反馈：帮扶台账不实", "--household-no", "610926100001001", "--deadline", "2020-12-10",
                 "--found-on", "2020-11-01", "--ref", "巡视〔2020〕1号-3")
    assert data["ok"] and data["item"]["region_code"] == "610926100001" and data["item"]["deadline"] == "2020-12-10"
    again = _json("ledger_add", "--user", "county", "--source", "inspection", "--region", "610926100",
                  "--title", "重复", "--ref", "巡视〔2020〕1号-3")
    assert again["ok"] is False and "已在问题台账中" in again["error"]
    bad = _json("ledger_add", "--user", "county", "--source", "audit", "--region", "610926100", "--title", "x",
                "--household-no", "610926101001001")
    assert bad["ok"] is False and "不存在" in bad["error"]
    denied = _json("ledger_add", "--user", "clerk_a", "--source", "audit", "--region", "610926100001", "--title", "x")
    assert denied["ok"] is False and "无权" in denied["error"]
    baddate = _json("ledger_add", "--user", "county", "--source", "audit", "--region", "610926", "--title", "x",
                    "--deadline", "2020-13-01")
    assert baddate["ok"] is False
    make_item(users["township_a"], region_code="610926100000", source="audit", deadline=date(2020, 12, 15))
    report = _json("ledger_report", "--region", "610926", "--on", "2020-12-15")
    assert report["ok"] and report["totals"]["total"] == 2 and report["totals"]["overdue"] == 1
    assert [r["title"] for r in report["overdue"]] == ["巡视反馈：帮扶台账不实"]
    assert report["overdue"][0]["overdue_days"] == 5 and "时限当天不算逾期" in report["rule"]
    assert {r["name"]: r["total"] for r in report["by_region"]} == {"城关镇": 2, "兴隆镇": 0}
    assert report["policy"][0]["key"] == "ledger.due_soon_days"
    assert _json("ledger_report", "--region", "610926", "--on", "2020-12-16")["totals"]["overdue"] == 2
    assert _json("ledger_report", "--region", "999")["ok"] is False
    text = StringIO()
    call_command("ledger_report", "--region", "610926", stdout=text)
    assert "逾期问题（1 个）" in text.getvalue() and "城关镇" in text.getvalue()

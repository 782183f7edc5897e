"""`fupin assess_exit`: the JSON document, the text table and the failures (Chinese, non-zero exit)."""

import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fupin.conftest import YEAR, make_household
from fupin.registry.models import HouseholdYear, Member


def run(*args) -> str:
    out = StringIO()
    call_command("assess_exit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def county(households):
    """a1, a2, b1 (income 3000: below the 2020 line), one that passes, one exited (not assessed)."""
    ready = make_household("610926100001201", "610926100001", head="周五", income=Decimal("5000"))
    make_household("610926100001202", "610926100001", head="吴六", income=Decimal("9000"), status="exited")
    return {**households, "ready": ready}


def test_json_report(county):
    data = json.loads(run("--region", "610926", "--year", str(YEAR), "--json"))
    assert set(data) == {"ok", "year", "region", "failed_only", "summary", "households", "policy"}
    assert data["ok"] is True and data["year"] == YEAR and data["failed_only"] is False
    assert data["region"] == {"code": "610926000000", "name": "平利县", "level": "county"}
    assert (data["summary"]["households"], data["summary"]["passed"], data["summary"]["failed"]) == (4, 1, 3)
    assert [r["code"] for r in data["summary"]["indicators"]] == [
        "income", "two_no_worries", "education", "medical", "housing", "water"]
    nos = [h["household_no"] for h in data["households"]]
    assert nos == ["610926100001001", "610926100001201", "610926100002001", "610926101001001"]
    ready = data["households"][1]
    assert ready["head_name"] == "周五" and ready["passed"] is True and ready["failed_labels"] == []
    assert set(ready["indicators"][0]) == {"code", "label", "passed", "values", "reason"}
    assert ready["indicators"][0]["values"]["per_capita_income"] == "5000.00"
    failing = data["households"][0]
    assert failing["failed_labels"] == ["收入稳定超过扶贫标准"]
    assert failing["indicators"][0]["reason"] == "年人均纯收入 3000.00 元，未超过扶贫标准 4000 元"
    assert {p["key"] for p in data["policy"]} == {"poverty_line", "exit.compulsory_school_age_from",
                                                  "exit.compulsory_school_age_to", "exit.unsafe_danger_grades"}
    assert data["policy"][0] == {"key": "poverty_line", "value": 4000, "region_code": "000000000000",
                                 "year_from": 2020, "source": "[v] 约4000元"}


def test_no_id_numbers_or_phones_in_the_output(county):
    text = run("--region", "610926", "--year", str(YEAR), "--json") + run("--region", "610926", "--year", str(YEAR))
    numbers = set(Member.objects.values_list("id_number", flat=True))
    assert numbers and not any(n in text for n in numbers)
    assert not re.search(r"\d{17}[\dX]", text) and "13800138000" not in text


def test_failed_only_keeps_the_summary_of_all(county):
    data = json.loads(run("--region", "610926100001", "--year", str(YEAR), "--json", "--failed-only"))
    assert data["failed_only"] is True
    assert [h["household_no"] for h in data["households"]] == ["610926100001001"]
    assert (data["summary"]["households"], data["summary"]["passed"]) == (2, 1)


def test_text_table(county):
    HouseholdYear.objects.filter(household=county["a1"], year=YEAR).update(danger_grade="D")
    text = run("--region", "610926100", "--year", str(YEAR))
    assert "城关镇（610926100000，乡镇）2020 年度贫困户退出评估" in text
    assert "评估 3 户：达到退出标准 1 户，未达到 2 户" in text
    assert "户编号  户主  收入  两不愁  义务教育  基本医疗  住房安全  饮水安全  结果" in text
    assert "610926100001001  王一  ✗  ✓  ✓  ✓  ✗  ✓  未达标" in text
    assert "610926100001201  周五  ✓  ✓  ✓  ✓  ✓  ✓  达标" in text
    assert "    ✗ 住房安全有保障：住房为D级危房，未搬迁" in text
    assert "poverty_line = 4000（区划 000000000000，2020 年起；[v] 约4000元）" in text
    HouseholdYear.objects.filter(household=county["a2"], year=YEAR).update(per_capita_income=Decimal("4000.01"))
    text = run("--region", "610926100002", "--year", str(YEAR), "--failed-only")
    assert "评估 1 户：达到退出标准 1 户，未达到 0 户" in text and "（没有未达标的户）" in text


def test_failures_are_chinese_with_a_non_zero_exit(county, capsys):
    with pytest.raises(CommandError, match="区划“620100000001”不存在") as exc:
        run("--region", "620100000001", "--year", str(YEAR))
    assert exc.value.returncode == 1
    with pytest.raises(CommandError, match="区划代码“abc”无效"):
        run("--region", "abc", "--year", str(YEAR))
    with pytest.raises(CommandError, match="年度 1999 无效"):
        run("--region", "610926", "--year", "1999")
    with pytest.raises(CommandError, match="缺少政策参数：poverty_line"):
        run("--region", "610926", "--year", "2005")
    with pytest.raises(SystemExit) as stop:
        call_command("assess_exit", "--region", "999999", "--year", str(YEAR), "--json", stdout=StringIO())
    assert stop.value.code == 1


def test_json_failure_document(county, capsys):
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("assess_exit", "--region", "999999", "--year", str(YEAR), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"ok": False, "error": "区划“999999000000”不存在"}


def test_an_empty_region_still_shows_its_standard(county):
    data = json.loads(run("--region", "620000", "--year", str(YEAR), "--json"))
    assert data["households"] == [] and data["summary"]["households"] == 0
    assert [(p["key"], p["region_code"]) for p in data["policy"]] == [
        ("poverty_line", "000000000000"), ("exit.compulsory_school_age_from", "000000000000"),
        ("exit.compulsory_school_age_to", "000000000000"), ("exit.unsafe_danger_grades", "000000000000")]
    assert "（没有需要评估的贫困户）" in run("--region", "620000", "--year", str(YEAR))


@pytest.mark.parametrize("args", [(), ("--failed-only",)])
def test_streamed_json_is_the_document_json_dumps_would_write(county, args):
    from django.core.serializers.json import DjangoJSONEncoder

    counts = {}
    for region in ("610926", "610926100002", "610926101", "620000"):  # 甘肃省: no household
        out = run("--region", region, "--year", str(YEAR), "--json", *args)
        assert out == json.dumps(json.loads(out), ensure_ascii=False, cls=DjangoJSONEncoder, indent=2) + "\n"
        counts[region] = len(json.loads(out)["households"])
    assert counts == {"610926": 3 if args else 4, "610926100002": 1, "610926101": 1, "620000": 0}


def test_a_year_without_a_standard_fails_in_chinese(county):
    with pytest.raises(CommandError, match="缺少政策参数：poverty_line"):
        run("--region", "610926", "--year", "2005")

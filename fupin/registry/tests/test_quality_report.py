"""The report of run_rules, its query count, and `fupin check_quality`."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.accounts.scope import in_code_range
from fupin.conftest import YEAR, make_household
from fupin.regions.codes import subtree_range
from fupin.registry.models import Household, MemberYear
from fupin.registry.quality import RULES, QualityReport, check_household, run_rules
from fupin.registry.quality.selectors import household_quality, quality_report

pytestmark = pytest.mark.django_db

TOWNSHIP_A = "610926100000"


def in_region(code):
    return Household.objects.filter(in_code_range("village_id", subtree_range(code)))


@pytest.fixture
def problems(users, households):
    """In 城关镇: a1 has a 14-year-old labourer (R06); a2 has no helper (R19) and a bad phone (R17)."""
    a1, a2 = households["a1"], households["a2"]
    MemberYear.objects.filter(member__household=a1, member__relation="son").update(labour_capacity="ordinary")
    Household.objects.filter(pk=a2.pk).update(phone="12345")
    return households


def test_report_counts_findings_and_explains_inputs(problems):
    report = run_rules(in_region(TOWNSHIP_A), year=YEAR, region_code=TOWNSHIP_A)
    assert isinstance(report, QualityReport)
    assert {code: n for code, n in report.counts.items() if n} == {"R06": 1, "R17": 1, "R19": 1}
    assert report.household_counts["R19"] == 1 and report.totals == {"findings": 3, "errors": 1, "warnings": 2,
                                                                       "households": 2}
    assert [g["household_no"] for g in report.by_household()] == ["610926100001001", "610926100002001"]
    data = report.as_dict()
    assert data["reference_date"] == "2020-12-31" and len(data["rules"]) == len(RULES)
    assert data["inputs"]["quality.labour_min_age"]["source"] and data["inputs"]["quality.labour_min_age"]["value"] == 16
    r06 = next(f for f in data["findings"] if f["code"] == "R06")
    assert r06["household_id"] == problems["a1"].pk and r06["member_id"] and r06["village_code"] == "610926100001"
    assert r06["values"] == {"birth_date": "2006-03-01", "labour_capacity": "ordinary"}
    assert r06["inputs"]["quality.labour_min_age"]["region_code"] == "000000000000"
    json.dumps(data, ensure_ascii=False)  # JSON-ready as it is


def test_rules_can_be_selected_and_unknown_ones_are_named(problems):
    report = run_rules(in_region(TOWNSHIP_A), year=YEAR, region_code=TOWNSHIP_A, rules=["r19", "R06"])
    assert [r.code for r in report.rules] == ["R06", "R19"] and len(report.findings) == 2
    from fupin.registry.quality import UnknownRule

    with pytest.raises(UnknownRule, match="R99"):
        run_rules(in_region(TOWNSHIP_A), year=YEAR, region_code=TOWNSHIP_A, rules=["R99"])


def test_query_count_does_not_grow_with_households(users, problems):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            report = run_rules(in_region(TOWNSHIP_A), year=YEAR, region_code=TOWNSHIP_A)
        return len(ctx.captured_queries), report

    few, small = count_queries()
    for i in range(15):
        h = make_household(f"61092610000120{i:02d}", "610926100001", head=f"钱{i}", members=3)
        MemberYear.objects.filter(member__household=h).update(labour_capacity="ordinary", education="preschool")
        h.members.filter(relation="son").update(gender="F")
    many, large = count_queries()
    assert len(large.findings) > len(small.findings) + 60
    # one for the policy thresholds, one per rule (R01 and R02 share theirs)
    assert few == many == len(RULES)


def test_run_rules_query_budget(users, problems, django_assert_max_num_queries):
    for i in range(10):
        make_household(f"61092610000230{i:02d}", "610926100002", head=f"孙{i}")
    with django_assert_max_num_queries(len(RULES)):
        run_rules(in_region(TOWNSHIP_A), year=YEAR, region_code=TOWNSHIP_A)
    with django_assert_max_num_queries(len(RULES)):
        check_household(problems["a1"], year=YEAR)


def test_a_cadre_is_checked_on_paired_households_only(users, problems):
    from fupin.regions.models import Region

    township = Region.objects.get(code=TOWNSHIP_A)
    report = quality_report(users["cadre"], township, year=YEAR)
    assert {f.household_id for f in report.findings} == {problems["a1"].pk}
    assert {f.household_id for f in quality_report(users["township_a"], township, year=YEAR).findings} == {
        problems["a1"].pk, problems["a2"].pk}


def test_household_quality_is_scoped(users, problems):
    from django.http import Http404

    report = household_quality(users["clerk_a"], problems["a1"].pk, year=YEAR)
    assert [f.code for f in report.findings] == ["R06"] and report.region_code == "610926100001"
    with pytest.raises(Http404):
        household_quality(users["clerk_b"], problems["a1"].pk, year=YEAR)


def test_thresholds_follow_the_region_of_the_run(users, problems):
    from fupin.policy.services import policy_set

    policy_set(actor=None, key="quality.labour_min_age", region_code=TOWNSHIP_A, year_from=2014, value=14)
    report = run_rules(in_region(TOWNSHIP_A), year=YEAR, region_code=TOWNSHIP_A, rules=["R06"])
    assert report.findings == [] and report.inputs["quality.labour_min_age"]["region_code"] == TOWNSHIP_A
    assert len(run_rules(in_region("610926000000"), year=YEAR, region_code="610926000000", rules=["R06"]).findings) == 1


# --- fupin check_quality -------------------------------------------------------------------

def run_command(*args) -> str:
    out = StringIO()
    call_command("check_quality", *args, stdout=out)
    return out.getvalue()


def test_command_json_report(problems):
    a1 = problems["a1"]
    head = a1.members.get(relation="head")
    other = problems["b1"].members.get(relation="head")
    other.id_number = head.id_number
    other.save()  # R01 across townships
    data = json.loads(run_command("--region", TOWNSHIP_A, "--year", str(YEAR), "--json"))
    assert data["ok"] is True and data["region"] == {"code": TOWNSHIP_A, "name": "城关镇", "level": "township"}
    counts = {r["code"]: r["count"] for r in data["rules"]}
    assert counts["R01"] == 1 and counts["R06"] == 1 and counts["R17"] == 1 and counts["R19"] == 1
    assert data["totals"]["findings"] == sum(counts.values())
    r01 = next(f for f in data["findings"] if f["code"] == "R01")
    assert r01["values"]["id_number"] == head.id_number[:6] + "********" + head.id_number[-4:]
    assert "区划 610926101001 的另一户" in r01["message"]
    text = json.dumps(data, ensure_ascii=False)
    assert head.id_number not in text and '"12345"' not in text and "“*****”（5 位）无效" in text


def test_command_text_and_rule_filter(problems):
    text = run_command("--region", "610926", "--year", str(YEAR), "--rule", "R06,R17")
    assert "城关镇" not in text.splitlines()[0] and "平利县（610926000000）2020 年度数据质量校验" in text
    assert "R06" in text and "R17" in text and "R19" not in text
    assert "户 610926100001001（王一，区划 610926100001）" in text and "未满 16 周岁" in text
    data = json.loads(run_command("--region", TOWNSHIP_A, "--year", str(YEAR), "--rule", "R19", "--json"))
    assert [r["code"] for r in data["rules"]] == ["R19"] and len(data["findings"]) == 1


def test_command_errors(problems, capsys):
    with pytest.raises(CommandError, match="R99"):
        run_command("--region", TOWNSHIP_A, "--year", str(YEAR), "--rule", "R99")
    with pytest.raises(CommandError, match="不存在"):
        run_command("--region", "650000000000", "--year", str(YEAR))
    with pytest.raises(SystemExit):
        run_command("--region", "abc", "--year", str(YEAR), "--json")
    with pytest.raises(CommandError, match="缺少政策参数"):
        run_command("--region", TOWNSHIP_A, "--year", "2010")


def test_left_members_and_other_years_are_ignored(problems):
    son = problems["a1"].members.get(relation="son")
    son.left_on, son.left_reason = date(2020, 5, 1), "married_out"
    son.save()
    assert run_rules(in_region(TOWNSHIP_A), year=YEAR, region_code=TOWNSHIP_A, rules=["R06"]).findings == []
    assert run_rules(in_region(TOWNSHIP_A), year=YEAR + 1, region_code=TOWNSHIP_A, rules=["R06"]).findings == []

"""Hand-computed assessments of 城关镇 and 兴隆镇 under the national township scheme (2020).

城关镇: reduction (30 − 10) ÷ 25 = 80 % → 20 × 0.8 = 16.00; income 3000 vs 2500 per person = +20 %
→ 10.00; 错退 2/100 = 2 % → 0.00 (floor 2 %), not vetoed (exactly 2 %); 漏评 1 % → 5.00; helpers
45/50 = 90 % → 5.00; visits 40/50 = 80 % → 5.00; funds 缺少数据 → 0; rectification 3/4 = 75 % →
3.75; 认可度 95/100 → 10.00. Total 54.75.
兴隆镇: no task → 缺少数据 0; income 3000 vs 2910 = +3.0928 % → 3.09; 错退 3 % → 0.00 and vetoed;
漏评 0 → 10; helpers 10; visits 10; funds 0; no issues found → full 10; 认可度 38/40 = 95 % → 10.
Total 53.09, vetoed → ranked after 城关镇.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.assessment.selectors import assess_regions
from fupin.regions.codes import Level
from fupin.regions.models import Region

from .conftest import COUNTY, facts, ledger_item, refreshed


def _by_code(doc):
    return {r["code"]: r for r in doc["results"]}


def _scores(result):
    return {i["code"]: i["score"] for i in result["indicators"]}


@pytest.mark.django_db
def test_townships_hand_computed(townships):
    doc = assess_regions(region_code=COUNTY, year=2020, level="township")
    cg, xl = _by_code(doc)["610926100000"], _by_code(doc)["610926101000"]
    assert _scores(cg) == {"poverty_reduction": "16.00", "income_growth": "10.00", "wrong_exit_rate": "0.00",
                           "missed_rate": "5.00", "helper_coverage": "5.00", "visit_rate": "5.00",
                           "disbursement_rate": "0.00", "rectification_rate": "3.75", "satisfaction": "10.00"}
    assert cg["total"] == "54.75" and cg["vetoed"] is False and cg["rank"] == 1
    red = next(i for i in cg["indicators"] if i["code"] == "poverty_reduction")
    assert (red["numerator"], red["denominator"], red["value_text"]) == ("20", "25", "80.00%")
    assert _scores(xl) == {"poverty_reduction": "0.00", "income_growth": "3.09", "wrong_exit_rate": "0.00",
                           "missed_rate": "10.00", "helper_coverage": "10.00", "visit_rate": "10.00",
                           "disbursement_rate": "0.00", "rectification_rate": "10.00", "satisfaction": "10.00"}
    assert xl["total"] == "53.09" and xl["vetoed"] is True and xl["rank"] == 2
    assert xl["veto_reasons"] == ["错退率超过 2%"]
    assert [r["code"] for r in doc["results"]] == ["610926100000", "610926101000"]


@pytest.mark.django_db
def test_missing_data_is_named_and_scores_zero(townships):
    xl = _by_code(assess_regions(region_code=COUNTY, year=2020, level="township"))["610926101000"]
    red = next(i for i in xl["indicators"] if i["code"] == "poverty_reduction")
    assert red["missing"] is True and red["value_text"] == "缺少数据" and red["score"] == "0.00"
    assert "未导入 2020 年减贫任务" in red["note"]
    funds = next(i for i in xl["indicators"] if i["code"] == "disbursement_rate")
    assert funds["value_text"] == "缺少数据" and "没有项目资金安排" in funds["note"]
    rect = next(i for i in xl["indicators"] if i["code"] == "rectification_rate")
    assert rect["missing"] is True and rect["score"] == "10.00" and "满分" in rect["note"]


@pytest.mark.django_db
def test_no_stats_refresh_is_missing_not_zero_guess(households):
    doc = assess_regions(region_code=COUNTY, year=2020, level="township")
    cg = _by_code(doc)["610926100000"]
    cov = next(i for i in cg["indicators"] if i["code"] == "helper_coverage")
    assert cov["missing"] and "统计数据尚未生成" in cov["note"]
    # no samples: vetoes cannot be decided, they are not triggered
    assert not cg["vetoed"] and all("缺少数据" in v["note"] for v in cg["vetoes"] if v["metric"] != "serious_ledger_overdue")


@pytest.mark.django_db
@pytest.mark.parametrize("flagged, vetoed", [(200, False), (201, True)])
def test_veto_boundary(households, flagged, vetoed):
    from .conftest import samples

    samples("610926100001", "exited_check", 10000, flagged)  # 2.00 % and 2.01 %
    cg = _by_code(assess_regions(region_code=COUNTY, year=2020, level="township"))["610926100000"]
    assert cg["vetoed"] is vetoed
    assert next(v for v in cg["vetoes"] if v["metric"] == "wrong_exit_rate")["triggered"] is vetoed


@pytest.mark.django_db
def test_satisfaction_veto_boundary(households):
    from .conftest import samples

    samples("610926100001", "satisfaction", 100, 10)  # 90 % exactly: not below 90 %
    samples("610926101001", "satisfaction", 1000, 101)  # 89.9 %: vetoed
    doc = _by_code(assess_regions(region_code=COUNTY, year=2020, level="township"))
    assert doc["610926100000"]["vetoed"] is False
    assert doc["610926101000"]["veto_reasons"] == ["群众认可度低于 90%"]


@pytest.mark.django_db
def test_overdue_audit_finding_vetoes(townships):
    ledger_item("610926100001", source="audit", deadline=date(2020, 6, 30))            # overdue at year end
    ledger_item("610926101001", source="other", deadline=date(2020, 6, 30))            # not a serious source
    ledger_item("610926101001", source="inspection", deadline=date(2020, 12, 31))      # deadline day: not overdue
    doc = _by_code(assess_regions(region_code=COUNTY, year=2020, level="township"))
    assert doc["610926100000"]["veto_reasons"] == ["巡视督查、审计发现问题逾期未整改"]
    assert doc["610926101000"]["veto_reasons"] == ["错退率超过 2%"]
    assert (doc["610926100000"]["rank"], doc["610926101000"]["rank"]) == (1, 2)  # both vetoed: by total


@pytest.fixture
def counties(regions):
    Region.objects.bulk_create([Region(code="610902000000", name="汉滨区", level=Level.COUNTY, parent_id="610900000000"),
                                Region(code="610921000000", name="汉阴县", level=Level.COUNTY, parent_id="610900000000")])
    refreshed()
    facts("610926000000", 2020, "county", households=10, helped_households=10)
    facts("610902000000", 2020, "county", households=20, helped_households=20)
    facts("610921000000", 2020, "county", households=10, helped_households=9)


@pytest.mark.django_db
def test_county_ranking_ties_share_a_rank(counties):
    doc = assess_regions(region_code="610900000000", year=2020, level="county")
    # each: rectification (nothing found) 10 + helpers 10 / 10 / 5 (90 % → half); the rest 缺少数据
    ranks = [(r["code"], r["total"], r["rank"]) for r in doc["results"]]
    assert ranks == [("610902000000", "20.00", 1), ("610926000000", "20.00", 1), ("610921000000", "15.00", 3)]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_regions(counties):
    with CaptureQueriesContext(connection) as one:
        assess_regions(region_code="610926000000", year=2020, level="county")
    with CaptureQueriesContext(connection) as three:
        assess_regions(region_code="610900000000", year=2020, level="county")
    assert len(three) == len(one) <= 15

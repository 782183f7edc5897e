"""County exit (贫困县摘帽): every rate at its boundary, the comprehensive incidence, where the rural
population comes from, missing samples, provincial override, wrong level."""

import pytest

from fupin.exits.models import SampleKind
from fupin.exits.region import EvaluationError, Status, evaluate
from fupin.policy.services import policy_set
from fupin.regions.models import Region

from . import region_fixtures
from .region_fixtures import (
    COUNTY,
    EAST_COUNTY,
    EAST_VILLAGE,
    WEST_VILLAGE,
    WEST_VILLAGE_2,
    WEST_VILLAGE_B,
    YEAR,
    county_samples,
    poor_persons,
    population,
    samples,
)

pytestmark = pytest.mark.django_db

east_regions = region_fixtures.east_regions


def county_result(code: str = COUNTY):
    [result] = evaluate(Region.objects.get(code=code), level="county", year=YEAR).results
    return result


def statuses(result) -> dict:
    return {c.code: c.status for c in result.criteria}


def test_a_county_meeting_every_condition(regions):
    poor_persons(WEST_VILLAGE, 10)
    population(COUNTY, 1000)  # 1 %
    county_samples(wrong=1, missed=1, unhappy=5)
    result = county_result()
    assert statuses(result) == dict.fromkeys(
        ["incidence", "comprehensive_incidence", "wrong_exit_rate", "missed_rate", "satisfaction"], Status.PASS)
    assert result.passed
    # 综合贫困发生率 = (10 poor + 1 漏评 + 1 错退) / 1000
    c = result.criterion("comprehensive_incidence")
    assert (c.actual.numerator, c.actual.denominator) == (12, 1000)
    assert result.criterion("satisfaction").reason == "群众认可度 95.00% ≥ 90.00%，达标"
    assert [p["key"] for p in result.policies] == ["region_exit.max_incidence", "county_exit.max_wrong_exit_rate",
                                                   "county_exit.max_missed_rate", "county_exit.min_satisfaction"]


@pytest.mark.parametrize(("wrong", "expected"), [(2, Status.FAIL), (1, Status.PASS)])
def test_wrong_exit_rate_is_strictly_below_two_percent(regions, wrong, expected):
    population(COUNTY, 1000)
    county_samples(wrong=wrong)
    c = county_result().criterion("wrong_exit_rate")
    assert c.status == expected
    assert (c.actual.numerator, c.actual.denominator) == (wrong, 100)
    assert c.policy["key"] == "county_exit.max_wrong_exit_rate" and c.threshold_display == "2.00%"


@pytest.mark.parametrize(("missed", "expected"), [(2, Status.FAIL), (1, Status.PASS)])
def test_missed_rate_is_strictly_below_two_percent(regions, missed, expected):
    population(COUNTY, 1000)
    county_samples(missed=missed)
    assert county_result().criterion("missed_rate").status == expected


@pytest.mark.parametrize(("unhappy", "persons", "expected"), [(10, 100, Status.PASS), (101, 1000, Status.FAIL)])
def test_satisfaction_of_exactly_ninety_percent_passes(regions, unhappy, persons, expected):
    population(COUNTY, 100000)
    county_samples(unhappy=unhappy, persons=persons)
    c = county_result().criterion("satisfaction")
    assert c.status == expected
    assert (c.actual.numerator, c.actual.denominator) == (persons - unhappy, persons)


def test_rates_count_persons_not_households(regions):
    population(COUNTY, 1000)
    samples(SampleKind.EXITED_CHECK, persons=100, flagged=4, size=4)  # 25 households, one flagged of 4 persons
    c = county_result().criterion("wrong_exit_rate")
    assert (c.actual.numerator, c.actual.denominator) == (4, 100) and c.status == Status.FAIL
    evidence = {e.code: e.value for e in county_result().evidence}
    assert evidence["exited_check.households"] == 25 and evidence["exited_check.flagged_households"] == 1
    assert evidence["exited_check.flagged_persons"] == 4


def test_comprehensive_incidence_at_the_western_boundary(regions):
    # 27 poor + 2 漏评 + 1 错退 = 30 of 1000 = exactly 3 %: the plain incidence passes, the comprehensive fails.
    poor_persons(WEST_VILLAGE, 27)
    population(COUNTY, 1000)
    samples(SampleKind.EXITED_CHECK, persons=100, flagged=1)
    samples(SampleKind.NON_REGISTERED_CHECK, persons=1000, flagged=2)
    samples(SampleKind.SATISFACTION, persons=100, flagged=0)
    result = county_result()
    assert result.criterion("incidence").status == Status.PASS
    c = result.criterion("comprehensive_incidence")
    assert c.status == Status.FAIL and c.reason == "综合贫困发生率 3.00% 不低于 3.00%，未达标"
    assert not result.passed


def test_eastern_county_exactly_two_percent_fails_until_the_province_overrides(east_regions):
    poor_persons(EAST_VILLAGE, 20)
    population(EAST_COUNTY, 1000)
    county_samples(village=EAST_VILLAGE)
    assert county_result(EAST_COUNTY).criterion("incidence").status == Status.FAIL
    policy_set(actor=None, key="region_exit.max_incidence", region_code="320000000000", year_from=2016, value=0.025,
               source="江苏省（测试）")
    policy_set(actor=None, key="county_exit.min_satisfaction", region_code="320000000000", year_from=2016,
               value=1.0, source="江苏省（测试）")
    result = county_result(EAST_COUNTY)
    assert result.criterion("incidence").status == Status.PASS
    assert result.criterion("satisfaction").status == Status.PASS  # nobody unhappy: 100 % ≥ 100 %
    county_samples(village=EAST_VILLAGE, unhappy=1, persons=1)
    assert county_result(EAST_COUNTY).criterion("satisfaction").status == Status.FAIL


def test_population_is_the_county_row_or_the_sum_of_all_its_villages(regions):
    poor_persons(WEST_VILLAGE, 2)
    population(WEST_VILLAGE, 100)
    population(WEST_VILLAGE_2, 200)
    county_samples()
    partial = county_result()
    c = partial.criterion("incidence")
    assert c.status == Status.MISSING
    assert "3 个村中有 1 个村未导入" in c.reason and WEST_VILLAGE_B in c.reason
    population(WEST_VILLAGE_B, 300)
    summed = county_result()
    assert summed.criterion("incidence").actual.denominator == 600
    assert next(e for e in summed.evidence if e.code == "rural_population").source == "按 3 个村的乡村人口汇总（未导入县级数据）"
    population(COUNTY, 5000)
    own = county_result()
    assert own.criterion("incidence").actual.denominator == 5000
    assert next(e for e in own.evidence if e.code == "rural_population").source.startswith("县级乡村人口：来源 test.csv，导入于 ")


def test_missing_samples_are_missing_data(regions):
    population(COUNTY, 1000)
    samples(SampleKind.SATISFACTION, persons=10, flagged=0)
    result = county_result()
    assert statuses(result) == {"incidence": Status.PASS, "comprehensive_incidence": Status.MISSING,
                                "wrong_exit_rate": Status.MISSING, "missed_rate": Status.MISSING,
                                "satisfaction": Status.PASS}
    assert result.criterion("wrong_exit_rate").reason == "缺少数据：未导入 2020 年脱贫人口抽查样本"
    assert "未导入 2020 年非建档立卡人口抽查样本" in result.criterion("comprehensive_incidence").reason
    assert result.status == Status.MISSING


def test_samples_of_another_year_or_county_do_not_count(east_regions):
    population(COUNTY, 1000)
    county_samples(wrong=50, village=EAST_VILLAGE)
    samples(SampleKind.EXITED_CHECK, persons=10, flagged=10, year=2019)
    assert county_result().criterion("wrong_exit_rate").status == Status.MISSING


def test_county_level_under_a_province_and_wrong_levels(regions):
    province = Region.objects.get(code="610000000000")
    evaluation = evaluate(province, level="county", year=YEAR)
    assert [r.code for r in evaluation.results] == [COUNTY]
    with pytest.raises(EvaluationError, match="乡镇级区划，不能做贫困县摘帽评估"):
        evaluate(Region.objects.get(code="610926100000"), level="county", year=YEAR)
    with pytest.raises(EvaluationError, match="评估级别“town”无效"):
        evaluate(province, level="town", year=YEAR)

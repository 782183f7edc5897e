"""Village exit (贫困村出列): incidence boundaries (strictly below), western provinces, provincial
overrides, infrastructure criteria from the policy table, missing data, counting of poor persons."""

import pytest

from fupin.exits.region import Status, evaluate
from fupin.policy.services import policy_set
from fupin.regions.models import Region

from . import region_fixtures
from .region_fixtures import (
    EAST_VILLAGE,
    WEST_VILLAGE,
    WEST_VILLAGE_2,
    WEST_VILLAGE_B,
    YEAR,
    indicators,
    member_left,
    poor_persons,
    population,
)

pytestmark = pytest.mark.django_db

east_regions = region_fixtures.east_regions


def village_result(code: str, year: int = YEAR):
    region = Region.objects.get(code=code)
    [result] = evaluate(region, level="village", year=year).results
    return result


def incidence_of(code: str):
    return village_result(code).criterion("incidence")


def test_exactly_two_percent_fails_in_an_eastern_province(east_regions):
    poor_persons(EAST_VILLAGE, 2)
    population(EAST_VILLAGE, 100)
    indicators(EAST_VILLAGE)
    c = incidence_of(EAST_VILLAGE)
    assert c.status == Status.FAIL
    assert (c.actual.numerator, c.actual.denominator) == (2, 100)
    assert c.actual.percent == "2.00%" and c.threshold_display == "2.00%"
    assert c.reason == "贫困发生率 2.00% 不低于 2.00%，未达标"
    assert c.policy == {"key": "region_exit.max_incidence", "value": 0.02, "region_code": "000000000000",
                        "year_from": 2016, "source": "[v] 贫困发生率低于2%（西部地区低于3%）"}
    assert not village_result(EAST_VILLAGE).passed


def test_just_under_two_percent_passes(east_regions):
    poor_persons(EAST_VILLAGE, 2)
    population(EAST_VILLAGE, 101)  # 1.98 %
    indicators(EAST_VILLAGE)
    result = village_result(EAST_VILLAGE)
    assert result.criterion("incidence").status == Status.PASS
    assert result.criterion("incidence").reason == "贫困发生率 1.98% < 2.00%，达标"
    assert result.passed and result.status == Status.PASS


def test_exactly_three_percent_fails_in_a_western_province(regions):
    poor_persons(WEST_VILLAGE, 3)
    population(WEST_VILLAGE, 100)
    indicators(WEST_VILLAGE)
    c = incidence_of(WEST_VILLAGE)
    assert c.status == Status.FAIL and c.threshold_display == "3.00%"
    assert c.policy["region_code"] == "610000000000" and c.policy["value"] == 0.03


def test_two_and_a_half_percent_passes_in_the_west_and_fails_in_the_east(east_regions):
    for village in (WEST_VILLAGE, EAST_VILLAGE):
        poor_persons(village, 5)
        population(village, 200)
        indicators(village)
    assert incidence_of(WEST_VILLAGE).status == Status.PASS
    assert incidence_of(EAST_VILLAGE).status == Status.FAIL


def test_a_provincial_override_changes_the_outcome(east_regions):
    for village in (WEST_VILLAGE, EAST_VILLAGE):
        poor_persons(village, 5)
        population(village, 200)
        indicators(village)
    # 江苏 allows 3 % from 2019: its 2.5 % village now exits; 陕西 tightens to 2 %: its village does not.
    policy_set(actor=None, key="region_exit.max_incidence", region_code="320000000000", year_from=2019, value=0.03,
               source="江苏省文件（测试）")
    policy_set(actor=None, key="region_exit.max_incidence", region_code="610000000000", year_from=2020, value=0.02,
               source="陕西省文件（测试）")
    east_c, west_c = incidence_of(EAST_VILLAGE), incidence_of(WEST_VILLAGE)
    assert east_c.status == Status.PASS
    assert east_c.policy == {"key": "region_exit.max_incidence", "value": 0.03, "region_code": "320000000000",
                             "year_from": 2019, "source": "江苏省文件（测试）"}
    assert west_c.status == Status.FAIL and west_c.policy["year_from"] == 2020
    # The older western row still applies to 2019.
    poor_persons(WEST_VILLAGE, 5, year=2019)
    population(WEST_VILLAGE, 200, year=2019)
    assert village_result(WEST_VILLAGE, 2019).criterion("incidence").status == Status.PASS


def test_a_provincial_override_of_the_village_criteria(regions):
    poor_persons(WEST_VILLAGE, 1)
    population(WEST_VILLAGE, 1000)
    indicators(WEST_VILLAGE, bus_service=False, primary_schools=0)
    assert village_result(WEST_VILLAGE).passed  # the national criteria ask neither
    policy_set(actor=None, key="village_exit.criteria", region_code="610000000000", year_from=2018, value=[
        {"field": "bus_service", "op": "eq", "value": True, "label": "通客运班车"},
        {"field": "primary_schools", "op": "gte", "value": 1, "label": "有村小学"},
        {"field": "collective_income_10k", "op": "gte", "value": 5, "label": "集体经济收入不少于5万元"},
    ], source="陕西省贫困村退出标准（测试）")
    result = village_result(WEST_VILLAGE)
    assert [c.code for c in result.criteria] == ["incidence", "indicator.bus_service", "indicator.primary_schools",
                                                 "indicator.collective_income_10k"]
    assert [c.status for c in result.criteria] == [Status.PASS, Status.FAIL, Status.FAIL, Status.PASS]
    bus = result.criterion("indicator.bus_service")
    assert bus.reason == "通客运班车 否 ≠ 是，未达标"
    assert bus.policy["region_code"] == "610000000000"
    assert bus.policy["value"] == {"field": "bus_service", "op": "eq", "value": True, "label": "通客运班车"}
    assert result.criterion("indicator.primary_schools").reason == "村小学（个数） 0 低于 1，未达标"


def test_each_national_indicator_criterion_can_fail(regions):
    poor_persons(WEST_VILLAGE, 1)
    population(WEST_VILLAGE, 1000)
    indicators(WEST_VILLAGE, hardened_road=False, doctors=0, unsafe_water_households=2, collective_income_10k="0")
    result = village_result(WEST_VILLAGE)
    failed = {c.code for c in result.failed}
    assert failed == {"indicator.hardened_road", "indicator.doctors", "indicator.unsafe_water_households",
                      "indicator.collective_income_10k"}
    assert result.criterion("indicator.collective_income_10k").reason == "村级集体经济收入（万元） 0 不高于 0，未达标"
    assert result.status == Status.FAIL


def test_missing_population_and_indicators_are_missing_data_never_guessed(regions):
    poor_persons(WEST_VILLAGE, 2)
    result = village_result(WEST_VILLAGE)
    assert result.status == Status.MISSING and not result.passed
    assert {c.status for c in result.criteria} == {Status.MISSING}
    assert result.criterion("incidence").reason == "缺少数据：未导入该村 2020 年乡村人口"
    assert result.criterion("indicator.power_grid").reason == "缺少数据：未导入该村 2020 年村级指标"
    assert result.criterion("incidence").actual is None


def test_one_empty_indicator_is_missing_data_with_the_field_named(regions):
    population(WEST_VILLAGE, 1000)
    indicators(WEST_VILLAGE, doctors=None)
    result = village_result(WEST_VILLAGE)
    doctors = result.criterion("indicator.doctors")
    assert doctors.status == Status.MISSING
    assert doctors.reason == "缺少数据：村级指标“执业（助理）医师（人）”为空"
    assert [c.code for c in result.failed] == ["indicator.doctors"]
    assert result.status == Status.MISSING


def test_a_malformed_policy_item_fails_with_the_reason(regions):
    population(WEST_VILLAGE, 1000)
    indicators(WEST_VILLAGE)
    policy_set(actor=None, key="village_exit.criteria", region_code="610000000000", year_from=2018, value=[
        {"field": "no_such_field", "op": "eq", "value": 1, "label": "不存在"},
        {"field": "clinics", "op": "about", "value": 1, "label": "卫生室"},
        {"field": "power_grid", "op": "gt", "value": True, "label": "动力电"},
    ], source="测试")
    result = village_result(WEST_VILLAGE)
    assert [c.status for c in result.criteria[1:]] == [Status.FAIL] * 3
    assert "没有字段“no_such_field”" in result.criteria[1].reason
    assert "比较方式“about”无效" in result.criteria[2].reason
    assert "只能用 eq" in result.criteria[3].reason


def test_poor_persons_are_members_present_in_poor_households_at_year_end(regions):
    population(WEST_VILLAGE, 1000)
    indicators(WEST_VILLAGE)
    poor_persons(WEST_VILLAGE, 4)  # counted
    poor_persons(WEST_VILLAGE, 3, status="returned")  # 返贫: counted
    poor_persons(WEST_VILLAGE, 5, status="exited")  # not counted
    poor_persons(WEST_VILLAGE, 2, status="monitored")  # 监测户 (exited): not counted
    [left] = poor_persons(WEST_VILLAGE, 2)
    member_left(left)  # one of the two left before the year's end
    poor_persons(WEST_VILLAGE, 4, year=2019)  # poor in 2019, no data for 2020: not counted
    poor_persons(WEST_VILLAGE_2, 3)  # another village
    result = village_result(WEST_VILLAGE)
    evidence = {e.code: e.value for e in result.evidence}
    assert evidence["poor_persons"] == 4 + 3 + 1
    assert evidence["poor_households"] == 3
    assert evidence["rural_population"] == 1000
    assert (result.criterion("incidence").actual.numerator, result.criterion("incidence").actual.denominator) == (8, 1000)


def test_evidence_table_lists_every_input_and_the_policy_rows(regions):
    population(WEST_VILLAGE, 1000)
    indicators(WEST_VILLAGE, poor_village=True)
    result = village_result(WEST_VILLAGE)
    labels = [e.label for e in result.evidence]
    assert labels[:3] == ["贫困人口（人）", "贫困户（户）", "乡村人口（人）"]
    for label in ("是否贫困村", "到乡镇通沥青（水泥）路", "通客运班车", "通动力电", "卫生室个数", "执业（助理）医师（人）",
                  "村小学（个数）", "文化（图书）室个数", "村级集体经济收入（万元）", "未实现饮水安全户数", "危房户数"):
        assert label in labels
    population_row = next(e for e in result.evidence if e.code == "rural_population")
    assert population_row.source.startswith("来源 test.csv，导入于 ")
    assert [p["key"] for p in result.policies] == ["region_exit.max_incidence", "village_exit.criteria"]
    assert result.tags == ["贫困村"]
    data = result.as_dict()
    assert data["criteria"][0]["actual"] == {"numerator": 0, "denominator": 1000, "value": "0.00000000",
                                             "percent": "0.00%"}


def test_a_township_evaluates_each_village_in_a_fixed_number_of_queries(regions, django_assert_num_queries):
    for village in (WEST_VILLAGE, WEST_VILLAGE_2):
        poor_persons(village, 2)
        population(village, 100)
        indicators(village)
    township = Region.objects.get(code="610926100000")
    with django_assert_num_queries(5):  # villages, policy rows, poor persons, population, indicators
        evaluation = evaluate(township, level="village", year=YEAR)
    assert [r.code for r in evaluation.results] == [WEST_VILLAGE, WEST_VILLAGE_2]
    county = Region.objects.get(code="610926000000")
    with django_assert_num_queries(5):
        evaluation = evaluate(county, level="village", year=YEAR)
    assert [r.code for r in evaluation.results] == [WEST_VILLAGE, WEST_VILLAGE_2, WEST_VILLAGE_B]
    assert evaluation.summary == {"total": 3, "passed": 2, "failed": 0, "missing": 1}

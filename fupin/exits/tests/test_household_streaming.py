"""The set-based, streaming household exit assessment: the database's pass/fail per indicator on
every edge (and the explanation agreeing with it), policy groups, summary and pages from SQL, and
a query count that does not grow with the number of households."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.conftest import YEAR, make_household
from fupin.exits.household import (
    CODES,
    assess_household,
    assess_households,
    iter_assessments,
    policy_rows,
    region_assessment,
    summarize,
    summarize_region,
)
from fupin.exits.household_sql import policy_groups
from fupin.policy.selectors import PolicyMissing
from fupin.policy.services import policy_set
from fupin.registry.choices import HouseholdStatus

from .assessment_cases import PROVINCE, build_cases, member

ALL = HouseholdStatus.values


@pytest.fixture
def cases(regions):
    return build_cases()


def test_every_edge_fails_exactly_the_expected_indicators(cases):
    found = list(iter_assessments(year=YEAR, region_code=PROVINCE, statuses=ALL, chunk_size=7))
    assert [a.household_no for a in found] == sorted(cases)  # village, then household number
    for a in found:
        assert {code for code, ok in a.results.items() if not ok} == cases[a.household_no], a.household_no
        assert a.passed is not cases[a.household_no]
        # The explanation (built in Python from the same rows) agrees with the database's marks.
        assert {i.code: i.passed for i in a.indicators} == a.results, a.household_no
        assert a.failed_labels() == [i.label for i in a.failed()]


def test_single_household_agrees_with_the_region_stream(cases):
    for a in iter_assessments(year=YEAR, region_code=PROVINCE, statuses=ALL):
        one = assess_household(household_id=a.household_id, year=YEAR)
        assert one.as_dict() == a.as_dict(), a.household_no


def test_policy_groups_most_specific_first_and_the_rows_each_household_used(cases):
    groups = policy_groups(year=YEAR, region_code=PROVINCE)
    assert [g.region_code for g in groups] == [PROVINCE, "610926100000", "610926101000"]
    lines = {a.household_no: (a.indicator("income").values["poverty_line"],
                              a.indicator("income").values["poverty_line_region"],
                              a.indicator("education").values["age_to"],
                              a.indicator("housing").values["unsafe_danger_grades"])
             for a in iter_assessments(year=YEAR, region_code=PROVINCE, statuses=ALL)}
    assert lines["610926100001001"] == (4500, PROVINCE, 15, ["D"])
    assert lines["610926100002007"] == (4500, PROVINCE, 15, ["D"])
    assert lines["610926101001005"] == (4800, "610926101000", 16, ["C", "D"])
    # A region inside an overriding one starts from that region's standard.
    assert [g.region_code for g in policy_groups(year=YEAR, region_code="610926101000")] == ["610926101000"]
    assert [g.region_code for g in policy_groups(year=YEAR, region_code="610926100001")] == ["610926100000"]


def test_summary_and_policy_rows_from_sql_equal_those_of_the_list(cases):
    listed = assess_households(year=YEAR, region_code=PROVINCE, statuses=ALL)
    region = region_assessment(year=YEAR, region_code=PROVINCE, statuses=ALL)
    assert region.summary() == summarize(listed) == summarize_region(year=YEAR, region_code=PROVINCE, statuses=ALL)
    assert region.summary()["households"] == len(cases)
    assert region.summary()["failed"] == sum(1 for fails in cases.values() if fails)
    assert region.policy_rows() == policy_rows(listed, year=YEAR, region_code=PROVINCE)
    assert {(r["key"], r["region_code"]) for r in region.policy_rows()} >= {
        ("poverty_line", PROVINCE), ("poverty_line", "610926101000"),
        ("exit.unsafe_danger_grades", "610926100000"), ("exit.compulsory_school_age_to", "610926101000")}


def test_pages_and_the_failed_filter_read_only_their_rows(cases):
    region = region_assessment(year=YEAR, region_code=PROVINCE, statuses=ALL)
    everyone = [a.household_no for a in region]
    failing = [no for no in everyone if cases[no]]
    assert len(region) == len(everyone) and len(region.failed()) == len(failing)
    assert [a.household_no for a in region[3:8]] == everyone[3:8]
    assert [a.household_no for a in region.failed()[2:5]] == failing[2:5]
    assert region.failed()[0].household_no == failing[0]
    assert [a.household_no for a in iter_assessments(year=YEAR, region_code=PROVINCE, statuses=ALL,
                                                     failed_only=True)] == failing


def test_a_village_without_a_standard_fails_when_its_households_are_read(regions):
    make_household("610926100001001", "610926100001")
    with pytest.raises(PolicyMissing, match="poverty_line"):
        region_assessment(year=2005, region_code="610926000000")
    # Only a township has a line for 2005: the county has no standard, the township does.
    policy_set(actor=None, key="poverty_line", region_code="610926100000", year_from=2005, year_to=2005, value=2000)
    for key, value in [("exit.compulsory_school_age_from", 6), ("exit.compulsory_school_age_to", 15),
                       ("exit.unsafe_danger_grades", ["C", "D"])]:
        policy_set(actor=None, key=key, region_code="610926100000", year_from=2005, year_to=2005, value=value)
    with pytest.raises(PolicyMissing):
        region_assessment(year=2005, region_code="610926000000")
    region = region_assessment(year=2005, region_code="610926100000")
    assert region.summary()["households"] == 1 and region.summary()["failed"] == 1  # no 2005 data
    a = assess_household(household_id=region[0].household_id, year=2005)
    assert a.indicator("income").values["poverty_line"] == 2000 and not a.passed


def _make(n: int, start: int) -> None:
    for i in range(n):
        h = make_household(f"610926100002{start + i:03d}", "610926100002" if i % 2 else "610926100001",
                           members=2, income=5000)
        member(h, f"孩{i}", date(YEAR - 8, 1, 1))


@pytest.mark.parametrize("explain", [False, True])
def test_query_count_does_not_grow_with_households(regions, explain):
    def run() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for a in iter_assessments(year=YEAR, region_code="610926000000", chunk_size=1000):
                assert a.passed
                if explain:
                    assert len(a.as_dict()["indicators"]) == len(CODES)
        return len(ctx.captured_queries)

    _make(3, 100)
    small = run()
    _make(40, 200)
    assert run() == small == (4 if explain else 2)  # policy, households (+ their year rows and members)
    # Chunks: the explanation's inputs are read once per chunk, whatever its size.
    with CaptureQueriesContext(connection) as ctx:
        assert sum(len(a.indicators) for a in iter_assessments(year=YEAR, region_code="610926000000",
                                                               chunk_size=10)) == 43 * len(CODES)
    assert len(ctx.captured_queries) == 2 + 2 * 5

"""exit_assessment benchmark: the hand-written SQL computes exactly what the app computes, household
by household, on every edge of the standard (missing year rows, age boundaries, dropouts, uninsured,
danger grades, relocation, leavers, newborns, provincial and township overrides)."""

import pytest
from django.db import connection

from fupin.benchmark.context import JobContext
from fupin.benchmark.jobs.assessment import Fold, exit_assessment, hand_sql, ours, reference
from fupin.conftest import YEAR
from fupin.exits.household import CODES
from fupin.exits.tests.assessment_cases import PROVINCE, build_cases


@pytest.fixture
def cases(regions):
    return build_cases()


def reference_rows(region_code: str) -> dict[int, tuple[bool, ...]]:
    from datetime import date

    from fupin.regions.codes import subtree_range

    low, high = subtree_range(region_code).as_tuple()
    with connection.cursor() as cursor:
        cursor.execute(hand_sql(connection.vendor), {"year": YEAR, "low": low, "high": high,
                                                     "day": date(YEAR, 12, 31)})
        return {hid: tuple(bool(r) for r in rest) for hid, *rest in cursor.fetchall()}


def test_the_hand_sql_fails_exactly_the_expected_indicators(cases):
    from fupin.registry.models import Household

    numbers = dict(Household.objects.values_list("id", "household_no"))
    rows = reference_rows(PROVINCE)
    assert {numbers[hid]: {c for c, ok in zip(CODES, flags, strict=True) if not ok} for hid, flags in rows.items()} \
        == cases


def test_our_fold_equals_the_reference_fold(cases):
    ours_result, ref_result = ours(region_code=PROVINCE, year=YEAR), reference(region_code=PROVINCE, year=YEAR)
    assert ours_result == ref_result
    assert ours_result["households"] == len(cases)
    assert ours_result["passed"] == sum(1 for fails in cases.values() if not fails)
    assert ours_result["failed"] == {code: sum(code in fails for fails in cases.values()) for code in CODES}
    # A county inside the province: the same on both sides too.
    assert ours(region_code="610926101000", year=YEAR) == reference(region_code="610926101000", year=YEAR)


def test_the_fold_depends_on_every_result_and_the_order():
    a, b, c = Fold(), Fold(), Fold()
    a.add(1, (True,) * 6)
    a.add(2, (True, False, True, True, True, True))
    b.add(2, (True, False, True, True, True, True))
    b.add(1, (True,) * 6)
    c.add(1, (True,) * 6)
    c.add(2, (True, True, True, True, True, False))
    assert len({a.result()["sha256"], b.result()["sha256"], c.result()["sha256"]}) == 3
    assert a.result()["failed"]["two_no_worries"] == 1 and a.result()["passed"] == 1


def test_job_result_is_checked(cases, tmp_path):
    ctx = JobContext(vendor=connection.vendor, persons=100, scale=1, region_code=PROVINCE,
                     county_code="610926000000", year=YEAR, seed=1, workdir=tmp_path)
    result = exit_assessment(ctx=ctx)
    assert result["checked"] is True and result["rows"] == len(cases) and result["target_ratio"] == 2.0
    assert result["detail"]["ours"] == result["detail"]["reference"]

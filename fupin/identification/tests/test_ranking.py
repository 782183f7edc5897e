"""Income-ranked screening (按收入倒排) and village quotas (识别规模)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from fupin.audit.models import AuditEvent
from fupin.identification.ranking import income_ranking
from fupin.identification.services_quota import village_quota_set, village_quotas_set
from fupin.policy.services import policy_set

from .helpers import VILLAGE, YEAR, act, d, open_identification

pytestmark = pytest.mark.django_db

LINE_2020 = 4000  # national poverty line 2020 (policy table)


def _applicants(users, incomes_per_person):
    """One single-person applicant per income (wage = per-capita income)."""
    return [open_identification(users, head=f"户{i}", wage=str(income), members=1)
            for i, income in enumerate(incomes_per_person)]


def test_exactly_at_the_line_is_not_under_it(users):
    at, below, above = _applicants(users, ["4000", "3999.99", "4000.01"])
    ranking = income_ranking(users["clerk_a"], village_code=VILLAGE, year=YEAR)
    rows = {r.case.pk: r for r in ranking.rows}
    assert rows[below.pk].under_line is True and rows[below.pk].rank == 1
    assert rows[at.pk].under_line is False and rows[at.pk].rank == 2 and str(rows[at.pk].gap) == "0.00"
    assert rows[above.pk].under_line is False
    assert ranking.poverty_line.value == LINE_2020 and ranking.poverty_line.region_code == "000000000000"
    assert ranking.under_line_count == 1


def test_quota_cut_borderline_and_ties(users):
    cases = _applicants(users, ["1500", "3000", "2000", "3000", "3700", "4300", "5000"])
    rejected = open_identification(users, head="已否决", wage="100", members=1)
    act(users, "clerk_a", rejected, "apply", decision="rejected", on=d(3, 2), comment="非本村户籍")
    ranking = income_ranking(users["clerk_a"], village_code=VILLAGE, year=YEAR)
    assert [str(r.per_capita_income) for r in ranking.rows] == ["1500.00", "2000.00", "3000.00", "3000.00",
                                                                "3700.00", "4300.00", "5000.00"]
    assert [r.rank for r in ranking.rows] == [1, 2, 3, 3, 5, 6, 7]  # equal incomes share a rank
    assert all(r.within_quota is None for r in ranking.rows) and ranking.quota is None
    with pytest.raises(PermissionDenied):
        village_quota_set(actor=users["township_a"], village_code=VILLAGE, year=YEAR, quota=3)
    village_quota_set(actor=users["county"], village_code=VILLAGE, year=YEAR, quota=3)
    ranking = income_ranking(users["clerk_a"], village_code=VILLAGE, year=YEAR)
    assert [r.within_quota for r in ranking.rows] == [True, True, True, True, False, False, False]
    assert ranking.ties_at_cut and ranking.within_quota_count == 4
    # Borderline: within 10% of the line (3600–4400).
    assert [r.borderline for r in ranking.rows] == [False, False, False, False, True, True, False]
    explained = ranking.as_dict()
    assert explained["borderline_band"] == ["3600.00", "4400.00"]
    assert explained["borderline_ratio"]["key"] == "identification.borderline_ratio"
    assert explained["quota"]["quota"] == 3 and explained["counts"]["under_line"] == 5
    assert {r["case_id"] for r in explained["rows"]} == {c.pk for c in cases}


def test_a_higher_provincial_line_changes_under_line(users):
    (case,) = _applicants(users, ["4200"])
    assert income_ranking(users["clerk_a"], village_code=VILLAGE, year=YEAR).rows[0].under_line is False
    policy_set(actor=None, key="poverty_line", region_code="610000000000", year_from=YEAR, value=4500)
    ranking = income_ranking(users["clerk_a"], village_code=VILLAGE, year=YEAR)
    assert ranking.rows[0].under_line is True and ranking.poverty_line.region_code == "610000000000"
    assert ranking.poverty_line.value == 4500


def test_ranking_is_scoped_and_set_based(users):
    _applicants(users, [str(1000 + i * 100) for i in range(12)])
    with pytest.raises(Http404):
        income_ranking(users["clerk_b"], village_code=VILLAGE, year=YEAR)
    with pytest.raises(ValidationError, match="不是行政村"):
        income_ranking(users["county"], village_code="610926100000", year=YEAR)
    with CaptureQueriesContext(connection) as ctx:
        ranking = income_ranking(users["county"], village_code=VILLAGE, year=YEAR)
    assert len(ranking.rows) == 12 and len(ctx.captured_queries) <= 4


def test_quotas_are_set_in_bulk_and_audited(users):
    before = AuditEvent.objects.count()
    result = village_quotas_set(actor=users["county"], year=YEAR,
                                quotas={"610926100001": 5, "610926100002": "3", "610926101001": ""})
    assert result["610926100001"].quota == 5 and result["610926101001"] is None
    assert AuditEvent.objects.count() == before + 2
    village_quotas_set(actor=users["county"], year=YEAR, quotas={"610926100001": 6, "610926100002": ""})
    assert AuditEvent.objects.filter(object_type="identification.villagequota", action="delete").count() == 1
    with pytest.raises(ValidationError, match="0–100000 的整数"):
        village_quota_set(actor=users["county"], village_code=VILLAGE, year=YEAR, quota="-1")
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        village_quota_set(actor=users["county"], village_code="620100000001", year=YEAR, quota=1)

"""Runs of the set-based activity generator: the same seed gives the same rows (a checksum of the
generated values, keyed by natural keys since database ids differ between runs), another seed other
rows, and the number of queries does not depend on the number of households."""

import hashlib

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fupin.credit.models import CreditRating, Loan, LoanRepayment
from fupin.demo.generator import generate_county
from fupin.demo.scale.activity import generate_activity
from fupin.funds.models import Allocation, Disbursement, FundSource, Project, ProjectBeneficiary, ProjectEvent
from fupin.helpers.models import (
    CadreProfile,
    HelperAssignment,
    PoorVillage,
    UnitVillagePairing,
    WorkTeamMember,
)
from fupin.monitoring.models import MonitoringCase, MonitoringMeasure, MonitoringStep
from fupin.plans.models import HouseholdPlan, PlanMeasure
from fupin.registry.models import Household
from fupin.visits.models import Visit

YEARS = (2019, 2020)
# Every generated table by the values that do not depend on database ids.
FINGERPRINT = {
    PoorVillage: ("village_id", "identified_year"),
    UnitVillagePairing: ("unit__name", "village_id", "start"),
    WorkTeamMember: ("team__village_id", "name", "role", "id_number", "phone", "work_unit", "start", "end"),
    CadreProfile: ("user__username", "id_number", "unit__name", "position"),
    HelperAssignment: ("household__household_no", "cadre__username", "start", "end", "reason"),
    HouseholdPlan: ("household__household_no", "year", "status", "drawn_up_at", "confirmed_at"),
    PlanMeasure: ("plan__household__household_no", "measure_type", "content", "amount", "status", "due_on",
                  "completed_on", "source_rule"),
    FundSource: ("kind", "year", "region_id", "amount", "name"),
    Allocation: ("source__kind", "year", "from_code", "to_region_id", "amount", "allocated_on", "integrated"),
    Project: ("region_id", "year", "name", "type", "status", "beneficiary_count"),
    ProjectEvent: ("project__region_id", "project__name", "to_status", "on"),
    ProjectBeneficiary: ("project__name", "household__household_no", "standard_amount"),
    Disbursement: ("project__region_id", "project__name", "paid_on", "amount", "payee_name", "item"),
    CreditRating: ("household__household_no", "rated_on", "rating", "credit_line", "valid_until"),
    Loan: ("contract_no", "borrower__id_number", "amount", "term_months", "start_date", "maturity_date", "status",
           "use_category", "bank"),
    LoanRepayment: ("loan__contract_no", "paid_on", "principal", "interest"),
    MonitoringCase: ("household__household_no", "object_type", "risk_types", "discovery", "discovered_on",
                     "identified_on", "state", "eliminated_on", "inputs", "reasons"),
    MonitoringMeasure: ("case__household__household_no", "measure_type", "description", "started_on", "amount"),
    MonitoringStep: ("case__household__household_no", "kind", "on", "note"),
    Visit: ("household__household_no", "cadre__username", "visited_on", "kind", "content", "problems", "follow_up",
            "follow_up_due", "follow_up_done_on"),
}


def checksum() -> tuple[str, dict]:
    digest, counts = hashlib.sha256(), {}
    for model, fields in FINGERPRINT.items():
        rows = sorted(repr(r) for r in model.objects.values_list(*fields))
        counts[model._meta.label_lower] = len(rows)
        digest.update("\n".join(rows).encode())
    return digest.hexdigest(), counts


def run(seed: int) -> tuple[str, dict]:
    """Generate, fingerprint, roll back (the registry stays)."""
    with transaction.atomic():
        generate_activity(county_code="610926", years=YEARS, seed=seed)
        result = checksum()
        transaction.set_rollback(True)
    return result


@pytest.fixture
def registry(county, settings):
    settings.FUPIN_TODAY = "2021-03-01"
    return generate_county(county_code="610926", households=200, seed=11, years="2019-2020")


def test_same_seed_same_rows_other_seed_other_rows(registry):
    first, counts = run(5)
    assert all(counts.values()), counts
    assert not Project.objects.exists() and not HouseholdPlan.objects.exists()  # rolled back
    again, counts_again = run(5)
    assert (again, counts_again) == (first, counts)
    other, _ = run(6)
    assert other != first


@pytest.mark.parametrize("sizes", [(120, 480)])
def test_query_count_does_not_grow_with_households(county, settings, sizes):
    settings.FUPIN_TODAY = "2021-03-01"
    counted = []
    for households in sizes:
        with transaction.atomic():
            generate_county(county_code="610926", households=households, seed=3, years="2019-2020")
            with CaptureQueriesContext(connection) as queries:
                counts = generate_activity(county_code="610926", years=YEARS, seed=3)
            # PostgreSQL also analyses a registry table whose statistics know fewer rows than the county
            # wrote (at most five statements, fewer as the tables grow): counted apart.
            analyze = [q for q in queries.captured_queries if q["sql"].startswith("ANALYZE registry_")]
            assert len(analyze) <= 5
            counted.append((len(queries.captured_queries) - len(analyze), counts["plans.householdplan"]))
            assert Household.objects.count() == households
            transaction.set_rollback(True)
    (small, small_plans), (large, large_plans) = counted
    assert large_plans > 3 * small_plans
    assert small == large, (small, large)


def test_earlier_years_without_monitoring(county, settings):
    """Years before 防止返贫监测 (no monitoring events) and a business date inside the last year."""
    settings.FUPIN_TODAY = "2016-12-20"
    generate_county(county_code="610926", households=100, seed=4, years="2015-2016")
    counts = generate_activity(county_code="610926", years=(2015, 2016), seed=4)
    assert "monitoring.monitoringcase" not in counts
    # exit.policy_retention_years (read by the loan checks) starts in 2016: no 13 months of loan policy
    # before the business date, so no ratings or loans rather than loans the services would refuse.
    assert "credit.loan" not in counts and not Loan.objects.exists()
    assert counts["plans.householdplan"] > 0 and counts["funds.project"] > 0 and counts["visits.visit"] > 0
    assert set(HouseholdPlan.objects.values_list("year", flat=True)) == {2016}
    assert set(Project.objects.values_list("year", flat=True)) == {2015, 2016}

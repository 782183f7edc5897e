"""The set-based activity around a generated registry (fupin.demo.scale.activity): the rules the
services enforce hold for every generated row, per domain. Determinism and query counts are in
test_scale_activity_runs.py."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from stdnum.cn import ric

from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.credit.eligibility import loan_checks
from fupin.credit.models import CreditRating, Loan, LoanRepayment
from fupin.credit.rules import add_months, loan_state_on
from fupin.demo.generator import DemoError, generate_county
from fupin.demo.scale.activity import generate_activity
from fupin.demo.scale.registry_ids import FIRST_BIRTH_YEAR, prefix_by_year
from fupin.funds.choices import STATUS_ORDER
from fupin.funds.models import (
    Allocation,
    Disbursement,
    FundSource,
    Project,
    ProjectBeneficiary,
    ProjectFunding,
)
from fupin.helpers.checks import registered_persons
from fupin.helpers.models import CadreProfile, HelperAssignment, PoorVillage, WorkTeam, WorkTeamMember
from fupin.monitoring.choices import OPEN_STATES, CaseState, ObjectType, RiskType, StepKind
from fupin.monitoring.models import MonitoringCase, MonitoringMeasure, MonitoringStep
from fupin.monitoring.notice import notice_check
from fupin.plans.choices import ACTIVE_MEASURE_STATUSES, MeasureStatus, PlanStatus
from fupin.plans.models import HouseholdPlan, PlanMeasure
from fupin.plans.selectors_region import findings_report
from fupin.policy.selectors import resolve, resolve_many
from fupin.regions.models import Region
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear
from fupin.registry.selectors_status import status_on_expr
from fupin.visits.models import Visit

COUNTY = "610926000000"
LOW, HIGH = "610926000000", "610926999999"
YEARS = (2019, 2020)


def in_county(field: str) -> dict:
    return {f"{field}__gte": LOW, f"{field}__lte": HIGH}


@pytest.fixture
def registry(county, settings):
    """300 households of 平利县 with 2019–2020 data; business date after the last year (as of 31 Dec)."""
    settings.FUPIN_TODAY = "2021-03-01"
    return generate_county(county_code="610926", households=300, seed=7, years="2019-2020")


@pytest.fixture
def activity(registry):
    return generate_activity(county_code="610926", years=YEARS, seed=7)


ON = date(2020, 12, 31)


def test_counts_match_the_tables_and_each_table_has_one_audit_entry(activity):
    models = {"helpers.helperassignment": HelperAssignment.objects.filter(**in_county("village_code")),
              "plans.householdplan": HouseholdPlan.objects.filter(**in_county("village_id")),
              "plans.planmeasure": PlanMeasure.objects.filter(**in_county("plan__village_id")),
              "funds.project": Project.objects.filter(**in_county("region_id")),
              "funds.disbursement": Disbursement.objects.filter(**in_county("location_code")),
              "credit.creditrating": CreditRating.objects.filter(**in_county("village_id")),
              "credit.loan": Loan.objects.filter(**in_county("village_id")),
              "credit.loanrepayment": LoanRepayment.objects.filter(**in_county("village_id")),
              "monitoring.monitoringcase": MonitoringCase.objects.filter(**in_county("village_code")),
              "visits.visit": Visit.objects.filter(**in_county("village_id"))}
    for table, qs in models.items():
        assert activity[table] == qs.count() > 0, table
    entries = AuditEvent.objects.filter(region_code=COUNTY, action="import", object_type__in=list(activity))
    by_type = Counter(entries.values_list("object_type", flat=True))
    assert set(by_type) == set(activity) and set(by_type.values()) == {1}
    for e in entries:
        assert e.after["count"] == activity[e.object_type] and e.after["seed"] == 7 and e.after["years"] == [2019, 2020]
    assert verify_chain().ok


def test_a_second_run_for_the_county_is_refused(activity):
    with pytest.raises(DemoError, match="已有结对帮扶记录"):
        generate_activity(county_code="610926", years=YEARS, seed=8)


def test_current_pairings_are_the_households_helpers(activity):
    households = Household.objects.filter(**in_county("village_id"))
    current = dict(HelperAssignment.objects.filter(end__isnull=True).values_list("household_id", "cadre_id"))
    assert current == dict(households.filter(helper__isnull=False).values_list("id", "helper_id"))
    ended = list(HelperAssignment.objects.filter(end__isnull=False))
    assert ended  # some households had an earlier cadre (REASSIGNED_SHARE of 300)
    starts = dict(HelperAssignment.objects.filter(end__isnull=True).values_list("household_id", "start"))
    for a in ended:
        assert a.start < a.end == starts[a.household_id] and a.cadre_id != current[a.household_id]
    assert activity["helpers.cadreprofile"] == CadreProfile.objects.count() > 0
    numbers = list(CadreProfile.objects.values_list("id_number", flat=True))
    assert len(set(numbers)) == len(numbers) and all(ric.is_valid(n) for n in numbers)
    by_year = prefix_by_year("610926")  # the address code in force in the birth year (612427 before 2000)
    assert all(n[:6] == by_year[int(n[6:10]) - FIRST_BIRTH_YEAR] for n in numbers)
    assert registered_persons(numbers, on=ON) == {}
    members = list(WorkTeamMember.objects.values_list("id_number", flat=True))
    assert members and all(ric.is_valid(n) for n in members)
    poor = set(PoorVillage.objects.values_list("village_id", flat=True))
    assert poor == set(WorkTeam.objects.values_list("village_id", flat=True))
    for team in WorkTeam.objects.all():  # exactly one first secretary in office now, its unit pairs the village
        now = team.members.filter(role="secretary", end__isnull=True)
        assert now.count() == 1
        assert team.unit.pairings.filter(village_id=team.village_id).exists()


def test_one_plan_per_household_year_with_measures_that_fit_the_household(activity):
    plans = HouseholdPlan.objects.filter(**in_county("village_id"))
    assert set(plans.values_list("year", flat=True)) == {2020}
    assert plans.filter(village_id=F("household__village_id")).count() == plans.count()
    assert plans.values("household_id").distinct().count() == plans.count()
    eligible = set(HouseholdYear.objects.filter(year=2020, **in_county("household__village_id"),
                                                status__in=["not_exited", "returned", "exited", "monitored"])
                   .values_list("household_id", flat=True))
    assert set(plans.values_list("household_id", flat=True)) <= eligible
    per_plan = Counter(PlanMeasure.objects.filter(plan__in=plans).values_list("plan_id", flat=True))
    assert set(per_plan) == set(plans.values_list("id", flat=True)) and set(per_plan.values()) <= {1, 2, 3}
    assert set(per_plan.values()) == {1, 2, 3}
    for m in PlanMeasure.objects.filter(plan__in=plans):
        assert m.status in ACTIVE_MEASURE_STATUSES
        if m.status == MeasureStatus.COMPLETED:
            assert date(2020, 3, 1) <= m.completed_on <= ON
        else:
            assert m.completed_on is None
        assert m.content.startswith(m.plan.household.head_name) or m.content.startswith("安排")
    confirmed = plans.filter(status=PlanStatus.CONFIRMED)
    assert confirmed.exists() and all(p.confirmed_at.date() <= ON for p in confirmed)
    county = Region.objects.get(code=COUNTY)
    report = findings_report(plans, county, year=2020)
    assert report["summary"]["contradictions"] == 0 and report["summary"]["plans"] == plans.count()


def test_money_never_exceeds_what_is_left_above_it(activity):
    sources = FundSource.objects.filter(document_no__contains="610926")
    allocations = list(Allocation.objects.filter(source__in=sources))
    assert allocations and sources.exists()
    children = dict(Allocation.objects.values("parent_id").annotate(s=Sum("amount")).values_list("parent_id", "s"))
    budgeted = dict(ProjectFunding.objects.values("allocation_id").annotate(s=Sum("amount"))
                    .values_list("allocation_id", "s"))
    for a in allocations:
        assert children.get(a.pk, 0) + budgeted.get(a.pk, 0) <= a.amount
    top = dict(Allocation.objects.filter(parent__isnull=True).values("source_id").annotate(s=Sum("amount"))
               .values_list("source_id", "s"))
    assert all(top[s.pk] <= s.amount for s in sources)
    lines = list(ProjectFunding.objects.filter(**in_county("location_code")).select_related("allocation", "project"))
    paid = dict(Disbursement.objects.values("funding_id").annotate(s=Sum("amount")).values_list("funding_id", "s"))
    assert lines and paid
    for line in lines:
        assert paid.get(line.pk, 0) <= line.amount
        assert line.allocation.to_region_id == line.project.region_id[:9] + "000"
    standards = {(b.project_id, b.household_id): b.standard_amount
                 for b in ProjectBeneficiary.objects.filter(**in_county("location_code"))}
    projects = {p.pk: p for p in Project.objects.filter(**in_county("region_id")).prefetch_related("events")}
    started = {pk: {e.to_status: e.on for e in p.events.all()}.get("implementing") for pk, p in projects.items()}
    for d in Disbursement.objects.filter(**in_county("location_code")):
        assert started[d.project_id] <= d.paid_on <= ON
        if d.household_id is not None:
            assert d.amount == standards[(d.project_id, d.household_id)]
    beneficiaries = Counter(pk for pk, _ in standards)
    for p in projects.values():
        steps = [e.to_status for e in sorted(p.events.all(), key=lambda e: e.on)]
        assert steps == STATUS_ORDER[:len(steps)] and steps[-1] == p.status
        assert all(e.on <= ON for e in p.events.all())
        assert p.beneficiary_count == beneficiaries[p.pk]


def test_every_loan_passes_the_loan_checks_and_its_status_follows_from_the_dates(activity):
    loans = list(Loan.objects.filter(**in_county("village_id")).select_related("household", "borrower", "rating"))
    assert len(loans) > 50
    policy = resolve_many(["credit.overdue_grace_days", "credit.default_after_days"], year=2020, region_code=COUNTY)
    paid = defaultdict(Decimal)
    for r in LoanRepayment.objects.filter(**in_county("village_id")):
        paid[r.loan_id] += r.principal
    for loan in loans:
        checks, used = loan_checks(household=loan.household, borrower=loan.borrower, amount=loan.amount,
                                   term_months=loan.term_months, start=loan.start_date,
                                   use_category=loan.use_category, renewing=loan)
        assert [c.message for c in checks if not c.ok] == [], loan.contract_no
        assert used["rating"] == loan.rating
        assert loan.amount % 1000 == 0 and loan.maturity_date == add_months(loan.start_date, loan.term_months)
        state = loan_state_on(on=ON, amount=loan.amount, start=loan.start_date, maturity=loan.maturity_date,
                              principal_paid=paid[loan.pk], renewal_start=None, written_off_on=None,
                              grace_days=int(policy["credit.overdue_grace_days"].value),
                              default_after_days=int(policy["credit.default_after_days"].value))
        assert state.state == loan.status, loan.contract_no
    assert {loan.status for loan in loans} >= {"normal", "repaid"}
    levels = resolve("credit.rating_levels", year=2020, region_code=COUNTY).value
    for r in CreditRating.objects.filter(**in_county("village_id")):
        assert r.credit_line == levels[r.rating] and r.valid_until == add_months(r.rated_on, 36)


def _status_on(on: date) -> dict[int, str]:
    return dict(Household.objects.filter(**in_county("village_id")).annotate(st=status_on_expr(on))
                .values_list("id", "st"))


def test_every_monitored_household_has_one_open_case_and_no_other_has(activity):
    status = _status_on(ON)
    monitored = {h for h, s in status.items() if s == HouseholdStatus.MONITORED}
    assert monitored
    cases = list(MonitoringCase.objects.filter(**in_county("village_code")).select_related("household"))
    open_cases = Counter(c.household_id for c in cases if c.state in OPEN_STATES)
    assert set(open_cases) == monitored and set(open_cases.values()) == {1}
    need = resolve("monitoring.notice_days", year=2020, region_code=COUNTY)
    for c in cases:
        assert c.risk_types and set(c.risk_types) <= set(RiskType.values) and len(set(c.risk_types)) == len(c.risk_types)
        if c.object_type == ObjectType.UNSTABLE:
            assert c.household.exit_year is not None or c.status_before == HouseholdStatus.EXITED
        assert c.discovered_on <= c.identified_on <= ON
        n = c.inputs["notice"]
        problems, _ = notice_check(date.fromisoformat(n["notice_from"]), date.fromisoformat(n["notice_to"]),
                                   village_code=c.village_code, year=c.year, ends_by=c.identified_on,
                                   ends_label="识别监测时间", starts_from=c.discovered_on, starts_label="发现日期",
                                   required=need)
        assert problems == {}
        assert c.inputs["identified_within_limit"] == ((c.identified_on - c.discovered_on).days
                                                       <= c.inputs["identify_within_days"])
        measures = list(c.measures.all())
        assert (c.state == CaseState.ASSISTED) == (c.state in OPEN_STATES and bool(measures))
        for m in measures:
            assert c.identified_on <= m.started_on <= (c.eliminated_on or ON)
        kinds = Counter(c.steps.values_list("kind", flat=True))
        assert kinds[StepKind.IDENTIFIED] == 1 and kinds[StepKind.MEASURE] == len(measures)
    assert MonitoringMeasure.objects.count() and MonitoringStep.objects.count()


def test_monitoring_follows_the_business_date(registry, settings):
    """Households taken into monitoring after the business date have no case yet."""
    last = (HouseholdStatusEvent.objects.filter(to_status=HouseholdStatus.MONITORED)
            .order_by("-effective_on").values_list("effective_on", flat=True).first())
    on = last - timedelta(days=1)
    settings.FUPIN_TODAY = on.isoformat()
    generate_activity(county_code="610926", years=YEARS, seed=7)
    status_then, status_end = _status_on(on), _status_on(ON)
    opened = set(MonitoringCase.objects.filter(state__in=list(OPEN_STATES)).values_list("household_id", flat=True))
    assert opened == {h for h, s in status_then.items() if s == HouseholdStatus.MONITORED}
    later = {h for h, s in status_end.items() if s == HouseholdStatus.MONITORED} - opened
    assert later
    assert not MonitoringCase.objects.filter(identified_on__gt=on).exists()
    assert not Loan.objects.filter(start_date__gt=on).exists() and not Visit.objects.filter(visited_on__gt=on).exists()


def test_visits_are_by_the_current_helper_while_paired(activity):
    visits = Visit.objects.filter(**in_county("village_id")).select_related("household")
    starts = dict(HelperAssignment.objects.filter(end__isnull=True).values_list("household_id", "start"))
    assert visits.exists()
    for v in visits:
        assert v.cadre_id == v.household.helper_id == v.recorded_by_id
        assert starts[v.household_id] <= v.visited_on <= ON
        assert v.household.status not in (HouseholdStatus.REMOVED, HouseholdStatus.CANCELLED)
        assert v.follow_up_done == (v.follow_up_done_on is not None)
        if v.follow_up:
            assert v.problems and v.follow_up_due is not None


def test_cases_are_closed_by_the_households_next_status_event(registry):
    """风险消除 → 风险已消除, 销户 → 自然消除, any other change (here 返贫) closes the case too."""
    from fupin.registry.choices import StatusChangeSource, StatusEventKind
    from fupin.registry.services import household_change_status

    monitored = list(Household.objects.filter(status=HouseholdStatus.MONITORED, status_events__effective_on__lt=ON)
                     .distinct().order_by("id")[:3])
    assert len(monitored) == 3
    changes = [(HouseholdStatus.EXITED, StatusEventKind.RISK_ELIMINATED, CaseState.ELIMINATED, StepKind.ELIMINATED),
               (HouseholdStatus.CANCELLED, StatusEventKind.NATURAL_DECREASE, CaseState.NATURALLY_ELIMINATED,
                StepKind.NATURALLY_ELIMINATED),
               (HouseholdStatus.RETURNED, StatusEventKind.RETURNED, CaseState.ELIMINATED, StepKind.ELIMINATED)]
    for h, (status, kind, _, _) in zip(monitored, changes, strict=True):
        household_change_status(actor=None, household=h, to_status=status, year=2020, kind=kind, effective_on=ON,
                                source=StatusChangeSource.MONITORING, reason="测试：监测结束")
    generate_activity(county_code="610926", years=YEARS, seed=7)
    for h, (_, _kind, state, step) in zip(monitored, changes, strict=True):
        case = MonitoringCase.objects.get(household=h)
        assert (case.state, case.eliminated_on) == (state, ON)
        assert case.elimination_inputs["reason"] and case.elimination_inputs["scale"] is True
        assert case.measures.exists() and all(m.started_on <= ON for m in case.measures.all())
        assert case.steps.filter(kind=step, on=ON).count() == 1
    assert not MonitoringCase.objects.filter(household__in=monitored, state__in=list(OPEN_STATES)).exists()
    assert MonitoringCase.objects.get(household=monitored[2]).elimination_inputs["check"].endswith("（returned）")


def test_a_cadre_number_a_registered_person_has_is_drawn_again(registry):
    """The cadre's number (account id → birth day and sequence, the county's address code of the
    birth year) is given to a registered member first; the profile then gets the next band's number."""
    from datetime import timedelta as days

    from fupin.accounts.models import User
    from fupin.demo.scale import activity_helpers as h
    from fupin.registry.models import Member

    cadre = User.objects.filter(role="cadre").order_by("id").first()
    slot = (cadre.pk * h.ID_MULTIPLIER) % h.ID_CAPACITY
    birth = h.ID_EPOCH + days(days=slot // h.ID_PER_DAY)
    body = f"{prefix_by_year('610926')[birth.year - FIRST_BIRTH_YEAR]}{birth:%Y%m%d}{slot % h.ID_PER_DAY:03d}"
    taken = body + ric.calc_check_digit(body + "0")
    member = Member.objects.filter(household__status=HouseholdStatus.EXITED, left_on__isnull=True).first()
    Member.objects.filter(pk=member.pk).update(id_number=taken)
    generate_activity(county_code="610926", years=YEARS, seed=7)
    number = CadreProfile.objects.get(user=cadre).id_number
    assert number != taken and number[:14] == taken[:14] and int(number[14:17]) == int(taken[14:17]) + h.ID_PER_DAY
    assert ric.is_valid(number)
    assert registered_persons(list(CadreProfile.objects.values_list("id_number", flat=True)), on=ON) == {}

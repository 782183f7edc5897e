"""The identification procedure walked through its configured steps with the real services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.identification.models import Attachment, Case, CaseStep, Notice, Objection
from fupin.identification.services_notices import notice_complete, objection_file, objection_resolve
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear

from .helpers import CONTACT, PDF, VILLAGE, YEAR, act, d, open_identification, publish, walk_identification_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_full_identification_walk_with_a_dismissed_objection(users, media):
    case = open_identification(users, head="赵大", wage="6000", members=3)
    assert (case.state, case.current_step, case.household_size) == ("open", "apply", 3)
    assert case.per_capita_income == Decimal("2000.00") and case.net_income == Decimal("6000.00")
    assert [s["code"] for s in case.steps] == ["apply", "appraisal", "verify", "notice1", "township_review",
                                              "notice2", "county_approval", "announce", "register"]
    assert case.steps_policy["key"] == "workflow.identification.steps"

    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    act(users, "clerk_a", case, "apply", on=d(3, 2), comment="材料齐全", attachments=[upload])
    attachment = Attachment.objects.get(case=case)
    assert attachment.original_name == "申请书.pdf" and attachment.size == len(PDF)
    assert (media / attachment.file.name).read_bytes() == PDF and len(attachment.sha256) == 64

    act(users, "clerk_a", case, "appraisal", on=d(3, 5), votes={"for": 8, "against": 1, "abstain": 1})
    vote = CaseStep.objects.get(case=case, code="appraisal")
    assert (vote.decision, vote.votes_for, vote.votes_against, vote.votes_abstain) == ("passed", 8, 1, 1)
    assert vote.data["votes"]["passed"] is True and vote.actor_role == "village_clerk"
    act(users, "clerk_a", case, "verify", on=d(3, 6), comment="入户核实属实")

    notice = publish(users, "clerk_a", [case], "notice1", on=d(3, 7))
    assert (notice.starts_on, notice.ends_on, notice.days) == (d(3, 7), d(3, 13), 7)
    assert notice.title == f"龙头村{YEAR}年度贫困户识别第一次公示" and notice.issuer == "龙头村村民委员会"
    objection = objection_file(actor=users["clerk_a"], notice_id=notice.pk, case_id=case.pk, on=d(3, 9),
                               content="该户有子女在城里工作，收入偏低不实")
    assert objection.filer_name == "匿名"
    with pytest.raises(ValidationError, match="尚不能办结"):
        act(users, "clerk_a", case, "notice1", on=d(3, 13))
    with pytest.raises(ValidationError, match="1 条异议尚未核查处理"):
        act(users, "clerk_a", case, "notice1", on=d(3, 14))
    objection_resolve(actor=users["township_a"], objection_id=objection.pk, outcome="dismissed",
                      resolution="经核查，子女已分户，收入不计入本户", on=d(3, 12))
    act(users, "clerk_a", case, "notice1", on=d(3, 14))
    step = CaseStep.objects.get(case=case, code="notice1")
    assert step.notice_id == notice.pk and step.data["objections_dismissed"] == 1

    with pytest.raises(PermissionDenied, match="乡镇审核员"):
        act(users, "clerk_a", case, "township_review", on=d(3, 15))
    act(users, "township_a", case, "township_review", on=d(3, 15))
    notice2 = publish(users, "clerk_a", [case], "notice2", on=d(3, 16))
    result = notice_complete(actor=users["clerk_a"], notice_id=notice2.pk, on=d(3, 23))
    assert [c.pk for c in result.completed] == [case.pk] and not result.pending
    act(users, "county", case, "county_approval", on=d(3, 24))
    announcement = publish(users, "county", [case], "announce", on=d(3, 25), objection_contact="")
    assert announcement.ends_on is None and announcement.issuer == "平利县扶贫开发领导小组办公室"
    case.refresh_from_db()
    assert case.current_step == "register"
    assert CaseStep.objects.get(case=case, code="announce").notice_id == announcement.pk

    act(users, "clerk_a", case, "register", on=d(3, 26))
    case.refresh_from_db()
    assert (case.state, case.current_step, case.closed_on) == ("completed", "", d(3, 26))
    household = Household.objects.get(pk=case.household_id)
    assert household.status == "not_exited" and household.registered_year == YEAR
    assert household.household_no.startswith(VILLAGE) and household.main_cause == "illness"
    assert household.other_causes == ["lack_funds"]
    event = HouseholdStatusEvent.objects.get(household=household)
    assert (event.kind, event.to_status, event.effective_on, event.source) == ("new", "not_exited", d(3, 26),
                                                                                "identification")
    members = Member.objects.filter(household=household).order_by("id")
    assert [m.relation for m in members] == ["head", "spouse", "son"]
    assert members[0].id_number == case.id_number
    assert MemberYear.objects.filter(member__household=household, year=YEAR).count() == 3
    assert MemberYear.objects.get(member=members[2], year=YEAR).school_status == "primary"
    hy = HouseholdYear.objects.get(household=household, year=YEAR)
    assert (hy.household_size, hy.per_capita_income, hy.status) == (3, Decimal("2000.00"), "not_exited")
    assert CaseStep.objects.get(case=case, code="register").data["household_no"] == household.household_no
    assert CaseStep.objects.filter(case=case).count() == 9
    assert AuditEvent.objects.filter(object_type="identification.case", object_id=str(case.pk)).count() == 10
    assert verify_chain().ok


def test_vote_rejection_ends_the_case_with_the_counts(users):
    case = open_identification(users)
    act(users, "clerk_a", case, "apply", on=d(3, 2))
    with pytest.raises(ValidationError, match="非负整数"):
        act(users, "clerk_a", case, "appraisal", on=d(3, 5), votes={"for": -1, "against": 2})
    with pytest.raises(ValidationError, match="大于 0"):
        act(users, "clerk_a", case, "appraisal", on=d(3, 5), votes={"for": 0, "against": 0})
    # Exactly half is not a majority (pass when for/total > 0.5).
    act(users, "clerk_a", case, "appraisal", on=d(3, 5), votes={"for": 5, "against": 4, "abstain": 1})
    case.refresh_from_db()
    assert case.state == "rejected"
    assert "赞成 5 票、反对 4 票、弃权 1 票" in case.end_reason and "须超过 50%" in case.end_reason
    assert CaseStep.objects.get(case=case, code="appraisal").decision == "failed"
    with pytest.raises(ValidationError, match="已终止"):
        act(users, "clerk_a", case, "verify", on=d(3, 6))
    assert not Household.objects.exists()


def test_township_rejection_needs_a_reason_and_ends_the_case(users):
    case = walk_identification_to(users, open_identification(users), "township_review")
    with pytest.raises(ValidationError, match="须填写理由"):
        act(users, "township_a", case, "township_review", decision="rejected", on=d(3, 15))
    act(users, "township_a", case, "township_review", decision="rejected", on=d(3, 15),
        comment="家庭有经营性货车一辆，不符合识别条件")
    case.refresh_from_db()
    assert case.state == "rejected" and case.end_reason == "乡镇审核不同意：家庭有经营性货车一辆，不符合识别条件"
    assert case.closed_by_name == "township_a" and case.household_id is None
    assert not Household.objects.exists()
    # The household may apply again in the same round: a new case from the first step.
    again = open_identification(users, on=d(4, 1))
    assert again.pk != case.pk and again.current_step == "apply"


def test_upheld_objection_ends_the_case(users):
    case = walk_identification_to(users, open_identification(users), "notice1")
    notice = publish(users, "clerk_a", [case], "notice1", on=d(3, 7))
    objection = objection_file(actor=users["township_a"], notice_id=notice.pk, case_id=case.pk, on=d(3, 8),
                               filer_name="李四", phone="13912345678", content="该户在县城有商品房")
    objection_resolve(actor=users["township_a"], objection_id=objection.pk, outcome="upheld",
                      resolution="经核实，该户2018年在县城购买商品房一套", on=d(3, 10))
    case.refresh_from_db()
    assert case.state == "rejected"
    assert case.end_reason.startswith("第一次公示期间异议成立：该户在县城有商品房")
    step = CaseStep.objects.get(case=case, code="notice1")
    assert (step.decision, step.notice_id, step.data["objection_id"]) == ("failed", notice.pk, objection.pk)
    with pytest.raises(ValidationError, match="已于"):
        objection_resolve(actor=users["township_a"], objection_id=objection.pk, outcome="dismissed",
                          resolution="x", on=d(3, 11))


def test_verification_needs_income_strictly_below_the_line(users):
    # 2020 line: 4,000 yuan. Exactly at the line is not below it: not eligible.
    at_line = open_identification(users, head="周边", wage="8000", members=2)
    assert at_line.per_capita_income == Decimal("4000.00")
    act(users, "clerk_a", at_line, "apply", on=d(3, 2))
    act(users, "clerk_a", at_line, "appraisal", on=d(3, 5), votes={"for": 9, "against": 0})
    with pytest.raises(ValidationError) as exc:
        act(users, "clerk_a", at_line, "verify", on=d(3, 6))
    assert "4000.00 元，不低于 2020 年扶贫标准 4000 元" in exc.value.messages[0]
    at_line.refresh_from_db()
    assert at_line.current_step == "verify"
    below = walk_identification_to(users, open_identification(users, head="低一分", wage="7999.98", members=2),
                                   "notice1")
    step = CaseStep.objects.get(case=below, code="verify")
    assert step.data["eligibility"]["per_capita_income"] == "3999.99"
    assert step.data["eligibility"]["poverty_line"]["key"] == "poverty_line"


def test_cannot_skip_a_step(users):
    case = open_identification(users)
    with pytest.raises(ValidationError, match="当前步骤为“农户申请”，不能办理“民主评议”"):
        act(users, "clerk_a", case, "appraisal", on=d(3, 2), votes={"for": 9, "against": 0})
    with pytest.raises(ValidationError, match="不能办理“建档立卡”"):
        act(users, "clerk_a", case, "register", on=d(3, 2))
    case = walk_identification_to(users, case, "notice1")
    with pytest.raises(ValidationError, match="尚未发布“第一次公示”"):
        act(users, "clerk_a", case, "notice1", on=d(3, 20))
    with pytest.raises(ValidationError, match="不能办理“乡镇审核”"):
        act(users, "township_a", case, "township_review", on=d(3, 20))
    case.refresh_from_db()
    assert case.current_step == "notice1" and CaseStep.objects.filter(case=case).count() == 3


def test_notice_rules_period_and_objections(users):
    case = walk_identification_to(users, open_identification(users), "notice1")
    # 公示 must say how to object, and cannot start before it is published.
    with pytest.raises(ValidationError, match="异议受理方式"):
        publish(users, "clerk_a", [case], "notice1", on=d(3, 7), objection_contact=" ")
    with pytest.raises(ValidationError, match="不能早于发布日期"):
        publish(users, "clerk_a", [case], "notice1", on=d(3, 7), starts_on=d(3, 6))
    notice = publish(users, "clerk_a", [case], "notice1", on=d(3, 7), starts_on=d(3, 8))
    assert (notice.starts_on, notice.ends_on) == (d(3, 8), d(3, 14))
    with pytest.raises(ValidationError, match="已列入"):
        publish(users, "clerk_a", [case], "notice1", on=d(3, 9))
    for day in (d(3, 7), d(3, 15)):  # before and after the period
        with pytest.raises(ValidationError, match="不在公示期内"):
            objection_file(actor=users["clerk_a"], notice_id=notice.pk, case_id=case.pk, on=day, content="x")
    with pytest.raises(PermissionDenied):  # viewers do not record objections
        objection_file(actor=users["city"], notice_id=notice.pk, case_id=case.pk, on=d(3, 9), content="x")
    with pytest.raises(Http404):
        objection_file(actor=users["clerk_b"], notice_id=notice.pk, case_id=case.pk, on=d(3, 9), content="x")
    objection_file(actor=users["clerk_a"], notice_id=notice.pk, case_id=case.pk, on=d(3, 14), content="有异议")
    with pytest.raises(ValidationError, match="尚不能办结"):
        notice_complete(actor=users["clerk_a"], notice_id=notice.pk, on=d(3, 14))
    with pytest.raises(ValidationError, match="均有未处理的异议"):
        notice_complete(actor=users["clerk_a"], notice_id=notice.pk, on=d(3, 15))
    assert Objection.objects.filter(outcome="").count() == 1
    # Announcements take no objections.
    assert Notice.objects.count() == 1


def test_only_the_steps_role_in_scope_may_act(users):
    case = open_identification(users)
    for who in ("township_a", "county", "city", "auditor"):
        with pytest.raises(PermissionDenied):
            act(users, who, case, "apply", on=d(3, 2))
    for who in ("clerk_b", "township_b", "stranger", "cadre"):
        with pytest.raises(Http404):
            act(users, who, case, "apply", on=d(3, 2))
    # Opening an application: only the first step's role, only in a village of their scope.
    with pytest.raises(PermissionDenied):
        open_identification(users, clerk="township_a")
    with pytest.raises(Http404):
        open_identification(users, clerk="clerk_b")
    with pytest.raises(ValidationError, match="不是行政村"):
        open_identification(users, village="610926100000", clerk="township_a")
    assert CaseStep.objects.count() == 0


def test_dates_cannot_be_in_the_future_or_before_the_previous_step(users):
    from datetime import timedelta

    from django.utils import timezone

    case = open_identification(users, on=d(3, 1))
    with pytest.raises(ValidationError, match="早于上一步"):
        act(users, "clerk_a", case, "apply", on=d(2, 28))
    with pytest.raises(ValidationError, match="晚于今天"):
        act(users, "clerk_a", case, "apply", on=timezone.localdate() + timedelta(days=1))
    act(users, "clerk_a", case, "apply")  # today
    case.refresh_from_db()
    assert case.last_acted_on == timezone.localdate()


def test_one_identification_case_per_head_per_round(users):
    first = open_identification(users)
    data = {"head_name": first.head_name, "id_number": first.id_number, "main_cause": "因病"}
    from fupin.identification.services import identification_case_open

    with pytest.raises(ValidationError, match="其他识别申请"):
        identification_case_open(actor=users["clerk_a"], village_code=VILLAGE, year=YEAR, data=data, on=d(3, 2))
    # Another round is another case.
    other = identification_case_open(actor=users["clerk_a"], village_code=VILLAGE, year=YEAR - 1, data=data,
                                     on=d(3, 2))
    assert other.year == YEAR - 1 and Case.objects.count() == 2
    assert CONTACT  # (imported for the walk helpers)

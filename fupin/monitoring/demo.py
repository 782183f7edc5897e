"""Demo monitoring cases (防止返贫监测) for a generated county.

Every household the demo generator made 监测户 (a 纳入监测 status event) gets a case: identified on
the effective date of that event, the risk the event names (its reason reads "…风险：因病"), then the
household's causes; discovery mostly by cadres' screening, some by the household's own report or a
department's warning (more of those when department rosters name one of its members). Most cases get
one or two measures matching the risk. Every identification and elimination has a village notice
period that follows the rules (`notice.notice_check`): `monitoring.notice_days` days or up to two
more, ending 0–3 days before the confirmation; identification starts after discovery, mostly within
`monitoring.identify_within_days` days (some late ones are flagged). A few cases whose conditions all pass on `on` are closed as
风险已消除 (the household returns to 已脱贫), and a case is closed as 自然消除 only when its household
has no present member on `on`.

Set-based: one read of the households, one of their events, one of the roster matches, bulk inserts;
only the handful of eliminations go through the per-case assessment. Deterministic by seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from fupin.accounts.roles import Role
from fupin.accounts.scope import in_code_range
from fupin.crosscheck.models import RosterRow
from fupin.policy.selectors import resolver
from fupin.regions.codes import subtree_range
from fupin.registry.choices import HouseholdStatus, PovertyCause, StatusChangeSource, StatusEventKind
from fupin.registry.models import Household, HouseholdStatusEvent, Member
from fupin.registry.selectors_status import present_members
from fupin.registry.services import household_change_status

from .choices import CaseState, Discovery, ObjectType, RiskType, StepKind
from .elimination import assess_elimination, natural_elimination_check
from .models import MonitoringCase, MonitoringMeasure, MonitoringStep
from .notice import NOTICE_KEY, notice_check, notice_text

RISK_BY_LABEL = {str(label): value for value, label in RiskType.choices}
RISK_OF_CAUSE = {PovertyCause.ILLNESS: RiskType.ILLNESS, PovertyCause.DISABILITY: RiskType.DISABILITY,
                 PovertyCause.SCHOOLING: RiskType.SCHOOLING, PovertyCause.DISASTER: RiskType.DISASTER,
                 PovertyCause.LACK_LABOUR: RiskType.LACK_LABOUR, PovertyCause.LACK_WATER: RiskType.WATER}
MEASURES = {
    RiskType.ILLNESS: [("health", "医疗救助和大病保险报销"), ("public_job", "安排公益性岗位")],
    RiskType.DISABILITY: [("disability_allowance", "发放残疾人两项补贴"), ("public_job", "安排公益性岗位")],
    RiskType.SCHOOLING: [("education_aid", "落实教育资助"), ("rain_dew", "雨露计划职业教育补助")],
    RiskType.DISASTER: [("housing", "灾后住房修缮"), ("industry", "恢复产业生产补助")],
    RiskType.ACCIDENT: [("social", "社会帮扶临时救助"), ("health", "医疗救助")],
    RiskType.UNSTABLE_WORK: [("employment", "组织转移就业"), ("skills_training", "技能培训")],
    RiskType.LACK_LABOUR: [("basic_security", "纳入低保兜底"), ("asset_income", "资产收益分红")],
    RiskType.WATER: [("water", "饮水安全工程入户"), ("industry", "产业帮扶")],
}
MEASURE_SHARE = 0.85
ELIMINATION_SAMPLE = 40  # cases assessed for elimination at most
ELIMINATED_SHARE = 0.5  # of those that pass
WITHIN_KEY = "monitoring.identify_within_days"
LATE_SHARE = 0.1  # identified after the time limit (the case is flagged)
LATE_EXTRA_DAYS = (1, 10)  # how far past the limit
NOTICE_EXTRA_DAYS = (0, 1, 2)  # the notice lasts the required days or a little longer
NOTICE_GAP_DAYS = (0, 1, 2, 3)  # days between the end of the notice and the confirmation


def _actor(county_code: str):
    users = get_user_model().objects.filter(role=Role.COUNTY_APPROVER, region_id=county_code, is_active=True)
    return users.filter(username="demo_county").first() or users.order_by("id").first()


def _notice_period(rng: random.Random, confirmed_on: date, need: int) -> tuple[date, date]:
    """A notice of `need` days or a little more, ending 0–3 days before `confirmed_on`."""
    notice_to = confirmed_on - timedelta(days=rng.choice(NOTICE_GAP_DAYS))
    return notice_to - timedelta(days=need + rng.choice(NOTICE_EXTRA_DAYS) - 1), notice_to


def _notice_inputs(notice_from: date, notice_to: date, *, village_code: str, year: int, confirmed_on: date,
                   starts_from: date, starts_label: str, required) -> dict:
    problems, inputs = notice_check(notice_from, notice_to, village_code=village_code, year=year,
                                    ends_by=confirmed_on, ends_label="审核确认日期", starts_from=starts_from,
                                    starts_label=starts_label, required=required)
    if problems:  # the periods above are built to follow the rules
        raise ValueError(f"演示数据公示期不符合规则：{problems}")
    return inputs


def _risks(reason: str, main_cause: str, other_causes: list) -> list[str]:
    risks = []
    if "风险：" in reason:
        label = reason.split("风险：", 1)[1].strip("） )")
        if label in RISK_BY_LABEL:
            risks.append(RISK_BY_LABEL[label])
    for cause in [main_cause, *(other_causes or [])]:
        r = RISK_OF_CAUSE.get(cause)
        if r and r not in risks:
            risks.append(r)
    return (risks or [RiskType.UNSTABLE_WORK])[:3]


@transaction.atomic
def generate_monitoring_demo(*, county_code: str, year: int, on: date, seed: int) -> dict:
    """Cases for the county's 监测户 (as of `on`), their steps and measures, a few eliminations."""
    codes = subtree_range(county_code)
    if MonitoringCase.objects.filter(in_code_range("village_code", codes)).exists():
        return {"cases": 0, "measures": 0, "assisted": 0, "eliminated": 0, "naturally_eliminated": 0,
                "by_object_type": {}, "skipped": "已有监测记录"}
    actor = _actor(county_code)
    actor_id, actor_name = (actor.pk, actor.username) if actor else (None, "system")
    households = list(Household.objects.filter(in_code_range("village_id", codes), status=HouseholdStatus.MONITORED)
                      .order_by("household_no").values("id", "household_no", "village_id", "main_cause", "other_causes",
                                                       "exit_year"))
    ids = [h["id"] for h in households]
    events: dict[int, dict] = {}
    for e in (HouseholdStatusEvent.objects.filter(household__in=Household.objects.filter(
            in_code_range("village_id", codes), status=HouseholdStatus.MONITORED), kind=StatusEventKind.MONITORED,
            effective_on__lte=on)
              .order_by("household_id", "effective_on", "id").values("household_id", "effective_on", "reason",
                                                                     "from_status")):
        events[e["household_id"]] = e  # the latest 纳入监测 event
    flagged_households = set(Member.objects.filter(household_id__in=ids, id_number__in=RosterRow.objects.values(
        "id_number")).values_list("household_id", flat=True).distinct()) if ids else set()
    cases: list[MonitoringCase] = []
    plans: list[tuple[MonitoringCase, random.Random]] = []
    resolvers: dict[int, object] = {}  # one policy query per identification year
    for h in households:
        e = events.get(h["id"])
        if e is None:
            continue
        rng = random.Random(f"{seed}:monitoring:{h['household_no']}")
        identified = e["effective_on"]
        if identified.year not in resolvers:
            resolvers[identified.year] = resolver([WITHIN_KEY, NOTICE_KEY], year=identified.year)
        policy = resolvers[identified.year](h["village_id"])
        within, need = int(policy[WITHIN_KEY].value), int(policy[NOTICE_KEY].value)
        if h["id"] in flagged_households or rng.random() < 0.15:
            discovery = Discovery.DEPARTMENT_SCREENING
        elif rng.random() < 0.25:
            discovery = Discovery.SELF_REPORT
        else:
            discovery = Discovery.CADRE_SCREENING
        notice_from, notice_to = _notice_period(rng, identified, need)
        lead = (identified - notice_from).days  # discovery comes before the notice
        if rng.random() < LATE_SHARE:
            days = max(within, lead) + rng.randint(*LATE_EXTRA_DAYS)
        else:
            days = rng.randint(lead, max(lead, within))
        discovered = identified - timedelta(days=days)
        notice = _notice_inputs(notice_from, notice_to, village_code=h["village_id"], year=identified.year,
                                confirmed_on=identified, starts_from=discovered, starts_label="发现日期",
                                required=policy[NOTICE_KEY])
        exited = e["from_status"] == HouseholdStatus.EXITED or h["exit_year"] is not None
        risks = _risks(e["reason"], h["main_cause"], h["other_causes"])
        case = MonitoringCase(
            household_id=h["id"], village_code=h["village_id"],
            object_type=ObjectType.UNSTABLE if exited else ObjectType.MARGINAL, risk_types=risks,
            discovery=discovery, discovered_on=discovered, identified_on=identified, year=identified.year,
            state=CaseState.IDENTIFIED, status_before=e["from_status"] or "",
            reasons=[{"code": "demo", "label": "演示数据", "text": e["reason"], "inputs": {}}],
            inputs={"days_to_identify": days, "identify_within_days": within, "identified_within_limit": days <= within,
                    "notice": notice, "policy": [policy[WITHIN_KEY].explain(), notice["policy"]], "demo": True})
        cases.append(case)
        plans.append((case, rng))
    MonitoringCase.objects.bulk_create(cases, batch_size=1000)
    steps: list[MonitoringStep] = []
    measures: list[MonitoringMeasure] = []
    assisted: list[int] = []
    for case, rng in plans:
        steps.append(MonitoringStep(case=case, kind=StepKind.IDENTIFIED, on=case.identified_on, actor_id=actor_id,
                                    actor_name=actor_name,
                                    note=f"识别纳入监测：{case.get_object_type_display()}；{notice_text(case.inputs['notice'])}",
                                    inputs={"reasons": case.reasons, **case.inputs}))
        if rng.random() >= MEASURE_SHARE:
            continue
        options = MEASURES.get(case.risk_types[0], MEASURES[RiskType.UNSTABLE_WORK])
        for measure_type, text in options[: rng.choice((1, 1, 2))]:
            started = min(on, case.identified_on + timedelta(days=rng.randint(5, 60)))
            amount = Decimal(rng.randrange(500, 8000, 100))
            m = MonitoringMeasure(case=case, measure_type=measure_type, description=text, started_on=started,
                                  amount=amount)
            measures.append(m)
            steps.append(MonitoringStep(case=case, kind=StepKind.MEASURE, on=started, actor_id=actor_id,
                                        actor_name=actor_name, note=f"{m.get_measure_type_display()}：{text}",
                                        inputs={"measure_type": measure_type, "amount": f"{amount:.2f}"}))
        assisted.append(case.pk)
    MonitoringMeasure.objects.bulk_create(measures, batch_size=2000)
    MonitoringStep.objects.bulk_create(steps, batch_size=2000)
    MonitoringCase.objects.filter(pk__in=assisted).update(state=CaseState.ASSISTED)
    natural = _natural(cases, on, actor_id, actor_name)
    eliminated = _eliminate_some(cases, assisted, on, seed, actor)
    by_type = dict(MonitoringCase.objects.filter(in_code_range("village_code", codes)).order_by()
                   .values_list("object_type").annotate(n=Count("id")))
    return {"cases": len(cases), "measures": len(measures), "assisted": len(assisted) - eliminated,
            "eliminated": eliminated, "naturally_eliminated": natural, "by_object_type": by_type}


def _natural(cases, on: date, actor_id, actor_name) -> int:
    """Cases of households with no present member on `on` (or 已销户): 自然消除."""
    ids = [c.household_id for c in cases]
    with_members = set(Member.objects.filter(present_members(on), household_id__in=ids)
                       .values_list("household_id", flat=True).distinct())
    done = []
    for c in cases:
        if c.household_id in with_members:
            continue
        ok, why, inputs = natural_elimination_check(c, on)
        if ok:
            done.append((c, why, inputs))
    for c, why, inputs in done:
        MonitoringCase.objects.filter(pk=c.pk).update(
            state=CaseState.NATURALLY_ELIMINATED, eliminated_on=on,
            elimination_inputs={"natural": True, "reason": "户内成员全部减少", "check": why, **inputs})
        MonitoringStep.objects.create(case=c, kind=StepKind.NATURALLY_ELIMINATED, on=on, note="户内成员全部减少",
                                      inputs={"check": why, **inputs}, actor_id=actor_id, actor_name=actor_name)
        c.state = CaseState.NATURALLY_ELIMINATED
    return len(done)


def _eliminate_some(cases, assisted_ids, on: date, seed: int, actor) -> int:
    rng = random.Random(f"{seed}:monitoring:eliminate")
    pool = [c for c in cases if c.pk in set(assisted_ids) and c.state != CaseState.NATURALLY_ELIMINATED]
    rng.shuffle(pool)
    resolve_for = resolver([NOTICE_KEY], year=on.year)
    count = 0
    for case in pool[:ELIMINATION_SAMPLE]:
        case = MonitoringCase.objects.select_related("household").get(pk=case.pk)
        hy = case.household.years.filter(year__lte=on.year).order_by("-year").values("per_capita_income").first()
        income = hy["per_capita_income"] if hy else None
        notice_from, notice_to = _notice_period(rng, on, int(resolve_for(case.village_code)[NOTICE_KEY].value))
        assessment = assess_elimination(case, on, verified_income=income, expenditure_solved=True,
                                        notice_from=notice_from, notice_to=notice_to)
        if not assessment["passed"] or rng.random() >= ELIMINATED_SHARE:
            continue
        notice = next(i["inputs"] for i in assessment["indicators"] if i["code"] == "notice")
        notice = {k: v for k, v in notice.items() if k != "problems"}
        case.state, case.eliminated_on = CaseState.ELIMINATED, on
        case.elimination_inputs = {**assessment, "note": "演示数据：入户核实、民主评议公示后审核确认",
                                   "notice": notice}
        case.save(update_fields=["state", "eliminated_on", "elimination_inputs", "updated_at"])
        restored = case.status_before == HouseholdStatus.EXITED
        if restored:
            household_change_status(actor=actor, household=case.household, to_status=HouseholdStatus.EXITED,
                                    year=on.year, source=StatusChangeSource.MONITORING,
                                    kind=StatusEventKind.RISK_ELIMINATED, effective_on=on,
                                    reason="防止返贫监测风险消除，恢复为已脱贫")
        MonitoringStep.objects.create(case=case, kind=StepKind.ELIMINATED, on=on, note=f"风险消除；{notice_text(notice)}",
                                      inputs={"assessment": assessment, "notice": notice,
                                              "household_status_restored": restored},
                                      actor_id=getattr(actor, "pk", None), actor_name=getattr(actor, "username", "system"))
        count += 1
    return count


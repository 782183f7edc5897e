"""Demo cases of the identification and exit procedures (精准识别, 精准退出) for a generated demo county.

`generate_procedure_demo(county_code=..., year=..., on=..., seed=...)` runs after `generate_demo`
(the registry must exist; `year` is its last, unfrozen year) and drives the real services, so every
case, step, notice, objection and quota is checked and audited exactly as if clerks had entered it:

- a few villages (the village with the most households in 城关镇 first — the one `create_demo_users`
  gives the demo clerk — then others drawn by the seed) get identification applications of the round
  with plausible families (names and valid resident ID numbers from the demo generator's
  `Identities`, none already in the registry) and incomes around the poverty line;
- the cases end up at different steps: just applied, waiting at 民主评议 or 核实, listed on a 第一次公示
  whose period is still running on `on` (one objection filed and not yet resolved), ended with their
  reasons (民主评议 vote failed, income not below the line, 乡镇审核 refused), and a couple walked the
  whole way to 建档立卡 (one of them after an objection found groundless);
- the county sets each village's quota (识别规模);
- exit cases for poor households of `year` (assessed set-based by `exits.household.assess_households`):
  up to three that meet the exit standard — one walked to 销号, one on a running 公示, one waiting at
  户认可. The demo registry of the last year has few poor households and they are below the line, so
  when too few pass as they are, households failing on income alone are used after 入户核实 corrects
  their year's wage income above the line (`registry.services.household_year_save`, audited). And
  one household that fails the standard (on another indicator if any), whose 核实 approval the
  service refuses — the refusal is recorded as the reason of a 不同意 at 核实, so the case shows
  exactly which indicators failed.

Actors: each step is done by a user of the step's role bound to the right region, as the services
require. The demo login accounts (`create_demo_users`) may not exist yet and must not be tied to
these records, so dedicated accounts are used — `demo_proc_clerk_<village>`, `demo_proc_township_
<township>`, `demo_proc_county_<county>` — created here (once; reused when they exist) with an
unusable password: nobody can log in as them, their names only show who "did" each demo step.

Dates run backwards from `on` (the demo's "today", not in the future): applications 60 days before,
running notices published two days before. One transaction; same seed and registry ⇒ same cases
(keys and timestamps aside); refused (DemoError) if the county has procedure cases for the year.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.audit.services import Action, Entry, record, record_many
from fupin.core.clock import today
from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.demo.generator.identity import Identities, random_gender
from fupin.policy.selectors import resolve
from fupin.regions.codes import Level, subtree_range
from fupin.regions.models import Region
from fupin.registry.choices import POOR_STATUSES, Gender, PovertyCause
from fupin.registry.models import Household, Member
from fupin.registry.selectors import frozen_years

from .choices import CaseState, Procedure, StepKind
from .engine import load_steps
from .models import Case, Notice, NoticeEntry, Objection
from .services import case_act, exit_case_open, identification_case_open
from .services_notices import notice_complete, notice_publish, objection_file, objection_resolve
from .services_quota import village_quotas_set

ACTOR_PREFIX = "demo_proc_"
DEMO_TOWNSHIP_NAME = "城关镇"  # as fupin.demo.users: the demo clerk's township
VILLAGES = 4
CHINESE_NUMERALS = "一二三四五六七八九十"
START_DAYS_BEFORE = 60
# What happens to each village's applications, village by village (cycled beyond the table) [demo].
VILLAGE_FATES = (
    ("registered", "registered_after_objection", "notice_running", "notice_running", "appraisal"),
    ("notice_running", "notice_running", "rejected_vote", "verify", "apply"),
    ("notice_running", "rejected_income", "rejected_township", "appraisal"),
    ("notice_running", "rejected_vote", "appraisal", "verify"),
)
EXIT_FATES = ("closed", "notice_running", "consent")
CAUSES = ((PovertyCause.ILLNESS, 0.42), (PovertyCause.LACK_SKILLS, 0.14), (PovertyCause.LACK_FUNDS, 0.14),
          (PovertyCause.LACK_LABOUR, 0.12), (PovertyCause.SCHOOLING, 0.10), (PovertyCause.DISASTER, 0.08))
REASONS = {
    PovertyCause.ILLNESS: "户主常年患病，医药费支出大，家庭收入低，申请纳入建档立卡贫困户",
    PovertyCause.LACK_SKILLS: "家中劳动力缺乏技术，只能零星务工，收入不稳定，申请纳入建档立卡贫困户",
    PovertyCause.LACK_FUNDS: "缺少发展产业的资金，家庭收入低，申请纳入建档立卡贫困户",
    PovertyCause.LACK_LABOUR: "家中缺少劳动力，收入来源少，申请纳入建档立卡贫困户",
    PovertyCause.SCHOOLING: "子女上学支出大，家庭收入低，申请纳入建档立卡贫困户",
    PovertyCause.DISASTER: "今年遭受洪涝灾害，房屋和庄稼受损，申请纳入建档立卡贫困户",
}
VOTES_PASS = ({"for": 21, "against": 2, "abstain": 1}, {"for": 17, "against": 3, "abstain": 2},
              {"for": 25, "against": 1, "abstain": 0})
VOTES_FAIL = {"for": 8, "against": 13, "abstain": 3}
SCHOOL_BY_AGE = ((3, "not_student"), (6, "preschool"), (12, "primary"), (15, "junior"), (18, "senior"))


@dataclass
class Actors:
    county: User
    townships: dict[str, User] = field(default_factory=dict)
    clerks: dict[str, User] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)

    def clerk(self, village_code: str) -> User:
        return self.clerks[village_code]

    def township(self, village_code: str) -> User:
        return self.townships[village_code[:9] + "000"]

    def for_role(self, role: str, village_code: str) -> User:
        pick = {Role.VILLAGE_CLERK: self.clerk, Role.TOWNSHIP_REVIEWER: self.township,
                Role.COUNTY_APPROVER: lambda _code: self.county}.get(role)
        if pick is None:
            raise DemoError(f"演示程序不支持由角色“{Role.LABELS.get(role, role)}”办理的步骤")
        return pick(village_code)


def _actor(username: str, role: str, region: Region, created: list[str]) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        if user.role != role or user.region_id != region.code:
            raise DemoError(f"用户名“{username}”已被其他账户使用，不是演示程序账户；未做任何修改")
        return user
    user = User(username=username, role=role, region=region, full_name=f"演示·{region.name}{Role.LABELS[role]}")
    user.set_unusable_password()
    user.save()
    created.append(username)
    return user


def demo_actors(county: Region, village_codes) -> Actors:
    """The non-login accounts acting in the demo: the county approver, and a reviewer and a clerk
    for each village's township and village. Created once, reused afterwards."""
    created: list[str] = []
    codes = sorted(set(village_codes))
    regions = Region.objects.in_bulk(codes + sorted({c[:9] + "000" for c in codes}))
    actors = Actors(county=_actor(f"{ACTOR_PREFIX}county_{county.code[:6]}", Role.COUNTY_APPROVER, county, created))
    for code in codes:
        township = regions[code[:9] + "000"]
        if township.code not in actors.townships:
            actors.townships[township.code] = _actor(f"{ACTOR_PREFIX}township_{township.code[:9]}",
                                                     Role.TOWNSHIP_REVIEWER, township, created)
        actors.clerks[code] = _actor(f"{ACTOR_PREFIX}clerk_{code}", Role.VILLAGE_CLERK, regions[code], created)
    if created:
        made = User.objects.filter(username__in=created).order_by("username")
        record_many(entries=[Entry(action=Action.CREATE, object_type="accounts.user", object_id=str(u.pk),
                                   object_repr=u.username, region_code=u.region_id,
                                   after={"username": u.username, "role": u.role, "region": u.region_id,
                                          "loginable": False}) for u in made])
    actors.created = created
    return actors


# --- Applicants ------------------------------------------------------------------------------------

def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _school(age: int) -> str:
    return next((status for below, status in SCHOOL_BY_AGE if age < below), "not_student")


class Applicants:
    """Plausible applicant families: seeded names and resident ID numbers, none in the registry."""

    def __init__(self, rng: random.Random, *, county6: str, on: date, line: Decimal):
        self.rng = rng
        self.ids = Identities(rng, county6=county6, reference=on)
        self.line = line

    def family(self, village: Region, township: Region, county: Region, *, eligible: bool) -> dict:
        rng, ids = self.rng, self.ids
        cause = rng.choices([c for c, _ in CAUSES], weights=[w for _, w in CAUSES])[0]
        size = rng.choice((1, 2, 3, 3, 4, 4, 5)) if cause != PovertyCause.SCHOOLING else rng.choice((3, 4))
        surname = ids.surname()
        head_gender = Gender.MALE if rng.random() < 0.85 else Gender.FEMALE
        head_age = rng.randint(45, 68) if size == 1 else rng.randint(32, 62)
        head_birth = ids.birth_date(head_age)
        head = {"name": surname + ids.given_name(head_gender, head_birth.year),
                "id_number": ids.id_number(head_birth, head_gender), "relation": "head",
                "health": "serious" if cause == PovertyCause.ILLNESS else "healthy",
                "labour_capacity": "weak" if cause in (PovertyCause.ILLNESS, PovertyCause.LACK_LABOUR) else "ordinary",
                "school_status": "not_student"}
        members = [head]
        if size >= 2:
            gender = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
            birth = ids.birth_date(max(22, head_age + rng.randint(-4, 3)))
            members.append({"name": ids.surname() + ids.given_name(gender, birth.year),
                            "id_number": ids.id_number(birth, gender), "relation": "spouse",
                            "health": "healthy", "labour_capacity": "ordinary", "school_status": "not_student"})
        for _ in range(size - len(members)):
            gender = random_gender(rng)
            low = max(4, head_age - 40)
            age = rng.randint(low, max(low, min(19, head_age - 22)))
            if cause == PovertyCause.SCHOOLING and not any(m.get("school_status") not in ("not_student", None)
                                                           for m in members[1:]):
                age = rng.randint(8, 17)
            birth = ids.birth_date(age)
            members.append({"name": surname + ids.given_name(gender, birth.year),
                            "id_number": ids.id_number(birth, gender),
                            "relation": "son" if gender == Gender.MALE else "daughter", "health": "healthy",
                            "labour_capacity": "none" if age < 16 else "ordinary", "school_status": _school(age)})
        share = rng.uniform(0.45, 0.92) if eligible else rng.uniform(1.08, 1.35)
        net = float(self.line) * share * size
        wage = round(net * rng.uniform(0.45, 0.7))
        transfer = round(net * rng.uniform(0.08, 0.2))
        cost = round(rng.uniform(300, 1500))
        business = round(net) - wage - transfer + cost
        group = CHINESE_NUMERALS[rng.randrange(6)] + "组"
        return {
            "head_name": head["name"], "id_number": head["id_number"], "group_name": group,
            "address": f"{county.name}{township.name}{village.name}{group}", "phone": ids.phone(),
            "main_cause": cause, "other_causes": [], "note": REASONS[cause],
            "wage_income": _money(wage), "business_income": _money(business), "business_cost": _money(cost),
            "property_income": Decimal("0"), "transfer_income": _money(transfer),
            "members": members,
        }

    def avoid_registered(self, families: list[dict]) -> None:
        """Redraw any ID number already in the registry (one query per round; collisions are rare)."""
        while True:
            numbers = {m["id_number"] for f in families for m in f["members"]}
            taken = set(Member.objects.filter(id_number__in=numbers).values_list("id_number", flat=True))
            if not taken:
                return
            self.ids.ids.update(taken)
            for f in families:
                for m in f["members"]:
                    if m["id_number"] in taken:
                        birth = date(int(m["id_number"][6:10]), int(m["id_number"][10:12]), int(m["id_number"][12:14]))
                        gender = Gender.MALE if int(m["id_number"][16]) % 2 else Gender.FEMALE
                        m["id_number"] = self.ids.id_number(birth, gender)
                        if m["relation"] == "head":
                            f["id_number"] = m["id_number"]


# --- Walking cases -----------------------------------------------------------------------------------

class Walker:
    """Acts on cases with the role each step names, day by day, never past `on`."""

    def __init__(self, actors: Actors, on: date, contact_by_village: dict[str, str]):
        self.actors = actors
        self.on = on
        self.contact = contact_by_village
        self.votes = 0

    def actor(self, case: Case) -> User:
        return self.actors.for_role(case.current_step_def.role, case.village_id)

    def act(self, case: Case, day: date, **kwargs) -> Case:
        step = case.current_step_def
        if step.kind == StepKind.VOTE:
            self.votes += 1
            kwargs.setdefault("votes", VOTES_PASS[self.votes % len(VOTES_PASS)])
        elif step.kind in (StepKind.ACTION, StepKind.EFFECT):
            kwargs.setdefault("decision", "approved")
        return case_act(actor=self.actor(case), case_id=case.pk, step_code=step.code, on=min(day, self.on), **kwargs)

    def publish(self, cases: list[Case], day: date) -> Notice:
        first = cases[0]
        step = first.current_step_def
        return notice_publish(
            actor=self.actor(first), village_code=first.village_id, procedure=first.procedure, year=first.year,
            step_code=step.code, case_ids=[c.pk for c in cases], on=day,
            objection_contact=self.contact[first.village_id] if step.kind == StepKind.NOTICE else "")

    def walk(self, case: Case, *, until: set[str], day: date, dismiss_objection: bool = False) -> date:
        """Walk one case (alone on its notices) until its current step's code is in `until` or it
        is done. Returns the day after the last act."""
        unknown = until - {s.code for s in case.step_defs}
        if unknown:
            raise DemoError(f"演示程序按默认步骤配置办理，{case}的步骤中没有：{'、'.join(sorted(unknown))}")
        while case.state == CaseState.OPEN and case.current_step not in until:
            if day > self.on:
                raise DemoError(f"演示日期不足：到 {self.on} 走不完配置的步骤（公示天数过长？）")
            step = case.current_step_def
            if step.kind == StepKind.NOTICE:
                notice = self.publish([case], day)
                if dismiss_objection:
                    objection = objection_file(actor=self.actor(case), notice_id=notice.pk, case_id=case.pk,
                                               on=day + timedelta(days=1), filer_name="匿名",
                                               content="反映该户有子女在外务工，收入可能偏低不实")
                    objection_resolve(actor=self.actors.township(case.village_id), objection_id=objection.pk,
                                      outcome="dismissed", on=day + timedelta(days=2),
                                      resolution="经入户核查，子女已分户另居，收入不计入本户，异议不成立")
                    dismiss_objection = False
                day = notice.ends_on + timedelta(days=1)
                notice_complete(actor=self.actor(case), notice_id=notice.pk, on=day)
            elif step.kind == StepKind.ANNOUNCEMENT:
                self.publish([case], day)
            else:
                self.act(case, day)
            case.refresh_from_db()
            day += timedelta(days=1)
        return day

    def refuse_then_reject(self, case: Case, day: date) -> None:
        """Try to approve the current step; the service must refuse it (the standard is not met),
        and the refusal becomes the reason of a 不同意, so the case shows what failed."""
        name = case.current_step_name
        try:
            with transaction.atomic():
                self.act(case, day)
        except ValidationError as exc:
            self.act(case, day, decision="rejected", comment="；".join(exc.messages))
        else:
            raise DemoError(f"演示数据有误：{case.head_name}户未达到标准，“{name}”却获通过")


# --- The demo --------------------------------------------------------------------------------------



def _villages(county: Region, rng: random.Random, n: int) -> list[Region]:
    """The village with the most households in 城关镇 (the demo clerk's), then others by the seed."""
    low, high = subtree_range(county.code).as_tuple()
    counts = dict(Household.objects.filter(village_id__gte=low, village_id__lte=high).values("village_id")
                  .annotate(n=Count("id")).values_list("village_id", "n"))
    if not counts:
        raise DemoError(f"{county.name}还没有建档立卡数据：请先运行 fupin generate_demo --county {county.code[:6]}")
    townships = {r.code: r for r in Region.objects.filter(parent=county, level=Level.TOWNSHIP)}
    home = next((t for t in townships.values() if t.name == DEMO_TOWNSHIP_NAME), None)
    ordered = sorted(counts, key=lambda c: (-counts[c], c))
    first = next((c for c in ordered if home and c.startswith(home.code[:9])), ordered[0])
    others = sorted(c for c in counts if c != first)
    picked = [first] + rng.sample(others, min(n - 1, len(others)))
    regions = Region.objects.in_bulk(picked)
    return [regions[c] for c in picked]


def _exit_candidates(county: Region, year: int, rng: random.Random) -> tuple[list, list, list]:
    """Poor households of the county for `year`, drawn by the seed (set-based assessment):
    (passing as they are, failing on income alone — their verified income will be raised —, and
    one failing household that stays refused, preferably on an indicator other than income)."""
    from fupin.exits.household import assess_households

    assessments = assess_households(year=year, region_code=county.code, statuses=POOR_STATUSES)
    passing = [a for a in assessments if a.passed]
    income_only = [a for a in assessments if not a.passed and {i.code for i in a.indicators if not i.passed}
                   == {"income"}]
    others = [a for a in assessments if not a.passed and a not in income_only]
    pool = others or income_only
    failing = rng.sample(pool, min(1, len(pool)))
    chosen = rng.sample(passing, min(len(EXIT_FATES), len(passing)))
    raisable = [a for a in income_only if a not in failing]
    raised = rng.sample(raisable, min(len(EXIT_FATES) - len(chosen), len(raisable)))
    return chosen, raised, failing


def _raise_income(*, actor, household_id: int, year: int, line: Decimal, rng: random.Random) -> None:
    """入户核实 found more wage income than recorded (work found through the helping measures): the
    year's data is corrected through the registry service, so the household now meets the standard."""
    from fupin.registry.models import HouseholdYear
    from fupin.registry.services import household_year_save

    hy = HouseholdYear.objects.get(household_id=household_id, year=year)
    size = max(hy.household_size, 1)
    target = _money(float(line) * rng.uniform(1.15, 1.45) * size)
    wage = (hy.wage_income or Decimal("0")) + max(Decimal("0"), target - (hy.net_income or Decimal("0")))
    household_year_save(actor=actor, household_id=household_id, year=year, data={"wage_income": wage.quantize(
        Decimal("1"), rounding=ROUND_HALF_UP)})


@transaction.atomic
def generate_procedure_demo(*, county_code: str, year: int, on: date, seed: int) -> dict:
    """Demo identification and exit cases for the county's round `year`, as of `on`. Returns statistics."""
    county = demo_county(county_code)
    low, high = subtree_range(county.code).as_tuple()
    existing = Case.objects.filter(village_id__gte=low, village_id__lte=high, year=year).count()
    if existing:
        raise DemoError(f"{county.name}{year} 年度已有 {existing} 个识别或退出案件，不能重复生成演示案件")
    if not year <= on.year or on > today():
        raise DemoError(f"演示日期 {on} 应在 {year} 年度开始以后、不晚于今天")
    rng = random.Random(f"procedures:{seed}:{county.code}:{year}")
    villages = _villages(county, rng, VILLAGES)
    if year in frozen_years(villages[0].code):
        raise DemoError(f"{county.name}{year} 年度数据已固化：演示案件须用最后一个（未固化的）年度")
    passing, raised, failing = _exit_candidates(county, year, rng)
    exit_households = [a.household_id for a in passing + raised + failing]
    households = {h.pk: h for h in Household.objects.filter(pk__in=exit_households)}
    actors = demo_actors(county, [v.code for v in villages] + [h.village_id for h in households.values()])
    townships = Region.objects.in_bulk({v.parent_id for v in villages})
    contact = {}
    for code in sorted({v.code for v in villages} | {h.village_id for h in households.values()}):
        clerk = actors.clerk(code)
        contact[code] = (f"{clerk.region.name}村民委员会（村委会办公室），电话 0915-84{rng.randrange(10000, 99999)}；"
                         f"或{actors.township(code).region.name}人民政府扶贫办")
    start = on - timedelta(days=START_DAYS_BEFORE)
    walker = Walker(actors, on, contact)
    line = Decimal(str(resolve("poverty_line", year=year, region_code=villages[0].code).value))
    applicants = Applicants(rng, county6=county.code[:6], on=on, line=line)

    # 1. Applications, village by village.
    plan: list[tuple[Region, str, dict]] = []
    for i, village in enumerate(villages):
        for fate in VILLAGE_FATES[i % len(VILLAGE_FATES)]:
            eligible = fate != "rejected_income"
            plan.append((village, fate, applicants.family(village, townships[village.parent_id], county,
                                                          eligible=eligible)))
    applicants.avoid_registered([f for _, _, f in plan])
    cases: list[tuple[Case, str]] = []
    for offset, (village, fate, family) in enumerate(plan):
        case = identification_case_open(actor=actors.clerk(village.code), village_code=village.code, year=year,
                                        data=family, on=start + timedelta(days=offset % 3))
        cases.append((case, fate))

    # 2. Walk them. Cases alone on their notices, except the running notice of each village.
    running_by_village: dict[str, list[Case]] = {}
    day0 = start + timedelta(days=3)
    for case, fate in cases:
        if fate in ("registered", "registered_after_objection"):
            walker.walk(case, until=set(), day=day0, dismiss_objection=fate == "registered_after_objection")
        elif fate == "apply":
            continue
        elif fate in ("appraisal", "verify"):
            walker.walk(case, until={fate}, day=day0)
        elif fate == "rejected_vote":
            walker.walk(case, until={"appraisal"}, day=day0)
            walker.act(case, day0 + timedelta(days=3), votes=VOTES_FAIL, comment="多数村民代表认为该户收入高于申报")
        elif fate == "rejected_income":
            walker.walk(case, until={"verify"}, day=day0)
            walker.refuse_then_reject(case, day0 + timedelta(days=5))  # income not below the line
        elif fate == "rejected_township":
            walker.walk(case, until={"township_review"}, day=day0)
            walker.act(case, on - timedelta(days=20), decision="rejected",
                       comment="经乡镇核查，该户家庭成员在县城有商品房一套，不符合识别条件")
        elif fate == "notice_running":
            walker.walk(case, until={"notice1"}, day=day0)
            running_by_village.setdefault(case.village_id, []).append(case)
    running = []
    for code in sorted(running_by_village):
        listed = running_by_village[code]
        notice = walker.publish(listed, on - timedelta(days=2))
        running.append(notice)
        if len(running) == 1:
            filer = applicants.ids.surname() + applicants.ids.given_name(Gender.MALE, 1970)
            objection_file(actor=actors.clerk(code), notice_id=notice.pk, case_id=listed[0].pk,
                           on=on - timedelta(days=1), filer_name=filer, phone=applicants.ids.phone(),
                           content=f"反映{listed[0].head_name}户家中有一辆货车跑运输，收入可能偏高")

    # 3. Quotas: what the county allows each village this round.
    open_per_village = Counter(c.village_id for c, fate in cases if not fate.startswith("rejected"))
    quotas = village_quotas_set(actor=actors.county, year=year, note="演示：按各村申请户数和贫困发生率测算",
                                quotas={v.code: max(1, open_per_village[v.code] - rng.randint(0, 1)) for v in villages})

    # 4. Exit cases: the passing households at different steps, the failing one refused at 核实.
    for assessment in raised:
        _raise_income(actor=actors.clerk(households[assessment.household_id].village_id),
                      household_id=assessment.household_id, year=year, line=line, rng=rng)
    for fate, assessment in zip(EXIT_FATES, passing + raised, strict=False):
        household = households[assessment.household_id]
        case = exit_case_open(actor=actors.clerk(household.village_id), household_id=household.pk, year=year,
                              on=on - timedelta(days=30), note="人均纯收入稳定超过扶贫标准，两不愁三保障均有保障，拟退出")
        day = on - timedelta(days=29)
        if fate == "closed":
            walker.walk(case, until=set(), day=day)
        elif fate == "consent":
            walker.walk(case, until={"consent"}, day=day)
        else:
            walker.walk(case, until={"notice"}, day=day)
            running.append(walker.publish([case], on - timedelta(days=2)))
    for assessment in failing:
        household = households[assessment.household_id]
        case = exit_case_open(actor=actors.clerk(household.village_id), household_id=household.pk, year=year,
                              on=on - timedelta(days=10), note="村两委提出，拟退出")
        walker.walk(case, until={"verify"}, day=on - timedelta(days=9))
        walker.refuse_then_reject(case, on - timedelta(days=7))

    stats = _statistics(county=county, year=year, on=on, seed=seed, villages=villages, actors=actors,
                        running=running)
    stats["quotas"] = {code: q.quota for code, q in quotas.items()}
    record(entry=Entry(action=Action.IMPORT, object_type="demo.procedures",
                       object_repr=f"生成识别和退出演示案件：{county.name}{year}年度", region_code=county.code,
                       after={k: v for k, v in stats.items() if k != "actors"}))
    return stats


def _statistics(*, county, year, on, seed, villages, actors, running) -> dict:
    low, high = subtree_range(county.code).as_tuple()
    cases = Case.objects.filter(village_id__gte=low, village_id__lte=high, year=year)
    by_step: dict[str, Counter] = {p: Counter() for p in Procedure.values}
    by_state: dict[str, Counter] = {p: Counter() for p in Procedure.values}
    names: dict[tuple, str] = {}
    for procedure, state, step, village in cases.values_list("procedure", "state", "current_step", "village_id"):
        by_state[procedure][state] += 1
        if state == CaseState.OPEN:
            key = (procedure, step)
            if key not in names:
                steps, _ = load_steps(procedure, year=year, region_code=village)
                names[key] = next((s.name for s in steps if s.code == step), step)
            by_step[procedure][names[key]] += 1
    notices = Notice.objects.filter(village_id__gte=low, village_id__lte=high, year=year)
    return {
        "county": county.code, "county_name": county.name, "year": year, "on": on.isoformat(), "seed": seed,
        "villages": [{"code": v.code, "name": v.name} for v in villages],
        "actors": sorted([actors.county.username, *(u.username for u in actors.townships.values()),
                          *(u.username for u in actors.clerks.values())]),
        "actors_created": len(actors.created),
        "identification": {"cases": sum(by_state[Procedure.IDENTIFICATION].values()),
                           "by_state": dict(by_state[Procedure.IDENTIFICATION]),
                           "waiting_at": dict(by_step[Procedure.IDENTIFICATION])},
        "exit": {"cases": sum(by_state[Procedure.EXIT].values()), "by_state": dict(by_state[Procedure.EXIT]),
                 "waiting_at": dict(by_step[Procedure.EXIT])},
        "notices": notices.count(), "running_notices": len(running),
        "notice_entries": NoticeEntry.objects.filter(notice__in=notices).count(),
        "objections": {"pending": Objection.objects.filter(notice__in=notices, outcome="").count(),
                       "resolved": Objection.objects.filter(notice__in=notices).exclude(outcome="").count()},
    }

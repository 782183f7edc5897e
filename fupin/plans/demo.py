"""Demo plans (一户一策) for a generated demo county and year.

`generate_plan_demo(county_code=…, year=…, seed=…)` runs after `generate_demo` and writes, set-based
(bulk_create), for the households registered in the county that year:

- a plan for almost every poor household (未脱贫, 返贫 at the year's end: 97 % [demo]) and for most
  households that have exited or are monitored (85 % [demo] — 脱贫不脱帮扶, the pairing goes on);
  its measures are the household's suggestions (the rules in force, so they fit the household), with
  contents naming the members concerned, amounts, the usual responsible unit, due dates, and
  statuses by a per-plan progress; most plans confirmed;
- a couple of villages (COPY_VILLAGES) where the clerk copy-pasted one plan onto several households
  whose causes differ — one of the copies lightly re-typed (a near copy);
- a few contradictions (CONTRADICTIONS): 技能培训 for a household without labour, 危房改造 for a
  safe house, 雨露计划 without a vocational student, 残疾人补贴 without a disabled member.

Demo plans have no author id (drawn_up_by_id empty: only the services set one); running again for
the same county and year replaces them, and refuses when plans drawn up by users exist. Same seed ⇒
same plans. Returns statistics (also written as one audit row), including the copied and
contradicting households, so the checks can be verified against them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fupin.audit.services import Action, Entry, record
from fupin.core import clock
from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.registry.choices import POOR_STATUSES, HouseholdStatus, SchoolStatus
from fupin.registry.models import Household, HouseholdYear, MemberYear

from .choices import DEFAULT_RESPONSIBLE, MeasureStatus, MeasureType, PlanStatus
from .detection.similarity import causes_differ
from .facts import household_facts
from .models import HouseholdPlan, PlanMeasure
from .suggestions import suggestions_for

POOR_SHARE = 0.97  # [demo] poor households with a plan
OTHER_SHARE = 0.85  # [demo] exited / monitored households with a plan
OTHER_STATUSES = (HouseholdStatus.EXITED, HouseholdStatus.MONITORED)
CONFIRMED_SHARE = 0.85  # [demo]
EXTRA_ASSET_INCOME = 0.12  # [demo] households also given a 资产收益 share
MAX_MEASURES = 5
COPY_VILLAGES = 2  # [demo] villages where a plan was copy-pasted
COPIES_PER_VILLAGE = (3, 5)  # [demo] households a plan was copied onto
MIN_PLANS_FOR_COPY = 6
MIN_TEMPLATE_MEASURES = 3
CONTRADICTIONS = ("skills_training", "housing", "rain_dew", "disability_allowance")

CROPS = ("核桃", "茶叶", "魔芋", "食用菌", "中药材", "烤烟", "猕猴桃")
ANIMALS = ("生猪", "山羊", "土鸡", "肉牛", "中蜂")
PLACES = ("苏州", "西安", "宁波", "广州", "县城工业园区", "安康市")
SKILLS = ("电焊", "家政服务", "中式烹调", "茶叶加工", "挖掘机操作", "电工")
JOBS = ("生态护林员", "村保洁员", "护路员", "农村水管员")
PURPOSES = ("发展生猪养殖", "扩大茶园", "购置农机", "开办农家乐", "发展中药材种植")
SCHOOL_AID = {SchoolStatus.PRESCHOOL: "学前教育资助", SchoolStatus.PRIMARY: "“两免一补”",
              SchoolStatus.JUNIOR: "“两免一补”和营养改善计划", SchoolStatus.SENIOR: "免学杂费和国家助学金",
              SchoolStatus.VOCATIONAL: "免学费和国家助学金", SchoolStatus.COLLEGE: "国家助学金",
              SchoolStatus.UNIVERSITY: "生源地信用助学贷款"}




def _people(households, year: int) -> dict[int, dict[str, list]]:
    """Names of the members a measure is about, per household (one query)."""
    out: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    rows = (MemberYear.objects.filter(member__household_id__in=households.order_by().values("id"), year=year)
            .values_list("member__household_id", "member__name", "labour_capacity", "school_status", "health",
                         "disability_grade").order_by("member__household_id", "member_id"))
    for hid, name, labour, school, health, disability in rows:
        p = out[hid]
        if labour in ("ordinary", "skilled"):
            p["labour"].append(name)
        if labour == "weak":
            p["weak"].append(name)
        if school not in ("", SchoolStatus.NOT_STUDENT):
            p["students"].append((name, school))
        if health in ("chronic", "serious"):
            p["sick"].append((name, "长期慢性病" if health == "chronic" else "大病"))
        if health == "disabled" or disability:
            p["disabled"].append(name)
    return out


def _money(rng, low: int, high: int, step: int) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, step))


def _content(mtype: str, *, head: str, size: int, people: dict, facts, rng) -> tuple[str, Decimal | None]:
    labour = (people.get("labour") or people.get("weak") or [head])
    worker = rng.choice(labour)
    if mtype == MeasureType.INDUSTRY:
        if rng.random() < 0.5:
            return f"发展{rng.choice(CROPS)}{rng.randint(1, 8)}亩，落实产业奖补", _money(rng, 1000, 5000, 500)
        return f"养殖{rng.choice(ANIMALS)}{rng.randint(2, 30)}头（只、箱），落实产业奖补", _money(rng, 1000, 5000, 500)
    if mtype == MeasureType.EMPLOYMENT:
        return f"{worker}到{rng.choice(PLACES)}务工，稳定就业{rng.randint(6, 11)}个月以上", _money(rng, 200, 800, 100)
    if mtype == MeasureType.SKILLS_TRAINING:
        return f"{worker}参加{rng.choice(SKILLS)}培训并取得证书", None
    if mtype == MeasureType.PUBLIC_JOB:
        monthly = rng.choice((300, 400, 500, 600))
        return f"安排{worker}担任{rng.choice(JOBS)}，每月补贴{monthly}元", Decimal(monthly * 12)
    if mtype == MeasureType.MICROCREDIT:
        k = rng.randint(1, 5)
        return f"{worker}申请扶贫小额信贷{k}万元，用于{rng.choice(PURPOSES)}", Decimal(k * 10000)
    if mtype == MeasureType.ASSET_INCOME:
        return f"{head}户享受村集体光伏电站收益分红", _money(rng, 300, 1000, 100)
    if mtype == MeasureType.HOUSING:
        way = rng.choice(("原址拆除重建", "加固维修"))
        return f"{head}户住房为{facts.get('danger_grade') or 'C'}级危房，{way}", _money(rng, 10000, 35000, 1000)
    if mtype == MeasureType.WATER:
        return f"{head}户实施入户饮水改造，接通{rng.choice(('集中供水管网', '山泉水池'))}", _money(rng, 800, 3000, 100)
    if mtype in (MeasureType.EDUCATION_AID, MeasureType.RAIN_DEW):
        students = people.get("students") or [(head, SchoolStatus.PRIMARY)]
        wanted = ({SchoolStatus.VOCATIONAL, SchoolStatus.COLLEGE} if mtype == MeasureType.RAIN_DEW else None)
        name, school = next((s for s in students if wanted is None or s[1] in wanted), students[0])
        label = SchoolStatus(school).label
        if mtype == MeasureType.RAIN_DEW:
            return f"{name}就读{label}，申请雨露计划补助", Decimal(3000)
        return f"{name}（{label}）落实{SCHOOL_AID.get(school, '教育资助')}", _money(rng, 500, 3000, 250)
    if mtype == MeasureType.HEALTH:
        sick = people.get("sick")
        if sick:
            name, what = rng.choice(sick)
            return f"{name}（{what}）办理慢病卡，落实家庭医生签约和大病保险报销", _money(rng, 500, 8000, 500)
        return f"{head}户{size}人参加城乡居民医保，个人缴费由财政资助", Decimal(250 * max(size, 1))
    if mtype == MeasureType.BASIC_SECURITY:
        return f"{head}户{size}人纳入农村低保，按月发放低保金", Decimal(rng.choice((250, 300, 350)) * 12 * max(size, 1))
    if mtype == MeasureType.DISABILITY_ALLOWANCE:
        name = rng.choice(people.get("disabled") or [head])
        return f"{name}落实困难残疾人生活补贴和重度残疾人护理补贴", _money(rng, 1200, 2400, 100)
    if mtype == MeasureType.ECOLOGY:
        return f"{worker}聘为生态护林员", Decimal(6000)
    return f"{head}户{MeasureType(mtype).label}", None


def _day(rng, year: int, first: tuple[int, int], last: tuple[int, int], cap: date | None = None) -> date:
    start, end = date(year, *first), date(year, *last)
    if cap is not None and end > cap:
        end = max(start, cap)
    return date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


def _measure(mtype, content, amount, *, year: int, progress: float, rng, today: date, rule: str = "") -> PlanMeasure:
    due = _day(rng, year, (6, 30), (12, 31))
    if rng.random() < progress and date(year, 3, 1) <= today:
        status, done = MeasureStatus.COMPLETED, _day(rng, year, (3, 1), (12, 20), cap=today)
    else:
        status, done = (MeasureStatus.IN_PROGRESS if rng.random() < 0.6 else MeasureStatus.PLANNED), None
    return PlanMeasure(measure_type=mtype, content=content, amount=amount, responsible=DEFAULT_RESPONSIBLE[mtype],
                       status=status, due_on=due, completed_on=done, source_rule=rule)


def _copy(m: PlanMeasure, *, retype: bool = False) -> PlanMeasure:
    content = m.content
    if retype:  # re-typed by hand: punctuation changed, the first number one higher (or a word added)
        digit = next((ch for ch in content if ch.isdigit()), None)
        content = content.replace("，", "；", 1) + "。"
        if digit is not None:
            content = content.replace(digit, str((int(digit) + 1) % 10), 1)
        else:
            content = content[:-1] + "到位。"
    return PlanMeasure(measure_type=m.measure_type, content=content, amount=m.amount, responsible=m.responsible,
                       status=m.status, due_on=m.due_on, completed_on=m.completed_on, source_rule="")


def _pick_copies(rng, planned: list[Household], measures: dict[int, list[PlanMeasure]], causes) -> tuple:
    """A template plan and the households of other causes it is copied onto, in one village."""
    ordered = sorted(planned, key=lambda h: (-len(measures[h.pk]), h.household_no))
    template = ordered[0]
    chosen: list[Household] = []
    pool = [h for h in planned if h.pk != template.pk]
    rng.shuffle(pool)
    for h in pool:
        if len(chosen) >= rng.randint(*COPIES_PER_VILLAGE):
            break
        if all(causes_differ(h.main_cause, causes[h.pk], o.main_cause, causes[o.pk]) for o in [template, *chosen]):
            chosen.append(h)
    return template, chosen


@transaction.atomic
def generate_plan_demo(*, county_code: str, year: int, seed: int) -> dict:
    """Plans, measures, copied plans and contradictions for a demo county's households in `year`."""
    county = demo_county(county_code)
    rng = random.Random(f"{seed}-{county.code}-{year}-plans")
    low, high = county.code_range.as_tuple()
    existing = HouseholdPlan.objects.filter(village_id__gte=low, village_id__lte=high, year=year)
    if existing.filter(drawn_up_by_id__isnull=False).exists():
        raise DemoError(f"{county.name} {year} 年已有用户制定的帮扶计划，不生成演示数据")
    PlanMeasure.objects.filter(plan__in=existing).delete()
    existing.delete()
    households = (Household.objects.filter(village_id__gte=low, village_id__lte=high,
                                           years__year=year, years__status__in=[*POOR_STATUSES, *OTHER_STATUSES])
                  .select_related("helper").order_by("household_no"))
    listed = list(households)
    if not listed:
        raise DemoError(f"{county.name} {year} 年没有建档立卡户的年度数据：请先生成演示数据")
    status_of = dict(HouseholdYear.objects.filter(household__in=households, year=year)
                     .values_list("household_id", "status"))
    facts = household_facts(households, year=year)
    suggestions = suggestions_for(facts, year=year)
    people = _people(households, year)
    today = clock.today()

    planned: list[Household] = []
    measures: dict[int, list[PlanMeasure]] = {}
    causes = {h.pk: facts[h.pk].get("causes") for h in listed}
    for h in listed:
        share = POOR_SHARE if status_of[h.pk] in POOR_STATUSES else OTHER_SHARE
        if rng.random() >= share:
            continue
        f = facts[h.pk]
        size = f.get("members") or 1
        progress = rng.uniform(0.2, 1.0)
        seen, items = set(), []
        for s in suggestions.get(h.pk, []):
            mtype = s.measure["measure_type"]
            if mtype in seen or len(items) >= MAX_MEASURES:
                continue
            seen.add(mtype)
            content, amount = _content(mtype, head=h.head_name, size=size, people=people[h.pk], facts=f, rng=rng)
            items.append(_measure(mtype, content, amount, year=year, progress=progress, rng=rng, today=today,
                                  rule=s.rule["code"]))
        if rng.random() < EXTRA_ASSET_INCOME or not items:
            mtype = MeasureType.ASSET_INCOME
            content, amount = _content(mtype, head=h.head_name, size=size, people=people[h.pk], facts=f, rng=rng)
            items.append(_measure(mtype, content, amount, year=year, progress=progress, rng=rng, today=today))
        planned.append(h)
        measures[h.pk] = items

    # Copy-paste (措施雷同): in a couple of villages one plan pasted onto households of other causes.
    by_village: dict[str, list[Household]] = defaultdict(list)
    for h in planned:
        by_village[h.village_id].append(h)
    eligible = sorted(v for v, hs in by_village.items()
                      if len(hs) >= MIN_PLANS_FOR_COPY and len({h.main_cause for h in hs}) >= 3)
    copied: dict[str, dict] = {}
    rng.shuffle(eligible)
    for v in eligible:
        if len(copied) >= COPY_VILLAGES:
            break
        template, targets = _pick_copies(rng, by_village[v], measures, causes)
        if len(measures[template.pk]) < MIN_TEMPLATE_MEASURES or len(targets) < 2:
            continue
        source = measures[template.pk]
        for i, h in enumerate(targets):
            retype = not copied and i == 0  # in the first village, one copy re-typed by hand
            measures[h.pk] = [_copy(m, retype=retype and k == 0) for k, m in enumerate(source)]
        copied[v] = {"template": template.pk, "copies": [h.pk for h in targets]}
    in_copies = {pk for c in copied.values() for pk in (c["template"], *c["copies"])}

    # Contradictions (措施矛盾): measures that do not fit the household.
    tests = {"skills_training": lambda f: f.get("labour_count") == 0,
             "housing": lambda f: f.get("danger_grade") in ("A", "B") and not f.get("relocated"),
             "rain_dew": lambda f: f.get("vocational_students") == 0,
             "disability_allowance": lambda f: f.get("disabled_members") == 0}
    contradicting: dict[str, int] = {}
    candidates = [h for h in planned if h.pk not in in_copies]
    rng.shuffle(candidates)
    for mtype in CONTRADICTIONS:
        h = next((c for c in candidates if tests[mtype](facts[c.pk]) and c.pk not in contradicting.values()
                  and all(m.measure_type != mtype for m in measures[c.pk])), None)
        if h is None:
            continue
        content = {"skills_training": f"{h.head_name}参加电焊培训并取得证书",
                   "housing": f"{h.head_name}户实施危房改造", "rain_dew": f"{h.head_name}户子女申请雨露计划补助",
                   "disability_allowance": f"{h.head_name}落实残疾人两项补贴"}[mtype]
        measures[h.pk].append(_measure(mtype, content, None, year=year, progress=0.5, rng=rng, today=today))
        contradicting[mtype] = h.pk

    # Write: plans, then measures (bulk), then the dates the plans were drawn up.
    plans = []
    drawn_on: dict[int, date] = {}
    for h in planned:
        confirmed = rng.random() < CONFIRMED_SHARE
        drawn = _day(rng, year, (1, 5), (3, 31), cap=today)
        confirmed_at = (timezone.make_aware(datetime.combine(_day(rng, year, (4, 1), (4, 30), cap=today), time(10)))
                        if confirmed else None)
        plans.append(HouseholdPlan(household=h, village_id=h.village_id, year=year,
                                   status=PlanStatus.CONFIRMED if confirmed else PlanStatus.DRAFT,
                                   drawn_up_by_name=h.helper.username if h.helper_id else "demo",
                                   confirmed_at=confirmed_at, confirmed_by_name="demo_clerk" if confirmed else ""))
        drawn_on[h.pk] = drawn
    HouseholdPlan.objects.bulk_create(plans, batch_size=1000)
    rows = []
    for plan in plans:
        for m in measures[plan.household_id]:
            m.plan = plan
            rows.append(m)
    PlanMeasure.objects.bulk_create(rows, batch_size=2000)
    by_day: dict[date, list[int]] = defaultdict(list)
    for plan in plans:
        by_day[drawn_on[plan.household_id]].append(plan.pk)
    for day, ids in sorted(by_day.items()):
        HouseholdPlan.objects.filter(pk__in=ids).update(
            drawn_up_at=timezone.make_aware(datetime.combine(day, time(9))))

    stats = {
        "county": county.code, "year": year, "seed": seed, "households": len(listed),
        "poor_households": sum(1 for h in listed if status_of[h.pk] in POOR_STATUSES),
        "plans": len(plans), "poor_with_plan": sum(1 for h in planned if status_of[h.pk] in POOR_STATUSES),
        "confirmed": sum(1 for p in plans if p.status == PlanStatus.CONFIRMED), "measures": len(rows),
        "completed_measures": sum(1 for m in rows if m.status == MeasureStatus.COMPLETED),
        "copied_villages": copied, "contradictions": contradicting,
    }
    record(entry=Entry(action=Action.IMPORT, object_type="plans.demo", object_repr=f"生成帮扶计划演示数据：{county.name}",
                       region_code=county.code, after=stats))
    return stats

"""Demo visit log (走访记录) for a generated demo county.

`generate_visit_demo(county_code=..., on=..., seed=...)` runs after `generate_demo` (and, if wanted,
`create_demo_users`) and writes, set-based, the visits of the last twelve months before `on` for
every paired household still in the registry (none before the household's registration):

- Each cadre has a habit drawn from the seed [demo]: most (≈ 85 %) visit every household at
  intervals of a third to nearly all of `visits.max_days_between` (so they stay compliant); some
  (≈ 10 %) did so but lapsed 5–60 days beyond the limit before `on` (the overdue list); a few
  (≈ 5 %) visit irregularly, at intervals of half to twice the limit.
- About 1 % of households were never visited (overdue from their registration date).
- The scheduled visits are 入户走访 (≈ 90 %) or 集中帮扶 (≈ 10 %); between two of them there is
  sometimes (≈ 15 %) a 电话联系 as well, which does not count towards the frequency; content from the
  quick-pick phrases; about one visit in five found a problem, most with a follow-up and due
  date, mostly closed by `on`.
- The demo cadre (`demo_cadre`, if it exists) gets a caseload that shows every state on its phone
  page: two households overdue, two due within `visits.due_soon_days`, the rest in order, and open
  follow-ups.

Deterministic for a seed (each household's and cadre's draws come from the seed and their codes,
not from database keys). Refuses a county that already has visits. One transaction; visits are
written with bulk_create and the run is recorded by one audit row.
"""

import random
from collections import Counter
from datetime import date, timedelta

from django.db import transaction

from fupin.accounts.scope import in_code_range
from fupin.audit.services import Action, Entry, record
from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.policy.selectors import resolver
from fupin.registry.models import Household

from .choices import CLOSED_STATUSES, COMPLIANCE_KEYS, DUE_SOON_KEY, MAX_DAYS_KEY, QUICK_PHRASES, VisitKind
from .compliance import registration_date_expr
from .models import Visit

WINDOW_DAYS = 365
DEMO_CADRE = "demo_cadre"
HABITS = (("regular", 0.85), ("lapsed", 0.10), ("irregular", 0.05))  # [demo]
NEVER_VISITED = 0.01  # [demo]
KINDS = ((VisitKind.HOME, 0.90), (VisitKind.GROUP, 0.10))  # [demo] the scheduled visits
PHONE_BETWEEN = 0.15  # [demo] chance of a phone call between two visits
PROBLEM_SHARE, FOLLOW_UP_SHARE, CLOSED_SHARE = 0.2, 0.8, 0.85  # [demo]
PROBLEMS = (
    ("房屋漏雨，需要维修", "联系危房改造项目"),
    ("孩子上学路途远、交通不便", "协调教育资助和寄宿"),
    ("老人患慢性病，用药负担重", "协助办理慢性病卡和医疗救助"),
    ("缺少发展产业的资金", "对接扶贫小额信贷"),
    ("务工收入不稳定", "推荐公益性岗位和技能培训"),
    ("饮水管道老化，水压不足", "报村委会维修管道"),
    ("低保待遇未按时到账", "联系乡镇民政办核查"),
)
BATCH_SIZE = 2000


def _pick(rng: random.Random, weighted) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]




def _visit_days(rng: random.Random, *, habit: str, first: date, on: date, max_days: int,
                due_soon: int) -> list[date]:
    """The days a household was visited between `first` and `on` under the cadre's habit."""
    if habit == "never":
        return []
    if habit == "lapsed":
        last = on - timedelta(days=max_days + rng.randint(5, 60))
    elif habit == "due_soon":
        last = on - timedelta(days=max_days - rng.randint(0, max(due_soon - 1, 0)))
    else:
        last = on
    low, high = ((max_days // 2, max_days * 2) if habit == "irregular"
                 else (max(max_days // 3, 1), max(max_days - 2, 1)))
    days, day = [], first + timedelta(days=rng.randint(0, high))
    while day <= last:
        days.append(day)
        day += timedelta(days=rng.randint(low, high))
    if habit in ("lapsed", "due_soon") and first <= last and (not days or days[-1] != last):
        days.append(last)  # the visit the lapse or the coming due date is counted from
    return days


def _visit(rng: random.Random, h: dict, day: date, on: date, kind: str) -> Visit:
    content = "；".join(rng.sample(QUICK_PHRASES, rng.randint(1, 3)))
    problems = follow_up = ""
    due = done_on = None
    if rng.random() < PROBLEM_SHARE:
        problems, action = rng.choice(PROBLEMS)
        if rng.random() < FOLLOW_UP_SHARE:
            follow_up = action
            due = day + timedelta(days=rng.randint(14, 45))
            done = min(day + timedelta(days=rng.randint(3, 40)), on)
            if due < on and rng.random() < CLOSED_SHARE:
                done_on = done
    return Visit(household_id=h["pk"], village_id=h["village_id"], cadre_id=h["helper_id"],
                 recorded_by_id=h["helper_id"], visited_on=day, kind=kind, content=content, problems=problems,
                 follow_up=follow_up, follow_up_due=due, follow_up_done=done_on is not None,
                 follow_up_done_on=done_on)


@transaction.atomic
def generate_visit_demo(*, county_code: str, on: date, seed: int) -> dict:
    """Visits of the twelve months before `on` for the county's paired households. Returns counts."""
    county = demo_county(county_code)
    in_county = in_code_range("village_id", county.code_range)
    if Visit.objects.filter(in_county).exists():
        raise DemoError(f"{county.name}已有走访记录，请使用新的空数据库")
    households = list(
        Household.objects.filter(in_county, helper__isnull=False).exclude(status__in=CLOSED_STATUSES)
        .annotate(registered_on=registration_date_expr()).order_by("household_no")
        .values("pk", "household_no", "village_id", "helper_id", "helper__username", "registered_on",
                "registered_year"))
    policy_for = resolver(COMPLIANCE_KEYS, year=on.year)
    habits: dict[str, str] = {}
    demo_index = 0
    rows: list[Visit] = []
    per_habit: Counter = Counter()
    for h in households:
        username = h["helper__username"]
        if username not in habits:
            habits[username] = _pick(random.Random(f"{seed}:cadre:{username}"), HABITS)
        rng = random.Random(f"{seed}:visits:{h['household_no']}")
        habit = habits[username]
        if username == DEMO_CADRE:
            habit = ("lapsed", "lapsed", "due_soon", "due_soon")[demo_index] if demo_index < 4 else "regular"
            demo_index += 1
        elif rng.random() < NEVER_VISITED:
            habit = "never"
        per_habit[habit] += 1
        policy = policy_for(h["village_id"])
        registered_on = h["registered_on"] or date(h["registered_year"], 1, 1)
        first = max(on - timedelta(days=WINDOW_DAYS), registered_on)
        days = _visit_days(rng, habit=habit, first=first, on=on, max_days=int(policy[MAX_DAYS_KEY].value),
                           due_soon=int(policy[DUE_SOON_KEY].value))
        visits = []
        for i, day in enumerate(days):
            visits.append(_visit(rng, h, day, on, _pick(rng, KINDS)))
            after = days[i + 1] if i + 1 < len(days) else on
            if (after - day).days > 2 and rng.random() < PHONE_BETWEEN:
                call = day + timedelta(days=rng.randint(1, (after - day).days - 1))
                visits.append(_visit(rng, h, call, on, VisitKind.PHONE))
        if username == DEMO_CADRE and visits and demo_index % 2 == 1:
            # Every other household of the demo cadre has an open follow-up from its last visit.
            last = visits[-1]
            last.problems, last.follow_up = PROBLEMS[demo_index % len(PROBLEMS)]
            last.follow_up_due = last.visited_on + timedelta(days=30)
            last.follow_up_done, last.follow_up_done_on = False, None
        rows += visits
    Visit.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    follow_ups = sum(1 for v in rows if v.follow_up)
    stats = {
        "county": county.code, "county_name": county.name, "on": on, "seed": seed, "visits": len(rows),
        "households": len(households), "cadres": len(habits),
        "by_kind": {k: sum(1 for v in rows if v.kind == k) for k in VisitKind.values},
        "households_by_habit": dict(sorted(per_habit.items())),
        "follow_ups": follow_ups, "open_follow_ups": sum(1 for v in rows if v.follow_up and not v.follow_up_done),
        "demo_cadre_households": demo_index,
    }
    record(entry=Entry(action=Action.CREATE, object_type="visits.visit", object_repr=f"演示走访记录（{county.name}）",
                       region_code=county.code, after={**stats, "on": on.isoformat()}))
    return stats

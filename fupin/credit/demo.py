"""Demo 扶贫小额信贷 for a generated demo county.

`generate_credit_demo(county_code=..., on=..., seed=...)` runs after `generate_demo` and
`create_demo_users` (ratings and loans are recorded by a county approver of the county, preferably
`demo_county`) and writes, set-based:

- 评级授信 for ≈ 70 % [demo] of the households filed and eligible on `on` (未脱贫, 返贫, 监测户, 已脱贫)
  that have a member aged within the borrower limits: rated 400–1,000 days before `on`, level AAA
  (≈ 40 %), AA (≈ 40 %) or A, line and validity from the policy table;
- loans for ≈ 35 % of the rated households (≈ 25 % of the eligible ones) [demo], one each, to the
  head or another member within the age limits on the start date, 1,000-yuan steps up to the
  credit line, 12/24/36 months, productive uses, 4.35 % fully subsidised:
  ≈ 45 % repaid on time (interest quarterly, principal at maturity), ≈ 40 % still running (some
  maturing exactly 60 or 30 days after `on`, so reminders are due on the demo day, and a few in
  between), ≈ 10 % overdue and ≈ 5 % defaulted (more than `credit.default_after_days` past
  maturity, nothing repaid of the principal);
- recorded statuses as of `on`.

Deterministic for a seed (draws come from the seed and the household numbers). Refuses a county
that already has loans. One transaction, bulk_create, one audit row for the run.
"""

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from fupin.accounts.roles import Role
from fupin.accounts.scope import in_code_range
from fupin.audit.services import Action, Entry, record
from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.policy.selectors import resolver
from fupin.regions.models import Region
from fupin.registry.models import Household, Member
from fupin.registry.selectors_status import status_on_expr

from .choices import (
    AGE_MAX_KEY,
    AGE_MIN_KEY,
    DEFAULT_AFTER_KEY,
    PRODUCTIVE_USES,
    RATING_LEVELS_KEY,
    RATING_VALID_KEY,
    LoanStatus,
    UseCategory,
)
from .models import CreditRating, Loan, LoanRepayment
from .rules import add_months, age_on, money

RATED_SHARE, LOAN_SHARE = 0.70, 0.35  # [demo]
LEVELS = (("AAA", 0.4), ("AA", 0.4), ("A", 0.2))  # [demo]
OUTCOMES = (("repaid", 0.45), ("running", 0.40), ("overdue", 0.10), ("defaulted", 0.05))  # [demo]
RATE = Decimal("0.0435")
USES = {UseCategory.PLANTING: "种植茶叶、魔芋", UseCategory.LIVESTOCK: "养殖生猪、山羊",
        UseCategory.PROCESSING: "农产品加工作坊", UseCategory.TRADE: "开办小卖部",
        UseCategory.TOURISM: "经营农家乐", UseCategory.COOPERATIVE: "入股茶叶专业合作社"}
DEMO_KEYS = (AGE_MIN_KEY, AGE_MAX_KEY, RATING_LEVELS_KEY, RATING_VALID_KEY, DEFAULT_AFTER_KEY)
ELIGIBLE = ("not_exited", "returned", "monitored", "exited")
BATCH_SIZE = 2000


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]




def _recorder(county: Region):
    users = get_user_model().objects.filter(role=Role.COUNTY_APPROVER, region_id=county.code, is_active=True)
    user = users.filter(username="demo_county").first() or users.order_by("id").first()
    if user is None:
        raise DemoError(f"{county.name}没有县级审批员账户：请先运行 fupin create_demo_users")
    return user


def _dates(rng: random.Random, outcome: str, term: int, on: date, rated_on: date, default_after: int, slot: int):
    """(start, maturity) for the outcome; None when it cannot fit after the rating."""
    if outcome == "running":
        # A third of the running loans hit a reminder day exactly; the others mature 1–700 days on.
        ahead = (60, 30, rng.randint(1, 700))[slot % 3]
        maturity = on + timedelta(days=ahead)
    elif outcome == "repaid":
        maturity = on - timedelta(days=rng.randint(1, 500))
    elif outcome == "overdue":
        maturity = on - timedelta(days=rng.randint(1, default_after))
    else:
        maturity = on - timedelta(days=rng.randint(default_after + 1, default_after + 200))
    start = add_months(maturity, -term)
    if add_months(start, term) != maturity:  # month-end clamping: keep the derived maturity exact
        maturity = add_months(start, term)
    if start < rated_on or start > on:
        return None
    return start, maturity


@transaction.atomic
def generate_credit_demo(*, county_code: str, on: date, seed: int) -> dict:
    """Ratings, loans and repayments for the county's households as of `on`. Returns counts."""
    county = demo_county(county_code)
    in_county = in_code_range("village_id", county.code_range)
    if Loan.objects.filter(in_county).exists():
        raise DemoError(f"{county.name}已有扶贫小额信贷记录，请使用新的空数据库")
    actor = _recorder(county)
    households = list(Household.objects.filter(in_county).annotate(status_then=Coalesce(status_on_expr(on), F("status")))
                      .filter(status_then__in=ELIGIBLE).order_by("household_no")
                      .values("pk", "household_no", "village_id", "head_name"))
    members: dict[int, list[dict]] = {}
    for m in (Member.objects.filter(household_id__in=[h["pk"] for h in households], left_on__isnull=True)
              .order_by("household_id", "id").values("pk", "household_id", "birth_date", "relation")):
        members.setdefault(m["household_id"], []).append(m)
    policy_for = resolver(DEMO_KEYS, year=on.year)
    ratings: list[CreditRating] = []
    plans: list[tuple] = []
    outcomes: Counter = Counter()
    slot = 0
    for h in households:
        rng = random.Random(f"{seed}:credit:{h['household_no']}")
        p = policy_for(h["village_id"])
        low, high = int(p[AGE_MIN_KEY].value), int(p[AGE_MAX_KEY].value)
        if rng.random() >= RATED_SHARE:
            continue
        rated_on = on - timedelta(days=rng.randint(400, 1000))
        adults = [m for m in members.get(h["pk"], ()) if low <= age_on(m["birth_date"], rated_on) <= high - 3]
        if not adults:
            continue
        level = _pick(rng, LEVELS)
        levels = {str(k): v for k, v in p[RATING_LEVELS_KEY].value.items()}
        if level not in levels:
            level = next(iter(levels))
        rating = CreditRating(household_id=h["pk"], village_id=h["village_id"], rated_on=rated_on, rating=level,
                              credit_line=money(levels[level]), rated_by=actor,
                              valid_until=add_months(rated_on, int(p[RATING_VALID_KEY].value)),
                              policy=[p[RATING_LEVELS_KEY].explain(), p[RATING_VALID_KEY].explain()],
                              note="演示数据：村评级小组评定")
        ratings.append(rating)
        if rng.random() >= LOAN_SHARE:
            continue
        outcome = _pick(rng, OUTCOMES)
        term = rng.choice((12, 24, 36))
        if outcome == "running":
            slot += 1
        dates = _dates(rng, outcome, term, on, rated_on, int(p[DEFAULT_AFTER_KEY].value), slot)
        if dates is None:
            term = 12
            dates = _dates(rng, outcome, term, on, rated_on, int(p[DEFAULT_AFTER_KEY].value), slot)
        if dates is None:
            continue
        start, maturity = dates
        borrower = next((m for m in adults if low <= age_on(m["birth_date"], start) <= high), None)
        if borrower is None or start > rating.valid_until:
            continue
        amount = Decimal(rng.randint(1, int(rating.credit_line) // 1000) * 1000)
        use = rng.choice(sorted(PRODUCTIVE_USES))
        plans.append((rating, h, borrower, start, maturity, term, amount, use, outcome, rng))
        outcomes[outcome] += 1
    CreditRating.objects.bulk_create(ratings, batch_size=BATCH_SIZE)

    loans: list[Loan] = []
    for rating, h, borrower, start, maturity, term, amount, use, outcome, _rng in plans:
        status = {"repaid": LoanStatus.REPAID, "running": LoanStatus.NORMAL, "overdue": LoanStatus.OVERDUE,
                  "defaulted": LoanStatus.DEFAULTED}[outcome]
        loans.append(Loan(
            household_id=h["pk"], village_id=h["village_id"], borrower_id=borrower["pk"], rating=rating,
            bank="县农村信用合作联社", contract_no=f"DEMO-{seed}-{h['household_no']}", amount=amount,
            term_months=term, start_date=start, maturity_date=maturity, annual_rate=RATE, subsidised=True,
            subsidy_rate=RATE, use_category=use, declared_use=USES[use], productive=True, status=status,
            status_on=maturity if outcome == "repaid" else on, created_by=actor,
            checks=[{"rule": "demo", "message": "演示数据：按规则生成（年龄、额度、期限、用途、评级授信）"}]))
    Loan.objects.bulk_create(loans, batch_size=BATCH_SIZE)

    repayments: list[LoanRepayment] = []
    for loan, plan in zip(loans, plans, strict=True):
        outcome, rng = plan[8], plan[9]
        day, i = loan.start_date, 1
        last_day = loan.maturity_date if outcome == "repaid" else min(loan.maturity_date, on)
        while True:
            due = add_months(loan.start_date, 3 * i)
            if due > last_day or (outcome == "defaulted" and rng.random() < 0.3):
                break
            interest = money(loan.amount * RATE * (due - day).days / 360)
            principal = loan.amount if (outcome == "repaid" and due == loan.maturity_date) else Decimal(0)
            repayments.append(LoanRepayment(loan=loan, village_id=loan.village_id, paid_on=due, principal=principal,
                                            interest=interest, recorded_by=actor, note="按季结息"))
            day, i = due, i + 1
        if outcome == "repaid" and not any(r.loan is loan and r.principal for r in repayments[-12:]):
            repayments.append(LoanRepayment(loan=loan, village_id=loan.village_id, paid_on=loan.maturity_date,
                                            principal=loan.amount, interest=Decimal(0), recorded_by=actor,
                                            note="到期还本"))
    LoanRepayment.objects.bulk_create(repayments, batch_size=BATCH_SIZE)
    stats = {"county": county.code, "county_name": county.name, "on": on, "seed": seed,
             "eligible_households": len(households), "ratings": len(ratings), "loans": len(loans),
             "repayments": len(repayments), "loans_by_outcome": dict(sorted(outcomes.items())),
             "amount": str(sum((loan.amount for loan in loans), Decimal(0)))}
    record(entry=Entry(action=Action.CREATE, object_type="credit.loan", object_repr=f"演示扶贫小额信贷（{county.name}）",
                       region_code=county.code, after={**stats, "on": on.isoformat()}))
    return stats

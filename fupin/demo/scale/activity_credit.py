"""扶贫小额信贷 of a county as of the business date, set-based: ratings, loans, repayments.

Shares (documented, [demo] calibration):
- 评级授信 for RATED_SHARE of the households filed and not out of the registry on the business date
  (未脱贫, 返贫, 监测户, 已脱贫 — as `credit.demo`) that were filed by the rating day and had a member
  of borrowing age then; rated 13–33 months before the business date, level AAA/AA/A (40/40/20 %)
  with the credit line of `credit.rating_levels` for the rating's year, valid
  `credit.rating_valid_months`.
- A loan for LOAN_SHARE of the rated households, one each: 0.75 × 0.80 = 60 % of the households,
  less those without a borrower of age or an eligible status on the loan day — about half of the
  filed households have a loan (平利县 sample: 获贷率 ≈ 0.47 in `fupin credit_report`), near the ~50 %
  获贷率 reported nationally for filed households by 2020 (a figure quoted from memory, not verified).

Every loan passes the rules `credit.eligibility.loan_checks` applies, with the policy resolved for
the county over the years loans start in (the strictest value of those years): the household's
status on the start day is eligible (or 已脱贫 within 脱贫不脱政策), the borrower is a present member
of age on the start day (head first), the amount is whole thousands up to the credit line and
`credit.max_amount`, the term 12/24/36 months within `credit.max_term_months`, a productive use,
a valid rating on the start day (start after the rating, before its end). Start days are the 1st–
28th of a month, so maturity = start + term months is the same date on both databases.

No ratings or loans when the policy (every key the loan checks read) does not cover BACK_MONTHS[0]
months before the business date — e.g. data years before 2017 (exit.policy_retention_years starts
in 2016): the services would refuse such loans.

Outcome from the dates: maturing after the business date → 正常; matured → REPAID_SHARE repaid at
maturity, the rest 逾期 or 违约 by the days past maturity (`credit.overdue_grace_days`,
`credit.default_after_days`). Repayments: interest every three months on the days / 360 at 4.35 %
(fully subsidised, as the demo), principal at maturity for repaid loans; a defaulted loan paid
interest for the first half of its quarters only.
"""

from __future__ import annotations

from datetime import date

from fupin.credit.choices import (
    AGE_MAX_KEY,
    AGE_MIN_KEY,
    DEFAULT_AFTER_KEY,
    ELIGIBLE_KEY,
    EXITED_KEPT_KEY,
    GRACE_KEY,
    MAX_AMOUNT_KEY,
    MAX_TERM_KEY,
    PRODUCTIVE_USES,
    RATING_LEVELS_KEY,
    RATING_VALID_KEY,
    RETENTION_KEY,
    LoanStatus,
)
from fupin.credit.demo import RATE, USES
from fupin.credit.models import CreditRating, Loan, LoanRepayment
from fupin.policy.selectors import PolicyMissing, resolve_many
from fupin.registry.models import HouseholdStatusEvent, Member

from .activity import HH
from .activity_sql import choice, q, weighted

R0, R, L = "scale_act_rate0", "scale_act_rate", "scale_act_loan"
RATED_SHARE, LOAN_SHARE, REPAID_SHARE = 75, 80, 93  # % [demo]
BACK_MONTHS = (13, 33)  # rated this many months before the business date's month
TERMS = (12, 24, 36)
KEYS = (MAX_AMOUNT_KEY, MAX_TERM_KEY, AGE_MIN_KEY, AGE_MAX_KEY, ELIGIBLE_KEY, EXITED_KEPT_KEY, RETENTION_KEY,
        GRACE_KEY, DEFAULT_AFTER_KEY, RATING_LEVELS_KEY, RATING_VALID_KEY)
FILED = ("not_exited", "returned", "monitored", "exited")


def generate(ctx) -> None:
    p = _policy(ctx)
    if p is None:  # 扶贫小额信贷 had no policy yet in the years before the business date
        return
    _ratings(ctx, p)
    _loans(ctx, p)
    _repayments(ctx, p)


def _policy(ctx) -> dict | None:
    """The policy over the years ratings and loans fall in, combined to the strictest values; the
    months back are cut to the years that have it (None: fewer than BACK_MONTHS[0] months)."""
    first = ctx.on.year - (BACK_MONTHS[1] // 12 + 1)
    per_year = {}
    for y in range(first, ctx.on.year + 1):
        try:
            per_year[y] = resolve_many(KEYS, year=y, region_code=ctx.county.code)
        except PolicyMissing:
            per_year.clear()  # keep a run of consecutive years up to the business date's
    years = sorted(per_year)
    longest = (ctx.on.year - years[0]) * 12 + ctx.on.month - 1 if years and years[-1] == ctx.on.year else -1
    if longest < BACK_MONTHS[0]:
        return None
    values = [{k: r.value for k, r in pol.items()} for pol in per_year.values()]
    levels = {y: {str(k): int(v) for k, v in pol[RATING_LEVELS_KEY].value.items()} for y, pol in per_year.items()}
    names = [n for n in sorted(levels[ctx.on.year], key=lambda n: -levels[ctx.on.year][n])
             if all(n in lv for lv in levels.values())]
    eligible = set.intersection(*[{str(s) for s in v[ELIGIBLE_KEY]} for v in values])
    p = {
        "years": years, "levels": levels, "names": names,
        "max_amount": min(int(v[MAX_AMOUNT_KEY]) for v in values),
        "max_term": min(int(v[MAX_TERM_KEY]) for v in values),
        "age_min": max(int(v[AGE_MIN_KEY]) for v in values),
        "age_max": min(int(v[AGE_MAX_KEY]) for v in values),
        "eligible": sorted(eligible),
        "exited_kept": all(bool(v[EXITED_KEPT_KEY]) for v in values),
        "retention": min(int(v[RETENTION_KEY]) for v in values),
        "grace": int(per_year[ctx.on.year][GRACE_KEY].value),
        "default_after": int(per_year[ctx.on.year][DEFAULT_AFTER_KEY].value),
        "valid_months": min(int(v[RATING_VALID_KEY]) for v in values),
        "explain": {y: [pol[k].explain() for k in (RATING_LEVELS_KEY, RATING_VALID_KEY)] for y, pol in per_year.items()},
        "loan_policy": [r.explain() for r in per_year[ctx.on.year].values()],
    }
    p["terms"] = [t for t in TERMS if t <= p["max_term"]] or [p["max_term"] - p["max_term"] % 3 or 3]
    p["back"] = (BACK_MONTHS[0], min(BACK_MONTHS[1], longest))
    return p


def _status_on(s, day_sql: str, column: str = "to_status") -> str:
    e = HouseholdStatusEvent._meta.db_table
    return (f"(SELECT e.{column} FROM {e} e WHERE e.household_id = h.id AND e.effective_on <= {day_sql} "
            f"ORDER BY e.effective_on DESC, e.at DESC, e.id DESC LIMIT 1)")


def _adult(s, p: dict, day_sql: str, *, upto_age: int) -> str:
    """Present members aged age_min … upto_age on the day (birth date bounds; days 1–28 only)."""
    m = Member._meta.db_table
    return (f"{m} m WHERE m.household_id = h.id AND (m.left_on IS NULL OR m.left_on > {day_sql}) "
            f"AND m.birth_date <= {s.add_months(day_sql, -12 * p['age_min'])} "
            f"AND m.birth_date > {s.add_months(day_sql, -12 * (upto_age + 1))}")


def _ratings(ctx, p: dict) -> None:
    s = ctx.sql
    on = ctx.on
    month_first = s.date(date(on.year, on.month, 1))
    low, high = p["back"]
    back = f"({low} + {s.hash('h.id', 401, high - low + 1)})"
    base = s.add_months(month_first, f"-{back}")
    filed = ", ".join(q(v) for v in FILED)
    s.temp(R0, f"""
        SELECT h.id, h.village_id, h.household_no, h.first_on, h.policies_kept_until, {back} AS back,
               {base} AS base, {s.add_days(base, s.hash('h.id', 402, 28))} AS rated_on
        FROM {HH} h
        WHERE {s.hash('h.id', 400, 100)} < {RATED_SHARE} AND {_status_on(s, s.date(on))} IN ({filed})""",
           label="credit.creditrating")
    names = p["names"]
    weights = [(n, 40 if i < 2 else max(20 // max(len(names) - 2, 1), 1)) for i, n in enumerate(names)]
    level = weighted(s.hash("h.id", 403, sum(w for _, w in weights)), weights)
    s.temp(R, f"""
        SELECT h.*, {level} AS rating, {s.year_of('h.rated_on')} AS rated_year FROM {R0} h
        WHERE h.first_on <= h.rated_on
          AND EXISTS (SELECT 1 FROM {_adult(s, p, 'h.rated_on', upto_age=p['age_max'] - 3)})""",
           label="credit.creditrating", index=("id",))
    line = "CASE h.rated_year " + " ".join(
        f"WHEN {y} THEN CASE h.rating " + " ".join(f"WHEN {q(n)} THEN {p['levels'][y][n]}" for n in names) + " END"
        for y in p["years"]) + " END"
    params, explain = [], "CASE h.rated_year "
    for y in p["years"]:
        explain += "WHEN %s THEN %s "
        params += [y, s.json_param(p["explain"][y])]
    explain += "END"
    n = s.run(f"""
        INSERT INTO {CreditRating._meta.db_table} (household_id, village_id, rated_on, rating, credit_line,
                                                   valid_until, note, policy, rated_by_id, created_at)
        SELECT h.id, h.village_id, h.rated_on, h.rating, {line}, {s.add_months('h.rated_on', p['valid_months'])},
               '批量生成：村评级小组评定', {s.json(explain)}, %s, %s
        FROM {R} h""", [*params, ctx.actor.pk, ctx.now_p], label="credit.creditrating")
    ctx.count("credit.creditrating", n, "评级授信", rated_share=RATED_SHARE, months_before=list(p["back"]),
              levels=dict(weights))


def _loans(ctx, p: dict) -> None:
    s, on = ctx.sql, ctx.on
    month_first = s.date(date(on.year, on.month, 1))
    span = f"{s.least('h.back - 1', str(p['valid_months'] - 1))}"
    start = s.add_days(s.add_months(month_first, f"-h.back + 1 + {s.hash('h.id', 411, 1000)} %% ({span})"),
                       s.hash("h.id", 412, 28))
    term = choice(s.hash("h.id", 413, len(p["terms"])), p["terms"])
    eligible = ", ".join(q(v) for v in p["eligible"]) or "''"
    exited_kind = HouseholdStatusEvent._meta.db_table
    # `kind || ''`: keeps SQLite on the (household, effective_on) index instead of scanning by kind.
    exit_day = (f"(SELECT e.effective_on FROM {exited_kind} e WHERE e.household_id = h.id "
                f"AND e.effective_on <= h.start AND e.kind || '' = 'exited' ORDER BY e.effective_on DESC LIMIT 1)")
    kept = f"COALESCE(h.policies_kept_until, {s.add_months(exit_day, 12 * p['retention'])})"
    ok_status = (f"(h.status_then IN ({eligible})"
                 + (f" OR (h.status_then = 'exited' AND {kept} >= h.start)" if p["exited_kept"] else "") + ")")
    borrower = (f"(SELECT m.id FROM {_adult(s, p, 'h.start', upto_age=p['age_max'])} "
                f"ORDER BY CASE WHEN m.relation = 'head' THEN 0 ELSE 1 END, m.id LIMIT 1)")
    s.temp(L + "0", f"""
        SELECT h.id, h.village_id, h.household_no, h.policies_kept_until, h.back, cr.id AS rating_id, cr.rating,
               {start} AS start, {term} AS term
        FROM {R} h JOIN {CreditRating._meta.db_table} cr ON cr.household_id = h.id
        WHERE {s.hash('h.id', 410, 100)} < {LOAN_SHARE}""", label="credit.loan")
    s.temp(L + "1", f"""
        SELECT h.*, {_status_on(s, 'h.start')} AS status_then, {borrower} AS borrower_id,
               {s.add_months('h.start', 'h.term')} AS maturity
        FROM {L}0 h""", label="credit.loan")
    caps = {n: min(min(lv[n] for lv in p["levels"].values()), p["max_amount"]) // 1000 for n in p["names"]}
    amount = "CASE h.rating " + " ".join(
        f"WHEN {q(n)} THEN 1000 * (1 + {s.hash('h.id', 414, max(c, 1))})" for n, c in caps.items()) + " END"
    past = s.days_between(s.date(on), "h.maturity")
    outcome = (f"CASE WHEN h.maturity > {s.date(on)} OR {past} <= {p['grace']} THEN {q(LoanStatus.NORMAL)} "
               f"WHEN {s.hash('h.id', 415, 100)} < {REPAID_SHARE} THEN {q(LoanStatus.REPAID)} "
               f"WHEN {past} > {p['default_after']} THEN {q(LoanStatus.DEFAULTED)} ELSE {q(LoanStatus.OVERDUE)} END")
    uses = sorted(PRODUCTIVE_USES)
    s.temp(L, f"""
        SELECT h.*, {amount} AS amount, {outcome} AS outcome,
               {choice(s.hash("h.id", 416, len(uses)), uses)} AS use_category
        FROM {L}1 h
        WHERE h.borrower_id IS NOT NULL AND {ok_status}""", label="credit.loan", index=("id",))
    declared = "CASE h.use_category " + " ".join(f"WHEN {q(u)} THEN {q(USES[u])}" for u in uses) + " END"
    bank = choice(s.hash("h.id", 417, 2), [f"{ctx.county.name}农村信用合作联社", "中国邮政储蓄银行"])
    # As the demo's loans: the rule and a message (the policy rows are in the run's audit entry).
    checks = [{"rule": "scale", "message": "批量生成：按规则生成（户状态、借款人年龄、额度、期限、用途、评级授信）"}]
    n = s.run(f"""
        INSERT INTO {Loan._meta.db_table} (household_id, village_id, borrower_id, rating_id, bank, contract_no, amount,
            term_months, start_date, maturity_date, annual_rate, subsidised, subsidy_rate, use_category, declared_use,
            productive, status, status_on, renewed_from_id, checks, created_by_id, created_at, updated_at)
        SELECT h.id, h.village_id, h.borrower_id, h.rating_id, {bank}, 'XD-' || h.household_no, h.amount, h.term,
               h.start, h.maturity, %s, {s.true}, %s, h.use_category, {declared}, {s.true}, h.outcome,
               CASE WHEN h.outcome = 'repaid' THEN h.maturity ELSE {s.date(on)} END, NULL, {s.json('%s')}, %s, %s, %s
        FROM {L} h""",
              [str(RATE), str(RATE), s.json_param(checks), ctx.actor.pk, ctx.now_p, ctx.now_p], label="credit.loan")
    ctx.count("credit.loan", n, "扶贫小额信贷", policy=p["loan_policy"], loan_share_of_rated=LOAN_SHARE,
              repaid_share_of_matured=REPAID_SHARE,
              annual_rate=str(RATE), terms=p["terms"], max_amount=p["max_amount"],
              borrower_age=[p["age_min"], p["age_max"]])


def _repayments(ctx, p: dict) -> None:
    s, on = ctx.sql, ctx.on
    quarters = max(p["terms"]) // 3
    numbers = " UNION ALL ".join(f"SELECT {i} AS i" for i in range(1, quarters + 1))
    due = s.add_months("l.start_date", "3 * n.i")
    prev = s.add_months("l.start_date", "3 * (n.i - 1)")
    limit = f"CASE WHEN l.status = 'repaid' THEN l.maturity_date ELSE {s.least('l.maturity_date', s.date(on))} END"
    interest = f"ROUND(l.amount * {RATE} * {s.days_between(due, prev)} / 360.0, 2)"
    n = s.run(f"""
        INSERT INTO {LoanRepayment._meta.db_table} (loan_id, village_id, paid_on, principal, interest, note,
                                                    recorded_by_id, created_at)
        SELECT l.id, l.village_id, {due},
               CASE WHEN l.status = 'repaid' AND n.i * 3 = l.term_months THEN l.amount ELSE 0 END, {interest},
               CASE WHEN l.status = 'repaid' AND n.i * 3 = l.term_months THEN '到期还本付息' ELSE '按季结息' END,
               %s, %s
        FROM {Loan._meta.db_table} l
        JOIN ({numbers}) n ON n.i * 3 <= l.term_months
        WHERE l.village_id BETWEEN %s AND %s AND {due} <= {limit}
          AND (l.status <> 'defaulted' OR n.i * 6 <= l.term_months)""",
              [ctx.actor.pk, ctx.now_p, ctx.low, ctx.high], label="credit.loanrepayment")
    ctx.count("credit.loanrepayment", n, "还款记录", schedule="按季结息、到期还本")

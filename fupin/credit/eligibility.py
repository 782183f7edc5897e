"""The rules a loan must pass (放款审核), each a named check with the values it compared and the
policy rows behind it. `loan_checks` runs them all; a loan is refused when any fails, and the
refusal names every failed rule (per form field, in Chinese).

All numbers come from the policy table for the household's village and the loan's start year:
credit.max_amount (also the cap on a household's total outstanding balance), credit.max_term_months,
credit.borrower_age_min / _max (age in whole years on the start date, both ends allowed),
credit.eligible_statuses (+ credit.exited_while_policies_kept with exit.policy_retention_years),
credit.rating_levels via the rating's credit line, credit.max_renewals.
"""

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from fupin.policy.selectors import PolicyMissing, resolve_many
from fupin.registry.choices import HouseholdStatus, StatusEventKind
from fupin.registry.models import Household, HouseholdStatusEvent, Member

from .choices import (
    AGE_MAX_KEY,
    AGE_MIN_KEY,
    CLOSED_LOAN_STATUSES,
    ELIGIBLE_KEY,
    EXITED_KEPT_KEY,
    LOAN_KEYS,
    MAX_AMOUNT_KEY,
    MAX_RENEWALS_KEY,
    MAX_TERM_KEY,
    PRODUCTIVE_USES,
    RETENTION_KEY,
    UseCategory,
)
from .models import CreditRating, Loan, LoanRepayment
from .rules import add_years, age_on

STATUS_LABELS = dict(HouseholdStatus.choices)


@dataclass
class Check:
    rule: str  # code of the rule
    label: str  # 规则名称
    field: str  # the input field a refusal is shown at
    ok: bool
    message: str
    values: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in asdict(self).items()} | {
            "values": {k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in self.values.items()}}


def yuan(value) -> str:
    return f"{Decimal(value):,.2f}"


def status_on(household: Household, day: date) -> str | None:
    """The household's status on `day`: its latest status event by then; a household filed without
    history has its current status from 1 January of its registered year. None: not yet filed."""
    events = HouseholdStatusEvent.objects.filter(household_id=household.pk)
    latest = events.filter(effective_on__lte=day).order_by("-effective_on", "-at", "-id").values_list(
        "to_status", flat=True).first()
    if latest is not None:
        return latest
    if events.exists() or household.registered_year > day.year:
        return None
    return household.status


def policies_kept_until(household: Household, day: date, retention_years: int) -> date | None:
    if household.policies_kept_until is not None:
        return household.policies_kept_until
    exited = (HouseholdStatusEvent.objects.filter(household_id=household.pk, to_status=HouseholdStatus.EXITED,
                                                  kind=StatusEventKind.EXITED,  # not a 风险消除 return
                                                  effective_on__lte=day)
              .order_by("-effective_on", "-id").values_list("effective_on", flat=True).first())
    return add_years(exited, retention_years) if exited else None


def outstanding_balance(household: Household, *, exclude_loan_id: int | None = None) -> Decimal:
    """Principal still owed on the household's open loans (not renewed, repaid or written off)."""
    loans = Loan.objects.filter(household_id=household.pk).exclude(status__in=CLOSED_LOAN_STATUSES)
    if exclude_loan_id is not None:
        loans = loans.exclude(pk=exclude_loan_id)
    amount = loans.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    paid = LoanRepayment.objects.filter(loan__in=loans).aggregate(s=Sum("principal"))["s"] or Decimal(0)
    return amount - paid


def valid_rating(household: Household, day: date) -> CreditRating | None:
    return (CreditRating.objects.filter(household_id=household.pk, rated_on__lte=day, valid_until__gte=day)
            .order_by("-rated_on", "-id").first())


def renewal_count(loan: Loan) -> int:
    n, cur = 0, loan
    while cur.renewed_from_id is not None:
        n += 1
        cur = Loan.objects.only("id", "renewed_from_id").get(pk=cur.renewed_from_id)
    return n


def loan_policy(household: Household, start: date) -> dict:
    return resolve_many(LOAN_KEYS + (RETENTION_KEY,), year=start.year, region_code=household.village_id)


def loan_checks(*, household: Household, borrower: Member, amount: Decimal, term_months: int, start: date,
                use_category: str, renewing: Loan | None = None, policy: dict | None = None) -> tuple[list[Check], dict]:
    """Every rule for a loan of `amount` over `term_months` from `start` to `borrower`. Returns the
    checks (failed ones first is the caller's business) and the CreditRating used (or None) in a dict
    with the policy rows: {"rating": …, "policy": [...]}."""
    try:
        policy = policy or loan_policy(household, start)
    except PolicyMissing as exc:
        return [Check("policy", "政策参数", "start_date", False, str(exc))], {"rating": None, "policy": []}
    p = {k: r.value for k, r in policy.items()}
    max_amount = Decimal(str(p[MAX_AMOUNT_KEY]))
    checks: list[Check] = []
    rating = valid_rating(household, start)

    # 1. The household: registered and in an eligible status on the start date.
    status = status_on(household, start)
    eligible = [str(s) for s in p[ELIGIBLE_KEY]]
    if status is None:
        checks.append(Check("registered", "建档立卡户", "household", False,
                            f"该户在放款日（{start:%Y-%m-%d}）尚未建档立卡，不能申请扶贫小额信贷",
                            {"start_date": start}))
    elif status in eligible:
        checks.append(Check("registered", "建档立卡户", "household", True,
                            f"放款日户状态为{STATUS_LABELS.get(status, status)}，属可贷范围", {"status": status}))
    elif status == HouseholdStatus.EXITED and p[EXITED_KEPT_KEY]:
        kept = policies_kept_until(household, start, int(p[RETENTION_KEY]))
        ok = kept is not None and kept >= start
        checks.append(Check("registered", "建档立卡户", "household", ok,
                            (f"已脱贫户在脱贫不脱政策期内（至 {kept:%Y-%m-%d}），仍可申请" if ok else
                             f"该户已脱贫，继续享受政策期{'至 ' + f'{kept:%Y-%m-%d}' if kept else '未记录'}，"
                             f"放款日（{start:%Y-%m-%d}）不在政策期内，不能申请扶贫小额信贷"),
                            {"status": status, "policies_kept_until": kept}))
    else:
        allowed = "、".join(STATUS_LABELS.get(s, s) for s in eligible)
        checks.append(Check("registered", "建档立卡户", "household", False,
                            f"该户放款日状态为{STATUS_LABELS.get(status, status)}，不在可贷范围（{allowed}）",
                            {"status": status, "eligible_statuses": eligible}))

    # 2. The borrower: a member of the household on the start date, of age.
    if borrower.household_id != household.pk:
        checks.append(Check("borrower", "借款人", "borrower", False, f"借款人{borrower.name}不是该户成员"))
    elif borrower.birth_date > start or (borrower.left_on is not None and borrower.left_on <= start):
        checks.append(Check("borrower", "借款人", "borrower", False,
                            f"借款人{borrower.name}在放款日（{start:%Y-%m-%d}）不是该户的在册成员"
                            + (f"（{borrower.left_on:%Y-%m-%d} 已减少）" if borrower.left_on else "")))
    else:
        age = age_on(borrower.birth_date, start)
        low, high = int(p[AGE_MIN_KEY]), int(p[AGE_MAX_KEY])
        ok = low <= age <= high
        checks.append(Check("age", "借款人年龄", "borrower", ok,
                            f"借款人{borrower.name}放款日年龄 {age} 周岁，" +
                            (f"在 {low}–{high} 周岁之间" if ok else f"不在 {low}–{high} 周岁之间，不能借款"),
                            {"age": age, "min": low, "max": high, "birth_date": borrower.birth_date}))

    # 3. The amount: positive, within the single-loan cap, the credit line and the household cap.
    if amount <= 0:
        checks.append(Check("amount", "贷款金额", "amount", False, "贷款金额应大于 0"))
    else:
        ok = amount <= max_amount
        checks.append(Check("max_amount", "单笔额度上限", "amount", ok,
                            f"贷款金额 {yuan(amount)} 元" + ("不超过" if ok else "超过") +
                            f"扶贫小额信贷额度上限 {yuan(max_amount)} 元", {"amount": amount, "max": max_amount}))
        if rating is None:
            checks.append(Check("rating", "评级授信", "amount", False,
                                f"该户在放款日（{start:%Y-%m-%d}）没有有效的评级授信：须先评级授信再放款"))
        else:
            ok = amount <= rating.credit_line
            checks.append(Check("credit_line", "授信额度", "amount", ok,
                                f"贷款金额 {yuan(amount)} 元" + ("不超过" if ok else "超过") +
                                f"该户授信额度 {yuan(rating.credit_line)} 元（{rating.rating} 级，"
                                f"{rating.rated_on:%Y-%m-%d} 评级，有效期至 {rating.valid_until:%Y-%m-%d}）",
                                {"amount": amount, "credit_line": rating.credit_line, "rating": rating.rating,
                                 "rating_id": rating.pk}))
        owed = outstanding_balance(household, exclude_loan_id=renewing.pk if renewing else None)
        ok = owed + amount <= max_amount
        checks.append(Check("household_cap", "户贷款余额上限", "amount", ok,
                            f"该户未结清贷款余额 {yuan(owed)} 元，加本笔 {yuan(amount)} 元共 {yuan(owed + amount)} 元，"
                            + ("不超过" if ok else "超过") + f"每户上限 {yuan(max_amount)} 元",
                            {"outstanding": owed, "amount": amount, "max": max_amount}))

    # 4. The term.
    max_term = int(p[MAX_TERM_KEY])
    ok = 1 <= term_months <= max_term
    checks.append(Check("term", "贷款期限", "term_months", ok,
                        f"期限 {term_months} 个月" + (f"不超过 {max_term} 个月" if ok else
                                                   (f"超过上限 {max_term} 个月" if term_months > max_term
                                                    else "应至少 1 个月")),
                        {"term_months": term_months, "max": max_term}))

    # 5. The use: productive only.
    ok = use_category in PRODUCTIVE_USES
    label = UseCategory(use_category).label if use_category in UseCategory.values else use_category
    checks.append(Check("use", "贷款用途", "use_category", ok,
                        f"贷款用途“{label}”" + ("属生产性用途" if ok else
                                            "不是生产性用途：扶贫小额信贷只能用于发展生产，不得用于建房、消费等非生产性支出"),
                        {"use_category": use_category}))

    # 6. Renewal: not more often than allowed.
    if renewing is not None:
        limit = int(p[MAX_RENEWALS_KEY])
        done = renewal_count(renewing)
        ok = done < limit
        checks.append(Check("renewals", "展期续贷次数", "renewed_from", ok,
                            f"原贷款已展期/续贷 {done} 次，" + ("未达" if ok else "已达") + f"上限 {limit} 次",
                            {"renewals": done, "max": limit}))

    return checks, {"rating": rating, "policy": [r.explain() for r in policy.values()]}


def refusal(checks: list[Check]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for c in checks:
        if not c.ok:
            errors.setdefault(c.field, []).append(f"{c.label}：{c.message}")
    return errors

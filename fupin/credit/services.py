"""Changes to 扶贫小额信贷. Each is one transaction, keyword-only, audited in the same transaction.

Households and loans are opened through the scoped gates (404 outside scope), rights come from
`rules.may_record` / `rules.may_write_off` (403), input and policy checks raise ValidationError per
field in Chinese — a refused loan names every rule it failed with the values compared.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from fupin.audit.services import Action, Entry, entry_for, record, record_many, snapshot
from fupin.core.clock import today
from fupin.policy.selectors import PolicyMissing, resolve_many, resolver
from fupin.registry.models import Member
from fupin.registry.selectors import household_access
from fupin.registry.validation import parse_date

from .choices import (
    RATING_KEYS,
    RATING_LEVELS_KEY,
    RATING_VALID_KEY,
    STATE_KEYS,
    LoanStatus,
    UseCategory,
)
from .eligibility import loan_checks, refusal
from .models import CreditRating, Loan, LoanRepayment
from .rules import add_months, loan_state_on, may_record, may_write_off, money
from .selectors import loan_access, loan_state

MAX_RATE = Decimal("0.24")
USE_BY_LABEL = {label: code for code, label in UseCategory.choices}


# --- Input parsing -----------------------------------------------------------------------------------

def _date(data: dict, name: str, label: str, errors: dict, *, default: date | None = None) -> date | None:
    raw = data.get(name)
    if raw in (None, ""):
        if default is None:
            errors[name] = [f"{label}不能为空"]
        return default
    try:
        return parse_date(raw, label=label)
    except ValidationError as exc:
        errors[name] = exc.messages
        return None


def _money(data: dict, name: str, label: str, errors: dict, *, default: Decimal | None = None) -> Decimal | None:
    raw = data.get(name)
    if raw in (None, ""):
        if default is None:
            errors[name] = [f"{label}不能为空"]
        return default
    try:
        value = Decimal(str(raw).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        errors[name] = [f"{label}“{raw}”不是有效金额"]
        return None
    if not value.is_finite() or value < 0:
        errors[name] = [f"{label}“{raw}”不是有效金额"]
        return None
    if value != value.quantize(Decimal("0.01")):
        errors[name] = [f"{label}最多两位小数（分）"]
        return None
    if value >= Decimal("1e10"):
        errors[name] = [f"{label}“{raw}”过大"]
        return None
    return value


def _rate(data: dict, name: str, label: str, errors: dict, *, default: Decimal | None = None) -> Decimal | None:
    """A yearly rate as a fraction (0.0435) or in percent (4.35 → 0.0435: any value ≥ 1 is percent)."""
    raw = data.get(name)
    if raw in (None, ""):
        if default is None:
            errors[name] = [f"{label}不能为空"]
        return default
    try:
        value = Decimal(str(raw).strip().rstrip("%"))
    except InvalidOperation:
        errors[name] = [f"{label}“{raw}”不是有效利率"]
        return None
    if not value.is_finite() or value < 0:
        errors[name] = [f"{label}“{raw}”不是有效利率"]
        return None
    if value >= 1:
        value = value / 100
    value = value.quantize(Decimal("0.0001"))
    if value > MAX_RATE:
        errors[name] = [f"{label} {value:.2%} 过高（上限 {MAX_RATE:.0%}）"]
        return None
    return value


def _int(data: dict, name: str, label: str, errors: dict) -> int | None:
    raw = data.get(name)
    if raw in (None, ""):
        errors[name] = [f"{label}不能为空"]
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        errors[name] = [f"{label}“{raw}”不是整数"]
        return None


def _bool(raw, default: bool) -> bool:
    if raw in (None, ""):
        return default
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("1", "true", "yes", "on", "是")


def _text(data: dict, name: str, limit: int) -> str:
    return str(data.get(name) or "").strip()[:limit]


def _not_future(day: date | None, name: str, label: str, errors: dict) -> None:
    if day is not None and name not in errors and day > today():
        errors[name] = [f"{label}（{day:%Y-%m-%d}）不能晚于今天"]


def _need_record(actor) -> None:
    if not may_record(actor):
        raise PermissionDenied("您的角色无权录入扶贫小额信贷信息")


# --- 评级授信 ----------------------------------------------------------------------------------------

@transaction.atomic
def rating_create(*, actor, household_id: int, data: dict) -> CreditRating:
    """Record a credit rating (评级授信): rated_on (default today), rating (a level of
    `credit.rating_levels`), valid_until (default rated_on + `credit.rating_valid_months`; not later),
    note. The credit line is the table's amount for the level; the policy rows are kept with it."""
    household = household_access(actor, household_id)
    _need_record(actor)
    data = dict(data or {})
    errors: dict = {}
    rated_on = _date(data, "rated_on", "评级日期", errors, default=today())
    _not_future(rated_on, "rated_on", "评级日期", errors)
    if errors:
        raise ValidationError(errors)
    try:
        policy = resolve_many(RATING_KEYS, year=rated_on.year, region_code=household.village_id)
    except PolicyMissing as exc:
        raise ValidationError({"rated_on": [str(exc)]}) from None
    levels = {str(k): v for k, v in policy[RATING_LEVELS_KEY].value.items()}
    rating = str(data.get("rating") or "").strip().upper()
    if rating not in levels:
        errors["rating"] = [f"信用等级“{rating or '（空）'}”不在评级授信表中（可选：{'、'.join(levels)}）"]
    months = int(policy[RATING_VALID_KEY].value)
    longest = add_months(rated_on, months)
    valid_until = _date(data, "valid_until", "授信有效期", errors, default=longest)
    if valid_until is not None and "valid_until" not in errors:
        if valid_until < rated_on:
            errors["valid_until"] = [f"授信有效期（{valid_until:%Y-%m-%d}）不能早于评级日期"]
        elif valid_until > longest:
            errors["valid_until"] = [f"授信有效期（{valid_until:%Y-%m-%d}）超过 {months} 个月，最迟 {longest:%Y-%m-%d}"]
    if errors:
        raise ValidationError(errors)
    line = money(levels[rating])
    obj = CreditRating.objects.create(
        household=household, village_id=household.village_id, rated_on=rated_on, rating=rating, credit_line=line,
        valid_until=valid_until, note=_text(data, "note", 300), rated_by=actor,
        policy=[policy[k].explain() for k in RATING_KEYS])
    record(actor=actor, entry=entry_for(obj, action=Action.CREATE, region_code=obj.village_id, after=snapshot(obj)))
    return obj


# --- Loans ---------------------------------------------------------------------------------------------

def _loan_values(household, data: dict, *, defaults: dict | None = None) -> tuple[dict, dict]:
    defaults = defaults or {}
    errors: dict = {}
    values: dict = {}
    borrower = None
    raw_borrower = data.get("borrower", data.get("borrower_id", defaults.get("borrower")))
    if raw_borrower in (None, ""):
        errors["borrower"] = ["借款人不能为空"]
    else:
        try:
            borrower = Member.objects.filter(pk=int(str(raw_borrower)), household_id=household.pk).first()
        except ValueError:
            borrower = None
        if borrower is None:
            errors["borrower"] = [f"借款人“{raw_borrower}”不是该户成员"]
    values["borrower"] = borrower
    values["bank"] = _text(data, "bank", 60) or defaults.get("bank", "")
    if not values["bank"]:
        errors["bank"] = ["放款银行不能为空"]
    values["contract_no"] = _text(data, "contract_no", 60)
    if not values["contract_no"]:
        errors["contract_no"] = ["借款合同号不能为空"]
    values["amount"] = _money(data, "amount", "贷款金额", errors, default=defaults.get("amount"))
    values["term_months"] = _int(data, "term_months", "期限（月）", errors)
    values["start_date"] = _date(data, "start_date", "放款日期", errors, default=defaults.get("start_date") or today())
    _not_future(values["start_date"], "start_date", "放款日期", errors)
    values["annual_rate"] = _rate(data, "annual_rate", "年利率", errors, default=defaults.get("annual_rate"))
    values["subsidised"] = _bool(data.get("subsidised"), defaults.get("subsidised", True))
    subsidy = _rate(data, "subsidy_rate", "贴息年利率", errors,
                    default=defaults.get("subsidy_rate", values["annual_rate"] if values["subsidised"] else Decimal(0)))
    if not values["subsidised"]:
        subsidy = Decimal(0)
    elif subsidy is not None and values["annual_rate"] is not None and subsidy > values["annual_rate"]:
        errors["subsidy_rate"] = [f"贴息年利率 {subsidy:.2%} 不能高于年利率 {values['annual_rate']:.2%}"]
    values["subsidy_rate"] = subsidy if subsidy is not None else Decimal(0)
    raw_use = str(data.get("use_category") or defaults.get("use_category") or "").strip()
    use = USE_BY_LABEL.get(raw_use, raw_use)
    if use not in UseCategory.values:
        errors["use_category"] = [f"贷款用途类别“{raw_use or '（空）'}”无效（可选：{'、'.join(UseCategory.labels)}）"]
    values["use_category"] = use
    values["declared_use"] = _text(data, "declared_use", 300) or defaults.get("declared_use", "")
    if not values["declared_use"]:
        errors["declared_use"] = ["贷款用途说明不能为空（如：养殖生猪 20 头）"]
    if values["contract_no"] and values["bank"] and Loan.objects.filter(
            bank=values["bank"], contract_no=values["contract_no"]).exists():
        errors["contract_no"] = [f"{values['bank']}的借款合同号“{values['contract_no']}”已登记"]
    return values, errors


def _create_loan(*, actor, household, values: dict, renewing: Loan | None) -> Loan:
    checks, extra = loan_checks(household=household, borrower=values["borrower"], amount=values["amount"],
                                term_months=values["term_months"], start=values["start_date"],
                                use_category=values["use_category"], renewing=renewing)
    errors = refusal(checks)
    if errors:
        raise ValidationError(errors)
    start = values["start_date"]
    loan = Loan.objects.create(
        household=household, village_id=household.village_id, rating=extra["rating"], created_by=actor,
        maturity_date=add_months(start, values["term_months"]), productive=True, status=LoanStatus.NORMAL,
        status_on=start, renewed_from=renewing,
        checks=[c.as_dict() for c in checks] + [{"rule": "policy", "rows": extra["policy"]}], **values)
    record(actor=actor, entry=entry_for(loan, action=Action.CREATE, region_code=loan.village_id, after=snapshot(loan)))
    return loan


@transaction.atomic
def loan_create(*, actor, household_id: int, data: dict) -> Loan:
    """Record a loan (放款登记). `data`: borrower (member id), bank, contract_no, amount, term_months,
    start_date (default today), annual_rate (fraction or percent), subsidised (default true),
    subsidy_rate (default the whole rate), use_category (code or label), declared_use.
    Refused, naming each failed rule and its values, when the household is not filed or not in an
    eligible status on the start date, the borrower is not a present member or outside the age
    limits, the amount exceeds the cap, the credit line or the household cap, the term is too long,
    the use is not productive or there is no valid rating."""
    household = household_access(actor, household_id, for_update=True)
    _need_record(actor)
    values, errors = _loan_values(household, dict(data or {}))
    if errors:
        raise ValidationError(errors)
    return _create_loan(actor=actor, household=household, values=values, renewing=None)


@transaction.atomic
def loan_renew(*, actor, loan_id: int, data: dict) -> Loan:
    """展期/续贷: a new loan linked to `loan_id` that carries its balance on (amount defaults to the
    balance on the renewal's start date and may not exceed it; start defaults to the old maturity).
    Only for a loan still running, overdue but not 违约 (defaulted), and at most
    `credit.max_renewals` times along a chain; the new loan passes every loan rule again. The old
    loan becomes 已展期/续贷 on the renewal's start date."""
    old = loan_access(actor, loan_id, for_update=True)
    _need_record(actor)
    household = household_access(actor, old.household_id, for_update=True)
    data = dict(data or {})
    errors: dict = {}
    start = _date(data, "start_date", "续贷放款日期", errors, default=min(old.maturity_date, today()))
    if errors:
        raise ValidationError(errors)
    if start < old.start_date:
        raise ValidationError({"start_date": [f"续贷放款日期（{start:%Y-%m-%d}）不能早于原贷款放款日期"]})
    if hasattr(old, "renewal"):
        raise ValidationError({"renewed_from": [f"该笔贷款已于 {old.renewal.start_date:%Y-%m-%d} 展期/续贷"]})
    state = loan_state(old, on=start)
    if state.state in (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF, LoanStatus.REPAID, LoanStatus.RENEWED):
        detail = f"（逾期 {state.overdue_days} 天）" if state.overdue_days else ""
        raise ValidationError({"renewed_from": [f"原贷款在 {start:%Y-%m-%d} 为“{state.label}”{detail}，不能展期或续贷"]})
    defaults = {"borrower": old.borrower_id, "bank": old.bank, "amount": state.balance, "start_date": start,
                "annual_rate": old.annual_rate, "subsidised": old.subsidised, "subsidy_rate": old.subsidy_rate,
                "use_category": old.use_category, "declared_use": old.declared_use}
    values, errors = _loan_values(household, data, defaults=defaults)
    if values.get("amount") is not None and values["amount"] > state.balance and "amount" not in errors:
        errors["amount"] = [f"续贷金额 {values['amount']} 元不能超过原贷款余额 {state.balance} 元"]
    if errors:
        raise ValidationError(errors)
    loan = _create_loan(actor=actor, household=household, values=values, renewing=old)
    before = {"status": old.status, "status_on": old.status_on.isoformat() if old.status_on else None}
    old.status, old.status_on = LoanStatus.RENEWED, start
    old.save(update_fields=["status", "status_on", "updated_at"])
    record(actor=actor, entry=entry_for(old, action=Action.UPDATE, region_code=old.village_id, before=before,
                                        after={"status": old.status, "status_on": start.isoformat(),
                                               "renewal_id": loan.pk}))
    return loan


@transaction.atomic
def loan_repay(*, actor, loan_id: int, data: dict) -> LoanRepayment:
    """Record a repayment (还款): paid_on (default today; not before the start, not in the future),
    principal, interest, note. Principal may not exceed the balance; a loan renewed, repaid or
    written off takes no more repayments. The loan becomes 已结清 when the balance reaches 0."""
    loan = loan_access(actor, loan_id, for_update=True)
    _need_record(actor)
    data = dict(data or {})
    errors: dict = {}
    paid_on = _date(data, "paid_on", "还款日期", errors, default=today())
    _not_future(paid_on, "paid_on", "还款日期", errors)
    principal = _money(data, "principal", "归还本金", errors, default=Decimal(0))
    interest = _money(data, "interest", "支付利息", errors, default=Decimal(0))
    if paid_on is not None and "paid_on" not in errors and paid_on < loan.start_date:
        errors["paid_on"] = [f"还款日期（{paid_on:%Y-%m-%d}）不能早于放款日期（{loan.start_date:%Y-%m-%d}）"]
    if not errors and principal == 0 and interest == 0:
        errors["principal"] = ["归还本金和支付利息不能都为 0"]
    if errors:
        raise ValidationError(errors)
    if loan.status in (LoanStatus.RENEWED, LoanStatus.REPAID, LoanStatus.WRITTEN_OFF):
        raise ValidationError({"loan": [f"该笔贷款{loan.get_status_display()}，不能再登记还款"]})
    paid = LoanRepayment.objects.filter(loan_id=loan.pk).aggregate(s=Sum("principal"))["s"] or Decimal(0)
    balance = loan.amount - paid
    if principal > balance:
        raise ValidationError({"principal": [f"归还本金 {principal} 元超过贷款余额 {balance} 元"]})
    repayment = LoanRepayment.objects.create(loan=loan, village_id=loan.village_id, paid_on=paid_on,
                                             principal=principal, interest=interest, note=_text(data, "note", 200),
                                             recorded_by=actor)
    record(actor=actor, entry=entry_for(repayment, action=Action.CREATE, region_code=loan.village_id,
                                        after=snapshot(repayment)))
    if principal == balance:
        before = {"status": loan.status, "status_on": loan.status_on.isoformat() if loan.status_on else None}
        loan.status, loan.status_on = LoanStatus.REPAID, paid_on
        loan.save(update_fields=["status", "status_on", "updated_at"])
        record(actor=actor, entry=entry_for(loan, action=Action.UPDATE, region_code=loan.village_id, before=before,
                                            after={"status": loan.status, "status_on": paid_on.isoformat()}))
    return repayment


@transaction.atomic
def loan_write_off(*, actor, loan_id: int, data: dict) -> Loan:
    """核销: a county approver writes off a defaulted loan (paid from the county risk-compensation
    fund) on `written_off_on` (default today) with a reason."""
    loan = loan_access(actor, loan_id, for_update=True)
    if not may_write_off(actor):
        raise PermissionDenied("只有县级审批员可以核销贷款")
    data = dict(data or {})
    errors: dict = {}
    day = _date(data, "written_off_on", "核销日期", errors, default=today())
    _not_future(day, "written_off_on", "核销日期", errors)
    reason = _text(data, "reason", 200)
    if not reason:
        errors["reason"] = ["核销原因不能为空"]
    if errors:
        raise ValidationError(errors)
    state = loan_state(loan, on=day)
    if state.state != LoanStatus.DEFAULTED:
        raise ValidationError({"loan": [f"只有违约贷款可以核销；该笔贷款在 {day:%Y-%m-%d} 为“{state.label}”"]})
    before = {"status": loan.status, "status_on": loan.status_on.isoformat() if loan.status_on else None}
    loan.status, loan.status_on = LoanStatus.WRITTEN_OFF, day
    loan.save(update_fields=["status", "status_on", "updated_at"])
    entry = entry_for(loan, action=Action.UPDATE, region_code=loan.village_id, before=before,
                      after={"status": loan.status, "status_on": day.isoformat(), "reason": reason,
                             "balance": str(state.balance)})
    record(actor=actor, entry=entry)
    return loan


@transaction.atomic
def loans_refresh_status(*, actor, loans, on: date) -> int:
    """Bring the recorded status of `loans` (a queryset, already scoped by the caller) to their
    standing on `on` (正常 → 逾期 → 违约 as the days pass; a loan whose recorded status is 已展期,
    已结清 or 已核销 keeps it). One audit row per changed loan, written in bulk. Returns the count."""
    from .selectors import annotate_facts

    rows = list(annotate_facts(loans.exclude(status__in=(LoanStatus.RENEWED, LoanStatus.REPAID,
                                                           LoanStatus.WRITTEN_OFF)), on=on))
    policy_for = resolver(STATE_KEYS, year=on.year)
    changed, entries = [], []
    for loan in rows:
        p = policy_for(loan.village_id)
        state = loan_state_on(on=on, amount=loan.amount, start=loan.start_date, maturity=loan.maturity_date,
                              principal_paid=loan.principal_paid, renewal_start=loan.renewal_start,
                              written_off_on=None, grace_days=int(p[STATE_KEYS[0]].value),
                              default_after_days=int(p[STATE_KEYS[1]].value))
        if state.state and state.state != loan.status:
            entries.append(Entry(action=Action.UPDATE, object_type="credit.loan", object_id=str(loan.pk),
                                 object_repr=str(loan)[:200], region_code=loan.village_id,
                                 before={"status": loan.status}, after={"status": state.state, "status_on": on.isoformat(),
                                                                        "overdue_days": state.overdue_days}))
            loan.status, loan.status_on = state.state, on
            changed.append(loan)
    Loan.objects.bulk_update(changed, ["status", "status_on"], batch_size=1000)
    if entries:
        record_many(actor=actor, entries=entries)
    return len(changed)

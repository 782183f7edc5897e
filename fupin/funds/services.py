"""Changes to funds: sources, allocations, budget lines and payments. One transaction each,
keyword-only, audited in the same transaction; Chinese messages naming the field.

The money rules (对账规则), checked with the parent row locked so two clerks cannot both spend
the last yuan:
- an allocation never exceeds what its source (or parent allocation) has left;
- a budget line never exceeds what its allocation has left (after passing money down);
- a payment never exceeds what its budget line has left — it is refused and nothing is written.
Project life-cycle changes are in `services_projects.py`.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from fupin.accounts.scope import code_in_scope
from fupin.audit.services import Action, entry_for, record, snapshot
from fupin.core.clock import today
from fupin.regions.codes import Level, subtree_range
from fupin.regions.selectors import region_get
from fupin.registry.selectors import households_visible_to, members_visible_to
from fupin.registry.validation import clean_values_partial, parse_date

from .choices import (
    FUND_MANAGERS,
    FUNDABLE_STATUSES,
    PAYABLE_STATUSES,
    PAYMENT_RECORDERS,
    PayeeKind,
    ProjectStatus,
)
from .models import Allocation, Disbursement, FundSource, ProjectEvent, ProjectFunding
from .rates import money
from .selectors import allocation_access, project_access, source_access

ZERO = Decimal("0.00")


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _require_role(actor, roles, what: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(f"您的角色无权{what}")


def _clean(model, data: dict, fields: tuple[str, ...], required: tuple[str, ...]) -> tuple[dict, dict]:
    cleaned, errors = clean_values_partial(model, {k: v for k, v in (data or {}).items() if k in fields}, fields=fields)
    for name in required:
        if name not in errors and cleaned.get(name) in (None, ""):
            label = model._meta.get_field(name).verbose_name
            errors.setdefault(name, []).append(f"{label}不能为空")
    unknown = [k for k in (data or {}) if k not in fields]
    for name in unknown:
        errors.setdefault(name, []).append(f"字段“{name}”不能在此填写")
    return cleaned, errors


def _positive(cleaned: dict, errors: dict, name: str = "amount", label: str = "金额") -> None:
    if name not in errors and cleaned.get(name) is not None and cleaned[name] <= 0:
        errors.setdefault(name, []).append(f"{label}应大于 0")


def _date(data: dict, name: str, label: str, errors: dict) -> date | None:
    raw = (data or {}).get(name)
    if raw in (None, ""):
        return today()
    try:
        day = parse_date(raw, label=label)
    except ValidationError as exc:
        errors.setdefault(name, []).extend(exc.messages)
        return None
    if day > today():
        errors.setdefault(name, []).append(f"{label}（{day:%Y-%m-%d}）不能晚于今天")
        return None
    return day


def _audit(actor, obj, region_code: str) -> None:
    record(actor=actor, entry=entry_for(obj, action=Action.CREATE, region_code=region_code, after=snapshot(obj)))


# --- Sources and allocations ----------------------------------------------------------------------

@transaction.atomic
def source_create(*, actor, data: dict) -> FundSource:
    """Register a fund (资金来源) held by a region in the actor's scope.
    `data`: kind (code or label), name, year, region (12-digit code), amount, document_no."""
    _require_role(actor, FUND_MANAGERS, "登记资金来源")
    data = dict(data or {})
    region_code = str(data.pop("region", "") or "")
    cleaned, errors = _clean(FundSource, data, ("kind", "name", "year", "amount", "document_no"),
                             ("kind", "name", "year", "amount"))
    _positive(cleaned, errors)
    region = region_get(region_code) if region_code else None
    if region is None or not code_in_scope(actor, region.code):
        errors["region"] = [f"资金所属区划“{region_code}”不存在或不在您的管辖范围内"]
    if errors:
        raise ValidationError(errors)
    source = FundSource.objects.create(region=region, created_by=actor, **cleaned)
    _audit(actor, source, region.code)
    return source


def source_remaining(source: FundSource) -> Decimal:
    passed = Allocation.objects.filter(source_id=source.pk, parent__isnull=True).aggregate(s=Sum("amount"))["s"]
    return source.amount - money(passed)


def allocation_remaining(allocation: Allocation) -> Decimal:
    passed = money(Allocation.objects.filter(parent_id=allocation.pk).aggregate(s=Sum("amount"))["s"])
    funded = money(ProjectFunding.objects.filter(allocation_id=allocation.pk).aggregate(s=Sum("amount"))["s"])
    return allocation.amount - passed - funded


@transaction.atomic
def allocation_create(*, actor, data: dict) -> Allocation:
    """资金下达: pass money from a source (`source`) or from an allocation (`parent`) to a region lower
    down (`to_region`). `data`: source or parent (id), to_region (code), amount, allocated_on
    (default today), document_no, integrated (纳入统筹整合; the source is kept either way)."""
    _require_role(actor, FUND_MANAGERS, "下达资金")
    data = dict(data or {})
    source_id, parent_id = data.pop("source", None), data.pop("parent", None)
    to_code = str(data.pop("to_region", "") or "")
    raw_day = data.pop("allocated_on", None)
    cleaned, errors = _clean(Allocation, data, ("amount", "document_no", "integrated"), ("amount",))
    _positive(cleaned, errors)
    day = _date({"allocated_on": raw_day}, "allocated_on", "下达日期", errors)
    if bool(source_id) == bool(parent_id):
        raise ValidationError({"source": ["请指定资金来源（source）或上级下达（parent）之一"]})
    if parent_id:
        parent = allocation_access(actor, parent_id, for_update=True)
        source = parent.source
        from_code, available = parent.to_region_id, allocation_remaining(parent)
        below = subtree_range(from_code)
        if to_code == from_code or to_code not in below:
            errors.setdefault("to_region", []).append(f"只能下达到{parent.to_region.name}以下的区划")
        if day and day < parent.allocated_on:
            errors.setdefault("allocated_on", []).append(
                f"下达日期（{day:%Y-%m-%d}）不能早于上级下达日期（{parent.allocated_on:%Y-%m-%d}）")
        what = f"上级下达（{parent.to_region.name} {parent.allocated_on:%Y-%m-%d}）"
    else:
        source = source_access(actor, source_id, for_update=True)
        parent, from_code, available = None, source.region_id, source_remaining(source)
        if to_code not in subtree_range(from_code):
            errors.setdefault("to_region", []).append(f"只能下达到{source.region.name}或其下级区划")
        what = f"资金来源“{source.name}”"
    to_region = region_get(to_code) if to_code else None
    if to_region is None:
        errors.setdefault("to_region", []).append(f"区划“{to_code}”不存在")
    if "amount" not in errors and cleaned.get("amount") is not None and cleaned["amount"] > available:
        errors["amount"] = [f"下达金额 {yuan(cleaned['amount'])} 元超过{what}的可下达余额 {yuan(available)} 元"]
    if errors:
        raise ValidationError(errors)
    allocation = Allocation.objects.create(source=source, parent=parent, year=source.year, from_code=from_code,
                                           to_region=to_region, allocated_on=day, created_by=actor, **cleaned)
    _audit(actor, allocation, to_region.code)
    return allocation


# --- Budget lines and payments --------------------------------------------------------------------

@transaction.atomic
def funding_add(*, actor, project_id: int, allocation_id: int, amount) -> ProjectFunding:
    """项目资金安排: budget `amount` of an allocation (whose region contains the project's place) for a
    project that is declared, approved or being implemented."""
    _require_role(actor, FUND_MANAGERS, "安排项目资金")
    project = project_access(actor, project_id, for_update=True)
    allocation = allocation_access(actor, allocation_id, for_update=True)
    cleaned, errors = _clean(ProjectFunding, {"amount": amount}, ("amount",), ("amount",))
    _positive(cleaned, errors)
    if project.status not in FUNDABLE_STATUSES:
        errors.setdefault("project", []).append(f"项目{project.get_status_display()}，不能再安排资金")
    if project.region_id not in subtree_range(allocation.to_region_id):
        errors.setdefault("allocation", []).append(
            f"这笔资金下达到{allocation.to_region.name}，不能安排给该区划以外的项目")
    if ProjectFunding.objects.filter(project_id=project.pk, allocation_id=allocation.pk).exists():
        errors.setdefault("allocation", []).append("该项目已安排过这笔下达资金")
    available = allocation_remaining(allocation)
    if "amount" not in errors and cleaned.get("amount") is not None and cleaned["amount"] > available:
        errors["amount"] = [f"安排金额 {yuan(cleaned['amount'])} 元超过这笔下达资金的余额 {yuan(available)} 元"]
    if errors:
        raise ValidationError(errors)
    line = ProjectFunding.objects.create(project=project, allocation=allocation, source_id=allocation.source_id,
                                         year=allocation.year, holder_code=allocation.to_region_id,
                                         location_code=project.region_id, amount=cleaned["amount"], created_by=actor)
    _audit(actor, line, project.region_id)
    return line


def funding_paid(funding: ProjectFunding) -> Decimal:
    return money(Disbursement.objects.filter(funding_id=funding.pk).aggregate(s=Sum("amount"))["s"])


DISBURSEMENT_FIELDS = ("amount", "payee_kind", "payee_name", "payee_id_number", "item", "voucher_no")


def _payee_household(actor, cleaned: dict, household_id, errors: dict):
    """The registry household a household payment goes to: the one named, else the one whose member
    holds the payee's ID number; None (not in the registry — an alert, not a refusal) otherwise."""
    if cleaned.get("payee_kind") != PayeeKind.HOUSEHOLD:
        if household_id not in (None, ""):
            errors.setdefault("household", []).append("只有收款方类别为农户时才能指定收款户")
        return None
    if household_id not in (None, ""):
        household = households_visible_to(actor).filter(pk=household_id).first() if str(household_id).isdigit() \
            else None
        if household is None:
            errors.setdefault("household", []).append("收款户不存在或不在您的管辖范围内")
        return household
    id_number = (cleaned.get("payee_id_number") or "").upper()
    if not id_number:
        errors.setdefault("payee_id_number", []).append("拨付到户须填写收款户（household）或收款人身份证号")
        return None
    # Only a member the actor may see: an ID number from elsewhere must not link (and reveal) that household.
    member = (members_visible_to(actor).filter(id_number=id_number).select_related("household")
              .order_by("left_on", "id").first())
    return member.household if member else None


@transaction.atomic
def disbursement_create(*, actor, project_id: int, data: dict) -> Disbursement:
    """资金拨付: pay from one of the project's budget lines. `data`: funding (line id), paid_on (default
    today), amount, payee_kind, payee_name, payee_id_number, household (id), item, voucher_no.
    A payment beyond the line's remainder is refused and nothing is written."""
    _require_role(actor, PAYMENT_RECORDERS, "登记资金拨付")
    project = project_access(actor, project_id, for_update=True)
    data = dict(data or {})
    funding_id, household_id, raw_day = data.pop("funding", None), data.pop("household", None), data.pop("paid_on",
                                                                                                        None)
    cleaned, errors = _clean(Disbursement, data, DISBURSEMENT_FIELDS, ("amount", "payee_kind", "payee_name", "item"))
    _positive(cleaned, errors)
    day = _date({"paid_on": raw_day}, "paid_on", "拨付日期", errors)
    if project.status not in PAYABLE_STATUSES:
        errors.setdefault("project", []).append(
            f"项目{project.get_status_display()}，只有实施中或已验收的项目可以拨付资金")
    funding = None
    if funding_id in (None, "") or not str(funding_id).isdigit():
        errors.setdefault("funding", []).append("请选择项目资金安排（funding）")
    else:
        funding = (ProjectFunding.objects.select_for_update().select_related("allocation")
                   .filter(pk=funding_id, project_id=project.pk).first())
        if funding is None:
            errors.setdefault("funding", []).append("这笔资金安排不属于该项目")
    household = _payee_household(actor, cleaned, household_id, errors)
    if day and funding is not None and day < funding.allocation.allocated_on:
        errors.setdefault("paid_on", []).append(
            f"拨付日期（{day:%Y-%m-%d}）不能早于资金下达日期（{funding.allocation.allocated_on:%Y-%m-%d}）")
    if day and project.status in PAYABLE_STATUSES:
        started = (ProjectEvent.objects.filter(project_id=project.pk, to_status=ProjectStatus.IMPLEMENTING)
                   .values_list("on", flat=True).first())
        if started and day < started:
            errors.setdefault("paid_on", []).append(f"拨付日期（{day:%Y-%m-%d}）不能早于项目开工日期（{started:%Y-%m-%d}）")
    if funding is not None and "amount" not in errors and cleaned.get("amount") is not None:
        left = funding.amount - funding_paid(funding)
        if cleaned["amount"] > left:
            errors["amount"] = [f"拨付金额 {yuan(cleaned['amount'])} 元超过该笔资金安排的未拨付余额 {yuan(left)} 元，"
                                "不能超额拨付"]
    if errors:
        raise ValidationError(errors)
    if "payee_id_number" in cleaned:
        cleaned["payee_id_number"] = cleaned["payee_id_number"].upper()
    d = Disbursement.objects.create(funding=funding, project=project, allocation_id=funding.allocation_id,
                                    source_id=funding.source_id, year=funding.year, holder_code=funding.holder_code,
                                    location_code=project.region_id, paid_on=day, household=household,
                                    created_by=actor, **cleaned)
    _audit(actor, d, project.region_id)
    return d


def village_or_township(region) -> bool:
    return region is not None and region.level in (Level.VILLAGE, Level.TOWNSHIP)

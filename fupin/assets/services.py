"""Changes to asset income (资产收益扶贫): assets, shares and the yearly income with its split.
One transaction each, keyword-only, audited in the same transaction; Chinese messages naming the field.

Rules (refused with nothing written):
- an asset is formed only by a project that has been accepted (已验收 or later), and the book values
  of the project's assets together never exceed what the project paid (资金拨付);
- the shares of an asset (one row per household, poor households of the asset's place) together
  never exceed the part of the asset quantified to households (`household_ratio`), counting the
  rows whose dates overlap;
- village retained + distributed never exceed the year's income; the distributed amount is split
  by share among the shares active in the year, in cents, by the largest remainder, so the rows
  sum exactly to it.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from fupin.audit.services import Action, entry_for, record, snapshot
from fupin.core.clock import today
from fupin.funds.selectors import project_access
from fupin.regions.codes import subtree_range
from fupin.registry.selectors import household_access
from fupin.registry.validation import parse_date

from .choices import (
    ASSET_MANAGERS,
    CENT,
    FORMED_STATUSES,
    POOR_FOR_ASSETS,
    RATIO_PLACES,
    AssetKind,
    AssetStatus,
)
from .models import Asset, AssetDistribution, AssetIncome, AssetShare
from .selectors import asset_access, project_paid, shares_active_in

ZERO = Decimal("0.00")
ASSET_FIELDS = ("project", "name", "kind", "book_value", "household_ratio", "formed_on", "operator", "status")
INCOME_FIELDS = ("year", "gross_income", "retained", "distributed", "recorded_on", "note")


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _require_role(actor, what: str) -> None:
    if actor.role not in ASSET_MANAGERS:
        raise PermissionDenied(f"您的角色无权{what}")


def _unknown(data: dict, fields: tuple[str, ...], errors: dict) -> None:
    for name in data:
        if name not in fields:
            errors.setdefault(name, []).append(f"字段“{name}”不能在此填写")


def _decimal(data: dict, name: str, label: str, errors: dict, *, places=CENT, required=True,
             minimum=Decimal("0"), allow_zero=True) -> Decimal | None:
    raw = data.get(name)
    if raw in (None, ""):
        if required:
            errors.setdefault(name, []).append(f"{label}不能为空")
        return None
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(f"{label}“{str(raw)[:20]}”不是有效的数字")
        return None
    if not value.is_finite() or value < minimum or (not allow_zero and value == 0):
        errors.setdefault(name, []).append(f"{label}应{'大于' if not allow_zero else '不小于'} {minimum}")
        return None
    if value != value.quantize(places):
        errors.setdefault(name, []).append(f"{label}最多 {abs(places.as_tuple().exponent)} 位小数")
        return None
    if value >= Decimal("1e14"):
        errors.setdefault(name, []).append(f"{label}过大")
        return None
    return value


def _date(data: dict, name: str, label: str, errors: dict, *, default_today=True) -> date | None:
    raw = data.get(name)
    if raw in (None, ""):
        return today() if default_today else None
    try:
        day = parse_date(raw, label=label)
    except ValidationError as exc:
        errors.setdefault(name, []).extend(exc.messages)
        return None
    if day > today():
        errors.setdefault(name, []).append(f"{label}（{day:%Y-%m-%d}）不能晚于今天")
        return None
    return day


def _text(data: dict, name: str, label: str, errors: dict, *, max_length: int, required=False) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(f"{label}不能为空")
    if len(value) > max_length:
        errors.setdefault(name, []).append(f"{label}不能超过 {max_length} 个字")
    return value


def _choice(data: dict, name: str, label: str, choices, errors: dict, *, default=None) -> str | None:
    raw = str(data.get(name) or "").strip() or default
    for value, text in choices:
        if raw in (value, text):
            return value
    errors.setdefault(name, []).append(f"{label}“{raw or ''}”无效，可选：{'、'.join(t for _, t in choices)}")
    return None


# --- Assets --------------------------------------------------------------------------------------

@transaction.atomic
def asset_create(*, actor, data: dict) -> Asset:
    """Register an asset formed by a project (资产确权登记). `data`: project (id), name, kind (code or
    label), book_value (default: what the project paid not yet booked as assets), household_ratio
    (0–1, the part quantified to poor households), formed_on (default today), operator (经营主体), status."""
    _require_role(actor, "登记扶贫资产")
    data = dict(data or {})
    errors: dict[str, list[str]] = {}
    _unknown(data, ASSET_FIELDS, errors)
    if not str(data.get("project") or "").strip().isdigit():
        raise ValidationError({"project": ["形成资产的项目不能为空"], **errors})
    project = project_access(actor, int(data["project"]), for_update=True)  # 404 outside scope
    name = _text(data, "name", "资产名称", errors, max_length=200, required=True)
    kind = _choice(data, "kind", "资产类别", AssetKind.choices, errors)
    status = _choice(data, "status", "状态", AssetStatus.choices, errors, default=AssetStatus.OPERATING)
    operator = _text(data, "operator", "经营主体", errors, max_length=200)
    ratio = _decimal(data, "household_ratio", "量化到户比例", errors, places=RATIO_PLACES, allow_zero=False)
    if ratio is not None and ratio > 1:
        errors.setdefault("household_ratio", []).append("量化到户比例不能大于 1（100%）")
    formed_on = _date(data, "formed_on", "形成日期", errors)
    if project.status not in FORMED_STATUSES:
        errors.setdefault("project", []).append(
            f"项目“{project.name}”当前为“{project.get_status_display()}”，验收后才能登记形成的资产")
    paid = project_paid(project.pk)
    booked = Asset.objects.filter(project_id=project.pk).aggregate(s=Sum("book_value"))["s"] or ZERO
    left = paid - booked
    book_value = _decimal(data, "book_value", "账面价值", errors, required=False, allow_zero=False)
    if "book_value" not in errors:
        if book_value is None:
            book_value = left
        if book_value <= 0:
            errors.setdefault("book_value", []).append(
                f"项目已拨付 {yuan(paid)} 元，已登记资产 {yuan(booked)} 元，没有可形成资产的金额")
        elif book_value > left:
            errors.setdefault("book_value", []).append(
                f"账面价值（{yuan(book_value)} 元）不能超过项目已拨付金额（{yuan(paid)} 元）"
                f"{f'减去已登记资产 {yuan(booked)} 元' if booked else ''}，最多 {yuan(left)} 元")
    if errors:
        raise ValidationError(errors)
    asset = Asset.objects.create(project=project, region_id=project.region_id, name=name, kind=kind,
                                 book_value=book_value, household_ratio=ratio, formed_on=formed_on,
                                 operator=operator, status=status, created_by=actor)
    record(actor=actor, entry=entry_for(asset, action=Action.CREATE, region_code=asset.region_id,
                                        after=snapshot(asset)))
    return asset


def _overlap(qs, start: date, end: date | None):
    qs = qs.filter(Q(end_on__isnull=True) | Q(end_on__gte=start))
    return qs if end is None else qs.filter(start_on__lte=end)


@transaction.atomic
def share_set(*, actor, asset_id: int, household_id: int, ratio, start_on=None, end_on=None) -> AssetShare:
    """Quantify a share of the asset to a poor household (资产量化到户), or change the household's
    share (one row per household and asset). `ratio` is the household's fraction of the whole asset."""
    _require_role(actor, "设置资产股份")
    asset = asset_access(actor, asset_id, for_update=True)
    household = household_access(actor, household_id)
    data = {"ratio": ratio, "start_on": start_on, "end_on": end_on}
    errors: dict[str, list[str]] = {}
    value = _decimal(data, "ratio", "股份比例", errors, places=RATIO_PLACES, allow_zero=False)
    start = _date(data, "start_on", "起始日期", errors)
    if start is None and "start_on" not in errors:
        start = today()
    end = None
    if end_on not in (None, ""):
        try:
            end = parse_date(end_on, label="终止日期")
        except ValidationError as exc:
            errors.setdefault("end_on", []).extend(exc.messages)
    if start and end and end < start:
        errors.setdefault("end_on", []).append("终止日期不能早于起始日期")
    if household.village_id not in subtree_range(asset.region_id):
        errors.setdefault("household", []).append(
            f"户 {household.household_no} 不在资产所在区划（{asset.region.name}）内")
    if household.status not in POOR_FOR_ASSETS:
        errors.setdefault("household", []).append(
            f"户 {household.household_no} 当前为“{household.get_status_display()}”，资产只量化给贫困户和监测户")
    if value is not None and start is not None and "end_on" not in errors:
        others = _overlap(AssetShare.objects.filter(asset_id=asset.pk).exclude(household_id=household.pk), start, end)
        taken = others.aggregate(s=Sum("ratio"))["s"] or Decimal("0")
        if taken + value > asset.household_ratio:
            errors.setdefault("ratio", []).append(
                f"各户股份合计（已量化 {taken:.6f} + 本户 {value:.6f}）不能超过资产量化到户比例 "
                f"{asset.household_ratio:.6f}，本户最多 {max(asset.household_ratio - taken, Decimal('0')):.6f}")
    if errors:
        raise ValidationError(errors)
    share = AssetShare.objects.filter(asset_id=asset.pk, household_id=household.pk).first()
    before = snapshot(share) if share else None
    if share is None:
        share = AssetShare(asset=asset, household=household, location_code=asset.region_id)
    share.ratio, share.start_on, share.end_on = value, start, end
    share.save()
    record(actor=actor, entry=entry_for(share, action=Action.UPDATE if before else Action.CREATE,
                                        region_code=asset.region_id, before=before, after=snapshot(share)))
    return share


# --- Income and its split -------------------------------------------------------------------------

def split_by_largest_remainder(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` (yuan, 2 places) in proportion to `weights`, in cents: each gets the floor of its
    exact part, then the cents left go one each to the largest remainders (ties: earlier first).
    The parts sum exactly to `total`."""
    cents = int((total / CENT).to_integral_value())
    weight_sum = sum(weights, Decimal("0"))
    if not weights or weight_sum <= 0:
        raise ValueError("weights must be positive")
    exact = [Decimal(cents) * w / weight_sum for w in weights]
    floors = [int(x) for x in exact]  # exact parts are ≥ 0, int() floors them
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(c) * CENT).quantize(CENT) for c in floors]


@transaction.atomic
def income_record(*, actor, asset_id: int, data: dict) -> AssetIncome:
    """Record an asset's income of a year and distribute it (收益分配): `data`: year, gross_income,
    retained (村集体留存), distributed (分配到户), recorded_on (default today), note. The distributed
    amount is split among the households holding a share active in the year, by share."""
    _require_role(actor, "登记资产收益")
    asset = asset_access(actor, asset_id, for_update=True)
    data = dict(data or {})
    errors: dict[str, list[str]] = {}
    _unknown(data, INCOME_FIELDS, errors)
    year = None
    raw_year = str(data.get("year") or "").strip()
    if not raw_year.isdigit():
        errors.setdefault("year", []).append("年度不能为空，应为四位数字")
    else:
        year = int(raw_year)
        if year < asset.formed_on.year or year > today().year:
            errors.setdefault("year", []).append(
                f"年度 {year} 应在资产形成年度（{asset.formed_on.year}）和今年（{today().year}）之间")
            year = None
    gross = _decimal(data, "gross_income", "年收益", errors)
    retained = _decimal(data, "retained", "村集体留存", errors)
    distributed = _decimal(data, "distributed", "分配到户", errors)
    recorded_on = _date(data, "recorded_on", "分配日期", errors)
    note = _text(data, "note", "说明", errors, max_length=500)
    if None not in (gross, retained, distributed) and retained + distributed > gross:
        errors.setdefault("distributed", []).append(
            f"村集体留存（{yuan(retained)} 元）加分配到户（{yuan(distributed)} 元）共 {yuan(retained + distributed)} 元，"
            f"不能超过年收益（{yuan(gross)} 元）")
    if year is not None and AssetIncome.objects.filter(asset_id=asset.pk, year=year).exists():
        errors.setdefault("year", []).append(f"资产“{asset.name}”{year} 年的收益已登记，不能重复登记")
    shares = []
    if year is not None:
        shares = list(shares_active_in(AssetShare.objects.filter(asset_id=asset.pk), year).order_by("household_id"))
        if distributed and not shares:
            errors.setdefault("distributed", []).append(f"资产“{asset.name}”{year} 年没有量化到户的股份，无法分配到户")
    if errors:
        raise ValidationError(errors)
    income = AssetIncome.objects.create(asset=asset, location_code=asset.region_id, year=year, gross_income=gross,
                                        retained=retained, distributed=distributed, recorded_on=recorded_on,
                                        note=note, created_by=actor)
    rows = []
    if distributed:
        parts = split_by_largest_remainder(distributed, [s.ratio for s in shares])
        rows = [AssetDistribution(income=income, asset=asset, household_id=s.household_id,
                                  location_code=asset.region_id, year=year, ratio=s.ratio, amount=amount)
                for s, amount in zip(shares, parts, strict=True)]
        AssetDistribution.objects.bulk_create(rows)
    record(actor=actor, entry=entry_for(income, action=Action.CREATE, region_code=asset.region_id,
                                        after={**snapshot(income), "households": len(rows)}))
    return income

"""State changes of the registry. Each is one transaction, keyword-only, and writes its audit rows in it.

Scope and rights come from the gate (`household_access`, `region_access`); validation from
validation.py; status changes only through `household_change_status`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fupin.accounts.roles import Cap
from fupin.accounts.scope import code_in_scope, require
from fupin.audit.services import Action, diff, entry_for, record, snapshot
from fupin.policy.selectors import resolve
from fupin.regions.codes import Level
from fupin.regions.models import Region

from .choices import DEFAULT_EVENT_KIND, HouseholdStatus, StatusChangeSource, StatusEventKind
from .income import derive
from .models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear, YearFreeze
from .selectors import frozen_years, household_access, member_access
from .validation import clean_household, clean_household_year, clean_member, clean_member_year
from .validators import validate_bank_account, validate_phone

# Fields a clerk may change directly on the household page. Status, causes and incomes change
# through their own procedures or the yearly data, never by editing here.
HOUSEHOLD_EDITABLE = {
    "group_name": "村民小组",
    "address": "住址",
    "phone": "户联系电话",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
}


def _clean_household_changes(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for name, value in changes.items():
        if name not in HOUSEHOLD_EDITABLE:
            errors.setdefault(name, []).append(f"字段“{name}”不能在此修改")
            continue
        value = "" if value is None else str(value).strip()
        try:
            if name == "phone":
                value = validate_phone(value, label="户联系电话")
            elif name == "bank_account":
                value = validate_bank_account(value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
            continue
        max_length = Household._meta.get_field(name).max_length
        if max_length and len(value) > max_length:
            errors.setdefault(name, []).append(f"{HOUSEHOLD_EDITABLE[name]}不能超过 {max_length} 个字")
            continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def household_update(*, actor, household_id: int, changes: dict) -> Household:
    """Change a household's editable fields. Raises Http404 out of scope, PermissionDenied without
    the right, ValidationError (per field, in Chinese) on bad input — and then writes nothing."""
    household = household_access(actor, household_id, for_update=True, need=Cap.EDIT_REGISTRY)
    cleaned = _clean_household_changes(changes)
    before = snapshot(household)
    for name, value in cleaned.items():
        setattr(household, name, value)
    changed_before, changed_after = diff(before, snapshot(household))
    if not changed_after:
        return household
    household.save(update_fields=[*cleaned.keys(), "updated_at"])
    record(actor=actor, entry=entry_for(household, action=Action.UPDATE, region_code=household.village_id,
                                        before=changed_before, after=changed_after))
    return household


def _village_for_writing(actor, code: str) -> Region:
    require(actor, Cap.EDIT_REGISTRY)
    region = Region.objects.filter(code=code).first()
    if region is None or region.level != Level.VILLAGE:
        raise ValidationError({"village": [f"行政村“{code}”不存在"]})
    if not code_in_scope(actor, code):
        raise PermissionDenied(f"行政村“{region.name}”不在您的管辖范围内")
    return region


@transaction.atomic
def household_create(*, actor, data: dict, year: int, effective_on: date | None = None) -> Household:
    """File a household (建档). Its status starts as 未脱贫 with an event; the identification
    procedure is what normally calls this."""
    max_other = resolve("registry.max_other_causes", year=year).value
    cleaned = clean_household(data, max_other_causes=max_other)
    missing = [n for n in ("household_no", "village_id", "head_name", "main_cause", "registered_year")
               if not cleaned.get(n)]
    if missing:
        labels = {"village_id": "行政村"}
        raise ValidationError({n.replace("_id", ""): [f"{labels.get(n) or Household._meta.get_field(n).verbose_name}不能为空"]
                               for n in missing})
    _village_for_writing(actor, cleaned["village_id"])
    if Household.objects.filter(household_no=cleaned["household_no"]).exists():
        raise ValidationError({"household_no": [f"户编号“{cleaned['household_no']}”已存在"]})
    household = Household.objects.create(**cleaned)
    record(actor=actor, entry=entry_for(household, action=Action.CREATE, region_code=household.village_id,
                                        after=snapshot(household)))
    household_change_status(actor=actor, household=household, to_status=HouseholdStatus.NOT_EXITED, year=year,
                            source=StatusChangeSource.IDENTIFICATION, reason="建档立卡", kind=StatusEventKind.NEW,
                            effective_on=effective_on)
    return household


def _check_not_frozen(village_code: str, year: int) -> None:
    if year in frozen_years(village_code):
        raise ValidationError({"year": [f"{year} 年度数据已固化，不能修改"]})


@transaction.atomic
def member_add(*, actor, household_id: int, data: dict) -> Member:
    household = household_access(actor, household_id, for_update=True, need=Cap.EDIT_REGISTRY)
    cleaned = clean_member(data)
    member = Member.objects.create(household=household, **cleaned)
    record(actor=actor, entry=entry_for(member, action=Action.CREATE, region_code=household.village_id,
                                        after=snapshot(member)))
    return member


@transaction.atomic
def member_update(*, actor, member_id: int, changes: dict) -> Member:
    member = member_access(actor, member_id, for_update=True, need=Cap.EDIT_REGISTRY)
    current = {n: getattr(member, n) for n in ("id_type", "id_number", "gender", "birth_date", "name", "relation")}
    merged = {**current, **changes}
    if "id_number" in changes:
        # A corrected ID number brings its own gender and birth date unless they are typed too.
        for derived in ("gender", "birth_date"):
            if derived not in changes:
                merged.pop(derived)
    cleaned = clean_member(merged)
    before = snapshot(member)
    for name, value in cleaned.items():
        setattr(member, name, value)
    changed_before, changed_after = diff(before, snapshot(member))
    if changed_after:
        member.save()
        record(actor=actor, entry=entry_for(member, action=Action.UPDATE, region_code=member.household.village_id,
                                            before=changed_before, after=changed_after))
    return member


@transaction.atomic
def member_leave(*, actor, member_id: int, left_on, reason: str) -> Member:
    """A member leaves the household (死亡, 婚出, 分户 …). The row stays, with the reason."""
    from .choices import MemberExit
    from .validation import parse_date

    member = member_access(actor, member_id, for_update=True, need=Cap.EDIT_REGISTRY)
    if reason not in MemberExit.values:
        raise ValidationError({"left_reason": [f"减少原因“{reason}”无效"]})
    before = snapshot(member)
    member.left_on, member.left_reason = parse_date(left_on, label="减少日期"), reason
    member.save(update_fields=["left_on", "left_reason", "updated_at"])
    changed_before, changed_after = diff(before, snapshot(member))
    record(actor=actor, entry=entry_for(member, action=Action.UPDATE, region_code=member.household.village_id,
                                        before=changed_before, after=changed_after))
    return member


def household_size_for_year(household_id: int, year: int) -> int:
    return MemberYear.objects.filter(member__household_id=household_id, year=year).count()


def _recompute_income(hy: HouseholdYear) -> None:
    hy.household_size = household_size_for_year(hy.household_id, hy.year)
    hy.net_income, hy.per_capita_income = derive(
        {f: getattr(hy, f) for f in ("wage_income", "business_income", "business_cost", "property_income",
                                     "transfer_income")}, hy.household_size)


def _status_in_year(household: Household, year: int) -> str:
    """The status the household had at the end of `year`, from its status history."""
    last = (HouseholdStatusEvent.objects.filter(household=household, year__lte=year)
            .order_by("-year", "-at", "-id").values_list("to_status", flat=True).first())
    return last or household.status


@transaction.atomic
def household_year_save(*, actor, household_id: int, year: int, data: dict) -> HouseholdYear:
    """Create or change a household's data for a year; net and per-capita income are derived."""
    household = household_access(actor, household_id, for_update=True, need=Cap.EDIT_REGISTRY)
    _check_not_frozen(household.village_id, year)
    cleaned = clean_household_year(data)
    hy = HouseholdYear.objects.filter(household=household, year=year).first()
    before = snapshot(hy) if hy else None
    if hy is None:
        hy = HouseholdYear(household=household, year=year, status=_status_in_year(household, year))
    for name, value in cleaned.items():
        setattr(hy, name, value)
    _recompute_income(hy)
    hy.save()
    after = snapshot(hy)
    changed_before, changed_after = diff(before or {}, after)
    if changed_after:
        record(actor=actor, entry=entry_for(hy, action=Action.UPDATE if before else Action.CREATE,
                                            region_code=household.village_id,
                                            before=changed_before if before else None, after=changed_after))
    return hy


@transaction.atomic
def member_year_save(*, actor, member_id: int, year: int, data: dict) -> MemberYear:
    member = member_access(actor, member_id, for_update=True, need=Cap.EDIT_REGISTRY)
    village = member.household.village_id
    _check_not_frozen(village, year)
    cleaned = clean_member_year(data)
    my = MemberYear.objects.filter(member=member, year=year).first()
    before = snapshot(my) if my else None
    if my is None:
        my = MemberYear(member=member, year=year)
    for name, value in cleaned.items():
        setattr(my, name, value)
    my.save()
    changed_before, changed_after = diff(before or {}, snapshot(my))
    if changed_after:
        record(actor=actor, entry=entry_for(my, action=Action.UPDATE if before else Action.CREATE, region_code=village,
                                            before=changed_before if before else None, after=changed_after))
    if before is None:  # a new member-year changes the household size, hence per-capita income
        hy = HouseholdYear.objects.select_for_update().filter(household_id=member.household_id, year=year).first()
        if hy is not None:
            _recompute_income(hy)
            hy.save(update_fields=["household_size", "net_income", "per_capita_income", "updated_at"])
    return my


@transaction.atomic
def household_change_status(*, actor, household: Household | None = None, household_id: int | None = None,
                            to_status: str, year: int, source: str, reason: str, kind: str | None = None,
                            effective_on: date | None = None) -> HouseholdStatusEvent:
    """The only way a household's status changes: identification, exit, monitoring (and import of
    an existing registry) call this; each change is an event with its kind, date and reason.

    `kind` defaults to what the new status means (DEFAULT_EVENT_KIND); `effective_on` to today."""
    if household is None:
        household = household_access(actor, household_id, for_update=True, need=Cap.EDIT_REGISTRY)
    if to_status not in HouseholdStatus.values:
        raise ValidationError({"status": [f"户状态“{to_status}”无效"]})
    if source not in StatusChangeSource.values:
        raise ValidationError({"source": [f"状态变更来源“{source}”无效"]})
    kind = kind or DEFAULT_EVENT_KIND[HouseholdStatus(to_status)]
    if kind not in StatusEventKind.values:
        raise ValidationError({"kind": [f"变动类型“{kind}”无效"]})
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["状态变更必须填写原因"]})
    effective_on = effective_on or timezone.localdate()
    from_status = household.status if household.status_events.exists() else ""
    event = HouseholdStatusEvent.objects.create(
        household=household, year=year, from_status=from_status, to_status=to_status, kind=kind,
        effective_on=effective_on, source=source, reason=reason.strip(), actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "system"))
    if household.status != to_status:
        before = {"status": household.status}
        household.status = to_status
        household.save(update_fields=["status", "updated_at"])
        record(actor=actor, entry=entry_for(household, action=Action.UPDATE, region_code=household.village_id,
                                            before=before, after={"status": to_status, "reason": event.reason,
                                                                  "kind": kind, "source": source,
                                                                  "effective_on": effective_on.isoformat()}))
    HouseholdYear.objects.filter(household=household, year=year).update(status=to_status)
    return event


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def household_exit(*, actor, household_id: int, year: int, effective_on: date, reason: str) -> Household:
    """Mark a household as exited (销号, the last step of the exit procedure): status 已脱贫 with an
    event, the exit year, and the period it keeps its policies (脱贫不脱政策) from the policy table."""
    household = household_access(actor, household_id, for_update=True, need=Cap.EDIT_REGISTRY)
    if household.status not in (HouseholdStatus.NOT_EXITED, HouseholdStatus.RETURNED):
        raise ValidationError({"status": [f"{household}当前状态为“{household.get_status_display()}”，不能退出"]})
    retention = resolve("exit.policy_retention_years", year=year, region_code=household.village_id)
    before = snapshot(household)
    household.exit_year = year
    household.policies_kept_from = effective_on
    household.policies_kept_until = _add_years(effective_on, int(retention.value))
    household.save(update_fields=["exit_year", "policies_kept_from", "policies_kept_until", "updated_at"])
    record(actor=actor, entry=entry_for(household, action=Action.UPDATE, region_code=household.village_id,
                                        before=before, after=snapshot(household)))
    household_change_status(actor=actor, household=household, to_status=HouseholdStatus.EXITED, year=year,
                            source=StatusChangeSource.EXIT, reason=reason, kind=StatusEventKind.EXITED,
                            effective_on=effective_on)
    return household


@transaction.atomic
def year_freeze(*, actor, region_code: str, year: int) -> YearFreeze:
    """Freeze (固化) a year's data for a region subtree. Only a county approver (or above) may."""
    from fupin.regions.selectors import region_access

    require(actor, Cap.EDIT_REGISTRY)
    region = region_access(actor, region_code)
    if Level.depth(region.level) > Level.depth(Level.COUNTY):
        raise PermissionDenied("年度数据固化须由县级及以上操作")
    freeze, created = YearFreeze.objects.get_or_create(
        region_code=region.code, year=year,
        defaults={"frozen_by_id": actor.pk, "frozen_by_name": actor.username})
    if not created:
        raise ValidationError({"year": [f"{region.name} {year} 年度数据已于 {freeze.frozen_at:%Y-%m-%d} 固化"]})
    counts = HouseholdYear.objects.filter(household__village_id__gte=region.code_range.low,
                                          household__village_id__lte=region.code_range.high,
                                          year=year).aggregate(n=Count("id"))
    record(actor=actor, entry=entry_for(freeze, action=Action.CREATE, region_code=region.code,
                                        after={"year": year, "households": counts["n"]}))
    return freeze

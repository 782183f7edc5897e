"""State changes of the registry. Each is one transaction, keyword-only, and writes its audit rows in it.

Scope and rights come from the gate (`household_access`, `region_access`); validation from
validation.py; status changes only through `household_change_status`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count

from fupin.accounts.roles import Cap, Role
from fupin.accounts.scope import code_in_scope, require
from fupin.audit.services import Action, diff, entry_for, record, record_many, snapshot
from fupin.core.clock import today
from fupin.policy.selectors import resolve
from fupin.regions.codes import Level
from fupin.regions.models import Region

from .choices import DEFAULT_EVENT_KIND, HouseholdStatus, MemberExit, StatusChangeSource, StatusEventKind
from .income import derive
from .models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear, YearFreeze
from .selectors import frozen_years, household_access, member_access
from .selectors_status import OUT_OF_REGISTRY, latest_status_event
from .validation import clean_household, clean_household_year, clean_member, clean_member_year, parse_date
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
def household_create(*, actor, data: dict, year: int, effective_on: date | None = None,
                     initial_status: str = HouseholdStatus.NOT_EXITED) -> Household:
    """File a household (建档). Its status starts as 未脱贫 with an event; the identification
    procedure is what normally calls this. The monitoring procedure files a marginal or suddenly
    struck household (边缘易致贫户、突发严重困难户) with `initial_status` 监测户: its first event is then
    纳入监测 (not 新识别)."""
    if initial_status not in (HouseholdStatus.NOT_EXITED, HouseholdStatus.MONITORED):
        raise ValidationError({"status": [f"建档时的户状态“{initial_status}”无效"]})
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
    if initial_status == HouseholdStatus.MONITORED:
        household_change_status(actor=actor, household=household, to_status=HouseholdStatus.MONITORED, year=year,
                                source=StatusChangeSource.MONITORING, reason="纳入防止返贫监测建档",
                                kind=StatusEventKind.MONITORED, effective_on=effective_on)
        return household
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
    """A member leaves the household (死亡, 婚出, 分户 …). The row stays, with the reason.

    When the last member still in the household leaves, the household has ceased to exist: it
    gets a 自然减少 event (status 已销户) effective on the day the member left, in the same
    transaction. Its date may then not lie before the household's latest status change."""
    found = member_access(actor, member_id, need=Cap.EDIT_REGISTRY)
    # Lock the household before its members (as household_natural_decrease does): two last
    # members leaving at once are then counted one after the other.
    household = Household.objects.select_for_update().get(pk=found.household_id)
    member = member_access(actor, member_id, for_update=True, need=Cap.EDIT_REGISTRY)
    if reason not in MemberExit.values:
        raise ValidationError({"left_reason": [f"减少原因“{reason}”无效"]})
    try:
        day = parse_date(left_on, label="减少日期")
    except ValidationError as exc:
        raise ValidationError({"left_on": exc.messages}) from None
    last = (household.status not in OUT_OF_REGISTRY and member.left_on is None and not Member.objects.filter(
        household_id=household.pk, left_on__isnull=True).exclude(pk=member.pk).exists())
    if last:
        previous = latest_status_event(household)
        if previous is not None and day < previous.effective_on:
            raise ValidationError({"left_on": [
                f"{member.name}是该户最后一名在册成员，其减少日期（{day:%Y-%m-%d}）不能早于该户上一次状态变更"
                f"（{previous.effective_on:%Y-%m-%d} {previous.get_kind_display()}）"]})
    before = snapshot(member)
    member.left_on, member.left_reason = day, reason
    member.save(update_fields=["left_on", "left_reason", "updated_at"])
    changed_before, changed_after = diff(before, snapshot(member))
    record(actor=actor, entry=entry_for(member, action=Action.UPDATE, region_code=household.village_id,
                                        before=changed_before, after=changed_after))
    if last:
        household_change_status(
            actor=actor, household=household, to_status=HouseholdStatus.CANCELLED, year=day.year,
            source=StatusChangeSource.ADJUSTMENT, kind=StatusEventKind.NATURAL_DECREASE, effective_on=day,
            reason=f"最后一名在册成员{member.name}{MemberExit(reason).label}（{day:%Y-%m-%d}），户自然减少")
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
    effective_on = effective_on or today()
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


# --- 清退/剔除 and 自然减少: a household leaves the registry (status history, 户状态变动) ---------

REASON_MAX_LENGTH = HouseholdStatusEvent._meta.get_field("reason").max_length


def _clean_leaving(household: Household, *, reason, effective_on, year, what: str) -> tuple[str, date, int]:
    """Validate a change that takes a household out of the registry; every bad field at once."""
    errors: dict[str, list[str]] = {}
    if household.status in OUT_OF_REGISTRY:
        errors["status"] = [f"{household}当前状态为“{household.get_status_display()}”，已不在册，不能{what}"]
    reason = "" if reason is None else str(reason).strip()
    if not reason:
        errors["reason"] = [f"{what}必须填写原因"]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = [f"原因不能超过 {REASON_MAX_LENGTH} 个字"]
    day = None
    if effective_on is None or (isinstance(effective_on, str) and not effective_on.strip()):
        errors["effective_on"] = ["生效日期不能为空"]
    else:
        try:
            day = parse_date(effective_on, label="生效日期")
        except ValidationError as exc:
            errors["effective_on"] = exc.messages
    if day is not None:
        previous = latest_status_event(household)
        if day > today():
            errors["effective_on"] = [f"生效日期（{day:%Y-%m-%d}）不能晚于今天"]
        elif previous is not None and day < previous.effective_on:
            errors["effective_on"] = [f"生效日期（{day:%Y-%m-%d}）不能早于该户上一次状态变更"
                                      f"（{previous.effective_on:%Y-%m-%d} {previous.get_kind_display()}）"]
    if year is None or (isinstance(year, str) and not year.strip()):
        if day is not None:  # without a date, the date's error says it all
            errors["year"] = ["年度不能为空"]
        year = None
    else:
        try:
            year = int(year)
        except (TypeError, ValueError):
            errors["year"] = [f"年度“{year}”无效"]
            year = None
    if year is not None:
        if not 2000 <= year <= 2100:
            errors["year"] = [f"年度 {year} 无效（应在 2000–2100 之间）"]
        elif day is not None and year > day.year:
            errors["year"] = [f"年度（{year}）不能晚于生效日期所在年份（{day.year}）"]
    if errors:
        raise ValidationError(errors)
    return reason, day, year


def may_remove_households(user) -> bool:
    """清退/剔除 is decided at the county level: only a county approver bound to a county."""
    return (user is not None and user.is_authenticated and user.role == Role.COUNTY_APPROVER
            and user.region.level == Level.COUNTY)


@transaction.atomic
def household_remove(*, actor, household_id: int, reason: str, effective_on, year: int) -> HouseholdStatusEvent:
    """清退/剔除: a wrongly filed household (识别不精准) leaves the registry — status 已清退 with a
    `removed` event and its required reason. Only a county approver may (403 for anyone else in
    scope, 404 out of scope); refused for a household already out of the registry. The household
    and its history stay; nothing is deleted."""
    household = household_access(actor, household_id, for_update=True)
    if not may_remove_households(actor):
        raise PermissionDenied("清退（剔除）贫困户须由县级审批员操作")
    reason, day, year = _clean_leaving(household, reason=reason, effective_on=effective_on, year=year,
                                       what="清退")
    return household_change_status(actor=actor, household=household, to_status=HouseholdStatus.REMOVED, year=year,
                                   source=StatusChangeSource.ADJUSTMENT, reason=reason,
                                   kind=StatusEventKind.REMOVED, effective_on=day)


@transaction.atomic
def household_natural_decrease(*, actor, household_id: int, reason: str, effective_on, year: int,
                               member_reason: str | None = None) -> HouseholdStatusEvent:
    """自然减少: the household no longer exists (all members deceased, moved away, merged into
    another household) — status 已销户 with a `natural_decrease` event and its required reason.

    Members still in the household are recorded as having left on the effective date with
    `member_reason` (死亡, 婚出, 分户, 其他), which is then required; they are never deleted.
    Usually this happens by itself when the last member leaves (`member_leave`)."""
    household = household_access(actor, household_id, for_update=True, need=Cap.EDIT_REGISTRY)
    reason, day, year = _clean_leaving(household, reason=reason, effective_on=effective_on, year=year,
                                       what="办理自然减少")
    remaining = list(Member.objects.select_for_update().filter(household_id=household.pk, left_on__isnull=True)
                     .order_by("id"))
    if remaining:
        names = "、".join(m.name for m in remaining)
        if not member_reason:
            raise ValidationError({"member_reason": [
                f"该户尚有 {len(remaining)} 名在册成员（{names}），须注明成员减少原因"]})
        if member_reason not in MemberExit.values:
            raise ValidationError({"member_reason": [f"成员减少原因“{member_reason}”无效"]})
        early = [m.name for m in remaining if m.birth_date > day]
        if early:
            raise ValidationError({"effective_on": [f"生效日期早于成员{'、'.join(early)}的出生日期"]})
    entries = []
    for m in remaining:
        before = snapshot(m)
        m.left_on, m.left_reason = day, member_reason
        m.save(update_fields=["left_on", "left_reason", "updated_at"])
        changed_before, changed_after = diff(before, snapshot(m))
        entries.append(entry_for(m, action=Action.UPDATE, region_code=household.village_id,
                                 before=changed_before, after=changed_after))
    record_many(actor=actor, entries=entries)
    return household_change_status(actor=actor, household=household, to_status=HouseholdStatus.CANCELLED,
                                   year=year, source=StatusChangeSource.ADJUSTMENT, reason=reason,
                                   kind=StatusEventKind.NATURAL_DECREASE, effective_on=day)

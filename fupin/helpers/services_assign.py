"""State changes of cadres (帮扶责任人) and their pairing with households (结对帮扶).

A household's current pairing is one HelperAssignment with no end, and `Household.helper` names
the same cadre: both change together here and nowhere else. Reassignment ends the current row on
the day the new one starts, so the history is complete (不脱贫不脱钩: a poor household is never
left without a helper by these functions). Refused, with a Chinese message naming the field:
a cadre who is not an active 帮扶责任人, is bound to a region that does not hold the household
(they would not see it), has no profile (ID number unknown, so "not a registered poor person"
cannot be checked), is a registered poor person, or would exceed `helpers.max_households_per_cadre`
(resolved for the year of `on` and the household's village; current pairings counted).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.accounts.scope import scoped, scoped_get
from fupin.audit.services import Action, Entry, diff, entry_for, record, record_many, snapshot
from fupin.core.clock import today
from fupin.policy.selectors import PolicyMissing, resolver
from fupin.registry.models import Household
from fupin.registry.selectors import household_access
from fupin.registry.selectors_status import OUT_OF_REGISTRY

from . import inputs
from .checks import (
    HELPED_STATUSES,
    LOAD_KEY,
    Limit,
    check_cadre_for,
    clean_id_number,
    current_loads,
    load_limit,
    refuse_over_limit,
    refuse_registered_person,
)
from .models import CadreProfile, HelperAssignment, HelpingUnit
from .rights import require_assign, require_bulk_assign, require_profile

ASSIGNMENT_SCOPE = {"region_field": "village_code", "cadre_field": "household__helper_id"}
FIRST_PAIRING = "初次结对"


def _today() -> date:
    return today()


# --- 帮扶责任人档案 ---------------------------------------------------------------------------------

def _unit_usable(actor, unit_id, place_code: str) -> HelpingUnit | None:
    """A unit registered in the actor's scope or at the cadre's region or above it (a county's
    units serve its townships' cadres)."""
    from fupin.accounts.scope import code_in_scope
    from fupin.regions.codes import ancestor_codes

    pk = inputs.pk(unit_id, name="unit", label="工作单位", required=False)
    if pk is None:
        return None
    unit = HelpingUnit.objects.filter(pk=pk).first()
    if unit is None or not (code_in_scope(actor, unit.region_id) or unit.region_id in ancestor_codes(place_code)):
        raise ValidationError({"unit": ["工作单位不存在或不在您的管辖范围内"]})
    return unit


@transaction.atomic
def cadre_profile_save(*, actor, cadre_id: int, id_number, unit_id=None, position: str = "",
                       phone: str = "") -> CadreProfile:
    """Create or change a cadre's profile. The ID number is validated (GB 11643), unique among
    cadres, and must not be a registered poor person's (建档立卡人口不能担任帮扶责任人)."""
    pk = inputs.pk(cadre_id, name="cadre", label="帮扶责任人")
    cadre = scoped_get(User.objects.filter(role=Role.CADRE).select_related("region"), actor, pk=pk,
                       region_field="region_id", for_update=True)
    require_profile(actor)
    number = clean_id_number(id_number)
    data = {"position": position, "phone": phone}
    position = inputs.text(data, "position", label="职务", max_length=50)
    phone = inputs.phone(data)
    unit = _unit_usable(actor, unit_id, cadre.region_id)
    taken = CadreProfile.objects.filter(id_number=number).exclude(user_id=cadre.pk).select_related("user").first()
    if taken is not None:
        raise ValidationError({"id_number": [f"该身份证号码已登记为帮扶责任人“{taken.user.display_name}”"]})
    refuse_registered_person(number, on=_today(), who=f"帮扶责任人“{cadre.display_name}”")
    profile = CadreProfile.objects.select_for_update().filter(user=cadre).first()
    values = {"id_number": number, "unit": unit, "position": position, "phone": phone}
    if profile is None:
        profile = CadreProfile.objects.create(user=cadre, **values)
        record(actor=actor, entry=entry_for(profile, action=Action.CREATE, region_code=cadre.region_id,
                                            after=snapshot(profile)))
        return profile
    before = snapshot(profile)
    for name, value in values.items():
        setattr(profile, name, value)
    old, new = diff(before, snapshot(profile))
    if new:
        profile.save()
        record(actor=actor, entry=entry_for(profile, action=Action.UPDATE, region_code=cadre.region_id,
                                            before=old, after=new))
    return profile


def _cadre_ready(cadre_id, *, village_code: str, on: date, field: str = "cadre") -> User:
    """The cadre, locked (their load is counted next), after every check but the load limit."""
    pk = inputs.pk(cadre_id, name=field, label="帮扶责任人")
    cadre = User.objects.select_for_update().filter(pk=pk).first()
    if cadre is None:
        raise ValidationError({field: ["帮扶责任人不存在"]})
    check_cadre_for(cadre, village_code=village_code, field=field)
    profile = CadreProfile.objects.filter(user=cadre).first()
    if profile is None:
        raise ValidationError({field: [f"帮扶责任人“{cadre.display_name}”尚未登记档案（身份证号码、工作单位），"
                                       "无法核查其是否为建档立卡人口：请先登记档案"]})
    refuse_registered_person(profile.id_number, on=on, who=f"帮扶责任人“{cadre.display_name}”", field=field)
    return cadre


# --- One household ----------------------------------------------------------------------------

def _current(household: Household) -> HelperAssignment | None:
    return HelperAssignment.objects.select_for_update().filter(household=household, end__isnull=True).first()


@transaction.atomic
def household_assign_helper(*, actor, household_id: int, cadre_id: int, on=None, reason: str = "") -> HelperAssignment:
    """Pair the household with `cadre_id` from `on` (default today; not in the future): the current
    pairing ends that day, a new one starts, `Household.helper` follows. A reason is required when
    a current helper is replaced."""
    household = household_access(actor, household_id, for_update=True)  # 404 outside scope
    require_assign(actor)
    if household.status in OUT_OF_REGISTRY:
        raise ValidationError({"household": [f"该户状态为“{household.get_status_display()}”，已不在册，不能结对"]})
    on = inputs.day(on or _today(), name="on", label="结对日期", not_future=True)
    current = _current(household)
    reason = (reason or "").strip()
    if current is not None and not reason:
        raise ValidationError({"reason": ["更换帮扶责任人须填写原因"]})
    reason = inputs.text({"reason": reason or FIRST_PAIRING}, "reason", label="原因", max_length=200)
    if current is not None and on < current.start:
        raise ValidationError({"on": [f"结对日期 {on} 早于现帮扶责任人的开始日期 {current.start}"]})
    cadre = _cadre_ready(cadre_id, village_code=household.village_id, on=on)
    if current is not None and current.cadre_id == cadre.pk:
        raise ValidationError({"cadre": [f"“{cadre.display_name}”已是该户的帮扶责任人（{current.start} 起）"]})
    limit = load_limit(year=on.year, region_code=household.village_id)
    refuse_over_limit(cadre, load_after=current_loads([cadre.pk])[cadre.pk] + 1, limit=limit)
    entries = []
    if current is not None:
        current.end, current.end_reason = on, reason
        current.save(update_fields=["end", "end_reason"])
        entries.append(entry_for(current, action=Action.UPDATE, region_code=household.village_id,
                                 before={"end": None, "end_reason": ""},
                                 after={"end": on.isoformat(), "end_reason": reason}))
    new = HelperAssignment.objects.create(household=household, village_code=household.village_id, cadre=cadre,
                                          start=on, reason=reason, actor_name=actor.username)
    entries.append(entry_for(new, action=Action.CREATE, region_code=household.village_id,
                             after={**snapshot(new), "limit": limit.explain()}))
    entries.append(_household_helper_entry(household, before=household.helper_id, after=cadre.pk))
    household.helper = cadre
    household.save(update_fields=["helper", "updated_at"])
    record_many(actor=actor, entries=entries)
    return new


def _household_helper_entry(household: Household, *, before, after) -> Entry:
    return Entry(action=Action.UPDATE, object_type="registry.household", object_id=str(household.pk),
                 object_repr=str(household)[:200], region_code=household.village_id,
                 before={"helper_id": before}, after={"helper_id": after})


@transaction.atomic
def household_end_helper(*, actor, household_id: int, on=None, reason: str) -> HelperAssignment:
    """End a household's pairing without a successor: only for a household that no longer needs
    one (已脱贫, 已清退, 已销户). 不脱贫不脱钩: a 未脱贫, 返贫 or 监测 household only changes helper."""
    household = household_access(actor, household_id, for_update=True)  # 404 outside scope
    require_assign(actor)
    if household.status in HELPED_STATUSES:
        raise ValidationError({"household": [
            f"不脱贫不脱钩：该户为“{household.get_status_display()}”，不能解除结对，只能更换帮扶责任人"]})
    current = _current(household)
    if current is None:
        raise ValidationError({"household": ["该户当前没有结对的帮扶责任人"]})
    on = inputs.day(on or _today(), name="on", label="结束日期", not_future=True)
    inputs.end_after(current.start, on, name="on", strict=False)
    reason = inputs.text({"reason": reason}, "reason", label="原因", max_length=200, required=True)
    current.end, current.end_reason = on, reason
    current.save(update_fields=["end", "end_reason"])
    entries = [entry_for(current, action=Action.UPDATE, region_code=household.village_id,
                         before={"end": None, "end_reason": ""}, after={"end": on.isoformat(), "end_reason": reason}),
               _household_helper_entry(household, before=household.helper_id, after=None)]
    household.helper = None
    household.save(update_fields=["helper", "updated_at"])
    record_many(actor=actor, entries=entries)
    return current


# --- Many households at once ------------------------------------------------------------------

@transaction.atomic
def cadres_reassign(*, actor, from_cadre_id: int, to_cadre_id: int, on=None, reason: str) -> dict:
    """Move every current pairing of `from_cadre_id` inside the actor's scope to `to_cadre_id` from
    `on` (调整帮扶责任人, e.g. when a cadre is transferred). Set-based: a fixed number of queries for
    any number of households. The load limit applies to the new cadre's total after the move,
    against the strictest limit among the households' villages. Returns counts and the limit used."""
    require_bulk_assign(actor)
    from_pk = inputs.pk(from_cadre_id, name="from_cadre", label="原帮扶责任人")
    on = inputs.day(on or _today(), name="on", label="调整日期", not_future=True)
    reason = inputs.text({"reason": reason}, "reason", label="调整原因", max_length=200, required=True)
    moving = list(scoped(HelperAssignment.objects.select_for_update().filter(cadre_id=from_pk, end__isnull=True),
                         actor, region_field="village_code").order_by("household_id"))
    if not moving:
        raise ValidationError({"from_cadre": ["原帮扶责任人在您的管辖范围内没有结对户"]})
    villages = sorted({a.village_code for a in moving})
    to_pk = inputs.pk(to_cadre_id, name="to_cadre", label="新帮扶责任人")
    if to_pk == from_pk:
        raise ValidationError({"to_cadre": ["新帮扶责任人与原帮扶责任人相同"]})
    late = max(a.start for a in moving)
    if on < late:
        raise ValidationError({"on": [f"调整日期 {on} 早于现有结对的开始日期 {late}"]})
    to_cadre = None
    for code in villages:  # the cadre's checks per distinct village (a handful), not per household
        to_cadre = _cadre_ready(to_pk, village_code=code, on=on, field="to_cadre")
    limit = _strictest_limit(villages, year=on.year)
    load_after = current_loads([to_pk])[to_pk] + len(moving)
    refuse_over_limit(to_cadre, load_after=load_after, limit=limit, field="to_cadre")
    household_ids = [a.household_id for a in moving]
    households = {h.pk: h for h in Household.objects.select_for_update().filter(pk__in=household_ids)}
    HelperAssignment.objects.filter(pk__in=[a.pk for a in moving]).update(end=on, end_reason=reason)
    created = HelperAssignment.objects.bulk_create([
        HelperAssignment(household_id=a.household_id, village_code=a.village_code, cadre_id=to_pk, start=on,
                         reason=reason, actor_name=actor.username) for a in moving])
    Household.objects.filter(pk__in=household_ids).update(helper_id=to_pk, updated_at=timezone.now())
    entries = []
    for old, new in zip(moving, created, strict=True):
        h = households[old.household_id]
        entries += [
            entry_for(old, action=Action.UPDATE, region_code=old.village_code, before={"end": None, "end_reason": ""},
                      after={"end": on.isoformat(), "end_reason": reason}),
            entry_for(new, action=Action.CREATE, region_code=new.village_code, after=snapshot(new)),
            _household_helper_entry(h, before=h.helper_id, after=to_pk),
        ]
    record_many(actor=actor, entries=entries)
    remaining = HelperAssignment.objects.filter(cadre_id=from_pk, end__isnull=True).count()
    return {"moved": len(moving), "from_cadre_id": from_pk, "to_cadre_id": to_pk, "on": on,
            "to_cadre_load": load_after, "limit": limit.value, "policy": limit.explain(),
            "from_cadre_remaining": remaining}


def _strictest_limit(village_codes: list[str], *, year: int) -> Limit:
    try:
        resolve_for = resolver([LOAD_KEY], year=year)
        found = [resolve_for(code)[LOAD_KEY] for code in village_codes]
    except PolicyMissing as exc:
        raise ValidationError({"to_cadre": [str(exc)]}) from None
    best = min(found, key=lambda r: int(r.value))
    return Limit(int(best.value), best)

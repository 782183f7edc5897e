"""Rules shared by the services and the coverage report: each one query, whatever the number of rows.

- who counts as a registered poor person (a cadre or team member may not be one);
- which cadres may help a household (bound to its village, township or county: their scope);
- a cadre's load (current pairings) against `helpers.max_households_per_cadre`.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from fupin.accounts.masking import mask_id_number
from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.policy.selectors import PolicyMissing, Resolved, resolve
from fupin.regions.codes import Level, ancestor_codes, level_of
from fupin.registry import idnumbers
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import Member

from .models import HelperAssignment

LOAD_KEY = "helpers.max_households_per_cadre"
KEEP_KEY = "helpers.village_support_years_after_exit"
# 帮扶对象: households that must have a helper (不脱贫不脱钩). Exited households are not checked.
HELPED_STATUSES = (HouseholdStatus.NOT_EXITED, HouseholdStatus.RETURNED, HouseholdStatus.MONITORED)
# A member of a household with any of these statuses is a registered person (建档立卡人口): every
# status but 已清退 (wrongly filed) and 已销户 (ceased). 脱贫户 stay in the registry.
REGISTERED_STATUSES = (HouseholdStatus.NOT_EXITED, HouseholdStatus.EXITED, HouseholdStatus.RETURNED,
                       HouseholdStatus.MONITORED)
REGISTERED_LABEL = "、".join(s.label for s in REGISTERED_STATUSES)


def clean_id_number(raw, *, field: str = "id_number") -> str:
    """A valid 18-digit resident ID (GB 11643) or a ValidationError naming `field`."""
    if raw is None or not str(raw).strip():
        raise ValidationError({field: ["身份证号码不能为空"]})
    try:
        return idnumbers.validate(raw).number
    except idnumbers.InvalidIdNumber as exc:
        raise ValidationError({field: [str(exc)]}) from None


def registered_persons(id_numbers, *, on: date) -> dict[str, list[dict]]:
    """For each of `id_numbers` that is a member present on `on` (not left) of a household in the
    registry (REGISTERED_STATUSES): where. One query."""
    numbers = {n for n in id_numbers if n}
    if not numbers:
        return {}
    rows = (Member.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=on), id_number__in=numbers,
                                  household__status__in=REGISTERED_STATUSES)
            .values("id_number", "name", "household_id", "household__household_no", "household__status",
                    "household__village_id").order_by("household_id"))
    found: dict[str, list[dict]] = {}
    for r in rows:
        found.setdefault(r["id_number"], []).append({
            "household_id": r["household_id"], "household_no": r["household__household_no"],
            "member_name": r["name"], "status": r["household__status"],
            "status_label": HouseholdStatus(r["household__status"]).label, "village_code": r["household__village_id"]})
    return found


def refuse_registered_person(id_number: str, *, on: date, who: str, field: str = "id_number") -> None:
    """"A cadre cannot be a registered poor person": refuse when `id_number` is one."""
    found = registered_persons([id_number], on=on).get(id_number)
    if found:
        f = found[0]
        raise ValidationError({field: [
            f"{who}的身份证号码 {mask_id_number(id_number)} 是建档立卡户 {f['household_no']}（{f['status_label']}）"
            f"的在册成员“{f['member_name']}”：建档立卡人口不能担任帮扶干部"]})


CADRE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def cadre_regions(village_code: str) -> list[str]:
    """The village, its township and its county: where a cadre helping its households is bound."""
    return [c for c in ancestor_codes(village_code) if level_of(c) in CADRE_LEVELS]


def eligible_cadres_q(village_code: str) -> Q:
    """Cadres who may help a household of `village_code`: active 帮扶责任人 accounts bound to the
    village, its township or its county — their scope holds the household, so they will see it."""
    return Q(role=Role.CADRE, is_active=True, region_id__in=cadre_regions(village_code))


def check_cadre_for(cadre: User, *, village_code: str, field: str = "cadre") -> None:
    if cadre.role != Role.CADRE:
        raise ValidationError({field: [f"“{cadre.display_name}”的角色是{cadre.role_label}，不是帮扶责任人"]})
    if not cadre.is_active:
        raise ValidationError({field: [f"帮扶责任人“{cadre.display_name}”的账户已停用"]})
    if cadre.region_id not in cadre_regions(village_code):
        raise ValidationError({field: [
            f"帮扶责任人“{cadre.display_name}”所属区划（{cadre.region_id}）不包含该户所在村（{village_code}）："
            "结对后该帮扶责任人将看不到这户"]})


def current_loads(cadre_ids) -> dict[int, int]:
    """Current pairings (end empty) per cadre. One query."""
    ids = list(cadre_ids)
    if not ids:
        return {}
    rows = (HelperAssignment.objects.filter(cadre_id__in=ids, end__isnull=True).values("cadre_id")
            .annotate(n=Count("id")).values_list("cadre_id", "n"))
    loads = dict.fromkeys(ids, 0)
    loads.update(dict(rows))
    return loads


@dataclass(frozen=True)
class Limit:
    value: int
    policy: Resolved

    def explain(self) -> dict:
        return self.policy.explain()


def load_limit(*, year: int, region_code: str, field: str = "cadre") -> Limit:
    try:
        resolved = resolve(LOAD_KEY, year=year, region_code=region_code)
    except PolicyMissing as exc:
        raise ValidationError({field: [str(exc)]}) from None
    return Limit(int(resolved.value), resolved)


def refuse_over_limit(cadre: User, *, load_after: int, limit: Limit, field: str = "cadre") -> None:
    if load_after > limit.value:
        p = limit.policy
        raise ValidationError({field: [
            f"帮扶责任人“{cadre.display_name}”结对后将有 {load_after} 户，超过每人 {limit.value} 户的上限"
            f"（政策参数 {p.key}，区划 {p.region_code}，{p.year_from} 年起）"]})


def validate_positive_int(value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError("应为正整数")


def validate_non_negative_int(value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError("应为不小于 0 的整数")

"""Scoped reads of the registry. Views and the API read households and members only through here."""

from django.db.models import Count, QuerySet

from fupin.accounts.scope import in_code_range, scoped, scoped_get
from fupin.regions.codes import subtree_range

from .models import Household, Member

HOUSEHOLD_SCOPE = {"region_field": "village_id", "cadre_field": "helper_id"}
MEMBER_SCOPE = {"region_field": "household__village_id", "cadre_field": "household__helper_id"}


def households_visible_to(user) -> QuerySet[Household]:
    return scoped(Household.objects.all(), user, **HOUSEHOLD_SCOPE)


def household_list(user, *, region_code: str | None = None, status: str | None = None,
                   q: str | None = None) -> QuerySet[Household]:
    qs = households_visible_to(user).select_related("village", "helper").annotate(member_count=Count("members"))
    if region_code:
        qs = qs.filter(in_code_range("village_id", subtree_range(region_code)))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(head_name__contains=q) | qs.filter(household_no__startswith=q)
    return qs.order_by("household_no")


def household_access(user, pk, *, for_update: bool = False, need: str | None = None) -> Household:
    """The gate for one household: 404 outside the user's scope, 403 without capability `need`."""
    return scoped_get(Household.objects.select_related("village", "helper"), user, pk=pk,
                      for_update=for_update, need=need, **HOUSEHOLD_SCOPE)


def members_visible_to(user) -> QuerySet[Member]:
    return scoped(Member.objects.all(), user, **MEMBER_SCOPE)


def household_members(user, household: Household) -> QuerySet[Member]:
    return members_visible_to(user).filter(household_id=household.pk).order_by("id")


def region_overview(user, region) -> dict:
    """Registry counts for a region and each of its children, as far as `user` may see.

    Two queries whatever the number of children: one filtered aggregate per child over the
    region's code range (children may sit at irregular levels, e.g. counties under a province).
    """
    from django.db.models import Q

    from fupin.regions.selectors import region_children

    from .choices import HouseholdStatus

    rng = region.code_range
    children = list(region_children(region))
    households = households_visible_to(user).filter(in_code_range("village_id", rng))
    members = members_visible_to(user).filter(in_code_range("household__village_id", rng))
    h_aggs = {"total": Count("id")}
    for status in HouseholdStatus:
        h_aggs[f"status_{status.value}"] = Count("id", filter=Q(status=status.value))
    for child in children:
        h_aggs[f"c_{child.code}"] = Count("id", filter=in_code_range("village_id", child.code_range))
    p_aggs = {"total": Count("id")}
    for child in children:
        p_aggs[f"c_{child.code}"] = Count("id", filter=in_code_range("household__village_id", child.code_range))
    h = households.aggregate(**h_aggs)
    p = members.aggregate(**p_aggs)
    return {
        "households": h["total"],
        "persons": p["total"],
        "by_status": [{"status": s.value, "label": s.label, "households": h[f"status_{s.value}"]}
                      for s in HouseholdStatus],
        "children": [{"region": c, "households": h[f"c_{c.code}"], "persons": p[f"c_{c.code}"]}
                     for c in children],
    }


def member_access(user, pk, *, for_update: bool = False, need: str | None = None) -> Member:
    return scoped_get(Member.objects.select_related("household"), user, pk=pk, for_update=for_update,
                      need=need, **MEMBER_SCOPE)


def frozen_years(village_code: str) -> set[int]:
    """Years frozen for this village by a freeze on it or any region above it."""
    from fupin.regions.codes import ancestor_codes

    from .models import YearFreeze

    return set(YearFreeze.objects.filter(region_code__in=ancestor_codes(village_code)).values_list("year", flat=True))


def household_years(user, household: Household):
    """Yearly data of a household the user has already opened through `household_access`."""
    from .models import HouseholdYear

    return scoped(HouseholdYear.objects.filter(household_id=household.pk), user,
                  region_field="household__village_id", cadre_field="household__helper_id").order_by("year")


def member_years(user, household: Household):
    from .models import MemberYear

    return scoped(MemberYear.objects.filter(member__household_id=household.pk), user,
                  region_field="member__household__village_id",
                  cadre_field="member__household__helper_id").order_by("member_id", "year")


def household_status_history(user, household: Household):
    from .models import HouseholdStatusEvent

    return scoped(HouseholdStatusEvent.objects.filter(household_id=household.pk), user,
                  region_field="household__village_id", cadre_field="household__helper_id").order_by("at", "id")

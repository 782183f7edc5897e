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
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    # member_count (every member, also those who left) as a subquery per listed row rather than a
    # join grouped over every match: the page's count() then drops it and counts households only.
    members = Member.objects.filter(household_id=OuterRef("pk")).order_by().values("household_id")
    qs = (households_visible_to(user).select_related("village", "helper")
          .annotate(member_count=Coalesce(Subquery(members.annotate(n=Count("id")).values("n")[:1]), 0)))
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
                  region_field="household__village_id",
                  cadre_field="household__helper_id").order_by("effective_on", "at", "id")


# --- Household page (一户一网页), search and year freeze (web) --------------------------------

AUDIT_HISTORY_LIMIT = 200


def household_audit_events(user, household: Household, *, member_ids=(), household_year_ids=(),
                           member_year_ids=(), limit: int = AUDIT_HISTORY_LIMIT):
    """The audit trail of one household, its members and their yearly rows, newest first.

    Visible exactly as far as the household is: the events' region must lie in the user's subtree
    and the household must be one the user may open (for a cadre, a paired one) — checked in the
    same query, so the history is not wider than the page that shows it. The ids come from the
    rows the page has already read through the scoped selectors above.
    """
    from django.db.models import Exists, Q

    from fupin.accounts.scope import scope_of
    from fupin.audit.models import AuditEvent

    objects = Q(object_type="registry.household", object_id=str(household.pk))
    for object_type, ids in (("registry.member", member_ids), ("registry.householdyear", household_year_ids),
                             ("registry.memberyear", member_year_ids)):
        if ids:
            objects |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    visible = Exists(households_visible_to(user).filter(pk=household.pk))
    qs = AuditEvent.objects.filter(objects, in_code_range("region_code", scope_of(user).codes)).filter(visible)
    return qs.order_by("-seq")[:limit]


def household_search(user, *, name: str | None = None, id_numbers: list[str] | tuple[str, ...] = (),
                     region_code: str | None = None, status: str | None = None, main_cause: str | None = None,
                     attribute: str | None = None) -> QuerySet[Household]:
    """Households in the user's scope matching every given criterion, ordered by household number.

    - `name`: contained in the head's or any member's name (LIKE '%…%': no index, by nature).
    - `id_numbers`: exact matches of a member's ID (already normalised by the caller) — an
      equality on the indexed column, never a LIKE.
    - `region_code`: the household's village lies under this region (a range on village_id).
    - `status`, `main_cause`, `attribute`: equality on indexed columns.
    Matched by a member, the row carries `matched_member` (name) and `matched_id_number`; it also
    carries `member_count` (members who have not left). One query per page whatever the size.
    """
    from django.db.models import OuterRef, Q, Subquery

    qs = households_visible_to(user)
    matched = None
    if id_numbers:
        matched = Member.objects.filter(id_number__in=list(id_numbers))
        qs = qs.filter(pk__in=matched.values("household_id"))
    if name:
        by_name = Member.objects.filter(name__contains=name)
        qs = qs.filter(Q(head_name__contains=name) | Q(pk__in=by_name.values("household_id")))
        matched = by_name if matched is None else matched.filter(name__contains=name)
    if region_code:
        qs = qs.filter(in_code_range("village_id", subtree_range(region_code)))
    if status:
        qs = qs.filter(status=status)
    if main_cause:
        qs = qs.filter(main_cause=main_cause)
    if attribute:
        qs = qs.filter(attribute=attribute)
    current = Member.objects.filter(household_id=OuterRef("pk"), left_on__isnull=True)
    qs = qs.annotate(member_count=Subquery(current.order_by().values("household_id")
                                           .annotate(n=Count("id")).values("n")[:1]))
    if matched is not None:
        first = matched.filter(household_id=OuterRef("pk")).order_by("id")
        qs = qs.annotate(matched_member=Subquery(first.values("name")[:1]),
                         matched_id_number=Subquery(first.values("id_number")[:1]))
    return qs.select_related("village", "village__parent").order_by("household_no")


VILLAGE_CHOICES_LIMIT = 500


def villages_in_scope(user, *, limit: int = VILLAGE_CHOICES_LIMIT) -> list | None:
    """Villages of the user's subtree for a select list (with their township), or None when
    there are more than `limit` (a city or province): the caller then asks for a code."""
    from fupin.accounts.scope import scope_of
    from fupin.regions.codes import Level
    from fupin.regions.models import Region

    scope = scope_of(user)
    rows = list(Region.objects.filter(in_code_range("code", scope.codes), level=Level.VILLAGE)
                .select_related("parent").order_by("code")[: limit + 1])
    return None if len(rows) > limit else rows


def year_freezes_for_region(user, region) -> list[dict]:
    """Year freezes bearing on `region` (opened through `region_access`): on the region itself or
    above it (they cover all of it), and on regions below it inside the user's scope (they cover
    part of it). Newest year first, each with the frozen region's name and how it applies."""
    from django.db.models import Q

    from fupin.accounts.scope import scope_of
    from fupin.regions.codes import ancestor_codes
    from fupin.regions.models import Region

    from .models import YearFreeze

    above = ancestor_codes(region.code)
    below = in_code_range("region_code", region.code_range) & in_code_range("region_code", scope_of(user).codes)
    freezes = list(YearFreeze.objects.filter(Q(region_code__in=above) | below).order_by("-year", "region_code"))
    names = dict(Region.objects.filter(code__in={f.region_code for f in freezes}).values_list("code", "name"))
    return [{"freeze": f, "region_name": names.get(f.region_code, f.region_code),
             "scope": "self" if f.region_code == region.code else ("above" if f.region_code in above else "below")}
            for f in freezes]

"""Scoped reads of 结对帮扶: what the web pages, the API and the CLI call.

Every table is read through `fupin.accounts.scope` by its stored region code. Village-level
arrangements (poor villages, units, pairings, teams, coverage) are refused to a cadre (403,
rights.require_view_arrangements); a cadre sees their own households' helper history and their
own cadre page. Cadres (User rows) visible to a user: those bound inside the user's region, and
those paired (now or before) with a household inside it — a township's cadre helping a village is
known to that village's clerk.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.accounts.scope import OUT_OF_SCOPE, in_code_range, scope_filter, scope_of, scoped, scoped_get
from fupin.policy.selectors import PolicyMissing, resolve
from fupin.regions.codes import ancestor_codes, subtree_range
from fupin.regions.models import Region
from fupin.regions.selectors import region_access
from fupin.registry.models import Household
from fupin.registry.selectors import households_visible_to

from .checks import LOAD_KEY, eligible_cadres_q
from .coverage import CoverageReport, Sources, coverage, in_force
from .models import (
    CadreProfile,
    HelperAssignment,
    HelpingUnit,
    PoorVillage,
    TeamRole,
    UnitVillagePairing,
    WorkTeam,
    WorkTeamMember,
)
from .rights import require_view_arrangements

VILLAGE = {"region_field": "village_id"}
ASSIGNMENT_SCOPE = {"region_field": "village_code", "cadre_field": "household__helper_id"}


# --- Coverage --------------------------------------------------------------------------------

def sources_for(user) -> Sources:
    return Sources(
        poor_villages=scoped(PoorVillage.objects.all(), user, **VILLAGE),
        pairings=scoped(UnitVillagePairing.objects.all(), user, **VILLAGE),
        teams=scoped(WorkTeam.objects.all(), user, **VILLAGE),
        members=scoped(WorkTeamMember.objects.all(), user, region_field="team__village_id"),
        households=households_visible_to(user),
        assignments=scoped(HelperAssignment.objects.all(), user, **ASSIGNMENT_SCOPE),
        cadres=cadres_visible_to(user),
        profiles=CadreProfile.objects.filter(user__in=cadres_visible_to(user)),
    )


def sources_all() -> Sources:
    """Everything (the CLI: an administrator's tool over a whole region)."""
    return Sources(poor_villages=PoorVillage.objects.all(), pairings=UnitVillagePairing.objects.all(),
                   teams=WorkTeam.objects.all(), members=WorkTeamMember.objects.all(),
                   households=Household.objects.all(), assignments=HelperAssignment.objects.all(),
                   cadres=User.objects.filter(role=Role.CADRE), profiles=CadreProfile.objects.all())


def coverage_report(user, *, region_code: str, on: date) -> CoverageReport:
    """The coverage checks over `region_code` (404 outside the user's scope; 403 for a cadre)."""
    region = region_access(user, region_code)
    require_view_arrangements(user)
    return coverage(region, on=on, sources=sources_for(user))


# --- Poor villages, units, pairings, teams ----------------------------------------------------

def poor_villages_in(user, region: Region) -> QuerySet[PoorVillage]:
    require_view_arrangements(user)
    return (scoped(PoorVillage.objects.select_related("village", "village__parent"), user, **VILLAGE)
            .filter(in_code_range("village_id", subtree_range(region.code))).order_by("village_id"))


def poor_village_of(user, village: Region) -> PoorVillage | None:
    require_view_arrangements(user)
    return scoped(PoorVillage.objects.all(), user, **VILLAGE).filter(village_id=village.code).first()


def units_visible_to(user) -> QuerySet[HelpingUnit]:
    """Units registered inside the user's region, and those registered above it (a province's units
    are known to its counties)."""
    require_view_arrangements(user)
    above = Q(region_id__in=ancestor_codes(scope_of(user).region_code))
    return HelpingUnit.objects.filter(scope_filter(user, region_field="region_id") | above)


def unit_list(user, *, region_code: str | None = None) -> QuerySet[HelpingUnit]:
    qs = units_visible_to(user).select_related("region").annotate(
        current_villages=Count("pairings", filter=Q(pairings__end__isnull=True), distinct=True))
    if region_code:
        qs = qs.filter(Q(in_code_range("region_id", subtree_range(region_code)))
                       | Q(region_id__in=ancestor_codes(region_code)))
    return qs.order_by("region_id", "kind", "name")


def unit_access(user, pk) -> HelpingUnit:
    try:
        return units_visible_to(user).select_related("region").get(pk=pk)
    except (HelpingUnit.DoesNotExist, ValueError, TypeError):
        raise Http404(OUT_OF_SCOPE) from None


def units_for_choice(user, place_code: str) -> QuerySet[HelpingUnit]:
    """Units a form may offer for a place: registered in the user's scope or above the place."""
    return (HelpingUnit.objects.filter(scope_filter(user, region_field="region_id")
                                       | Q(region_id__in=ancestor_codes(place_code)))
            .order_by("region_id", "name"))


def unit_pairings(user, unit: HelpingUnit) -> QuerySet[UnitVillagePairing]:
    require_view_arrangements(user)
    return (scoped(UnitVillagePairing.objects.filter(unit=unit), user, **VILLAGE)
            .select_related("village").order_by("-start", "id"))


def village_pairings(user, village: Region) -> QuerySet[UnitVillagePairing]:
    require_view_arrangements(user)
    return (scoped(UnitVillagePairing.objects.filter(village_id=village.code), user, **VILLAGE)
            .select_related("unit").order_by("-start", "id"))


def village_teams(user, village: Region) -> QuerySet[WorkTeam]:
    """The village's teams, newest first, with their members (two queries)."""
    require_view_arrangements(user)
    members = WorkTeamMember.objects.select_related("user").order_by("start", "id")
    return (scoped(WorkTeam.objects.filter(village_id=village.code), user, **VILLAGE)
            .select_related("unit").prefetch_related(Prefetch("members", queryset=members)).order_by("-start", "id"))


def team_access(user, pk) -> WorkTeam:
    require_view_arrangements(user)
    return scoped_get(WorkTeam.objects.select_related("village", "unit"), user, pk=pk, **VILLAGE)


def team_members(user, team: WorkTeam) -> QuerySet[WorkTeamMember]:
    require_view_arrangements(user)
    return (scoped(WorkTeamMember.objects.filter(team_id=team.pk), user, region_field="team__village_id")
            .order_by("start", "id"))


def region_teams(user, region: Region, *, on: date) -> QuerySet[WorkTeam]:
    """Teams in force on `on` under the region, with the current secretary's name annotated."""
    require_view_arrangements(user)
    return (scoped(WorkTeam.objects.filter(in_force(on)), user, **VILLAGE)
            .filter(in_code_range("village_id", subtree_range(region.code)))
            .select_related("village", "unit")
            .annotate(secretaries=Count("members", filter=in_force(on, "members__") & Q(members__role=TeamRole.SECRETARY)),
                      member_count=Count("members", filter=in_force(on, "members__")))
            .order_by("village_id"))


# --- Cadres and household pairings -----------------------------------------------------------

def cadres_visible_to(user) -> QuerySet[User]:
    scope = scope_of(user)
    if scope.cadre_only:
        return User.objects.filter(pk=user.pk)
    paired = scoped(HelperAssignment.objects.all(), user, **ASSIGNMENT_SCOPE).values("cadre_id")
    return User.objects.filter(Q(scope_filter(user, region_field="region_id")) | Q(pk__in=paired), role=Role.CADRE)


def cadre_access(user, pk) -> User:
    """A cadre page: 404 unless the cadre is visible to the user (a cadre sees only themselves)."""
    try:
        return cadres_visible_to(user).select_related("region").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404(OUT_OF_SCOPE) from None


def cadre_profile(cadre: User) -> CadreProfile | None:
    """The profile of a cadre already opened through `cadre_access`."""
    return CadreProfile.objects.select_related("unit").filter(user_id=cadre.pk).first()


def cadre_households(user, cadre: User) -> QuerySet[Household]:
    return households_visible_to(user).filter(helper_id=cadre.pk).select_related("village").order_by("household_no")


def cadre_history(user, cadre: User) -> QuerySet[HelperAssignment]:
    return (scoped(HelperAssignment.objects.filter(cadre_id=cadre.pk), user, **ASSIGNMENT_SCOPE)
            .select_related("household").order_by("-start", "-id"))


def cadre_list(user, region: Region) -> QuerySet[User]:
    """Cadres bound inside the region or paired with its households, with their current load."""
    require_view_arrangements(user)
    rng = subtree_range(region.code)
    paired = (scoped(HelperAssignment.objects.filter(end__isnull=True), user, **ASSIGNMENT_SCOPE)
              .filter(in_code_range("village_code", rng)).values("cadre_id"))
    return (cadres_visible_to(user).filter(in_code_range("region_id", rng) | Q(pk__in=paired))
            .select_related("region", "cadre_profile", "cadre_profile__unit")
            .annotate(load=Count("helper_assignments", filter=Q(helper_assignments__end__isnull=True)))
            .order_by("region_id", "full_name", "username"))


def household_helper_history(user, household: Household) -> QuerySet[HelperAssignment]:
    """The pairing history of a household already opened through `household_access`."""
    return (scoped(HelperAssignment.objects.filter(household_id=household.pk), user, **ASSIGNMENT_SCOPE)
            .select_related("cadre").order_by("-start", "-id"))


def cadre_candidates(user, household: Household, *, on: date) -> tuple[list[User], dict | None]:
    """Cadres who may help this household (active 帮扶责任人 bound to its village, township or county),
    each with `load` (current pairings) and `has_profile`, and the limit in force (or None)."""
    qs = (User.objects.filter(eligible_cadres_q(household.village_id))
          .annotate(load=Count("helper_assignments", filter=Q(helper_assignments__end__isnull=True)),
                    profile_count=Count("cadre_profile"))
          .select_related("region").order_by("load", "full_name", "username"))
    try:
        limit = resolve(LOAD_KEY, year=on.year, region_code=household.village_id)
    except PolicyMissing:
        limit = None
    cadres = list(qs)
    for c in cadres:
        c.has_profile = bool(c.profile_count)
        c.full = limit is not None and c.load >= int(limit.value)
    return cadres, (limit.explain() if limit else None)


def villages_for_choice(user) -> QuerySet[Region]:
    """Villages inside the user's region (for a form's village picker)."""
    from fupin.regions.codes import Level

    return (Region.objects.filter(in_code_range("code", scope_of(user).codes), level=Level.VILLAGE)
            .order_by("code"))


def cadres_for_reassignment(user, cadre: User) -> QuerySet[User]:
    """Active cadres the user may see who could take over `cadre`'s households: bound to the
    cadre's region, inside it, or above it up to the county — with their current load."""
    from .checks import cadre_regions

    near = Q(region_id__in=cadre_regions(cadre.region_id)) | in_code_range("region_id", subtree_range(cadre.region_id))
    return (cadres_visible_to(user).filter(near, is_active=True).exclude(pk=cadre.pk).select_related("region")
            .annotate(load=Count("helper_assignments", filter=Q(helper_assignments__end__isnull=True)))
            .order_by("region_id", "full_name", "username"))


def cadre_load(cadre: User, *, on: date) -> tuple[int, dict | None]:
    """A cadre's current pairings (all of them, wherever) and the limit for their region and year."""
    from .checks import current_loads

    try:
        limit = resolve(LOAD_KEY, year=on.year, region_code=cadre.region_id).explain()
    except PolicyMissing:
        limit = None
    return current_loads([cadre.pk])[cadre.pk], limit

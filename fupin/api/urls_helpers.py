"""API endpoints of one domain, included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.helpers import (
    RegionCoverageView,
    TeamDetailView,
    TeamEndView,
    TeamListView,
    TeamMemberEndView,
    TeamMembersView,
    UnitDetailView,
    UnitListView,
    UnitPairingEndView,
    UnitPairingsView,
)
from .views.helpers_assign import (
    HelperCadreProfileView,
    HelperCadreReassignView,
    HelperCadreView,
    HelperCandidatesView,
    HelperHistoryView,
    HelperHouseholdView,
)

urlpatterns: list = [
    path("regions/<str:code>/coverage", RegionCoverageView.as_view(), name="region-coverage"),
    path("units", UnitListView.as_view(), name="helper-units"),
    path("units/<fupin_id:unit_id>", UnitDetailView.as_view(), name="helper-unit"),
    path("units/<fupin_id:unit_id>/pairings", UnitPairingsView.as_view(), name="helper-unit-pairings"),
    path("unit-pairings/<fupin_id:pairing_id>/end", UnitPairingEndView.as_view(), name="helper-unit-pairing-end"),
    path("teams", TeamListView.as_view(), name="helper-teams"),
    path("teams/<fupin_id:team_id>", TeamDetailView.as_view(), name="helper-team"),
    path("teams/<fupin_id:team_id>/end", TeamEndView.as_view(), name="helper-team-end"),
    path("teams/<fupin_id:team_id>/members", TeamMembersView.as_view(), name="helper-team-members"),
    path("team-members/<fupin_id:member_id>/end", TeamMemberEndView.as_view(), name="helper-team-member-end"),
    path("households/<fupin_id:household_id>/helper", HelperHouseholdView.as_view(), name="household-helper"),
    path("households/<fupin_id:household_id>/helper-history", HelperHistoryView.as_view(),
         name="household-helper-history"),
    path("households/<fupin_id:household_id>/helper-candidates", HelperCandidatesView.as_view(),
         name="household-helper-candidates"),
    path("cadres/<fupin_id:cadre_id>", HelperCadreView.as_view(), name="helper-cadre"),
    path("cadres/<fupin_id:cadre_id>/profile", HelperCadreProfileView.as_view(), name="helper-cadre-profile"),
    path("cadres/<fupin_id:cadre_id>/reassign", HelperCadreReassignView.as_view(), name="helper-cadre-reassign"),
]

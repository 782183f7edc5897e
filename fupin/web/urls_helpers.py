"""Web pages of one domain, included by urls.py (names are in the "web" namespace)."""

from django.urls import path

from . import views_helpers, views_helpers_household

urlpatterns: list = [
    path("r/<str:code>/helpers/", views_helpers.coverage_view, name="helpers_coverage"),
    path("r/<str:code>/helpers/units/", views_helpers.units_view, name="helpers_units"),
    path("r/<str:code>/helpers/teams/", views_helpers.teams_view, name="helpers_teams"),
    path("r/<str:code>/helpers/cadres/", views_helpers.cadres_view, name="helpers_cadres"),
    path("helpers/units/<int:pk>/", views_helpers.unit_view, name="helpers_unit"),
    path("households/<int:pk>/helper/", views_helpers_household.household_helper_view, name="household_helper"),
    path("cadres/<int:pk>/", views_helpers_household.cadre_view, name="helpers_cadre"),
]

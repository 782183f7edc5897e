"""Web pages of the crosscheck app, included by urls.py (names are in the "web" namespace).

Menu link: `web:region_crosscheck` with the user's region code (大数据比对). The household page may
include `web/crosscheck/_household_section.html` with
`fupin.crosscheck.selectors.household_crosscheck_context(user, household)`."""

from django.urls import path

from . import views_crosscheck

urlpatterns: list = [
    path("r/<str:code>/crosscheck/", views_crosscheck.region_crosscheck_view, name="region_crosscheck"),
    path("r/<str:code>/crosscheck/suspects/", views_crosscheck.region_suspects_view, name="region_crosscheck_suspects"),
    path("crosscheck/rosters/<int:pk>/", views_crosscheck.roster_view, name="crosscheck_roster"),
]

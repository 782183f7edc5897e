"""Web pages of one domain, included by urls.py (names are in the "web" namespace)."""

from django.urls import path

from . import views_household_exit

urlpatterns: list = [
    path("r/<str:code>/exit-assessment/", views_household_exit.region_exit_assessment_view, name="exit_assessment"),
    path("households/<int:pk>/exit-assessment/", views_household_exit.household_exit_assessment_view,
         name="household_exit_assessment"),
]

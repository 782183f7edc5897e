"""API endpoints of one domain, included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.household_exit import HouseholdExitAssessmentView, RegionExitAssessmentView

urlpatterns: list = [
    path("regions/<str:code>/exit-assessment", RegionExitAssessmentView.as_view(), name="region-exit-assessment"),
    path("households/<fupin_id:household_id>/exit-assessment", HouseholdExitAssessmentView.as_view(),
         name="household-exit-assessment"),
]

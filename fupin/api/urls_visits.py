"""API endpoints of the visit log (走访记录), included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.visits import (
    HouseholdVisitsView,
    MyHouseholdsView,
    RegionVisitComplianceView,
    VisitDetailView,
    VisitFollowUpCloseView,
    VisitPhotoView,
)

urlpatterns: list = [
    path("households/<fupin_id:household_id>/visits", HouseholdVisitsView.as_view(), name="household-visits"),
    path("visits/<fupin_id:visit_id>", VisitDetailView.as_view(), name="visit"),
    path("visits/<fupin_id:visit_id>/photo", VisitPhotoView.as_view(), name="visit-photo"),
    path("visits/<fupin_id:visit_id>/follow-up/close", VisitFollowUpCloseView.as_view(), name="visit-follow-up-close"),
    path("my/households", MyHouseholdsView.as_view(), name="my-households"),
    path("regions/<str:code>/visit-compliance", RegionVisitComplianceView.as_view(), name="region-visit-compliance"),
]

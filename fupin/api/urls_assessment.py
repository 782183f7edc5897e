"""API of the assessment app, included by api/urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.assessment import AssessmentView

urlpatterns: list = [
    path("assessment", AssessmentView.as_view(), name="assessment"),
]

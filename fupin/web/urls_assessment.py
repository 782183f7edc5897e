"""Web pages of the assessment app, included by urls.py (names are in the "web" namespace).

Menu link: `web:region_assessment` with a region code (考核评估, ?year=&level=)."""

from django.urls import path

from . import views_assessment

urlpatterns: list = [
    path("r/<str:code>/assessment/", views_assessment.region_assessment_view, name="region_assessment"),
    path("r/<str:code>/assessment/scheme/", views_assessment.region_assessment_scheme_view,
         name="region_assessment_scheme"),
]

"""API endpoints of one domain, included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.exits import ExitEvaluationView

urlpatterns: list = [
    path("regions/<str:code>/exit-evaluation", ExitEvaluationView.as_view(), name="region-exit-evaluation"),
]

"""API of the stats app, included by api/urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.stats import StatsView

urlpatterns: list = [
    path("stats", StatsView.as_view(), name="stats"),
]

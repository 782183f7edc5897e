"""API endpoint of 贫困测度, included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.measures import MeasuresView

urlpatterns: list = [
    path("measures", MeasuresView.as_view(), name="measures"),
]

"""Web page of 贫困测度, included by urls.py (names are in the "web" namespace)."""

from django.urls import path

from . import views_measures

urlpatterns: list = [
    path("r/<str:code>/measures/", views_measures.region_measures_view, name="region_measures"),
]

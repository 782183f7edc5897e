"""Web pages of the stats app, included by urls.py (names are in the "web" namespace).

Menu link: `web:region_stats` with a region code (统计监测, ?year=)."""

from django.urls import path

from . import views_stats

urlpatterns: list = [
    path("r/<str:code>/stats/", views_stats.region_stats_view, name="region_stats"),
    path("r/<str:code>/stats/children.xlsx", views_stats.region_stats_export_view, name="region_stats_xlsx"),
]

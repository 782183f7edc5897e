"""Web pages of one domain, included by urls.py (names are in the "web" namespace)."""

from django.urls import path

from . import views_exits

urlpatterns: list = [
    path("r/<str:code>/exit-evaluation/", views_exits.exit_evaluation_view, name="region_exit_evaluation"),
    path("r/<str:code>/exit-evaluation/detail/", views_exits.exit_evaluation_detail_view,
         name="region_exit_detail"),
]

"""Web pages of one domain, included by urls.py (names are in the "web" namespace)."""

from django.urls import path

from . import views_policy

urlpatterns = [
    path("r/<str:code>/policy/", views_policy.policy_view, name="policy"),
]

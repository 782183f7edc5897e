"""API endpoints of one domain, included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.policy import RegionPolicyView

urlpatterns = [
    path("regions/<str:code>/policy", RegionPolicyView.as_view(), name="region-policy"),
]

"""Web pages of the monitoring app, included by urls.py (names are in the "web" namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""API of the ledger app, included by api/urls.py (names are in the "api" namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

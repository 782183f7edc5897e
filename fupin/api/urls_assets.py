"""API endpoints of one domain, included by urls.py (names are in the "api" namespace)."""

urlpatterns: list = []

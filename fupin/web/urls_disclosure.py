"""Web pages of one domain, included by urls.py (names are in the "web" namespace)."""

urlpatterns: list = []

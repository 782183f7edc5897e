"""Web pages of the monitoring app, included by urls.py (names are in the "web" namespace).

Menu link: `web:region_monitoring` with the user's region code (防止返贫监测). The household page may
include `web/monitoring/_household_section.html` with
`fupin.monitoring.selectors.household_monitoring_context(user, household)`."""

from django.urls import path

from . import views_monitoring

urlpatterns: list = [
    path("r/<str:code>/monitoring/", views_monitoring.region_monitoring_view, name="region_monitoring"),
    path("r/<str:code>/monitoring/candidates/", views_monitoring.region_candidates_view, name="monitoring_candidates"),
    path("r/<str:code>/monitoring/file/", views_monitoring.marginal_file_view, name="monitoring_file"),
    path("monitoring/cases/<int:pk>/", views_monitoring.case_view, name="monitoring_case"),
]

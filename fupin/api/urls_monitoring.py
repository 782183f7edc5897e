"""API of the monitoring app, included by api/urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.monitoring import (
    MonitoringAssessmentView,
    MonitoringCandidatesView,
    MonitoringCasesView,
    MonitoringCaseView,
    MonitoringEliminateView,
    MonitoringMeasuresView,
    MonitoringNaturalView,
)

urlpatterns: list = [
    path("monitoring/candidates", MonitoringCandidatesView.as_view(), name="monitoring-candidates"),
    path("monitoring/cases", MonitoringCasesView.as_view(), name="monitoring-cases"),
    path("monitoring/cases/<fupin_id:case_id>", MonitoringCaseView.as_view(), name="monitoring-case"),
    path("monitoring/cases/<fupin_id:case_id>/measures", MonitoringMeasuresView.as_view(), name="monitoring-measures"),
    path("monitoring/cases/<fupin_id:case_id>/eliminate", MonitoringEliminateView.as_view(),
         name="monitoring-eliminate"),
    path("monitoring/cases/<fupin_id:case_id>/eliminate-naturally", MonitoringNaturalView.as_view(),
         name="monitoring-eliminate-naturally"),
    path("monitoring/cases/<fupin_id:case_id>/elimination-assessment", MonitoringAssessmentView.as_view(),
         name="monitoring-elimination-assessment"),
]

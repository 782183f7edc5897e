"""API endpoints of one domain, included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.plans import (
    HouseholdPlanView,
    PlanConfirmView,
    PlanMeasureCancelView,
    PlanMeasureCreateView,
    PlanMeasureView,
    PlanSuggestionsView,
)
from .views.plans_region import PlanFindingsView, PlanRulesView, PlanStatsView

urlpatterns: list = [
    path("households/<fupin_id:household_id>/plan", HouseholdPlanView.as_view(), name="household-plan"),
    path("households/<fupin_id:household_id>/plan/measures", PlanMeasureCreateView.as_view(),
         name="household-plan-measures"),
    path("households/<fupin_id:household_id>/plan/confirm", PlanConfirmView.as_view(), name="household-plan-confirm"),
    path("households/<fupin_id:household_id>/plan-suggestions", PlanSuggestionsView.as_view(),
         name="household-plan-suggestions"),
    path("plan-measures/<fupin_id:measure_id>", PlanMeasureView.as_view(), name="plan-measure"),
    path("plan-measures/<fupin_id:measure_id>/cancel", PlanMeasureCancelView.as_view(), name="plan-measure-cancel"),
    path("regions/<str:code>/plan-findings", PlanFindingsView.as_view(), name="region-plan-findings"),
    path("regions/<str:code>/plan-stats", PlanStatsView.as_view(), name="region-plan-stats"),
    path("regions/<str:code>/plan-rules", PlanRulesView.as_view(), name="region-plan-rules"),
]

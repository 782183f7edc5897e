"""Web pages of one domain, included by urls.py (names are in the "web" namespace)."""

from django.urls import path

from . import views_plans, views_plans_region

urlpatterns: list = [
    path("households/<int:pk>/plan/", views_plans.household_plan_view, name="household_plan"),
    path("plan-measures/<int:pk>/edit/", views_plans.measure_edit_view, name="plan_measure_edit"),
    path("r/<str:code>/plans/", views_plans_region.region_plans_view, name="region_plans"),
    path("plan-rules/", views_plans_region.plan_rules_view, name="plan_rules"),
]

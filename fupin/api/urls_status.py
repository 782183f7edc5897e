"""API endpoints of one domain, included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.status import HouseholdRemoveView, RegistryAsOfView, StatusChangesView

urlpatterns: list = [
    # 户状态变动: yearly changes by kind (?from=&to=), the registry as of a date (?on=&status=&page=).
    path("regions/<str:code>/status-changes", StatusChangesView.as_view(), name="region-status-changes"),
    path("regions/<str:code>/registry-as-of", RegistryAsOfView.as_view(), name="region-registry-as-of"),
    # 清退（剔除）: county approvers only.
    path("households/<fupin_id:household_id>/remove", HouseholdRemoveView.as_view(), name="household-remove"),
]

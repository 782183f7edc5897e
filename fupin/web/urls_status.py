"""Web pages of one domain, included by urls.py (names are in the "web" namespace)."""

from django.urls import path

from . import views_status

urlpatterns: list = [
    # 户状态变动: yearly changes by kind and the registry as of a date (?from=&to=&on=&status=&page=).
    path("r/<str:code>/status/", views_status.status_changes_view, name="status_changes"),
    # 清退（剔除）of one household: county approvers only.
    path("households/<int:pk>/remove/", views_status.household_remove_view, name="household_remove"),
]

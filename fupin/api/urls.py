from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny

from .converters import IdConverter
from .errors import json_404
from .views.audit import AuditVerifyView
from .views.auth import MeView, TokenObtainView
from .views.households import HouseholdDetailView, HouseholdListView
from .views.importing import HouseholdExportView, ImportJobCreateView, ImportJobDetailView
from .views.quality import QualityView
from .views.regions import RegionChildrenView, RegionDetailView
from .views.registry import (
    HouseholdYearsView,
    HouseholdYearView,
    MemberCreateView,
    MemberUpdateView,
    MemberYearsView,
    MemberYearView,
    StatusHistoryView,
)
from .views.users import UserDisableView, UserEnableView, UserListView, UserUnlockView

register_converter(IdConverter, "fupin_id")

app_name = "api"
urlpatterns = [
    path("auth/token", TokenObtainView.as_view(), name="token"),
    path("me", MeView.as_view(), name="me"),
    path("regions/<str:code>", RegionDetailView.as_view(), name="region"),
    path("regions/<str:code>/children", RegionChildrenView.as_view(), name="region-children"),
    path("households", HouseholdListView.as_view(), name="households"),
    path("households/export", HouseholdExportView.as_view(), name="households-export"),
    path("imports", ImportJobCreateView.as_view(), name="imports"),
    path("imports/<fupin_id:job_id>", ImportJobDetailView.as_view(), name="import"),
    path("households/<fupin_id:household_id>", HouseholdDetailView.as_view(), name="household"),
    path("households/<fupin_id:household_id>/members", MemberCreateView.as_view(), name="member-create"),
    path("households/<fupin_id:household_id>/years", HouseholdYearsView.as_view(), name="household-years"),
    path("households/<fupin_id:household_id>/years/<int:year>", HouseholdYearView.as_view(), name="household-year"),
    path("households/<fupin_id:household_id>/member-years", MemberYearsView.as_view(), name="member-years"),
    path("households/<fupin_id:household_id>/status-history", StatusHistoryView.as_view(), name="status-history"),
    path("members/<fupin_id:member_id>", MemberUpdateView.as_view(), name="member"),
    path("members/<fupin_id:member_id>/years/<int:year>", MemberYearView.as_view(), name="member-year"),
    path("users", UserListView.as_view(), name="users"),
    path("users/<fupin_id:user_id>/disable", UserDisableView.as_view(), name="user-disable"),
    path("users/<fupin_id:user_id>/enable", UserEnableView.as_view(), name="user-enable"),
    path("users/<fupin_id:user_id>/unlock", UserUnlockView.as_view(), name="user-unlock"),
    path("audit/verify", AuditVerifyView.as_view(), name="audit-verify"),
    path("quality", QualityView.as_view(), name="quality"),
    path("", include("fupin.api.urls_policy")),
    path("", include("fupin.api.urls_status")),
    path("", include("fupin.api.urls_exits")),
    path("", include("fupin.api.urls_household_exit")),
    path("", include("fupin.api.urls_identification")),
    path("", include("fupin.api.urls_helpers")),
    path("", include("fupin.api.urls_visits")),
    path("", include("fupin.api.urls_plans")),
    path("", include("fupin.api.urls_funds")),
    path("", include("fupin.api.urls_credit")),
    path("", include("fupin.api.urls_assets")),
    path("", include("fupin.api.urls_disclosure")),
    path("", include("fupin.api.urls_monitoring")),
    path("", include("fupin.api.urls_crosscheck")),
    path("", include("fupin.api.urls_ledger")),
    path("", include("fupin.api.urls_stats")),
    path("", include("fupin.api.urls_assessment")),
    path("", include("fupin.api.urls_measures")),
    # The API's structure is public (open source) and reveals no data: readable without logging in.
    path("openapi.json", SpectacularJSONAPIView.as_view(permission_classes=[AllowAny]), name="openapi"),
    # Anything else under /api/v1/ answers a JSON 404 rather than the web site's HTML page.
    re_path(r"^.*$", json_404, name="not-found"),
]

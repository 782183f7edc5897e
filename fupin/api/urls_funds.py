"""API endpoints of funds and projects (扶贫资金和项目库), included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.funds import (
    DisbursementTraceView,
    ProjectDetailView,
    ProjectDisbursementsView,
    ProjectsView,
    ProjectTransitionView,
    RegionFundAlertsView,
    RegionFundsView,
    RegionProjectsView,
)
from .views.funds_entry import (
    ProjectBeneficiariesView,
    ProjectFundingsView,
    ProjectTargetResultView,
    ProjectTargetsView,
    RegionAllocationsView,
    RegionFundSourcesView,
)

urlpatterns: list = [
    path("regions/<str:code>/funds", RegionFundsView.as_view(), name="region-funds"),
    path("regions/<str:code>/fund-alerts", RegionFundAlertsView.as_view(), name="region-fund-alerts"),
    path("regions/<str:code>/projects", RegionProjectsView.as_view(), name="region-projects"),
    path("projects", ProjectsView.as_view(), name="projects"),
    path("projects/<fupin_id:project_id>", ProjectDetailView.as_view(), name="project"),
    path("projects/<fupin_id:project_id>/transition", ProjectTransitionView.as_view(), name="project-transition"),
    path("projects/<fupin_id:project_id>/disbursements", ProjectDisbursementsView.as_view(),
         name="project-disbursements"),
    path("disbursements/<fupin_id:disbursement_id>/trace", DisbursementTraceView.as_view(), name="disbursement-trace"),
    # Entering sources, allocations, budget lines, beneficiaries and target results (views/funds_entry.py).
    path("regions/<str:code>/fund-sources", RegionFundSourcesView.as_view(), name="region-fund-sources"),
    path("regions/<str:code>/allocations", RegionAllocationsView.as_view(), name="region-allocations"),
    path("projects/<fupin_id:project_id>/fundings", ProjectFundingsView.as_view(), name="project-fundings"),
    path("projects/<fupin_id:project_id>/beneficiaries", ProjectBeneficiariesView.as_view(),
         name="project-beneficiaries"),
    path("projects/<fupin_id:project_id>/targets", ProjectTargetsView.as_view(), name="project-targets"),
    path("projects/<fupin_id:project_id>/targets/<fupin_id:target_id>/result", ProjectTargetResultView.as_view(),
         name="project-target-result"),
]

"""Web pages of funds and projects (扶贫资金和项目库), included by urls.py (names are in the "web" namespace).

Menu links: `web:region_funds` and `web:region_projects` with the user's region code."""

from django.urls import path

from . import views_funds, views_funds_entry

urlpatterns: list = [
    path("r/<str:code>/funds/", views_funds.region_funds_view, name="region_funds"),
    path("r/<str:code>/projects/", views_funds.region_projects_view, name="region_projects"),
    path("projects/<int:pk>/", views_funds.project_view, name="project"),
    path("projects/<int:pk>/transition/", views_funds.project_transition_view, name="project_transition"),
    path("projects/<int:pk>/disbursements/new/", views_funds.disbursement_new_view, name="disbursement_new"),
    path("disbursements/<int:pk>/trace/", views_funds.disbursement_trace_view, name="disbursement_trace"),
    # Entering sources, allocations, budget lines, beneficiaries and target results (views_funds_entry.py).
    path("r/<str:code>/funds/sources/new/", views_funds_entry.fund_source_new_view, name="fund_source_new"),
    path("r/<str:code>/funds/allocations/new/", views_funds_entry.allocation_new_view, name="allocation_new"),
    path("projects/<int:pk>/fundings/new/", views_funds_entry.funding_new_view, name="funding_new"),
    path("projects/<int:pk>/beneficiaries/new/", views_funds_entry.beneficiary_new_view, name="beneficiary_new"),
    path("projects/<int:pk>/targets/<int:target_id>/result/", views_funds_entry.target_result_view,
         name="target_result"),
]

"""API of the crosscheck app, included by api/urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.crosscheck import (
    CrosscheckRosterDetailView,
    CrosscheckRostersView,
    CrosscheckRulesView,
    CrosscheckSuspectDetailView,
    CrosscheckSuspectDismissView,
    CrosscheckSuspectLedgerView,
    CrosscheckSuspectsView,
)

urlpatterns: list = [
    path("crosscheck/rules", CrosscheckRulesView.as_view(), name="crosscheck-rules"),
    path("crosscheck/rosters", CrosscheckRostersView.as_view(), name="crosscheck-rosters"),
    path("crosscheck/rosters/<fupin_id:roster_id>", CrosscheckRosterDetailView.as_view(), name="crosscheck-roster"),
    path("crosscheck/suspects", CrosscheckSuspectsView.as_view(), name="crosscheck-suspects"),
    path("crosscheck/suspects/<fupin_id:suspect_id>", CrosscheckSuspectDetailView.as_view(),
         name="crosscheck-suspect"),
    path("crosscheck/suspects/<fupin_id:suspect_id>/dismiss", CrosscheckSuspectDismissView.as_view(),
         name="crosscheck-suspect-dismiss"),
    path("crosscheck/suspects/<fupin_id:suspect_id>/ledger", CrosscheckSuspectLedgerView.as_view(),
         name="crosscheck-suspect-ledger"),
]

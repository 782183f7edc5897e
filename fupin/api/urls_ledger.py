"""API of the ledger app, included by api/urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.ledger import (
    ACTION_VIEWS,
    LedgerEvidenceView,
    LedgerFromQualityView,
    LedgerItemAssignView,
    LedgerItemsView,
    LedgerItemView,
    LedgerStatsView,
)

urlpatterns: list = [
    path("ledger/items", LedgerItemsView.as_view(), name="ledger-items"),
    path("ledger/items/<fupin_id:item_id>", LedgerItemView.as_view(), name="ledger-item"),
    path("ledger/items/<fupin_id:item_id>/assign", LedgerItemAssignView.as_view(), name="ledger-item-assign"),
    path("ledger/items/<fupin_id:item_id>/evidence", LedgerEvidenceView.as_view(), name="ledger-item-evidence"),
    *[path(f"ledger/items/<fupin_id:item_id>/{action}", view.as_view(), name=f"ledger-item-{action}")
      for action, view in ACTION_VIEWS.items()],
    path("ledger/from-quality", LedgerFromQualityView.as_view(), name="ledger-from-quality"),
    path("ledger/stats", LedgerStatsView.as_view(), name="ledger-stats"),
]

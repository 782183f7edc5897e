"""Web pages of the ledger app, included by urls.py (names are in the "web" namespace).

Menu link: `web:region_ledger` with the user's region code (问题台账). The household page may include
`web/ledger/_household_section.html` with `fupin.ledger.selectors.household_ledger_context(user, household)`.
"""

from django.urls import path

from . import views_ledger, views_ledger_forms

urlpatterns: list = [
    path("r/<str:code>/ledger/", views_ledger.region_ledger_view, name="region_ledger"),
    path("r/<str:code>/ledger/overdue/", views_ledger.region_ledger_overdue_view, name="region_ledger_overdue"),
    path("r/<str:code>/ledger/new/", views_ledger_forms.ledger_new_view, name="ledger_new"),
    path("r/<str:code>/ledger/from-quality/", views_ledger.ledger_from_quality_view, name="ledger_from_quality"),
    path("ledger/items/<int:pk>/", views_ledger.ledger_item_view, name="ledger_item"),
    path("ledger/evidence/<int:pk>/", views_ledger.ledger_evidence_view, name="ledger_evidence"),
]

"""Web pages of 扶贫小额信贷, included by urls.py (names are in the "web" namespace).

Menu link: `web:region_credit` with the user's region code (扶贫小额信贷). The household page may
link `web:household_credit` or include `web/credit/_household_section.html` with
`fupin.credit.selectors.household_credit_context(user, household)`."""

from django.urls import path

from . import views_credit

urlpatterns: list = [
    path("households/<int:pk>/credit/", views_credit.household_credit_view, name="household_credit"),
    path("r/<str:code>/credit/", views_credit.region_credit_view, name="region_credit"),
]

"""API endpoints of 扶贫小额信贷, included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.credit import (
    HouseholdCreditRatingView,
    HouseholdLoansView,
    LoanRenewalView,
    LoanRepaymentsView,
    RegionCreditRemindersView,
    RegionCreditView,
)

urlpatterns: list = [
    path("regions/<str:code>/credit", RegionCreditView.as_view(), name="region-credit"),
    path("regions/<str:code>/credit-reminders", RegionCreditRemindersView.as_view(), name="region-credit-reminders"),
    path("households/<fupin_id:household_id>/loans", HouseholdLoansView.as_view(), name="household-loans"),
    path("households/<fupin_id:household_id>/credit-rating", HouseholdCreditRatingView.as_view(),
         name="household-credit-rating"),
    path("loans/<fupin_id:loan_id>/repayments", LoanRepaymentsView.as_view(), name="loan-repayments"),
    path("loans/<fupin_id:loan_id>/renewal", LoanRenewalView.as_view(), name="loan-renewal"),
]

"""Web pages of the visit log (走访记录), included by urls.py (names are in the "web" namespace).

Menu links: `web:my_households` (the cadre's home, 我的帮扶户) and `web:visit_compliance` with the
user's region code (走访频次)."""

from django.urls import path

from . import views_visits

urlpatterns: list = [
    path("my/", views_visits.my_households_view, name="my_households"),
    path("households/<int:pk>/visits/", views_visits.household_visits_view, name="household_visits"),
    path("households/<int:pk>/visits/new/", views_visits.visit_new_view, name="visit_new"),
    path("visits/<int:pk>/edit/", views_visits.visit_edit_view, name="visit_edit"),
    path("visits/<int:pk>/follow-up/close/", views_visits.visit_follow_up_close_view, name="visit_follow_up_close"),
    path("visits/<int:pk>/photo/", views_visits.visit_photo_view, name="visit_photo"),
    path("r/<str:code>/visits/compliance/", views_visits.visit_compliance_view, name="visit_compliance"),
]

from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("r/<str:code>/", views.region_view, name="region"),
    path("r/<str:code>/households/", views.households_view, name="households"),
    path("households/<int:pk>/", views.household_view, name="household"),
    path("households/<int:pk>/edit/", views.household_edit_view, name="household_edit"),
    path("users/", views.users_view, name="users"),
    path("audit/", views.audit_view, name="audit"),
]

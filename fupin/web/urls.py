from django.urls import include, path

from . import views, views_freeze, views_household, views_import, views_quality, views_search

app_name = "web"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("r/<str:code>/", views.region_view, name="region"),
    path("r/<str:code>/households/", views.households_view, name="households"),
    path("r/<str:code>/freeze/", views_freeze.freeze_view, name="region_freeze"),
    path("r/<str:code>/quality/", views_quality.quality_view, name="quality"),
    path("households/<int:pk>/", views_household.household_view, name="household"),
    path("households/<int:pk>/edit/", views_household.household_edit_view, name="household_edit"),
    path("households/<int:pk>/years/<int:year>/edit/", views_household.household_year_edit_view,
         name="household_year_edit"),
    path("households/<int:pk>/members/<int:member_pk>/years/<int:year>/edit/",
         views_household.member_year_edit_view, name="member_year_edit"),
    path("search/", views_search.search_view, name="search"),
    path("r/<str:code>/export.xlsx", views_import.export_view, {"fmt": "xlsx"}, name="export_xlsx"),
    path("r/<str:code>/export.csv", views_import.export_view, {"fmt": "csv"}, name="export_csv"),
    path("import/", views_import.import_view, name="import"),
    path("import/template.xlsx", views_import.template_view, name="import_template"),
    path("import/jobs/<int:pk>/", views_import.job_view, name="import_job"),
    path("import/jobs/<int:pk>/errors.xlsx", views_import.job_errors_view, name="import_job_errors"),
    path("users/", views.users_view, name="users"),
    path("audit/", views.audit_view, name="audit"),
    path("", include("fupin.web.urls_policy")),
    path("", include("fupin.web.urls_status")),
    path("", include("fupin.web.urls_exits")),
    path("", include("fupin.web.urls_household_exit")),
    path("", include("fupin.web.urls_identification")),
    path("", include("fupin.web.urls_helpers")),
    path("", include("fupin.web.urls_visits")),
    path("", include("fupin.web.urls_plans")),
]

"""Public disclosure pages of projects and funds (项目资金公告公示), readable without login
(names are in the "web" namespace)."""

from django.urls import path

from . import views_disclosure as disclosure

urlpatterns: list = [
    path("public/funds/", disclosure.public_funds_view, name="public_funds"),
    path("public/funds/<str:code>/", disclosure.public_funds_region_view, name="public_funds_region"),
    path("public/projects/<int:pk>/", disclosure.public_project_view, name="public_project"),
]

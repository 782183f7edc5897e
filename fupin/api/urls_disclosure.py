"""Public disclosure of projects and funds (项目资金公告公示), no authentication
(names are in the "api" namespace)."""

from django.urls import path

from .views.disclosure import PublicFundRegionView, PublicProjectView

urlpatterns: list = [
    path("public/funds/<str:code>", PublicFundRegionView.as_view(), name="public-fund-region"),
    path("public/projects/<fupin_id:project_id>", PublicProjectView.as_view(), name="public-project"),
]

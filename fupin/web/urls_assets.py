"""Web pages of asset income (资产收益扶贫), included by urls.py (names are in the "web" namespace).

Menu link: `web:region_assets` with the user's region code."""

from django.urls import path

from . import views_assets

urlpatterns: list = [
    path("r/<str:code>/assets/", views_assets.region_assets_view, name="region_assets"),
    path("assets/<int:pk>/", views_assets.asset_view, name="asset"),
    path("assets/<int:pk>/shares/", views_assets.asset_share_set_view, name="asset_share_set"),
    path("assets/<int:pk>/incomes/new/", views_assets.asset_income_new_view, name="asset_income_new"),
]

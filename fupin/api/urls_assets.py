"""API endpoints of asset income (资产收益扶贫), included by urls.py (names are in the "api" namespace)."""

from django.urls import path

from .views.assets import AssetDetailView, AssetIncomesView, RegionAssetsView

urlpatterns: list = [
    path("regions/<str:code>/assets", RegionAssetsView.as_view(), name="region-assets"),
    path("assets/<fupin_id:asset_id>", AssetDetailView.as_view(), name="asset"),
    path("assets/<fupin_id:asset_id>/incomes", AssetIncomesView.as_view(), name="asset-incomes"),
]

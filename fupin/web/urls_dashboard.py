"""The dashboard (数据看板) of a region: charts, county map, xlsx of its tables, PDF report.
Names in the "web" namespace: region_dashboard, region_dashboard_map, region_dashboard_xlsx,
region_report_pdf (all take a region code and ?year=)."""

from django.urls import path

from . import views_dashboard

urlpatterns: list = [
    path("r/<str:code>/dashboard/", views_dashboard.dashboard_view, name="region_dashboard"),
    path("r/<str:code>/dashboard/map.json", views_dashboard.map_view, name="region_dashboard_map"),
    path("r/<str:code>/dashboard/tables.xlsx", views_dashboard.xlsx_view, name="region_dashboard_xlsx"),
    path("r/<str:code>/report.pdf", views_dashboard.report_pdf_view, name="region_report_pdf"),
]

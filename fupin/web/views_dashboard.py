"""数据看板: a region's charts (trend, causes, status funnel, children, county map), its tables
with an xlsx of all of them, and the printable PDF report. Thin: the numbers come from
`fupin.stats.dashboard` (built on `region_stats`, the reader of the stats page, API and CLI);
the charts are drawn by static/web/dashboard.js from JSON embedded with json_script.

Scope: out of scope → 404, a cadre → 403 (like the stats page); xlsx and PDF need Cap.EXPORT."""

import json
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from fupin.accounts.roles import Cap
from fupin.accounts.scope import require
from fupin.regions.selectors import breadcrumb_for
from fupin.stats import dashboard as dash
from fupin.stats.dashboard_tables import definitions, display, tables, workbook
from fupin.stats.geo import NoBoundaries
from fupin.stats.selectors import NotRefreshed

from .params import year_param

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _charts(doc: dict, region, year: int) -> dict:
    """What dashboard.js draws (chart data only; the tables are rendered on the page)."""
    url = reverse("web:region_dashboard", args=["CODE"])
    return {
        "region": doc["region"], "year": year,
        "dashboard_url": f"{url}?year={year}",
        "trend": {"years": [t["year"] for t in doc["trend"]],
                  "poor_persons": [t["poor_persons"] for t in doc["trend"]],
                  "incidence": [None if t["incidence"]["ratio"] is None else round(t["incidence"]["ratio"] * 100, 4)
                                for t in doc["trend"]]},
        "causes": [{"name": r["label"], "value": r["households"]} for r in doc["by_cause"] if r["households"]],
        "funnel": [{"name": r["label"], "value": r["households"]} for r in doc["funnel"]],
        "children": [{"code": c["code"], "name": c["name"], "poor_persons": c["poor_persons"],
                      "incidence": None if c["incidence"]["ratio"] is None else round(c["incidence"]["ratio"] * 100, 4)}
                     for c in doc["children"]],
        "map": ({"url": f"{reverse('web:region_dashboard_map', args=[region.code])}?year={year}",
                 "name": f"counties-{region.code}", "level": region.level} if doc["has_map"] else None),
    }


def _counties(region, year: int) -> list[dict] | None:
    if dash.map_prefix(region) is None:
        return None
    return sorted(dash.county_incidence(region, year).values(), key=lambda c: c["code"])


@login_required
@require_safe
def dashboard_view(request, code):
    user = request.user
    region = dash.gate(user, code)
    year = year_param(request)
    try:
        doc, missing = dash.dashboard(user, region.code, year), None
    except NotRefreshed as exc:
        doc, missing = None, str(exc)
    context = {"region": region, "crumbs": breadcrumb_for(user, region), "year": year, "s": doc, "missing": missing}
    if doc is not None:
        found = tables(doc, _counties(region, year))
        context.update({
            "charts": _charts(doc, region, year),
            "tables": [(t, display(t)) for t in found if t.key not in ("summary",)],
            "metrics": definitions(),
        })
    return render(request, "web/stats/dashboard.html", context)


@login_required
@require_safe
def map_view(request, code):
    """GeoJSON of the counties under the region with each county's incidence (see
    fupin.stats.dashboard.map_document); the boundaries are parsed once per process."""
    user = request.user
    year = year_param(request)
    try:
        doc = dash.map_document(user, code, year)
    except NoBoundaries as exc:
        return JsonResponse({"error": {"code": "no_boundaries", "message": str(exc), "fields": {}}}, status=404)
    response = HttpResponse(json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
                            content_type="application/geo+json; charset=utf-8")
    patch_cache_control(response, private=True, max_age=300)
    return response


def _export_doc(request, code):
    user = request.user
    region = dash.gate(user, code)
    require(user, Cap.EXPORT)
    year = year_param(request)
    return region, year, dash.dashboard(user, region.code, year)


@login_required
@require_safe
def xlsx_view(request, code):
    try:
        region, year, doc = _export_doc(request, code)
    except NotRefreshed as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    out = BytesIO()
    workbook(doc, tables(doc, _counties(region, year))).save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dashboard_{region.code}_{year}.xlsx"'
    return response


@login_required
@require_safe
def report_pdf_view(request, code):
    from fupin.stats.report import report_pdf  # reportlab is loaded only when a report is asked for

    try:
        region, year, doc = _export_doc(request, code)
    except NotRefreshed as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(report_pdf(doc, tables(doc, _counties(region, year))), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report_{region.code}_{year}.pdf"'
    return response

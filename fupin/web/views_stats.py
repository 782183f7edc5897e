"""统计监测 on the web: a region's pre-aggregated numbers for a year, its children's numbers with
links to drill down, the refresh time, and the children table as xlsx. Thin: everything comes
from `fupin.stats.selectors.region_stats`, the same reader as the API and `fupin stats`."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fupin.accounts.roles import Cap
from fupin.accounts.scope import require
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.stats.exporting import children_xlsx
from fupin.stats.metrics import METRICS
from fupin.stats.selectors import NotRefreshed, region_stats

from .params import year_param

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_safe
def region_stats_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = year_param(request)
    try:
        doc, missing = region_stats(user, region.code, year), None
    except NotRefreshed as exc:
        doc, missing = None, str(exc)
    return render(request, "web/stats/region.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "year": year, "s": doc, "missing": missing,
        "metrics": METRICS, "years": range(year - 4, year + 2),
    })


@login_required
@require_safe
def region_stats_export_view(request, code):
    user = request.user
    region = region_access(user, code)
    require(user, Cap.EXPORT)
    year = year_param(request)
    try:
        doc = region_stats(user, region.code, year)
    except NotRefreshed as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(children_xlsx(doc), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="stats_{region.code}_{year}.xlsx"'
    return response

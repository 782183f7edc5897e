"""贫困测度 page of a region: FGT and Alkire-Foster, decomposed by child region and by indicator.

Thin: the region through `region_access` (404 outside scope), the report through
`measures.selectors` (scoped reads; a cadre gets 403) — the same document the API returns.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fupin.measures.report import MeasuresError
from fupin.measures.selectors import default_year, measures_for_user
from fupin.regions.selectors import breadcrumb_for, region_access

from .params import year_param


@login_required
@require_safe
def region_measures_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = year_param(request, default=lambda: default_year(user, region), fallback="已显示最近有数据的年度")
    context = {"region": region, "crumbs": breadcrumb_for(user, region), "year": year}
    try:
        report = measures_for_user(user, region, year=year)
    except MeasuresError as exc:
        return render(request, "web/measures/region.html", {**context, "failure": str(exc)})
    return render(request, "web/measures/region.html", {**context, "report": report, "fgt": report["fgt"],
                                                         "af": report["af"], "population": report["population"]})

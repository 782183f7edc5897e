"""Public disclosure of projects and funds (项目资金公告公示), readable without login.

Like the public identification notices: nothing but what the posted paper notice shows — the
region's funds by original kind and the disclosed projects (place, dates, budget per fund kind,
paid, beneficiary households by head name with the amount paid). Read through
`fupin.funds.selectors_public` only; a project not yet disclosed is absent (404 on its own page).
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from fupin.core.clock import today
from fupin.funds.selectors_public import (
    public_project,
    public_region_disclosure,
    public_regions,
    public_years,
)
from fupin.regions.codes import InvalidCode, Level, normalize_code
from fupin.regions.selectors import region_ancestors, region_get

from .params import YEAR_MAX, YEAR_MIN


def _year(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX else None


def _place(region) -> str:
    shown = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
    return "".join(r.name for r in region_ancestors(region) if r.level in shown)


@require_safe
def public_funds_view(request):
    """Index: choose a region by code (redirects to its page), or pick one with disclosures."""
    raw = request.GET.get("region", "").strip()[:12]
    problem = ""
    if raw:
        try:
            code = normalize_code(raw)
        except InvalidCode:
            problem = "区划代码无效"
        else:
            if region_get(code) is None:
                problem = "区划不存在"
            else:
                return redirect("web:public_funds_region", code=code)
    return render(request, "web/disclosure/public_index.html", {
        "regions": public_regions(), "problem": problem, "region_input": raw})


@require_safe
def public_funds_region_view(request, code):
    try:
        region = region_get(normalize_code(code))
    except InvalidCode:
        region = None
    if region is None:
        raise Http404("区划不存在")
    year = _year(request.GET.get("year"))
    if year is None:
        years = public_years(region_code=region.code)
        year = years[0] if years else today().year
    ctx = public_region_disclosure(region=region, year=year)
    ctx["place"] = _place(region)
    return render(request, "web/disclosure/public_region.html", ctx)


@require_safe
def public_project_view(request, pk):
    project = public_project(pk)
    region = region_get(project.region_code)
    return render(request, "web/disclosure/public_project.html", {
        "p": project, "place": _place(region), "county_code": project.region_code[:6].ljust(12, "0")})

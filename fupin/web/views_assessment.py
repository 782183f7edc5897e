"""考核评估 on the web: the ranking of the counties or townships under a region with the score of
every indicator, vetoes highlighted, and the scheme in force (indicator definitions and targets).
Thin: everything comes from `fupin.assessment.selectors`, the same reader as the API and
`fupin assess`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fupin.assessment.models import AssessedLevel
from fupin.assessment.selectors import SchemeMissing, assessment, gate, scheme_in_force
from fupin.regions.codes import Level
from fupin.regions.selectors import breadcrumb_for

from .params import year_param


def _level(request, region) -> str:
    default = AssessedLevel.COUNTY if Level.depth(region.level) < Level.depth(Level.COUNTY) else AssessedLevel.TOWNSHIP
    raw = request.GET.get("level", "").strip()
    if raw and raw not in AssessedLevel.values:
        messages.warning(request, f"考核对象级别“{raw[:20]}”无效，已按{AssessedLevel(default).label}显示")
        return default
    return raw or default


def _context(request, code):
    region = gate(request.user, code)
    return region, {"region": region, "crumbs": breadcrumb_for(request.user, region), "year": year_param(request),
                    "level": _level(request, region), "levels": AssessedLevel.choices}


@login_required
@require_safe
def region_assessment_view(request, code):
    region, ctx = _context(request, code)
    try:
        doc, problem = assessment(request.user, region.code, year=ctx["year"], level=ctx["level"]), None
    except (ValueError, SchemeMissing) as exc:
        doc, problem = None, str(exc)
    if doc:
        labels = [(i["code"], i["label"]) for i in (doc["schemes"][0]["indicators"] if doc["schemes"] else [])]
        for r in doc["results"]:
            by_code = {i["code"]: i for i in r["indicators"]}
            r["cells"] = [by_code.get(c) for c, _ in labels]
        ctx["columns"] = labels
    return render(request, "web/assessment/region.html", {**ctx, "a": doc, "problem": problem})


@login_required
@require_safe
def region_assessment_scheme_view(request, code):
    region, ctx = _context(request, code)
    try:
        scheme, problem = scheme_in_force(request.user, region.code, year=ctx["year"], level=ctx["level"]), None
    except SchemeMissing as exc:
        scheme, problem = None, str(exc)
    return render(request, "web/assessment/scheme.html", {**ctx, "scheme": scheme, "problem": problem})

"""Income-ranked screening (按收入倒排) of a village's applicants and village quotas (识别规模)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from fupin.accounts.roles import Role
from fupin.core.clock import today
from fupin.identification.ranking import income_ranking
from fupin.identification.selectors import village_quotas
from fupin.identification.services_quota import village_quotas_set
from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import Level
from fupin.regions.selectors import breadcrumb_for, region_access

QUOTA_VILLAGES_LIMIT = 1000


def _year(request) -> int:
    raw = request.GET.get("year", "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    if raw:
        messages.warning(request, f"年度“{raw[:10]}”无效，已显示今年")
    return today().year


@login_required
@require_safe
def ranking_view(request, code):
    user = request.user
    region = region_access(user, code)
    if region.level != Level.VILLAGE:
        raise Http404("按收入倒排以行政村为单位")
    year = _year(request)
    context = {"region": region, "crumbs": breadcrumb_for(user, region), "year": year}
    try:
        ranking = income_ranking(user, village_code=region.code, year=year)
    except PolicyMissing as exc:
        return render(request, "web/identification/ranking.html", {**context, "failure": str(exc)})
    return render(request, "web/identification/ranking.html", {
        **context, "ranking": ranking, "ratio_percent": float(ranking.borderline_ratio.value) * 100})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quotas_view(request, code):
    """The villages under a region with their quota for a year; a county approver edits them."""
    user = request.user
    region = region_access(user, code)
    year = _year(request)
    rows = village_quotas(user, region_code=region.code, year=year, limit=QUOTA_VILLAGES_LIMIT)
    may_edit = user.role == Role.COUNTY_APPROVER
    errors = []
    if request.method == "POST":
        if not may_edit:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("识别规模须由县级审批员设定")
        changes = {}
        for row in rows:
            code_ = row["village"].code
            key = f"q_{code_}"
            if key not in request.POST:
                continue
            raw = request.POST[key].strip()
            current = row["quota"].quota if row["quota"] else None
            if (raw == "" and current is None) or (raw.isdigit() and current == int(raw)):
                continue
            changes[code_] = raw
        try:
            village_quotas_set(actor=user, year=year, quotas=changes, note=request.POST.get("note", ""))
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已保存 {len(changes)} 个村的 {year} 年度识别规模")
            return redirect(f"{request.path}?year={year}")
    return render(request, "web/identification/quotas.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "year": year, "rows": rows, "may_edit": may_edit,
        "errors": errors, "posted": request.POST if errors else None,
    })

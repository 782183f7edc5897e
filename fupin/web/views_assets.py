"""Asset income on the web (资产收益扶贫): a region's assets for a year (book value, income, rate vs
the target, the split, coverage of poor households per village) and an asset's page (shares,
incomes and their distribution to households), with forms for the county approver to set a
household's share and to record a year's income and distribute it.

Thin: regions and assets go through the scoped gates (404 outside scope), writes through
`fupin.assets.services` (403 without the right; Chinese messages).

URL names: `web:region_assets` (region code, ?year=), `web:asset`, `web:asset_share_set`,
`web:asset_income_new`. The household page may include `web/assets/_household_section.html` with
`fupin.assets.selectors.household_assets_context(user, household)`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from fupin.assets.choices import ASSET_MANAGERS
from fupin.assets.selectors import asset_access, asset_detail, region_assets
from fupin.assets.services import income_record, share_set
from fupin.core.clock import today
from fupin.policy.selectors import PolicyMissing
from fupin.regions.selectors import breadcrumb_for, region_access

from .params import year_param


@login_required
@require_safe
def region_assets_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = year_param(request)
    try:
        report = region_assets(user, region_code=region.code, year=year)
    except PolicyMissing as exc:
        report = None
        messages.error(request, str(exc))
    return render(request, "web/assets/region_assets.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "year": year, "report": report})


@login_required
@require_safe
def asset_view(request, pk):
    user = request.user
    asset = asset_access(user, pk)
    return render(request, "web/assets/asset_detail.html", {
        "asset": asset, "d": asset_detail(user, asset), "crumbs": breadcrumb_for(user, asset.region),
        "may_manage": user.role in ASSET_MANAGERS, "this_year": today().year, "today": today()})


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@login_required
@require_POST
def asset_share_set_view(request, pk):
    asset = asset_access(request.user, pk)
    hid = request.POST.get("household", "").strip()
    try:
        share_set(actor=request.user, asset_id=asset.pk, household_id=int(hid) if hid.isdigit() else 0,
                  ratio=request.POST.get("ratio"), start_on=request.POST.get("start_on") or None,
                  end_on=request.POST.get("end_on") or None)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已保存该户的资产股份")
    return redirect("web:asset", pk=asset.pk)


@login_required
@require_POST
def asset_income_new_view(request, pk):
    asset = asset_access(request.user, pk)
    data = {k: request.POST.get(k, "") for k in ("year", "gross_income", "retained", "distributed", "recorded_on",
                                                 "note")}
    try:
        income = income_record(actor=request.user, asset_id=asset.pk, data=data)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已登记 {income.year} 年收益并分配到户")
    return redirect("web:asset", pk=asset.pk)

"""Year-end freeze (年度数据固化) of a region: county level or above, by a role that edits the registry.

Out of scope answers 404 (region_access); a role or region level that may not freeze answers 403
before anything is shown. The freeze itself is `registry.services.year_freeze`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fupin.accounts.roles import Cap
from fupin.accounts.scope import require
from fupin.core.clock import today
from fupin.regions.codes import Level
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.selectors import year_freezes_for_region
from fupin.registry.services import year_freeze

from .forms_household import FreezeForm
from .views import _service_errors_to_form


def may_freeze_at(user, region) -> bool:
    return user.can(Cap.EDIT_REGISTRY) and Level.depth(region.level) <= Level.depth(Level.COUNTY)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def freeze_view(request, code):
    user = request.user
    region = region_access(user, code)
    require(user, Cap.EDIT_REGISTRY)
    if not may_freeze_at(user, region):
        raise PermissionDenied("年度数据固化须由县级及以上操作")
    last_year = today().year - 1
    form = FreezeForm(request.POST or None, initial={"year": last_year})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            year_freeze(actor=user, region_code=region.code, year=year)
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已固化 {region.name} {year} 年度数据，该年度数据不能再修改")
            return redirect("web:region_freeze", code=region.code)
    return render(request, "web/household/freeze.html", {
        "region": region,
        "crumbs": breadcrumb_for(user, region),
        "form": form,
        "freezes": year_freezes_for_region(user, region),
    })

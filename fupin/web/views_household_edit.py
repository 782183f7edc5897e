"""Editing a household: its own fields and its yearly data (forms of the household page).

Split from views_household.py, which renders the page itself."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from fupin.accounts.masking import mask_value
from fupin.accounts.roles import Cap
from fupin.regions.selectors import breadcrumb_for
from fupin.registry.models import HouseholdYear, MemberYear
from fupin.registry.selectors import (
    frozen_years,
    household_access,
    household_years,
    member_access,
    member_years,
)
from fupin.registry.services import (
    HOUSEHOLD_EDITABLE,
    household_update,
    household_year_save,
    member_year_save,
)

from .forms import HouseholdEditForm
from .forms_household import (
    HOUSEHOLD_YEAR_FIELDSETS,
    MEMBER_YEAR_FIELDSETS,
    HouseholdYearForm,
    MemberYearForm,
    initial_from,
    model_defaults,
)
from .views import _service_errors_to_form
from .views_household import CARRY_OVER_FIELDS, _url_year


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_edit_view(request, pk):
    user = request.user
    household = household_access(user, pk, need=Cap.EDIT_REGISTRY)
    # Initial values go through the mask too (no-op for today's editing roles); only fields the
    # user actually changed are sent, so an untouched masked value is never written back.
    initial = {f: mask_value(f, getattr(household, f), user=user, in_list=False) for f in HOUSEHOLD_EDITABLE}
    form = HouseholdEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            household_update(actor=user, household_id=household.pk, changes=changes)
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, "已保存修改" if changes else "没有需要保存的修改")
            return redirect("web:household", pk=household.pk)
    return render(request, "web/household_edit.html", {
        "household": household,
        "crumbs": breadcrumb_for(user, household.village),
        "form": form,
    })


# --- Yearly data --------------------------------------------------------------------------------

def _page_url(household_id: int, year: int, anchor: str = "") -> str:
    return f"{reverse('web:household', args=[household_id])}?year={year}{anchor}"


FROZEN = "{year} 年度数据已固化，不能修改"


def _refuse_frozen(request, household, year: int):
    messages.error(request, FROZEN.format(year=year))
    return redirect(_page_url(household.pk, year))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_year_edit_view(request, pk, year):
    user = request.user
    year = _url_year(year)
    household = household_access(user, pk, need=Cap.EDIT_REGISTRY)
    frozen = year in frozen_years(household.village_id)
    if frozen and request.method != "POST":
        return _refuse_frozen(request, household, year)
    hyears = {h.year: h for h in household_years(user, household)}
    hy = hyears.get(year)
    names = [n for _, ns in HOUSEHOLD_YEAR_FIELDSETS for n in ns]
    carried_from = None
    if hy is not None:
        initial = initial_from(hy, names)
    else:
        initial = model_defaults(HouseholdYear, names)
        earlier = [y for y in hyears if y < year]
        if earlier:
            carried_from = max(earlier)
            initial.update(initial_from(hyears[carried_from], CARRY_OVER_FIELDS))
    form = HouseholdYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and frozen and not form.is_valid():
        form.add_error(None, FROZEN.format(year=year))
    if request.method == "POST" and form.is_valid():
        try:
            saved = household_year_save(actor=user, household_id=household.pk, year=year, data=form.service_data())
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存 {year} 年度户数据：家庭纯收入 {saved.net_income:,.2f} 元，"
                                      f"{saved.household_size} 人，年人均纯收入 {saved.per_capita_income:,.2f} 元")
            return redirect(_page_url(household.pk, year, "#chengxiao"))
    size = sum(1 for my in member_years(user, household) if my.year == year)
    return render(request, "web/household/year_edit.html", {
        "household": household,
        "crumbs": breadcrumb_for(user, household.village),
        "form": form,
        "year": year,
        "is_new": hy is None,
        "carried_from": carried_from,
        "household_size": size,
        "back": _page_url(household.pk, year),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_year_edit_view(request, pk, member_pk, year):
    user = request.user
    year = _url_year(year)
    member = member_access(user, member_pk, need=Cap.EDIT_REGISTRY)
    if member.household_id != pk:
        raise Http404("该成员不属于此户")
    household = household_access(user, pk, need=Cap.EDIT_REGISTRY)
    frozen = year in frozen_years(household.village_id)
    if frozen and request.method != "POST":
        return _refuse_frozen(request, household, year)
    rows = {my.year: my for my in member_years(user, household) if my.member_id == member.pk}
    my = rows.get(year)
    names = [n for _, ns in MEMBER_YEAR_FIELDSETS for n in ns]
    carried_from = None
    if my is not None:
        initial = initial_from(my, names)
    else:
        initial = model_defaults(MemberYear, names)
        earlier = [y for y in rows if y < year]
        if earlier:
            carried_from = max(earlier)
            initial.update(initial_from(rows[carried_from], names))
    form = MemberYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and frozen and not form.is_valid():
        form.add_error(None, FROZEN.format(year=year))
    if request.method == "POST" and form.is_valid():
        try:
            member_year_save(actor=user, member_id=member.pk, year=year, data=form.service_data())
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存 {member.name} {year} 年度数据")
            return redirect(_page_url(household.pk, year, "#chengyuan"))
    return render(request, "web/household/member_year_edit.html", {
        "household": household,
        "member": member,
        "crumbs": breadcrumb_for(user, household.village),
        "form": form,
        "year": year,
        "is_new": my is None,
        "carried_from": carried_from,
        "back": _page_url(household.pk, year, "#chengyuan"),
    })

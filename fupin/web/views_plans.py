"""一户一策 pages: a household's plan for a year (measures, progress, suggestions, flags) and the form
that changes or cancels one measure.

Thin: the household goes through `household_access`, a measure through `measure_access` (404
outside the user's scope, a cadre's other households included); what is shown comes from
`plans.selectors.household_plan_context`; every change through plans.services (403 without the
right, ValidationError per field in Chinese, frozen years refused).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from fupin.core import clock
from fupin.plans.rights import may_edit_plan
from fupin.plans.selectors import (
    default_plan_year,
    household_plan_context,
    household_plan_years,
    measure_access,
)
from fupin.plans.services import measure_add, measure_adopt, measure_cancel, measure_update, plan_confirm
from fupin.regions.selectors import breadcrumb_for
from fupin.registry.selectors import frozen_years, household_access

from .views import _service_errors_to_form
from .views_plans_forms import CancelForm, MeasureForm, measure_initial

YEAR_MIN, YEAR_MAX = 2000, 2100


def _year(request, user, household) -> int:
    raw = (request.GET.get("year") or request.POST.get("year") or "").strip()
    if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    if raw:
        messages.warning(request, f"年度“{raw[:10]}”无效，已显示最近的年度")
    return default_plan_year(user, household)


def plan_url(household_id: int, year: int) -> str:
    return f"{reverse('web:household_plan', args=[household_id])}?year={year}"


def _messages_from(request, exc: ValidationError) -> None:
    for msg in (exc.messages if not hasattr(exc, "error_dict") else
                [m for msgs in exc.message_dict.values() for m in msgs]):
        messages.error(request, msg)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_plan_view(request, pk):
    user = request.user
    household = household_access(user, pk)
    year = _year(request, user, household)
    form = MeasureForm(initial={"status": "planned"})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = MeasureForm(request.POST)
                if form.is_valid():
                    try:
                        m = measure_add(actor=user, household_id=household.pk, year=year, data=form.data_for_service())
                    except ValidationError as exc:
                        _service_errors_to_form(form, exc)
                    else:
                        messages.success(request, f"已添加措施：{m.get_measure_type_display()}")
                        return redirect(plan_url(household.pk, year))
            elif action == "adopt":
                m = measure_adopt(actor=user, household_id=household.pk, year=year,
                                  rule_code=request.POST.get("rule", ""))
                messages.success(request, f"已采纳建议，添加措施“{m.get_measure_type_display()}”，请补充具体内容、金额和完成时限")
                return redirect(f"{reverse('web:plan_measure_edit', args=[m.pk])}")
            elif action == "confirm":
                plan_confirm(actor=user, household_id=household.pk, year=year)
                messages.success(request, f"{year} 年度帮扶计划已确认")
                return redirect(plan_url(household.pk, year))
            else:
                messages.error(request, "未知的操作")
                return redirect(plan_url(household.pk, year))
        except ValidationError as exc:
            _messages_from(request, exc)
            if action != "add":
                return redirect(plan_url(household.pk, year))
    ctx = household_plan_context(user, household, year)
    years = sorted(set(household_plan_years(user, household)) | {year, clock.today().year})
    return render(request, "web/plans/household.html", {
        "household": household, "crumbs": breadcrumb_for(user, household.village), "year": year, "years": years,
        "plan_context": ctx, "form": form, "add_open": request.method == "POST",
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_edit_view(request, pk):
    user = request.user
    measure = measure_access(user, pk)
    plan = measure.plan
    household = plan.household
    form = MeasureForm(initial=measure_initial(measure))
    cancel_form = CancelForm()
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            cancel_form = CancelForm(request.POST)
            if cancel_form.is_valid():
                try:
                    measure_cancel(actor=user, measure_id=measure.pk, reason=cancel_form.cleaned_data["reason"])
                except ValidationError as exc:
                    _service_errors_to_form(cancel_form, exc)
                else:
                    messages.success(request, "措施已取消（保留在计划中，不计入进度）")
                    return redirect(plan_url(household.pk, plan.year))
        else:
            form = MeasureForm(request.POST)
            if form.is_valid():
                try:
                    measure_update(actor=user, measure_id=measure.pk, changes=form.data_for_service())
                except ValidationError as exc:
                    _service_errors_to_form(form, exc)
                else:
                    messages.success(request, "措施已保存")
                    return redirect(plan_url(household.pk, plan.year))
    frozen = plan.year in frozen_years(household.village_id)
    return render(request, "web/plans/measure_edit.html", {
        "household": household, "crumbs": breadcrumb_for(user, household.village), "measure": measure,
        "plan": plan, "year": plan.year, "form": form, "cancel_form": cancel_form, "frozen": frozen,
        "may_edit": may_edit_plan(user, household) and not frozen and measure.status != "cancelled",
    })

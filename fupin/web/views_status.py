"""户状态变动: yearly status changes by kind, the registry as of a date, and 清退 of one household.

Thin like views.py: the region goes through `region_access` (404 outside scope), reads through
`registry.selectors_status` (the user's households only, a fixed number of queries), the
removal through `registry.services.household_remove` (county approvers only, 403 otherwise).
The household page's status-history section comes from `status_history_context` here.
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from fupin.core.clock import today
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.choices import HouseholdStatus, StatusEventKind
from fupin.registry.selectors import household_access
from fupin.registry.selectors_status import (
    OUT_OF_REGISTRY,
    household_status_events,
    registry_as_of,
    registry_as_of_counts,
    status_change_counts,
)
from fupin.registry.services import household_remove, may_remove_households

from .params import YEAR_MAX, YEAR_MIN, date_param
from .views import _service_errors_to_form

HOUSEHOLDS_PER_PAGE = 50
# Kinds shown in the yearly table even when none occurred: the counts everybody asks for.
ALWAYS_SHOWN = (StatusEventKind.NEW, StatusEventKind.EXITED, StatusEventKind.RETURNED)


def _year(request, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    messages.warning(request, f"年度“{raw[:10]}”无效，已忽略")
    return None


def _day(request, name: str) -> date:
    return date_param(request, name, fallback="已显示今天的在册情况")


@login_required
@require_safe
def status_changes_view(request, code):
    user = request.user
    region = region_access(user, code)
    year_from, year_to = _year(request, "from"), _year(request, "to")
    if year_from is not None and year_to is not None and year_from > year_to:
        messages.warning(request, f"起始年度 {year_from} 晚于截止年度 {year_to}，已对调")
        year_from, year_to = year_to, year_from
    on = _day(request, "on")
    status = request.GET.get("status", "")
    if status not in HouseholdStatus.values:
        status = ""

    counts = status_change_counts(user, region_code=region.code, year_from=year_from, year_to=year_to)
    shown = [t for t in counts["totals"] if t["households"] or t["kind"] in ALWAYS_SHOWN]
    index = {k["kind"]: i for i, k in enumerate(counts["kinds"])}
    year_rows = [{"year": row["year"],
                  "cells": [{**row["cells"][index[t["kind"]]], "label": t["label"]} for t in shown]}
                 for row in counts["years"]]

    as_of = registry_as_of_counts(user, on=on, region_code=region.code)
    labels = dict(HouseholdStatus.choices)
    page = Paginator(registry_as_of(user, on=on, region_code=region.code, status=status or None),
                     HOUSEHOLDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/status/changes.html", {
        "region": region,
        "crumbs": breadcrumb_for(user, region),
        "year_from": year_from,
        "year_to": year_to,
        "kinds": shown,
        "year_rows": year_rows,
        "on": on,
        "as_of": as_of,
        "status": status,
        "status_label": labels.get(status, ""),
        "status_choices": HouseholdStatus.choices,
        "page": page,
        "rows": [{"h": h, "status_on_label": labels.get(h.status_on, h.status_on)} for h in page],
    })


# --- One household: its status history and 清退 --------------------------------------------------

class RemoveForm(forms.Form):
    """清退（剔除）: the reason and the date it takes effect; the year is that of the date unless given."""

    reason = forms.CharField(label="清退原因", max_length=300, strip=True,
                             widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：识别不精准，家庭有商品房和车辆（四有户）"}),
                             error_messages={"required": "清退必须填写原因"})
    effective_on = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"required": "生效日期不能为空", "invalid": "生效日期不是有效日期"})
    year = forms.IntegerField(label="年度", required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
                              help_text="默认为生效日期所在年份",
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def status_history_context(user, household) -> dict:
    """The household page's status-history section (一户一网页, 户状态变更记录): events in the order
    they took effect, with kind, date, reason and actor; the 清退 form for a county approver."""
    may_remove = may_remove_households(user) and household.status not in OUT_OF_REGISTRY
    return {
        "status_events": list(household_status_events(user, household)),
        "may_remove": may_remove,
        "remove_form": RemoveForm(initial={"effective_on": today()}) if may_remove else None,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_remove_view(request, pk):
    user = request.user
    household = household_access(user, pk)
    if not may_remove_households(user):
        raise PermissionDenied("清退（剔除）贫困户须由县级审批员操作")
    form = RemoveForm(request.POST or None, initial={"effective_on": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household_remove(actor=user, household_id=household.pk, reason=data["reason"],
                             effective_on=data["effective_on"], year=data["year"] or data["effective_on"].year)
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"{household}已清退（{data['effective_on']:%Y-%m-%d} 生效）")
            return redirect(reverse("web:household", args=[household.pk]) + "#zhuangtai")
    return render(request, "web/status/remove.html", {
        "household": household,
        "crumbs": breadcrumb_for(user, household.village),
        "form": form,
        "out_of_registry": household.status in OUT_OF_REGISTRY,
    })

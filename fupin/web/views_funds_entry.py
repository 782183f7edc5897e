"""Entering money and project details on the web (issue 6): a fund source and an allocation from a
region's funds page; a budget line, a beneficiary household and a target's result from a project's
page. Each is a small form that redirects back with a success message; the services' per-field
Chinese errors are shown next to the fields.

URL names: `web:fund_source_new`, `web:allocation_new` (with a region code), `web:funding_new`,
`web:beneficiary_new` (with a project id), `web:target_result` (project id, target id).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from fupin.core.clock import today
from fupin.funds.choices import (
    BENEFICIARY_EDITORS,
    FUND_MANAGERS,
    RESULT_RECORDERS,
    FundKind,
)
from fupin.funds.selectors import (
    allocation_totals,
    allocations_visible_to,
    open_allocations_for,
    project_access,
    sources_visible_to,
)
from fupin.funds.services import allocation_create, funding_add, source_create, source_remaining
from fupin.funds.services_projects import beneficiary_add, target_result
from fupin.regions.selectors import region_access, region_subtree
from fupin.registry.selectors import household_list

from .views import _service_errors_to_form

METHODS = ["GET", "HEAD", "POST"]
DATE = forms.DateInput(attrs={"type": "date"})
DECIMAL = forms.TextInput(attrs={"inputmode": "decimal"})
CHOICES_LIMIT = 500


def _need(user, roles, what: str) -> None:
    if user.role not in roles:
        raise PermissionDenied(f"您的角色无权{what}")


def _funds_url(region_code: str, year: int | None = None) -> str:
    url = reverse("web:region_funds", args=[region_code])
    return f"{url}?year={year}" if year else url


# --- Forms ----------------------------------------------------------------------------------------

class FundSourceForm(forms.Form):
    kind = forms.ChoiceField(label="资金类别", choices=FundKind.choices)
    name = forms.CharField(label="资金名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = forms.CharField(label="金额（元）", max_length=20, widget=DECIMAL)
    document_no = forms.CharField(label="文号", max_length=100, required=False)


class AllocationForm(forms.Form):
    origin = forms.ChoiceField(label="资金（从本区划的资金来源或下达到本区划的资金中下达）")
    to_region = forms.ChoiceField(label="下达到")
    amount = forms.CharField(label="金额（元）", max_length=20, widget=DECIMAL)
    allocated_on = forms.DateField(label="下达日期", required=False, widget=DATE)
    document_no = forms.CharField(label="文号", max_length=100, required=False)
    integrated = forms.BooleanField(label="纳入统筹整合（仍记在原资金来源下）", required=False)

    def __init__(self, *args, origins=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].choices = [("", "请选择")] + list(origins)
        self.fields["to_region"].choices = [("", "请选择")] + [(r.code, f"{r.name}（{r.code}）") for r in regions]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        kind, _, pk = data.pop("origin").partition(":")
        data["source" if kind == "s" else "parent"] = int(pk)
        return data


class FundingForm(forms.Form):
    allocation = forms.ChoiceField(label="资金下达")
    amount = forms.CharField(label="安排金额（元）", max_length=20, widget=DECIMAL)

    def __init__(self, *args, allocations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].choices = [("", "请选择")] + [
            (a.pk, f"{a.source.name} · 下达到{a.to_region.name} {a.allocated_on:%Y-%m-%d}，余额 {a.remaining:,.2f} 元")
            for a in allocations]


class BeneficiaryForm(forms.Form):
    household = forms.ChoiceField(label="受益户")
    standard_amount = forms.CharField(label="到户补助标准（元）", max_length=20, widget=DECIMAL)

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [("", "请选择")] + [(h.pk, f"{h.head_name}（{h.household_no}）")
                                                               for h in households]


class TargetResultForm(forms.Form):
    actual_value = forms.CharField(label="完成值", max_length=20, required=False, widget=DECIMAL)
    result = forms.CharField(label="完成情况", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


# --- Region funds page: sources and allocations ---------------------------------------------------

@login_required
@require_http_methods(METHODS)
def fund_source_new_view(request, code):
    user = request.user
    region = region_access(user, code)
    _need(user, FUND_MANAGERS, "登记资金来源")
    form = FundSourceForm(request.POST or None, initial={"year": today().year})
    if request.method == "POST" and form.is_valid():
        try:
            s = source_create(actor=user, data={**form.cleaned_data, "region": region.code})
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已登记资金来源：{s.year}年{s.name} {s.amount:,.2f} 元")
            return redirect(_funds_url(region.code, s.year))
    return render(request, "web/funds/entry_source.html", {"region": region, "form": form})


def _origins(user, region) -> list[tuple[str, str]]:
    """The money the region can pass down: its own sources and allocations made to it, with money left."""
    rows = []
    for s in sources_visible_to(user).filter(region_id=region.code).order_by("-year", "id")[:CHOICES_LIMIT]:
        left = source_remaining(s)
        if left > 0:
            rows.append((f"s:{s.pk}", f"资金来源：{s.year}年{s.name}，可下达 {left:,.2f} 元"))
    allocations = allocation_totals(allocations_visible_to(user).filter(to_region_id=region.code)) \
        .select_related("source").order_by("-year", "allocated_on", "id")[:CHOICES_LIMIT]
    for a in allocations:
        left = a.amount - a.passed_down - a.funded
        if left > 0:
            rows.append((f"a:{a.pk}", f"上级下达：{a.source.name} {a.allocated_on:%Y-%m-%d}，余额 {left:,.2f} 元"))
    return rows


@login_required
@require_http_methods(METHODS)
def allocation_new_view(request, code):
    user = request.user
    region = region_access(user, code)
    _need(user, FUND_MANAGERS, "下达资金")
    origins = _origins(user, region)
    regions = list(region_subtree(region, include_self=False).order_by("code")[:CHOICES_LIMIT])
    form = AllocationForm(request.POST or None, origins=origins, regions=regions,
                          initial={"allocated_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            a = allocation_create(actor=user, data=form.service_data())
        except ValidationError as exc:
            _service_errors_to_form(form, exc, field_map={"source": "origin", "parent": "origin"})
        else:
            messages.success(request, f"已下达 {a.amount:,.2f} 元到{a.to_region.name}")
            return redirect(_funds_url(region.code, a.year))
    return render(request, "web/funds/entry_allocation.html", {"region": region, "form": form,
                                                                "no_money": not origins})


# --- Project page: budget lines, beneficiaries, target results ------------------------------------

@login_required
@require_http_methods(METHODS)
def funding_new_view(request, pk):
    user = request.user
    project = project_access(user, pk)
    _need(user, FUND_MANAGERS, "安排项目资金")
    allocations = open_allocations_for(user, project)
    form = FundingForm(request.POST or None, allocations=allocations)
    if request.method == "POST" and form.is_valid():
        try:
            line = funding_add(actor=user, project_id=project.pk, allocation_id=int(form.cleaned_data["allocation"]),
                               amount=form.cleaned_data["amount"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已安排项目资金 {line.amount:,.2f} 元")
            return redirect("web:project", pk=project.pk)
    return render(request, "web/funds/entry_funding.html", {"project": project, "form": form,
                                                             "no_money": not allocations})


@login_required
@require_http_methods(METHODS)
def beneficiary_new_view(request, pk):
    user = request.user
    project = project_access(user, pk)
    _need(user, BENEFICIARY_EDITORS, "登记项目受益户")
    households = household_list(user, region_code=project.region_id)[:CHOICES_LIMIT]
    form = BeneficiaryForm(request.POST or None, households=households)
    if request.method == "POST" and form.is_valid():
        try:
            row = beneficiary_add(actor=user, project_id=project.pk, household_id=form.cleaned_data["household"],
                                  standard_amount=form.cleaned_data["standard_amount"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已添加受益户：{row.household.head_name}户")
            return redirect("web:project", pk=project.pk)
    return render(request, "web/funds/entry_beneficiary.html", {"project": project, "form": form})


@login_required
@require_http_methods(METHODS)
def target_result_view(request, pk, target_id):
    user = request.user
    project = project_access(user, pk)
    _need(user, RESULT_RECORDERS, "填写绩效目标完成情况")
    target = project.targets.filter(pk=target_id).first()
    if target is None:
        raise Http404("该绩效目标不属于这个项目")
    form = TargetResultForm(request.POST or None, initial={"actual_value": target.actual_value,
                                                           "result": target.result})
    if request.method == "POST" and form.is_valid():
        try:
            target_result(actor=user, target_id=target.pk, actual_value=form.cleaned_data["actual_value"] or None,
                          result=form.cleaned_data["result"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已填报绩效目标“{target.indicator}”的完成情况")
            return redirect("web:project", pk=project.pk)
    return render(request, "web/funds/entry_target.html", {"project": project, "target": target, "form": form})

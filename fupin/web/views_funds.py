"""Funds and projects on the web (扶贫资金和项目库): a region's funds (sources, allocations, rates by
child region, alerts), the project library, a project's page (timeline with the next step for the
right role, budget lines, beneficiaries, payments, trace) and the payment form.

Thin: regions and projects go through the scoped gates (404 outside scope), writes through
`fupin.funds.services*` (403 without the right, per-field Chinese errors next to the fields).

URL names: `web:region_funds`, `web:region_projects` (with a region code), `web:project`,
`web:disbursement_new`, `web:disbursement_trace`. The household page includes
`web/funds/_household_section.html` with `fupin.funds.selectors.household_funds_context`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fupin.accounts.masking import mask_value
from fupin.core.clock import today
from fupin.funds.choices import (
    BENEFICIARY_EDITORS,
    EDITABLE_STATUSES,
    FUND_MANAGERS,
    FUNDABLE_STATUSES,
    PAYABLE_STATUSES,
    PAYMENT_RECORDERS,
    RESULT_RECORDERS,
    RESULT_STATUSES,
    AlertKind,
    ProjectStatus,
    ProjectType,
)
from fupin.funds.selectors import (
    disbursement_access,
    fund_alerts,
    payable_fundings,
    project_access,
    project_detail,
    project_list,
    region_allocations,
    region_funds,
    trace,
)
from fupin.funds.services import disbursement_create
from fupin.funds.services_projects import may_transition, project_transition
from fupin.policy.selectors import PolicyMissing
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.selectors import household_list

from .params import YEAR_MAX, YEAR_MIN, date_param, year_param
from .views import _service_errors_to_form
from .views_funds_forms import DisbursementForm, TransitionForm

PER_PAGE = 50



@login_required
@require_safe
def region_funds_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = year_param(request)
    on = date_param(request, "on", fallback="已按今天统计预警")
    report = region_funds(user, region_code=region.code, year=year)
    try:
        alerts = fund_alerts(user, region_code=region.code, on=on)
    except PolicyMissing as exc:
        alerts = None
        messages.error(request, str(exc))
    return render(request, "web/funds/region_funds.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "year": year, "on": on, "report": report,
        "allocations": region_allocations(user, region_code=region.code, year=year)[:200],
        "alerts": alerts,
        "may_manage_funds": user.role in FUND_MANAGERS,
        "alert_counts": [(AlertKind(k).label, n) for k, n in alerts["counts"].items()] if alerts else [],
        "alert_page": Paginator(alerts["alerts"] if alerts else [], PER_PAGE).get_page(request.GET.get("page"))})


@login_required
@require_safe
def region_projects_view(request, code):
    user = request.user
    region = region_access(user, code)
    status = request.GET.get("status") if request.GET.get("status") in ProjectStatus.values else None
    ptype = request.GET.get("type") if request.GET.get("type") in ProjectType.values else None
    raw_year = request.GET.get("year", "").strip()
    year = int(raw_year) if raw_year.isdigit() and YEAR_MIN <= int(raw_year) <= YEAR_MAX else None
    qs = project_list(user, region_code=region.code, year=year, status=status, type=ptype,
                      q=(request.GET.get("q") or "").strip()[:50] or None)
    return render(request, "web/funds/project_list.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "page": Paginator(qs, PER_PAGE).get_page(
            request.GET.get("page")), "statuses": ProjectStatus.choices, "types": ProjectType.choices,
        "status": status, "type": ptype, "year": year, "q": request.GET.get("q", "")})


@login_required
@require_safe
def project_view(request, pk):
    user = request.user
    project = project_access(user, pk)
    detail = project_detail(user, project)
    nxt = may_transition(user, project)
    for d in detail.disbursements:
        d.payee_id_shown = mask_value("id_number", d.payee_id_number, user=user, in_list=True)
    return render(request, "web/funds/project_detail.html", {
        "project": project, "d": detail, "crumbs": breadcrumb_for(user, project.region),
        "next_status": nxt, "next_label": dict(ProjectStatus.choices).get(nxt),
        "transition_form": TransitionForm(initial={"to_status": nxt, "on": today()}) if nxt else None,
        "may_pay": user.role in PAYMENT_RECORDERS and project.status in PAYABLE_STATUSES,
        "may_fund": user.role in FUND_MANAGERS and project.status in FUNDABLE_STATUSES,
        "may_add_beneficiary": user.role in BENEFICIARY_EDITORS and project.status in EDITABLE_STATUSES,
        "may_record_result": user.role in RESULT_RECORDERS and project.status in RESULT_STATUSES,
        "statuses": ProjectStatus.choices})


@login_required
@require_POST
def project_transition_view(request, pk):
    project = project_access(request.user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            project_transition(actor=request.user, project_id=project.pk, to_status=form.cleaned_data["to_status"],
                               on=form.cleaned_data.get("on"), note=form.cleaned_data.get("note") or "")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"项目已{dict(ProjectStatus.choices)[form.cleaned_data['to_status']]}")
    else:
        messages.error(request, "请检查填写的日期")
    return redirect("web:project", pk=project.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def disbursement_new_view(request, pk):
    user = request.user
    project = project_access(user, pk)
    if user.role not in PAYMENT_RECORDERS:
        raise PermissionDenied("您的角色无权登记资金拨付")
    fundings = payable_fundings(project)
    households = household_list(user, region_code=project.region_id).order_by("household_no")[:500]
    form = DisbursementForm(request.POST or None, fundings=fundings, households=households,
                            initial={"paid_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            d = disbursement_create(actor=user, project_id=project.pk, data=form.service_data())
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已登记拨付：{d.payee_name} {d.amount:,.2f} 元")
            return redirect("web:project", pk=project.pk)
    return render(request, "web/funds/disbursement_form.html", {"project": project, "form": form})


@login_required
@require_safe
def disbursement_trace_view(request, pk):
    d = disbursement_access(request.user, pk)
    t = trace(d)
    t["disbursement"]["payee_id_shown"] = mask_value("id_number", d.payee_id_number, user=request.user,
                                                     in_list=False)
    return render(request, "web/funds/trace.html", {"t": t, "d": d})

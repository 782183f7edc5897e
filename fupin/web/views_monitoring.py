"""防止返贫监测 on the web: a region's monitoring page (counts by object type and state, the cases), the
risk screening (candidates with reasons, and the 纳入监测 form), a case's page (steps, measures, the
elimination assessment and the forms), and the form to file a marginal household.

Thin: reads through `fupin.monitoring.selectors` / `screening`, writes through
`fupin.monitoring.services` (per-field Chinese errors next to the fields).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from fupin.accounts.roles import Cap, role_has
from fupin.monitoring.choices import OPEN_STATES, CaseState, ObjectType, RiskType
from fupin.monitoring.elimination import assess_elimination
from fupin.monitoring.screening import screen_risks
from fupin.monitoring.selectors import case_access, case_counts, case_detail, case_list
from fupin.monitoring.services import (
    case_eliminate,
    case_eliminate_naturally,
    case_identify,
    marginal_household_file,
    measure_add,
)
from fupin.policy.selectors import PolicyMissing
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.choices import HouseholdStatus

from .params import year_param
from .views import _service_errors_to_form
from .views_monitoring_forms import (
    EliminateForm,
    IdentifyForm,
    MarginalForm,
    MeasureForm,
    NaturalForm,
    form_data,
)

ROWS_PER_PAGE = 50


@login_required
@require_safe
def region_monitoring_view(request, code):
    user = request.user
    region = region_access(user, code)
    state = request.GET.get("state") or ""
    if state and state != "open" and state not in CaseState.values:
        messages.warning(request, f"状态“{state[:20]}”无效，已显示全部")
        state = ""
    object_type = request.GET.get("object_type") or ""
    if object_type and object_type not in ObjectType.values:
        messages.warning(request, f"监测对象类别“{object_type[:20]}”无效，已显示全部")
        object_type = ""
    cases = case_list(user, region_code=region.code, state=state or None, object_type=object_type or None)
    return render(request, "web/monitoring/region_monitoring.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "counts": case_counts(user, region_code=region.code),
        "cases": Paginator(cases, ROWS_PER_PAGE).get_page(request.GET.get("page")), "state": state,
        "object_type": object_type, "states": CaseState.choices, "object_types": ObjectType.choices,
        "may_confirm": role_has(user.role, Cap.CONFIRM_MONITORING)})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def region_candidates_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = year_param(request, default=2020)
    may_confirm = role_has(user.role, Cap.CONFIRM_MONITORING)
    failed_form, failed_id = None, None
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied("您的角色无权识别纳入监测")
        form = IdentifyForm(request.POST)
        if form.is_valid():
            try:
                case = case_identify(actor=user, household_id=form.cleaned_data["household_id"],
                                     data={**form_data(form), "year": year})
            except ValidationError as exc:
                _service_errors_to_form(form, exc, {"household": None})
            else:
                messages.success(request, f"已纳入监测：{case.household}（{case.get_object_type_display()}）")
                return redirect("web:monitoring_case", pk=case.pk)
        failed_form, failed_id = form, request.POST.get("household_id")
    try:
        result = screen_risks(year=year, region_code=region.code, user=user)
    except PolicyMissing as exc:
        messages.error(request, str(exc))
        result = None
    rows = []
    for c in (result.candidates if result else []):
        d = c.as_dict()
        if may_confirm and c.household_id is not None:
            if failed_form is not None and str(c.household_id) == str(failed_id):
                d["form"] = failed_form
            else:
                d["form"] = IdentifyForm(initial={"household_id": c.household_id, "object_type": c.object_type,
                                                  "risk_types": c.risk_types}, auto_id=f"id_{c.household_id}_%s")
        rows.append(d)
    return render(request, "web/monitoring/candidates.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "year": year, "result": result,
        "rows": Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")), "may_confirm": may_confirm})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def marginal_file_view(request, code):
    user = request.user
    region = region_access(user, code)
    if not role_has(user.role, Cap.CONFIRM_MONITORING):
        raise PermissionDenied("您的角色无权识别纳入监测")
    form = MarginalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = marginal_household_file(
                actor=user,
                household={"household_no": d["household_no"], "village": d["village"], "head_name": d["head_name"],
                           "main_cause": d["main_cause"], "address": d["address"], "phone": d["phone"]},
                members=[{"name": d["head_name"], "id_number": d["id_number"], "relation": "head"}],
                data=form_data(form))
        except ValidationError as exc:
            _service_errors_to_form(form, exc, {"members": "id_number", "members[0].id_number": "id_number"})
        else:
            messages.success(request, f"已建档并纳入监测：{case.household}")
            return redirect("web:monitoring_case", pk=case.pk)
    return render(request, "web/monitoring/marginal_file.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "form": form})


def _assessment_form(request, case):
    """The elimination form, bound to the POST when eliminating, else to the query (a dry run)."""
    if request.method == "POST" and request.POST.get("action") == "eliminate":
        return EliminateForm(request.POST, prefix="e")
    if any(k.startswith("e-") for k in request.GET):
        return EliminateForm(request.GET, prefix="e")
    return EliminateForm(prefix="e")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_view(request, pk):
    user = request.user
    case = case_access(user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    may_confirm, may_edit = role_has(user.role, Cap.CONFIRM_MONITORING), role_has(user.role, Cap.EDIT_REGISTRY)
    if action == "measure" and not may_edit or action in ("eliminate", "natural") and not may_confirm:
        raise PermissionDenied("您的角色无权办理此项")
    measure_form = MeasureForm(request.POST if action == "measure" else None, prefix="m")
    eliminate_form = _assessment_form(request, case)
    natural_form = NaturalForm(request.POST if action == "natural" else None, prefix="n")
    forms_ = {"measure": measure_form, "eliminate": eliminate_form, "natural": natural_form}
    if action in forms_ and forms_[action].is_valid():
        form = forms_[action]
        try:
            if action == "measure":
                measure_add(actor=user, case_id=case.pk, data=form_data(form))
                done = "已录入帮扶措施"
            elif action == "eliminate":
                case_eliminate(actor=user, case_id=case.pk, data=form_data(form))
                done = "已标注风险消除"
            else:
                case_eliminate_naturally(actor=user, case_id=case.pk, data=form_data(form))
                done = "已自然消除"
        except ValidationError as exc:
            _service_errors_to_form(form, exc, {"elimination": None})
        else:
            messages.success(request, done)
            return redirect("web:monitoring_case", pk=case.pk)
    assessment = None
    if case.state in OPEN_STATES:
        data = form_data(eliminate_form) if eliminate_form.is_bound and eliminate_form.is_valid() else {}
        try:
            assessment = assess_elimination(case, data.get("on") or _today(), verified_income=data.get("verified_income"),
                                            expenditure_solved=data.get("expenditure_solved"),
                                            notice_from=data.get("notice_from"), notice_to=data.get("notice_to"))
        except PolicyMissing as exc:
            messages.error(request, str(exc))
    return render(request, "web/monitoring/case.html", {
        "case": case, "d": case_detail(user, case), "crumbs": breadcrumb_for(user, case.household.village),
        "assessment": assessment, "forms": forms_, "action": action, "is_open": case.state in OPEN_STATES,
        "may_confirm": may_confirm, "may_edit": may_edit,
        "risk_labels": [RiskType(r).label for r in case.risk_types if r in RiskType.values],
        "status_before_label": HouseholdStatus(case.status_before).label if case.status_before in HouseholdStatus.values
        else ""})


def _today():
    from fupin.core.clock import today

    return today()

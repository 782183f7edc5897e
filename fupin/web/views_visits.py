"""The visit log (走访记录) on the web: the cadre's phone-first home (我的帮扶户), recording a visit in
a few taps, a household's visit history, the photo, and compliance over a region.

Thin: households and visits go through the scoped gates (404 outside scope — a cadre cannot open
or record for another cadre's household), writes through `fupin.visits.services` (403 without the
right, per-field Chinese errors next to the fields), reads through `fupin.visits.selectors`.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fupin.accounts.masking import mask_value
from fupin.accounts.roles import Role
from fupin.core.clock import today
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.selectors import household_access
from fupin.visits.choices import DueState
from fupin.visits.compliance import RULE_TEXT
from fupin.visits.rules import CADRE, ON_BEHALF, may_edit, record_mode
from fupin.visits.selectors import (
    household_due,
    household_visits,
    my_households,
    visit_access,
    visit_compliance,
    visit_items,
)
from fupin.visits.services import visit_create, visit_follow_up_close, visit_update

from .params import date_param
from .views import _safe_next, _service_errors_to_form
from .views_visits_forms import FollowUpCloseForm, VisitEditForm, VisitForm

VISITS_PER_PAGE = 20
ROWS_PER_PAGE = 50


def _back(request, household_pk: int) -> str:
    """Where to go after recording: the cadre's list, else the household's visits."""
    target = _safe_next(request)
    if target:
        return target
    if request.user.role == Role.CADRE:
        return reverse("web:my_households")
    return reverse("web:household_visits", args=[household_pk])


def _household_head(user, household) -> dict:
    return {"household": household, "phone": mask_value("phone", household.phone, user=user, in_list=False)}


@login_required
@require_safe
def my_households_view(request):
    """我的帮扶户: overdue first, then due soon, then the rest; open follow-ups; one big button each."""
    data = my_households(request.user)
    return render(request, "web/visits/my_households.html", {
        **data, "states": DueState, "is_cadre": request.user.role == Role.CADRE})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def visit_new_view(request, pk):
    user = request.user
    household = household_access(user, pk)
    mode = record_mode(user, household)
    if mode is None:
        raise PermissionDenied("您的角色无权记录走访")
    form = VisitForm(request.POST or None, request.FILES or None, mode=mode)
    if request.method == "POST" and form.is_valid():
        try:
            visit = visit_create(actor=user, household_id=household.pk, data=form.service_data(),
                                 photo=form.cleaned_data.get("photo"))
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已记录 {household.head_name} 户 {visit.visited_on:%m月%d日} 的"
                                      f"{visit.get_kind_display()}")
            return redirect(_back(request, household.pk))
    return render(request, "web/visits/visit_form.html", {
        **_household_head(user, household), "form": form, "on_behalf": mode == ON_BEHALF,
        "due": household_due(user, household), "next": _safe_next(request) or ""})


@login_required
@require_safe
def household_visits_view(request, pk):
    user = request.user
    household = household_access(user, pk)
    page = Paginator(household_visits(user, household), VISITS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/visits/household_visits.html", {
        **_household_head(user, household), "page": page, "items": visit_items(user, page, household),
        "due": household_due(user, household), "can_record": record_mode(user, household) is not None,
        "crumbs": breadcrumb_for(user, household.village), "today": today()})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def visit_edit_view(request, pk):
    user = request.user
    visit = visit_access(user, pk)
    if not may_edit(user, visit):
        raise PermissionDenied("只有记录人可以修改这条走访记录")
    mode = CADRE if visit.recorded_by_id == visit.cadre_id else ON_BEHALF
    initial = {name: getattr(visit, name) for name in ("visited_on", "kind", "content", "problems", "follow_up",
                                                      "follow_up_due", "follow_up_done", "on_behalf_note")}
    form = VisitEditForm(request.POST or None, request.FILES or None, initial=initial, mode=mode,
                         has_photo=bool(visit.photo))
    if request.method == "POST" and form.is_valid():
        try:
            visit_update(actor=user, visit_id=visit.pk, changes=form.service_data(),
                         photo=form.cleaned_data.get("photo"), remove_photo=form.cleaned_data.get("remove_photo", False))
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, "已保存走访记录的修改")
            return redirect("web:household_visits", pk=visit.household_id)
    return render(request, "web/visits/visit_edit.html", {
        **_household_head(user, visit.household), "visit": visit, "form": form})


@login_required
@require_POST
def visit_follow_up_close_view(request, pk):
    visit = visit_access(request.user, pk)
    form = FollowUpCloseForm(request.POST)
    done_on = form.cleaned_data.get("done_on") if form.is_valid() else request.POST.get("done_on")
    try:
        visit_follow_up_close(actor=request.user, visit_id=visit.pk, done_on=done_on)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已办结跟进事项：{visit.follow_up}")
    return redirect(_safe_next(request) or reverse("web:household_visits", args=[visit.household_id]))


@login_required
@require_safe
def visit_photo_view(request, pk):
    visit = visit_access(request.user, pk)
    if not visit.photo:
        raise Http404("这条走访记录没有照片")
    try:
        handle = visit.photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("照片文件不存在") from None
    return FileResponse(handle, filename=visit.photo_name or "photo", content_type=visit.photo_type)


def _on(request) -> date:
    return date_param(request, "on", fallback="已按今天统计")


@login_required
@require_safe
def visit_compliance_view(request, code):
    """走访频次: per cadre, per village and the overdue list, for the households the user may see."""
    user = request.user
    region = region_access(user, code)
    on = _on(request)
    report = visit_compliance(user, region_code=region.code, on=on)
    return render(request, "web/visits/compliance.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "on": on, "report": report, "rule_text": RULE_TEXT,
        "cadres": Paginator(report.by_cadre, ROWS_PER_PAGE).get_page(request.GET.get("cpage")),
        "villages": Paginator(report.by_village, ROWS_PER_PAGE).get_page(request.GET.get("vpage")),
        "overdue": Paginator(report.overdue, ROWS_PER_PAGE).get_page(request.GET.get("page")),
    })

"""Public notices (公示公告) of the identification and exit procedures.

Inside (login): the notices of a region, publishing one for a village and step (choosing the cases
waiting there), a notice's page with its objections (record during the period, resolve) and
completing it after the period. Outside (no login): the public list and the printable notice,
which show only what the posted paper shows — names, masked ID numbers, group, household size,
per-capita income when the step prints it, the period and how to object.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fupin.accounts.masking import mask_value
from fupin.accounts.roles import Cap
from fupin.identification.choices import CaseState, Procedure, StepKind
from fupin.identification.selectors import (
    cases_waiting_at,
    notice_access,
    notice_entries,
    notice_list,
    notice_objections,
    objection_access,
    public_notice,
    public_notice_entries,
    public_notice_list,
    publishable_steps,
)
from fupin.identification.services_notices import (
    default_issuer,
    default_title,
    notice_complete,
    notice_publish,
    objection_file,
    objection_resolve,
)
from fupin.regions.codes import InvalidCode, Level, normalize_code
from fupin.regions.selectors import breadcrumb_for, region_access, region_ancestors, region_get

from .views import _service_errors_to_form
from .views_identification_forms import ActForm, NoticeForm, ObjectionForm, ResolveForm

NOTICES_PER_PAGE = 30


def _year(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


@login_required
@require_safe
def notices_view(request, code):
    user = request.user
    region = region_access(user, code)
    procedure = request.GET.get("procedure", "")
    procedure = procedure if procedure in Procedure.values else ""
    year = _year(request.GET.get("year"))
    page = Paginator(notice_list(user, region_code=region.code, procedure=procedure or None, year=year),
                     NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    waiting = publishable_steps(user, village_code=region.code) if region.level == Level.VILLAGE else []
    return render(request, "web/identification/notices.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "page": page, "procedure": procedure,
        "year": year or "", "procedure_choices": Procedure.choices,
        "waiting": [{**w, "may_publish": w["step"].role == user.role and user.can(Cap.EDIT_REGISTRY)}
                    for w in waiting],
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notice_new_view(request, code):
    """Publish a 公示 or 公告 for a village: ?procedure=&year=&step= name the step; the cases waiting
    there (not yet on a notice for it) are offered."""
    user = request.user
    region = region_access(user, code)
    if region.level != Level.VILLAGE:
        raise Http404("公示公告以行政村为单位发布")
    procedure = request.GET.get("procedure", "")
    year = _year(request.GET.get("year"))
    step_code = request.GET.get("step", "").strip()[:40]
    if procedure not in Procedure.values or year is None or not step_code:
        raise Http404("请从公示公告页选择要发布的步骤")
    cases = list(cases_waiting_at(user, village_code=region.code, procedure=procedure, year=year,
                                  step_code=step_code))
    step = cases[0].current_step_def if cases else None
    is_notice = step is None or step.kind == StepKind.NOTICE
    form = NoticeForm(request.POST or None, cases=cases, is_notice=is_notice,
                      initial={"case_ids": [str(c.pk) for c in cases]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = notice_publish(
                actor=user, village_code=region.code, procedure=procedure, year=year, step_code=step_code,
                case_ids=data["case_ids"], title=data["title"], issuer=data["issuer"],
                objection_contact=data.get("objection_contact", ""), note=data["note"],
                starts_on=data.get("starts_on"), on=data["on"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc, field_map={"step": None, "procedure": None})
        else:
            messages.success(request, f"已发布“{notice.title}”，共 {len(data['case_ids'])} 户")
            return redirect("web:notice", pk=notice.pk)
    return render(request, "web/identification/notice_new.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "form": form, "cases": cases, "step": step,
        "procedure_label": Procedure(procedure).label, "year": year, "is_notice": is_notice,
        "default_title": default_title(region, procedure=procedure, year=year, step_name=step.name) if step else "",
        "default_issuer": default_issuer(user),
    })


def _notice_context(request, notice, *, objection_form=None, resolve_forms=None) -> dict:
    user = request.user
    entries = list(notice_entries(user, notice))
    objections = list(notice_objections(user, notice))
    open_entries = [e for e in entries if e.case.state == CaseState.OPEN and e.case.current_step == notice.step_code]
    step = open_entries[0].case.current_step_def if open_entries else None
    editor = user.can(Cap.EDIT_REGISTRY)
    return {
        "notice": notice, "crumbs": breadcrumb_for(user, notice.village), "entries": entries,
        "objections": [{"o": o, "phone": mask_value("phone", o.phone, user=user, in_list=False),
                        "form": (resolve_forms or {}).get(o.pk) or ResolveForm(prefix=f"r{o.pk}")}
                       for o in objections],
        "objection_form": objection_form or ObjectionForm(entries=open_entries),
        "may_object": editor and notice.is_notice and bool(open_entries),
        "may_resolve": editor,
        "may_complete": notice.is_notice and step is not None and step.role == user.role and editor,
        "complete_form": ActForm(),
        "open_count": len(open_entries),
    }


@login_required
@require_safe
def notice_view(request, pk):
    notice = notice_access(request.user, pk)
    return render(request, "web/identification/notice_detail.html", _notice_context(request, notice))


@login_required
@require_POST
def objection_new_view(request, pk):
    user = request.user
    notice = notice_access(user, pk)
    entries = list(notice_entries(user, notice))
    form = ObjectionForm(request.POST, entries=entries)
    if form.is_valid():
        data = form.cleaned_data
        try:
            objection_file(actor=user, notice_id=notice.pk, case_id=int(data["case"]), content=data["content"],
                           filer_name=data["filer_name"], phone=data["phone"], on=data["on"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc, field_map={"notice": None})
        else:
            messages.success(request, "已登记异议，请及时核查处理；处理前该户不能办结公示")
            return redirect("web:notice", pk=notice.pk)
    return render(request, "web/identification/notice_detail.html",
                  _notice_context(request, notice, objection_form=form))


@login_required
@require_POST
def objection_resolve_view(request, pk):
    user = request.user
    objection = objection_access(user, pk)
    form = ResolveForm(request.POST, prefix=f"r{objection.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            objection_resolve(actor=user, objection_id=objection.pk, outcome=data["outcome"],
                              resolution=data["resolution"], on=data["on"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        else:
            messages.success(request, "已处理异议" + ("：异议成立，该户案件已终止" if data["outcome"] == "upheld" else ""))
            return redirect("web:notice", pk=objection.notice_id)
    notice = notice_access(user, objection.notice_id)
    return render(request, "web/identification/notice_detail.html",
                  _notice_context(request, notice, resolve_forms={objection.pk: form}))


@login_required
@require_POST
def notice_complete_view(request, pk):
    user = request.user
    notice = notice_access(user, pk)
    form = ActForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    try:
        result = notice_complete(actor=user, notice_id=notice.pk, on=on)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        text = f"公示期满，已办结 {len(result.completed)} 户"
        if result.pending:
            text += "；" + "、".join(f"{c.head_name}户有 {n} 条异议未处理" for c, n in result.pending)
        messages.success(request, text)
    return redirect("web:notice", pk=notice.pk)


# --- Public pages: no login, nothing but what the posted paper shows -----------------------------

def _public_region(raw):
    if not raw:
        return None, ""
    try:
        code = normalize_code(raw)
    except InvalidCode:
        return None, "区划代码无效"
    region = region_get(code)
    return region, "" if region else "区划不存在"


@require_safe
def public_notices_view(request):
    region, problem = _public_region(request.GET.get("region", "").strip()[:12])
    procedure = request.GET.get("procedure", "")
    procedure = procedure if procedure in Procedure.values else ""
    qs = public_notice_list(region_code=region.code if region else None, procedure=procedure or None)
    page = Paginator(qs, NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/identification/public_notices.html", {
        "page": page, "region": region, "problem": problem, "region_input": request.GET.get("region", "")[:12],
        "procedure": procedure, "procedure_choices": Procedure.choices})


@require_safe
def public_village_notices_view(request, code):
    try:
        region = region_get(normalize_code(code))
    except InvalidCode:
        region = None
    if region is None:
        raise Http404("区划不存在")
    page = Paginator(public_notice_list(region_code=region.code), NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/identification/public_notices.html", {
        "page": page, "region": region, "problem": "", "region_input": region.code, "procedure": "",
        "procedure_choices": Procedure.choices, "fixed_region": True})


@require_safe
def public_notice_view(request, pk):
    notice = public_notice(pk)
    shown = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
    place = "".join(r.name for r in region_ancestors(notice.village) if r.level in shown)
    return render(request, "web/identification/public_notice.html", {
        "notice": notice, "entries": list(public_notice_entries(notice)), "place": place})

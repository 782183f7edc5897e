"""Identification and exit cases (精准识别, 精准退出): list, new application, exit proposal, the case
page with its step timeline, and acting on the current step.

Thin: scope through the identification selectors (404 outside the user's region), rights and
rules in the services (403 for a role that may not act, ValidationError per field otherwise).
Personal fields are masked here before they reach a template.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fupin.accounts.masking import mask_value, may_see_personal
from fupin.accounts.roles import Cap
from fupin.core.clock import today
from fupin.identification.choices import STATE_CSS, CaseState, Procedure, StepKind
from fupin.identification.engine import load_steps
from fupin.identification.selectors import (
    attachment_access,
    case_access,
    case_list,
    case_notices,
    case_objections,
    case_step_counts,
    case_timeline,
)
from fupin.identification.services import case_act, exit_case_open, identification_case_open
from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import Level
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.choices import PovertyCause, Relation
from fupin.registry.selectors import household_access

from .views import _service_errors_to_form
from .views_identification_forms import ActForm, ApplicationForm, ExitCaseForm, MemberFormSet

CASES_PER_PAGE = 50


def _int(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


@login_required
@require_safe
def case_list_view(request, code):
    user = request.user
    region = region_access(user, code)
    procedure = request.GET.get("procedure", "")
    procedure = procedure if procedure in Procedure.values else ""
    state = request.GET.get("state", "")
    state = state if state in CaseState.values else ""
    step = request.GET.get("step", "").strip()[:40]
    year = _int(request.GET.get("year"))
    q = request.GET.get("q", "").strip()[:50]
    qs = case_list(user, region_code=region.code, procedure=procedure or None, state=state or None,
                   step=step or None, year=year, q=q or None)
    page = Paginator(qs, CASES_PER_PAGE).get_page(request.GET.get("page"))
    counts = _label_counts(case_step_counts(user, region_code=region.code, procedure=procedure or None, year=year),
                           region_code=region.code)
    return render(request, "web/identification/case_list.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "page": page,
        "rows": [{"c": c, "id_number": mask_value("id_number", c.id_number, user=user, in_list=True)} for c in page],
        "procedure": procedure, "state": state, "step": step, "year": year or "", "q": q,
        "procedure_choices": Procedure.choices, "state_choices": CaseState.choices,
        "counts": counts,
        "may_apply": region.level == Level.VILLAGE and user.can(Cap.EDIT_REGISTRY),
    })


def _label_counts(rows: list[dict], *, region_code: str) -> list[dict]:
    """Step names for the counts from the configuration in force (a code not in it shows as is)."""
    names: dict[tuple, dict] = {}
    for row in rows:
        key = (row["procedure"], row["year"])
        if key not in names:
            try:
                steps, _ = load_steps(row["procedure"], year=row["year"], region_code=region_code)
            except (PolicyMissing, ValidationError):
                steps = []
            names[key] = {s.code: s.name for s in steps}
        row.update(procedure_label=Procedure(row["procedure"]).label, state_label=CaseState(row["state"]).label,
                   state_css=STATE_CSS[row["state"]], step_name=names[key].get(row["current_step"], row["current_step"]))
    return rows


def _first_step_role_ok(user, procedure, *, year, region_code) -> bool:
    try:
        steps, _ = load_steps(procedure, year=year, region_code=region_code)
    except (PolicyMissing, ValidationError):
        return False
    return steps[0].role == user.role


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_new_view(request, code):
    """农户申请: a clerk of the village records an application with its members and income."""
    user = request.user
    region = region_access(user, code)
    if region.level != Level.VILLAGE:
        raise Http404("请在行政村下登记申请")
    form = ApplicationForm(request.POST or None)
    members = MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        data = form.service_data()
        data["members"] = [r for r in (f.row() for f in members.forms if f.is_valid()) if r]
        try:
            case = identification_case_open(actor=user, village_code=region.code, year=form.cleaned_data["year"],
                                            data=data, on=form.cleaned_data["on"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc, field_map={"members": None})
        else:
            messages.success(request, f"已登记 {case.head_name}户的申请（案件 #{case.pk}），"
                                      f"家庭人口 {case.household_size} 人，年人均纯收入 {case.per_capita_income} 元")
            return redirect("web:case", pk=case.pk)
    return render(request, "web/identification/case_new.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "form": form, "members": members,
        "income_fields": [form[name] for name in ("wage_income", "business_income", "business_cost",
                                                  "property_income", "transfer_income")],
        "may_apply": _first_step_role_ok(user, Procedure.IDENTIFICATION, year=today().year,
                                         region_code=region.code),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exit_case_new_view(request, pk):
    """Propose a household for exit (村两委提出); the household page links here."""
    user = request.user
    household = household_access(user, pk)
    form = ExitCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = exit_case_open(actor=user, household_id=household.pk, year=form.cleaned_data["year"],
                                  on=form.cleaned_data["on"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc, field_map={"household": None})
        else:
            messages.success(request, f"已提出 {household.head_name}户退出（案件 #{case.pk}）")
            return redirect("web:case", pk=case.pk)
    return render(request, "web/identification/exit_case_new.html", {
        "household": household, "crumbs": breadcrumb_for(user, household.village), "form": form,
        "may_propose": _first_step_role_ok(user, Procedure.EXIT, year=today().year,
                                           region_code=household.village_id),
    })


def _masked_members(case, user) -> list[dict]:
    full = may_see_personal(user, in_list=False)
    rows = []
    for m in case.members:
        rows.append({**m, "id_number": m.get("id_number") if full else mask_value("id_number", m.get("id_number"),
                                                                                    user=user, in_list=False),
                     "relation_label": Relation(m["relation"]).label if m.get("relation") in Relation.values else ""})
    return rows


def _case_context(request, case, act_form=None) -> dict:
    user = request.user
    step = case.current_step_def
    entries = list(case_notices(user, case))
    current_entry = next((e for e in entries if step and e.step_code == step.code), None)
    may_act = bool(step) and step.role == user.role and user.can(Cap.EDIT_REGISTRY)
    return {
        "case": case, "crumbs": breadcrumb_for(user, case.village), "crumb": f"案件 #{case.pk}", "step": step,
        "other_causes": [PovertyCause(c).label for c in case.other_causes if c in PovertyCause.values],
        "timeline": case_timeline(user, case), "entries": entries, "current_entry": current_entry,
        "objections": list(case_objections(user, case)),
        "id_number": mask_value("id_number", case.id_number, user=user, in_list=False),
        "phone": mask_value("phone", case.phone, user=user, in_list=False),
        "members": _masked_members(case, user),
        "may_act": may_act and step.kind != StepKind.ANNOUNCEMENT and not (step.kind == StepKind.NOTICE
                                                                             and current_entry is None),
        "may_publish": may_act and step.kind in (StepKind.NOTICE, StepKind.ANNOUNCEMENT) and current_entry is None,
        "act_form": act_form or ActForm(),
        "is_vote": step is not None and step.kind == StepKind.VOTE,
        "is_notice": step is not None and step.kind == StepKind.NOTICE,
        "takes_decision": step is not None and step.kind in (StepKind.ACTION, StepKind.EFFECT),
    }


@login_required
@require_safe
def case_view(request, pk):
    case = case_access(request.user, pk)
    return render(request, "web/identification/case_detail.html", _case_context(request, case))


@login_required
@require_POST
def case_act_view(request, pk):
    user = request.user
    case = case_access(user, pk)
    form = ActForm(request.POST)
    step_code = request.POST.get("step", "")
    if form.is_valid():
        data = form.cleaned_data
        votes = None
        if data["votes_for"] is not None or data["votes_against"] is not None:
            votes = {"for": data["votes_for"], "against": data["votes_against"], "abstain": data["votes_abstain"]}
        try:
            case_act(actor=user, case_id=case.pk, step_code=step_code, decision=data["decision"] or "",
                     comment=data["comment"], votes=votes, attachments=request.FILES.getlist("attachments"),
                     on=data["on"])
        except ValidationError as exc:
            _service_errors_to_form(form, exc, field_map={"step": None, "attachments": None})
        else:
            case.refresh_from_db()
            messages.success(request, _done_message(case))
            return redirect("web:case", pk=case.pk)
    case.refresh_from_db()
    return render(request, "web/identification/case_detail.html", _case_context(request, case, act_form=form))


def _done_message(case) -> str:
    if case.state == CaseState.REJECTED:
        return f"案件已终止：{case.end_reason}"
    if case.state == CaseState.COMPLETED:
        return "案件已办结" + ("，已建档立卡" if case.procedure == Procedure.IDENTIFICATION else "，已销号")
    return f"已办理，下一步：{case.current_step_name}"


@login_required
@require_safe
def attachment_view(request, pk):
    attachment = attachment_access(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)

"""问题台账 on the web: a region's ledger (statistics per child region and per source, finding-to-closure
time, filters, the list with overdue marked), the overdue list, one item (details, source inputs,
history, evidence, the action forms the user's role and the item's state allow), the evidence
download, and the button of the data-quality page that puts a finding on the ledger.

Thin: reads through `fupin.ledger.selectors`, writes through `fupin.ledger.services` (Chinese errors
shown next to the fields). Registering a new item: `views_ledger_forms.py`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fupin.accounts.roles import Cap, role_has
from fupin.core.clock import today
from fupin.ledger import services
from fupin.ledger.choices import ItemState, Source
from fupin.ledger.rules import ACTION_LABELS, OVERDUE_TEXT, TRANSITIONS, is_overdue
from fupin.ledger.selectors import (
    evidence_access,
    item_access,
    item_detail,
    item_list,
    ledger_stats,
    quality_ledger_map,
    responsible_candidates,
)
from fupin.policy.selectors import PolicyMissing
from fupin.regions.selectors import breadcrumb_for, region_access, region_get

from .params import date_param
from .views import _safe_next, _service_errors_to_form
from .views_ledger_forms import ACTION_FORMS, AssignForm, EvidenceForm

ROWS_PER_PAGE = 50


def _rows(items, on):
    return [{"item": i, "overdue": is_overdue(i.state, i.deadline, on),
             "overdue_days": (on - i.deadline).days} for i in items]


def _int(raw):
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@login_required
@require_safe
def region_ledger_view(request, code):
    """问题台账 over a region: statistics, filters and the list."""
    user = request.user
    region = region_access(user, code)
    on = date_param(request, "on", fallback="已按今天统计")
    f = {"state": request.GET.get("state", ""), "source": request.GET.get("source", ""),
         "overdue": request.GET.get("overdue") == "1", "due_soon": request.GET.get("due_soon") == "1"}
    if f["state"] not in ItemState.values:
        f["state"] = ""
    if f["source"] not in Source.values:
        f["source"] = ""
    try:
        stats = ledger_stats(user, region=region, on=on)
        items = item_list(user, region_code=region.code, on=on, household_id=_int(request.GET.get("household")),
                          responsible_id=_int(request.GET.get("responsible")), **f)
    except PolicyMissing as exc:
        return render(request, "web/ledger/region_ledger.html", {
            "region": region, "crumbs": breadcrumb_for(user, region), "on": on, "failure": str(exc)})
    page = Paginator(items, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/ledger/region_ledger.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "on": on, "today": today(), "stats": stats,
        "filters": f, "page": page, "rows": _rows(page.object_list, on), "states": ItemState.choices,
        "sources": Source.choices, "rule_text": OVERDUE_TEXT,
        "can_manage": role_has(user.role, Cap.MANAGE_LEDGER)})


@login_required
@require_safe
def region_ledger_overdue_view(request, code):
    """逾期问题清单 (the definition shown with it)."""
    user = request.user
    region = region_access(user, code)
    on = date_param(request, "on", fallback="已按今天统计")
    items = item_list(user, region_code=region.code, on=on, overdue=True)
    page = Paginator(items, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/ledger/overdue.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "on": on, "page": page,
        "rows": _rows(page.object_list, on), "rule_text": OVERDUE_TEXT})


def _act(user, item, action, form, files):
    d = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    kw = {"actor": user, "item_id": item.pk, "on": d.get("on")}
    if action == "assign":
        changes = {k: form.cleaned_data[k] for k in ("deadline", "measures", "responsible_name")
                   if form.cleaned_data.get(k) not in (None, "")}
        if "responsible" in form.cleaned_data and form.cleaned_data["responsible"] not in (None, ""):
            changes["responsible_id"] = form.cleaned_data["responsible"]
        services.item_update(**kw, note=d.get("note", ""), **changes)
        return "已修改责任人、时限或措施"
    if action == "start":
        services.item_start(**kw, measures=d.get("measures", ""), note=d.get("note", ""))
        return "已开始整改"
    if action == "evidence":
        rows = services.evidence_add(**kw, files=files, note=d.get("note", ""))
        return f"已上传 {len(rows)} 份整改佐证材料"
    if action == "submit":
        services.item_submit(**kw, note=d.get("note", ""), measures=d.get("measures"))
        return "已提交整改，等待核验"
    if action == "return":
        services.item_return(**kw, reason=d.get("reason", ""))
        return "已退回重新整改"
    if action == "verify":
        services.item_verify(**kw, note=d.get("note", ""))
        return "已核验通过，可以销号"
    if action == "close":
        services.item_close(**kw, note=d.get("note", ""))
        return "已销号"
    services.item_reopen(**kw, reason=d.get("reason", ""))
    return "已重新打开，回到整改中"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ledger_item_view(request, pk):
    """One item: details, source inputs, history, evidence and the forms for what the user may do."""
    user = request.user
    item = item_access(user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    detail = item_detail(user, item)
    if action is not None:
        if action not in ACTION_FORMS:
            raise Http404("未知的操作")
        if not role_has(user.role, TRANSITIONS[action][0]):
            raise PermissionDenied("您的角色无权执行此操作")
    candidates = responsible_candidates(user, region_code=item.region_code) if "assign" in detail["actions"] else []
    forms_ = {}
    for name, cls in ACTION_FORMS.items():
        data = request.POST if action == name else None
        files = request.FILES if action == name else None
        if cls is AssignForm:
            forms_[name] = cls(data, prefix=name, candidates=candidates, item=item)
        elif cls is EvidenceForm:
            forms_[name] = cls(data, files, prefix=name)
        else:
            forms_[name] = cls(data, prefix=name, item=item, action=name)
    action_error = ""
    if action is not None and forms_[action].is_valid():
        form = forms_[action]
        try:
            done = _act(user, item, action, form, request.FILES.getlist(f"{action}-files"))
        except ValidationError as exc:
            _service_errors_to_form(form, exc, field_map={"responsible_id": "responsible", "state": None})
        except PolicyMissing as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("web:ledger_item", pk=item.pk)
        item = item_access(user, pk)
        detail = item_detail(user, item)
        if action not in detail["actions"]:  # the form is not shown: say why at the top
            action_error = "；".join(e for errs in forms_[action].errors.values() for e in errs)
    region = region_get(item.region_code)
    return render(request, "web/ledger/item.html", {
        "item": item, "d": detail, "action": action, "action_error": action_error,
        "action_forms": [(name, ACTION_LABELS[name], forms_[name]) for name in detail["actions"]],
        "region": region, "crumbs": breadcrumb_for(user, region) if region else [],
        "inputs": sorted(detail["inputs"].items())})


@login_required
@require_safe
def ledger_evidence_view(request, pk):
    """Download an evidence file (scoped through its item)."""
    evidence = evidence_access(request.user, pk)
    try:
        handle = default_storage.open(evidence.stored_path, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("佐证材料文件不存在") from None
    return FileResponse(handle, as_attachment=True, filename=evidence.file_name, content_type=evidence.content_type)


@login_required
@require_POST
def ledger_from_quality_view(request, code):
    """列入问题台账 from the data-quality page: the finding is checked again, then registered."""
    user = request.user
    region = region_access(user, code)
    back = _safe_next(request) or reverse("web:quality", args=[region.code])
    try:
        item = services.item_from_quality_finding(
            actor=user, household_id=_int(request.POST.get("household_id")), rule_code=request.POST.get("rule", ""),
            year=_int(request.POST.get("year")) or today().year, member_id=_int(request.POST.get("member_id")))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    except PolicyMissing as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"已列入问题台账（编号 {item.pk}），整改时限 {item.deadline:%Y-%m-%d}")
    return redirect("web:ledger_item", pk=item.pk)


def quality_ledger_context(user, groups, *, year: int) -> dict:
    """For `web/quality.html` (village level): which findings are already on the ledger, and whether the
    user may put one there."""
    if not role_has(getattr(user, "role", ""), Cap.MANAGE_LEDGER):
        return {"ledger_map": {}, "can_ledger": False}
    findings = [f for g in groups for f in g["findings"]]
    return {"ledger_map": quality_ledger_map(user, findings, year=year), "can_ledger": True}

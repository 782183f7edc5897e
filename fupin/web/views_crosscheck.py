"""大数据比对 on the web: a region's cross-check page (rosters covering places in scope, the upload form
for users who may run cross-checks, suspects per rule), a roster's page (summary, first rows for
RUN_CROSSCHECK users, suspects) and the filterable suspect list with dismiss / 列入问题台账.

Thin: reads through `fupin.crosscheck.selectors`, writes through `fupin.crosscheck.services`.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from fupin.accounts.roles import Cap, role_has
from fupin.core.clock import today
from fupin.crosscheck.choices import DatasetKind, SuspectStatus
from fupin.crosscheck.rules import RULES
from fupin.crosscheck.selectors import (
    may_see_rows,
    roster_access,
    roster_data,
    roster_list,
    roster_rows,
    rule_counts,
    suspect_data,
    suspect_list,
)
from fupin.crosscheck.services import roster_load, suspect_dismiss, suspect_to_ledger
from fupin.regions.selectors import breadcrumb_for, region_access, region_get

from .views import _service_errors_to_form

ROWS_PER_PAGE = 50
DATE = forms.DateInput(attrs={"type": "date"})


class RosterUploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类别", choices=DatasetKind.choices)
    file = forms.FileField(label="数据文件", help_text="CSV（UTF-8 或 GBK）或 Excel（.xlsx），须有“证件号码”列；"
                                                       "可有“姓名”及部门自己的字段（如 死亡日期、车辆类型）")
    as_of = forms.DateField(label="数据截止日期", required=False, widget=DATE, help_text="默认今天")
    name = forms.CharField(label="数据集名称", max_length=200, required=False)
    department = forms.CharField(label="提供部门", max_length=100, required=False)


class SuspectFilterForm(forms.Form):
    rule = forms.ChoiceField(label="规则", required=False, choices=[("", "全部")] + [(r.code, r.title) for r in RULES])
    status = forms.ChoiceField(label="处理状态", required=False, choices=[("", "全部"), *SuspectStatus.choices])
    roster = forms.IntegerField(label="数据集 ID", required=False, min_value=1)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def region_crosscheck_view(request, code):
    user = request.user
    region = region_access(user, code)
    may_load = role_has(user.role, Cap.RUN_CROSSCHECK)
    form = None
    if request.method == "POST":
        if not may_load:
            raise PermissionDenied("您的角色无权导入比对数据")
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                roster = roster_load(actor=user, kind=d["kind"], region_code=region.code, file=d["file"],
                                     file_name=d["file"].name, as_of=d["as_of"] or today(), name=d["name"],
                                     department=d["department"])
            except ValidationError as exc:
                _service_errors_to_form(form, exc)
            else:
                s = roster.match_summary
                found = sum(v["found"] for v in s.get("rules", {}).values())
                messages.success(request, f"已导入 {roster.row_count} 行（空行 {s['load']['empty_rows']} 行），"
                                          f"发现疑点 {found} 条")
                return redirect("web:crosscheck_roster", pk=roster.pk)
    elif may_load:
        form = RosterUploadForm()
    rosters = Paginator(roster_list(user, region_code=region.code), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/crosscheck/region_crosscheck.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "form": form, "rosters": rosters,
        "counts": rule_counts(user, region_code=region.code)})


@login_required
@require_safe
def roster_view(request, pk):
    user = request.user
    roster = roster_access(user, pk)
    region = region_get(roster.region_code)
    suspects = Paginator(suspect_list(user, roster_id=roster.pk), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/crosscheck/roster.html", {
        "roster": roster, "r": roster_data(roster), "region": region, "crumbs": breadcrumb_for(user, region),
        "counts": [c for c in rule_counts(user, roster_id=roster.pk) if c["kind"] == roster.kind],
        "rows": roster_rows(user, roster, limit=20) if may_see_rows(user) else None,
        "suspects": [suspect_data(user, s) for s in suspects], "page": suspects})


def _act(request):
    """A POSTed dismiss / ledger action on one suspect; returns the error message or None."""
    user = request.user
    action, raw = request.POST.get("action"), request.POST.get("suspect", "")
    if action not in ("dismiss", "ledger") or not raw.isdigit():
        return "请求无效"
    try:
        if action == "dismiss":
            suspect_dismiss(actor=user, suspect_id=int(raw), reason=request.POST.get("reason", ""))
            messages.success(request, "已排除该疑点")
        else:
            _, item = suspect_to_ledger(actor=user, suspect_id=int(raw))
            messages.success(request, f"已列入问题台账（#{item.pk}）")
    except ValidationError as exc:
        return "；".join(exc.messages)
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def region_suspects_view(request, code):
    user = request.user
    region = region_access(user, code)
    if request.method == "POST":
        error = _act(request)
        if error:
            messages.error(request, error)
        return redirect(request.get_full_path())
    filters = SuspectFilterForm(request.GET or None)
    q = filters.cleaned_data if filters.is_valid() else {}
    qs = suspect_list(user, region_code=region.code, rule=q.get("rule") or None, status=q.get("status") or None,
                      roster_id=q.get("roster"))
    page = Paginator(qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/crosscheck/suspects.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "filters": filters, "page": page,
        "suspects": [suspect_data(user, s) for s in page],
        "may_dismiss": role_has(user.role, Cap.RUN_CROSSCHECK), "may_ledger": role_has(user.role, Cap.MANAGE_LEDGER)})

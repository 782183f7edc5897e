"""The policy table (政策参数) as it applies to a region and year, and a region's own values.

Policy values are public rules: anyone who may see the region reads them. Setting a region's own
value (a province raising its poverty line) needs the policy capability and the region in scope;
the rule checks (type, raise-only lines) are in `policy.services.policy_override`.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fupin.accounts.roles import Cap
from fupin.core.clock import today
from fupin.policy.defaults import KEY_LABELS
from fupin.policy.selectors import policy_overview
from fupin.policy.services import policy_override
from fupin.regions.selectors import breadcrumb_for, region_access

from .params import YEAR_MAX, YEAR_MIN
from .views import _service_errors_to_form


class PolicyOverrideForm(forms.Form):
    key = forms.ChoiceField(label="参数")
    year_from = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    year_to = forms.IntegerField(label="截止年度（可空）", min_value=2000, max_value=2100, required=False)
    value = forms.CharField(label="取值（数值，或 JSON 列表/对象）", widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label="依据（文件名称、文号）", max_length=200)

    def __init__(self, *args, keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(k, f"{KEY_LABELS.get(k, k)}（{k}）") for k in keys]


def _shown(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if isinstance(value, list | dict) else str(value)


def _year(request) -> int:
    """?year= (YEAR_MIN–YEAR_MAX); this year when absent, or when invalid with a warning saying so."""
    raw = request.GET.get("year", "").strip()
    if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    if raw:
        messages.warning(request, f"年度“{raw[:10]}”无效，已显示今年（应为 {YEAR_MIN}–{YEAR_MAX} 之间的整数）")
    return today().year


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def policy_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = _year(request)
    lines = policy_overview(region_code=region.code, year=year)
    may_set = user.can(Cap.MANAGE_POLICY)
    form = None
    if may_set:
        form = PolicyOverrideForm(request.POST or None, keys=[line.key for line in lines],
                                  initial={"year_from": year})
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied("您的角色无权设置政策参数")
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = policy_override(actor=user, key=data["key"], region_code=region.code,
                                      year_from=data["year_from"], year_to=data["year_to"],
                                      raw_value=data["value"], source=data["source"])
            except ValidationError as exc:
                _service_errors_to_form(form, exc)
            else:
                messages.success(request, f"已设置 {region.name} 的“{KEY_LABELS.get(row.key, row.key)}”："
                                          f"自 {row.year_from} 年起为 {_shown(row.value)}")
                return redirect(f"{request.path}?year={year}")
    rows = [{"key": line.key, "label": KEY_LABELS.get(line.key, line.key), "line": line,
             "value": _shown(line.effective.value) if line.effective else None,
             "structured": bool(line.effective) and isinstance(line.effective.value, list | dict),
             "history": [{"row": r, "value": f"{len(r.value)} 项" if isinstance(r.value, list | dict) else r.value}
                         for r in line.rows]} for line in lines]
    return render(request, "web/policy.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "year": year, "rows": rows, "form": form,
    })

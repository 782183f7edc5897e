"""Plans of a region (帮扶计划统计与检查) and the plan rules page (措施建议和矛盾规则).

Thin: the region goes through `region_access` (404 outside scope); statistics and findings come
from plans.selectors_region (403 for a cadre); rules from plans.rules (public like policy values),
changed through plans.services_rules by a system administrator with the policy capability.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from fupin.core import clock
from fupin.plans.choices import measure_label
from fupin.plans.facts import FACTS
from fupin.plans.rights import may_edit_rules
from fupin.plans.rules import rules_overview
from fupin.plans.rules.conditions import OPS, describe
from fupin.plans.selectors_region import plan_findings, plan_stats
from fupin.plans.services_rules import rule_save
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.quality.selectors import quality_default_year

from .views import _service_errors_to_form
from .views_plans_forms import RuleForm, rule_initial

YEAR_MIN, YEAR_MAX = 2000, 2100


def _year_param(request) -> int | None:
    raw = request.GET.get("year", "").strip()
    if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    if raw:
        messages.warning(request, f"年度“{raw[:10]}”无效，已显示默认年度")
    return None


@login_required
@require_safe
def region_plans_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = _year_param(request) or quality_default_year(user, region)
    stats = plan_stats(user, region_code=region.code, year=year)
    findings, findings_note = None, ""
    try:
        findings = plan_findings(user, region_code=region.code, year=year)
    except ValidationError as exc:
        findings_note = "；".join(exc.messages)
    return render(request, "web/plans/region.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "year": year, "stats": stats,
        "findings": findings, "findings_note": findings_note,
        "by_type": [r for r in stats["by_type"] if r["measures"] or r["cancelled"]],
    })


def _rule_region(request, user):
    raw = (request.GET.get("region") or "").strip()
    try:
        code = normalize_code(raw) if raw else user.region_id
    except InvalidCode as exc:
        messages.warning(request, str(exc))
        code = user.region_id
    return region_access(user, code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_rules_view(request):
    user = request.user
    region = _rule_region(request, user)
    year = _year_param(request) or clock.today().year
    lines = rules_overview(region_code=region.code, year=year)
    may_edit = may_edit_rules(user)
    form = None
    if may_edit:
        edit = next((line for line in lines if line.code == request.GET.get("edit")), None)
        initial = rule_initial(edit.effective or edit.rows[-1], year) if edit else {"year_from": year, "active": True}
        form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("只有有权维护政策参数的系统管理员可以修改帮扶措施规则")
        if form.is_valid():
            try:
                row, created = rule_save(actor=user, region_code=region.code, data=form.cleaned_data)
            except ValidationError as exc:
                _service_errors_to_form(form, exc)
            else:
                state = "启用" if row.active else "停用"
                messages.success(request, f"已{'新增' if created else '修改'} {region.name} 的规则 {row.code}"
                                          f"“{row.name}”（自 {row.year_from} 年起，{state}）")
                return redirect(f"{request.path}?region={region.code}&year={year}")
    rows = []
    for line in lines:
        row = line.effective or line.rows[-1]
        rows.append({"line": line, "row": row, "measure_label": measure_label(row.measure_type),
                     "condition_text": describe(row.condition), "in_force": line.effective is not None,
                     "condition_json": json.dumps(row.condition, ensure_ascii=False)})
    return render(request, "web/plans/rules.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "year": year, "rows": rows, "form": form,
        "facts": [(code, label) for code, (label, _) in FACTS.items()], "ops": OPS.items(),
    })

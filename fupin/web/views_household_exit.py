"""Household exit assessment pages (贫困户退出评估): a region's worklist and one household's detail.

Thin: the region goes through `region_access`, the household through `household_access` (404
outside the user's scope); the assessment through `exits.household` (the region list only over
the households the user may see). Only names and household numbers reach the templates.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fupin.core.clock import today
from fupin.exits.household import INDICATORS, assess_household, region_assessment
from fupin.policy.selectors import PolicyMissing
from fupin.regions.selectors import breadcrumb_for, region_access, region_subtree
from fupin.registry.quality.selectors import quality_default_year
from fupin.registry.selectors import household_access, household_years

YEAR_MIN, YEAR_MAX = 2000, 2100
PER_PAGE = 50

POLICY_LABELS = {
    "poverty_line": "扶贫标准（元/人·年）",
    "exit.compulsory_school_age_from": "义务教育适龄起始年龄",
    "exit.compulsory_school_age_to": "义务教育适龄截止年龄（含）",
    "exit.unsafe_danger_grades": "视为住房不安全的危房等级",
}
# Values an indicator used, in display order, with their Chinese names. Lists of members are
# shown as tables; codes that have a label beside them are skipped.
VALUE_LABELS = {
    "per_capita_income": "年人均纯收入（元）",
    "poverty_line": "扶贫标准（元/人·年）",
    "poverty_line_region": "标准适用区划",
    "poverty_line_year_from": "标准起始年度",
    "year_data": "有当年年度数据",
    "food_secure": "不愁吃",
    "clothing_secure": "不愁穿",
    "age_from": "适龄起始年龄",
    "age_to": "适龄截止年龄（含）",
    "reference_date": "年龄计算日",
    "danger_grade_label": "危房等级",
    "relocated": "易地扶贫搬迁",
    "unsafe_danger_grades": "视为不安全的等级",
    "drinking_water_safe": "饮水安全",
    "drinking_water_difficult": "饮水困难",
    "uninsured": "未参保成员",
    "missing_data": "缺少年度数据的成员",
}


def _text(value, names: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, str) and value in names:
        return f"{names[value]}（{value}）"
    return str(value)


def _facts(values: dict, names: dict[str, str]) -> list[tuple[str, str]]:
    return [(label, _text(values[key], names)) for key, label in VALUE_LABELS.items() if key in values]


def _year_param(request) -> int | None:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return None
    if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
        return int(raw)
    messages.warning(request, f"年度“{raw[:10]}”无效，已显示最近有数据的年度")
    return None


def _region_names(region, crumbs, codes) -> dict[str, str]:
    """Names of the regions policy rows sit on: ancestors from the breadcrumb, others in one query."""
    names = {r.code: r.name for r, _ in crumbs}
    rest = set(codes) - set(names)
    if rest:
        names |= dict(region_subtree(region).filter(code__in=rest).values_list("code", "name"))
    return names


def _policy_table(rows: list[dict], names: dict[str, str]) -> list[dict]:
    return [{**row, "label": POLICY_LABELS.get(row["key"], row["key"]), "value_text": _text(row["value"], {}),
             "region_name": names.get(row["region_code"], row["region_code"])} for row in rows]


@login_required
@require_safe
def region_exit_assessment_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = _year_param(request) or quality_default_year(user, region)
    failed_only = request.GET.get("failed") == "1"
    crumbs = breadcrumb_for(user, region)
    context = {"region": region, "crumbs": crumbs, "year": year, "failed_only": failed_only,
               "columns": [(c, short) for c, _, short in INDICATORS]}
    try:  # summary and policy rows by one aggregate query; only the page's households are read
        assessments = region_assessment(year=year, region_code=region.code, user=user)
        summary = assessments.summary()
    except PolicyMissing as exc:  # no standard for that year in the policy table
        return render(request, "web/household_exit/region.html", {**context, "failure": f"未能评估：{exc}"})
    listed = assessments.failed() if failed_only else assessments
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    policy = assessments.policy_rows()
    names = _region_names(region, crumbs, {a.village_code for a in page} | {p["region_code"] for p in policy})
    rows = [{"a": a, "village_name": names.get(a.village_code, a.village_code), "failed": a.failed()} for a in page]
    return render(request, "web/household_exit/region.html", {
        **context, "summary": summary, "page": page, "rows": rows, "policy": _policy_table(policy, names)})


@login_required
@require_safe
def household_exit_assessment_view(request, pk):
    user = request.user
    household = household_access(user, pk)
    years = sorted(set(household_years(user, household).values_list("year", flat=True)))
    year = _year_param(request) or (years[-1] if years else today().year - 1)
    crumbs = breadcrumb_for(user, household.village)
    context = {"household": household, "crumbs": crumbs, "year": year, "years": years}
    try:
        assessment = assess_household(household_id=household.pk, year=year)
    except PolicyMissing as exc:
        return render(request, "web/household_exit/household.html", {**context, "failure": f"未能评估：{exc}"})
    names = {r.code: r.name for r, _ in crumbs}
    indicators = [{"i": i, "facts": _facts(i.values, names), "children": i.values.get("children"),
                   "members": i.values.get("members")} for i in assessment.indicators]
    return render(request, "web/household_exit/household.html", {
        **context, "assessment": assessment, "indicators": indicators,
        "policy": _policy_table(assessment.policy, names)})

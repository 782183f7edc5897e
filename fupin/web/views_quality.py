"""Data-quality worklists (数据质量校验): per village the offending records, above a table per village.

Thin like views.py: the region goes through `region_access` (404 outside scope), the report
through `registry.quality.selectors` (the user's households only). Messages of findings never
contain a full ID number or phone (they are masked when the finding is made), so nothing
personal reaches the template beyond names, as in the household list.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import Level
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.quality import UnknownRule, ordered_rules, select_rules
from fupin.registry.quality.selectors import quality_breakdown, quality_default_year, quality_report
from fupin.web.views_ledger import quality_ledger_context

YEAR_MIN, YEAR_MAX = 2000, 2100


def _year(request, region) -> int:
    raw = request.GET.get("year", "").strip()
    if raw:
        if raw.isdigit() and YEAR_MIN <= int(raw) <= YEAR_MAX:
            return int(raw)
        messages.warning(request, f"年度“{raw[:10]}”无效，已显示最近有数据的年度")
    return quality_default_year(request.user, region)


def _rule(request):
    raw = request.GET.get("rule", "").strip()
    if not raw:
        return None
    try:
        return select_rules([raw])[0]
    except UnknownRule as exc:
        messages.warning(request, str(exc))
        return None


@login_required
@require_safe
def quality_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = _year(request, region)
    chosen = _rule(request)
    context = {"region": region, "crumbs": breadcrumb_for(user, region), "year": year, "chosen": chosen,
               "rules": ordered_rules()}
    try:
        report = quality_report(user, region, year=year)
    except PolicyMissing as exc:  # no thresholds for that year in the policy table
        return render(request, "web/quality.html", {**context, "report": None, "failure": f"未能校验：{exc}"})
    context |= {
        "report": report,
        "totals": report.totals,
        "rule_rows": report.rule_rows,
        "is_village": region.level == Level.VILLAGE,
    }
    if context["is_village"]:
        groups = report.by_household()
        if chosen is not None:
            groups = [{**g, "findings": [f for f in g["findings"] if f.code == chosen.code]} for g in groups]
            groups = [g for g in groups if g["findings"]]
        context["groups"] = groups
        context |= quality_ledger_context(user, groups, year=year)  # 列入问题台账 buttons / links
    else:
        found = [r for r in report.rules if report.counts[r.code]]
        if chosen is not None:
            found = [chosen]
        rows = quality_breakdown(report, region)
        index = {r.code: i for i, r in enumerate(report.rules)}
        context["columns"] = found
        context["units"] = [{**row, "cells": [(r, row["counts"][index[r.code]]) for r in found]} for row in rows]
        context["unit_label"] = "村" if region.level in (Level.TOWNSHIP, Level.COUNTY) else "下级区划"
    return render(request, "web/quality.html", context)

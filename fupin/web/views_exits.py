"""Village and county exit evaluation pages (贫困村出列、贫困县摘帽评估).

Thin: the region through `region_access` (404 outside scope), the evaluation through
`exits.selectors` (scoped reads; a cadre gets 403). The list shows each village or county with
pass/fail per criterion; the detail page shows one region's evidence table and the policy rows
behind every threshold. Both print cleanly (the site's print CSS hides navigation and forms).
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fupin.exits.region import LEVELS, EvaluationError
from fupin.exits.selectors import default_level, default_year, exit_evaluation, exit_evaluation_of
from fupin.policy.selectors import PolicyMissing
from fupin.regions.selectors import breadcrumb_for, region_access, region_get

from .params import year_param


def _year(request, region) -> int:
    return year_param(request, default=lambda: default_year(request.user, region), fallback="已显示最近有数据的年度")


def _level(request, region) -> str:
    raw = request.GET.get("level", "").strip()
    if raw in LEVELS:
        return raw
    if raw:
        messages.warning(request, f"评估级别“{raw[:20]}”无效，应为 village（贫困村出列）或 county（贫困县摘帽）")
    return default_level(region)


def _policy_rows(policies: list[dict]) -> list[dict]:
    """The policy rows with a readable value and the name of the region that set them."""
    names = {}
    for p in policies:
        if p["region_code"] not in names:
            found = region_get(p["region_code"])
            names[p["region_code"]] = found.name if found else ""
    rows = []
    for p in policies:
        value = p["value"]
        if isinstance(value, list):
            shown = "；".join(f"{item.get('label', item.get('field'))}（{item.get('field')} {item.get('op')} "
                             f"{json.dumps(item.get('value'), ensure_ascii=False)}）" if isinstance(item, dict)
                             else str(item) for item in value)
        else:
            shown = json.dumps(value, ensure_ascii=False)
        name = names[p["region_code"]]
        label = f"{name}（{p['region_code']}）" if name else p["region_code"]
        rows.append({**p, "display": shown, "region_label": label})
    return rows


def _rows(evaluation) -> list[dict]:
    columns = evaluation.columns
    return [{"result": r, "cells": [(label, r.criterion(code)) for code, label in columns],
             "incidence": r.criterion("incidence")} for r in evaluation.results]


@login_required
@require_safe
def exit_evaluation_view(request, code):
    user = request.user
    region = region_access(user, code)
    year, level = _year(request, region), _level(request, region)
    context = {"region": region, "crumbs": breadcrumb_for(user, region), "year": year, "level": level,
               "levels": LEVELS.items(), "level_label": LEVELS[level]}
    try:
        evaluation = exit_evaluation(user, region, level=level, year=year)
    except (EvaluationError, PolicyMissing) as exc:
        return render(request, "web/exits/evaluation.html", {**context, "failure": str(exc)})
    context |= {"evaluation": evaluation, "columns": evaluation.columns, "rows": _rows(evaluation),
                "summary": evaluation.summary}
    return render(request, "web/exits/evaluation.html", context)


@login_required
@require_safe
def exit_evaluation_detail_view(request, code):
    user = request.user
    region = region_access(user, code)
    year = _year(request, region)
    context = {"region": region, "crumbs": breadcrumb_for(user, region), "year": year}
    try:
        result = exit_evaluation_of(user, region, year=year)
    except (EvaluationError, PolicyMissing) as exc:
        return render(request, "web/exits/detail.html", {**context, "failure": str(exc)})
    context |= {"result": result, "level_label": LEVELS[result.level], "parent_code": region.parent_id,
                "policies": _policy_rows(result.policies)}
    return render(request, "web/exits/detail.html", context)

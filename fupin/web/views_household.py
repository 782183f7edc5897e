"""The household page (一户一网页) and the forms that edit a household and its yearly data.

The page follows the 扶贫手册: 家庭基本情况, 致贫原因, 帮扶责任人, (帮扶计划, 帮扶措施 and 项目资金
come with the helpers and funds apps), 帮扶成效; then the year comparison, status history and
audit history. Reads go through the scoped selectors (404 outside the user's scope), writes
through the registry services (403 without the right, ValidationError per field, frozen years
refused). Personal fields are masked here, before anything reaches a template. A fixed number of
queries whatever the number of members and years.
"""

import contextlib
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fupin.accounts.masking import PERSONAL_FIELDS, mask_value, may_see_personal
from fupin.accounts.roles import Cap, Role
from fupin.assets.selectors import household_assets_context
from fupin.audit.services import Action
from fupin.core.clock import today
from fupin.credit.selectors import household_credit_context
from fupin.crosscheck.selectors import household_crosscheck_context
from fupin.funds.selectors import household_funds_context
from fupin.ledger.selectors import household_ledger_context
from fupin.monitoring.selectors import household_monitoring_context
from fupin.plans.selectors import household_plan_context
from fupin.regions.selectors import breadcrumb_for
from fupin.registry.choices import PovertyCause
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear
from fupin.registry.selectors import (
    frozen_years,
    household_access,
    household_audit_events,
    household_members,
    household_years,
    households_visible_to,
    member_years,
)
from fupin.visits.selectors import household_visits_context

from .forms_household import (
    HOUSEHOLD_YEAR_FIELDSETS,
    INCOME_FIELDS,
    MEMBER_YEAR_FIELDSETS,
)
from .views_status import status_history_context

MIN_YEAR = 2000
EMPTY = "—"

# Household-year indicators in the order the comparison shows them.
HOUSEHOLD_COMPARE_FIELDS = ("status", *INCOME_FIELDS, "household_size", "net_income", "per_capita_income",
                            *[n for _, names in HOUSEHOLD_YEAR_FIELDSETS[1:] for n in names])
MEMBER_COMPARE_FIELDS = tuple(n for _, names in MEMBER_YEAR_FIELDSETS for n in names)
# Housing, living conditions and land carry over to a new year's form; incomes never do.
CARRY_OVER_FIELDS = tuple(n for _, names in HOUSEHOLD_YEAR_FIELDSETS[1:] for n in names)

AUDIT_MODELS = {"registry.household": Household, "registry.member": Member,
                "registry.householdyear": HouseholdYear, "registry.memberyear": MemberYear}
AUDIT_EXTRA_LABELS = {"reason": "原因", "source": "来源", "members": "家庭成员", "years": "年度数据",
                      "member_years": "成员年度数据", "status_events": "状态变更记录"}
AUDIT_SKIPPED = {"id", "created_at", "updated_at", "household_id", "member_id", "prev_hash", "hash"}


def max_year() -> int:
    return today().year + 1


def _year_param(raw) -> int | None:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return None
    return year if MIN_YEAR <= year <= max_year() else None


def _url_year(year: int) -> int:
    if not MIN_YEAR <= year <= max_year():
        raise Http404("年度无效")
    return year


# --- Display of stored values -----------------------------------------------------------------

def _choice_label(field: models.Field, value) -> str:
    if value is None or value == "":
        label = dict(field.flatchoices).get("", "") if field.choices else ""
        return str(label) if label else EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def show(obj, name: str) -> str:
    """A field of a row as the page shows it: choice labels, 是/否, money with two decimals."""
    return _choice_label(obj._meta.get_field(name), getattr(obj, name))


def _facts(obj, names) -> list[tuple[str, str]]:
    return [(str(obj._meta.get_field(n).verbose_name), show(obj, n)) for n in names]


def _changes(old, new, names, model) -> list[dict]:
    """Indicators whose value differs between two rows of the same kind (either may be None)."""
    rows = []
    for name in names:
        before = getattr(old, name) if old is not None else None
        after = getattr(new, name) if new is not None else None
        if before == after:
            continue
        field = model._meta.get_field(name)
        rows.append({"label": str(field.verbose_name),
                     "old": _choice_label(field, before) if old is not None else EMPTY,
                     "new": _choice_label(field, after) if new is not None else EMPTY})
    return rows


# --- Audit history ----------------------------------------------------------------------------

def _plain(value) -> str:
    """A value that is not a column (e.g. the members and years nested in an import's snapshot):
    nested records are counted, not printed — the page shows them in their own sections."""
    if value in (None, "", [], {}):
        return EMPTY
    if isinstance(value, list | tuple):
        if any(isinstance(v, list | tuple | dict) for v in value):
            return f"{len(value)} 条"
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return f"{len(value)} 项"
    return str(value)


def _mask_deep(data, *, user):
    """mask_dict, also inside nested records (an import's snapshot carries its members)."""
    if isinstance(data, dict):
        return {k: mask_value(k, v, user=user, in_list=False) if k in PERSONAL_FIELDS
                else _mask_deep(v, user=user) for k, v in data.items()}
    if isinstance(data, list):
        return [_mask_deep(v, user=user) for v in data]
    return data


def _audit_value(model, key: str, value) -> tuple[str, str]:
    try:
        field = model._meta.get_field(key[:-3] if key.endswith("_id") else key)
    except FieldDoesNotExist:
        field = None
    if field is None or not getattr(field, "concrete", False):  # not a column: reason, source, counts …
        return AUDIT_EXTRA_LABELS.get(key, key), _plain(value)
    if isinstance(value, list):  # other_causes
        labels = dict(PovertyCause.choices)
        return str(field.verbose_name), "、".join(str(labels.get(v, v)) for v in value) or EMPTY
    if isinstance(field, models.DecimalField) and isinstance(value, str | int | float) \
            and not isinstance(value, bool):
        with contextlib.suppress(ArithmeticError):
            value = Decimal(str(value))
    return str(field.verbose_name), _choice_label(field, value)


def _audit_pairs(model, data: dict | None, *, skip_empty: bool = False) -> list[tuple[str, str]]:
    """(label, shown value) pairs; a new record's snapshot leaves out its empty fields."""
    if not data:
        return []
    pairs = [_audit_value(model, k, v) for k, v in data.items() if k not in AUDIT_SKIPPED]
    return [p for p in pairs if p[1] != EMPTY] if skip_empty else pairs


def _audit_rows(user, events, *, household, members_by_id, hyears_by_id, myears_by_id) -> list[dict]:
    rows = []
    for e in events:
        model = AUDIT_MODELS.get(e.object_type, Household)
        oid = int(e.object_id) if e.object_id.isdigit() else None
        if e.object_type == "registry.member" and oid in members_by_id:
            what = f"成员 {members_by_id[oid].name}"
        elif e.object_type == "registry.householdyear" and oid in hyears_by_id:
            what = f"{hyears_by_id[oid].year} 年度户数据"
        elif e.object_type == "registry.memberyear" and oid in myears_by_id:
            my = myears_by_id[oid]
            member = members_by_id.get(my.member_id)
            what = f"{member.name if member else '成员'} {my.year} 年度数据"
        else:
            what = "户信息"
        rows.append({
            "e": e,
            "action": Action.LABELS.get(e.action, e.action),
            "what": what,
            # Detail page: masked as for the household's own fields.
            "before": _audit_pairs(model, _mask_deep(e.before, user=user)),
            "after": _audit_pairs(model, _mask_deep(e.after, user=user), skip_empty=e.action != Action.UPDATE),
        })
    return rows


# --- The household page -----------------------------------------------------------------------

INSURANCES = (("resident_medical_insurance", "居民医保"), ("employee_medical_insurance", "职工医保"),
              ("critical_illness_insurance", "大病保险"), ("resident_pension_insurance", "居民养老"))


# The income table of 帮扶成效: components, then the derived totals (shown in bold).
INCOME_COLUMNS = [(n, str(HouseholdYear._meta.get_field(n).verbose_name)) for n in (
    "wage_income", "business_income", "business_cost", "property_income", "transfer_income", "policy_subsidy",
    "net_income", "household_size", "per_capita_income", "status")]
INCOME_TOTALS = {"net_income", "per_capita_income"}


def member_indicators(my: MemberYear) -> dict:
    """A member's indicators for one year, condensed for the members table."""
    health = my.get_health_display()
    if my.disability_grade:
        health += f"（{my.get_disability_grade_display()}）"
    school = my.get_school_status_display()
    if my.dropout:
        school += "，失学辍学" + (f"：{my.dropout_reason}" if my.dropout_reason else "")
    if my.migrant_worker:
        work = "、".join(p for p in (f"{my.work_months} 个月" if my.work_months else "", my.work_place,
                                     f"月收入 {my.work_monthly_income:,.0f} 元" if my.work_monthly_income else "") if p)
        work = work or "是"
    else:
        work = "否"
    support = "、".join(label for flag, label in ((my.on_low_income_support, "低保"),
                                                  (my.on_destitute_support, "特困供养")) if flag)
    return {
        "education": show(my, "education"),
        "school": school,
        "health": health,
        "labour": show(my, "labour_capacity") + (f"（{my.get_labour_skill_display()}）" if my.labour_skill else ""),
        "work": work,
        "support": support or EMPTY,
        "insurance": "、".join(label for name, label in INSURANCES if getattr(my, name)) or "未参保",
        "note": my.note or EMPTY,
    }


def _income_chart(hyears) -> dict:
    """Data for the stacked income chart (passed to the page with json_script)."""
    def series(name, values):
        return {"name": name, "data": [float(v) for v in values]}

    return {
        "years": [str(hy.year) for hy in hyears],
        "series": [
            series("工资性收入", [hy.wage_income for hy in hyears]),
            series("生产经营性净收入", [hy.business_income - hy.business_cost for hy in hyears]),
            series("财产性收入", [hy.property_income for hy in hyears]),
            series("转移性收入", [hy.transfer_income for hy in hyears]),
        ],
        "per_capita": series("年人均纯收入", [hy.per_capita_income for hy in hyears]),
    }


def _quality_findings(user, household, year: int) -> tuple[list, str]:
    """The data-quality rules (fupin.registry.quality) for this household and year, and why they
    could not run if so. Another household sharing an ID number is named only if the user may
    see it (`visible`)."""
    from fupin.policy.selectors import PolicyMissing
    from fupin.registry.quality import check_household

    try:
        return list(check_household(household, year=year, visible=households_visible_to(user))), ""
    except PolicyMissing as exc:  # no thresholds for that year in the policy table
        return [], f"未能进行数据质量校验：{exc}"


@login_required
@require_safe
def household_view(request, pk):
    user = request.user
    household = household_access(user, pk)
    members = list(household_members(user, household))
    hyears = list(household_years(user, household))
    myears = list(member_years(user, household))
    frozen = frozen_years(household.village_id)

    hy_by_year = {hy.year: hy for hy in hyears}
    my_by_key = {(my.member_id, my.year): my for my in myears}
    years = sorted({*hy_by_year, *(my.year for my in myears)})
    year = _year_param(request.GET.get("year"))
    if year is None:
        year = years[-1] if years else today().year
    compare = _year_param(request.GET.get("compare"))
    if compare == year:
        compare = None
    hy = hy_by_year.get(year)
    may_edit = user.can(Cap.EDIT_REGISTRY)
    year_frozen = year in frozen
    may_edit_year = may_edit and not year_frozen

    member_rows = []
    for m in members:
        my = my_by_key.get((m.pk, year))
        left = m.left_on is not None
        member_rows.append({
            "m": m,
            "my": my,
            "ind": member_indicators(my) if my else None,
            "left": left,
            "id_number": mask_value("id_number", m.id_number, user=user, in_list=False),
            "phone": mask_value("phone", m.phone, user=user, in_list=False),
            # A member who left before the year has no data to enter for it.
            "may_edit": may_edit_year and (my is not None or not left or m.left_on.year >= year),
        })
    current_members = sum(1 for r in member_rows if not r["left"])

    comparison = None
    if compare is not None:
        old, new = (compare, year) if compare < year else (year, compare)
        member_changes = []
        for m in members:
            a, b = my_by_key.get((m.pk, old)), my_by_key.get((m.pk, new))
            if a is None and b is None:
                continue
            note = f"仅 {new} 年有记录" if a is None else (f"仅 {old} 年有记录" if b is None else "")
            changes = _changes(a, b, MEMBER_COMPARE_FIELDS, MemberYear)
            if changes or note:
                member_changes.append({"m": m, "note": note, "changes": changes})
        comparison = {
            "old": old, "new": new,
            "old_missing": old not in hy_by_year, "new_missing": new not in hy_by_year,
            "household": _changes(hy_by_year.get(old), hy_by_year.get(new), HOUSEHOLD_COMPARE_FIELDS, HouseholdYear),
            "members": member_changes,
        }

    # The quality rules judge a year's data; a year without any has nothing to check.
    findings, quality_note = _quality_findings(user, household, year) if year in years else ([], "")

    # Editors may also open the last two calendar years to enter a new year's data.
    this_year = today().year
    offered = {*years, year, *((this_year - 1, this_year) if may_edit else ())}
    year_choices = [{"year": y, "frozen": y in frozen, "has_data": y in years} for y in sorted(offered, reverse=True)]

    events = list(household_audit_events(
        user, household, member_ids=[m.pk for m in members], household_year_ids=[h.pk for h in hyears],
        member_year_ids=[my.pk for my in myears]))
    causes = dict(PovertyCause.choices)
    helper = household.helper
    return render(request, "web/household/page.html", {
        **household_visits_context(user, household),
        "plan_context": household_plan_context(user, household, year),
        **household_credit_context(user, household),
        **household_funds_context(user, household),
        **household_assets_context(user, household),
        **household_monitoring_context(user, household),
        **household_ledger_context(user, household),
        **household_crosscheck_context(user, household),
        "household": household,
        "crumbs": breadcrumb_for(user, household.village),
        "phone": mask_value("phone", household.phone, user=user, in_list=False),
        "bank_account": mask_value("bank_account", household.bank_account, user=user, in_list=False),
        "masked": not may_see_personal(user, in_list=False),
        "other_causes": [causes.get(c, c) for c in household.other_causes or []],
        "members": member_rows,
        "current_members": current_members,
        "helper": helper,
        "helper_role": Role.LABELS.get(helper.role, "") if helper else "",
        "helper_phone": mask_value("phone", helper.phone, user=user, in_list=False) if helper else "",
        "may_edit": may_edit,
        "may_edit_year": may_edit_year,
        "year": year,
        "years": year_choices,
        "year_frozen": year_frozen,
        "compare": compare,
        "comparison": comparison,
        "hy": hy,
        "housing": _facts(hy, HOUSEHOLD_YEAR_FIELDSETS[1][1]) if hy else [],
        "conditions": _facts(hy, HOUSEHOLD_YEAR_FIELDSETS[2][1]) if hy else [],
        "land": _facts(hy, HOUSEHOLD_YEAR_FIELDSETS[3][1]) if hy else [],
        "income_columns": INCOME_COLUMNS,
        "income_rows": [{"hy": h, "frozen": h.year in frozen, "selected": h.year == year,
                         "cells": [(label, show(h, name), name in INCOME_TOTALS) for name, label in INCOME_COLUMNS]}
                        for h in hyears],
        "chart": _income_chart(hyears) if hyears else None,
        **status_history_context(user, household),  # kind, effective date, reason, actor; 清退 form
        "findings": findings,
        "quality_note": quality_note,
        "audit_rows": _audit_rows(user, events, household=household, members_by_id={m.pk: m for m in members},
                                  hyears_by_id={h.pk: h for h in hyears}, myears_by_id={my.pk: my for my in myears}),
    })

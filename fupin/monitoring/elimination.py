"""Risk elimination assessment (风险消除审核): may a monitored household's risk be marked eliminated?

A case may be closed as 风险已消除 on a day when (DOMAIN §Monitoring):
- 监测时间: at least `monitoring.min_months_before_elimination` months have passed since
  identification (the day the months are complete counts: identified 1 March, six months are
  complete on 1 September);
- 收入稳定: per-capita income of the latest year with data is at or above `monitoring_line`, and so
  is the verified per-capita income over the last 12 months (入户核实, an input of the elimination);
- 刚性支出: the rigid expenditure has been solved (an input of the elimination);
- 三保障 and 饮水安全: the education, medical, housing and water indicators of the household for
  the latest year (`fupin.exits.household`);
- 帮扶措施: at least one measure applied;
- 劳动力: at least one present member able to work (普通、技能、弱或半劳动力) in the latest year's
  data. A household with no labour is never marked eliminated: it stays monitored (兜底保障);
- 民主评议公示 (when its dates are given; required to eliminate): the village notice lasted at least
  `monitoring.notice_days` days, started on or after identification and ended on or before the
  elimination date (`notice.notice_check`).

The assessment reads; it writes nothing. Each indicator has `passed`, a Chinese `reason` and its
`inputs`.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from fupin.exits.household import assess_household
from fupin.policy.selectors import resolve_many
from fupin.registry.choices import HouseholdStatus, LabourCapacity
from fupin.registry.models import HouseholdYear, Member, MemberYear
from fupin.registry.selectors_status import OUT_OF_REGISTRY, present_members

from .models import MonitoringCase
from .notice import FROM_LABEL, NOTICE_KEY, TO_LABEL, notice_check, notice_text

WORKING = (LabourCapacity.ORDINARY, LabourCapacity.SKILLED, LabourCapacity.WEAK)
SECURITY = ("education", "medical", "housing", "water")
LABELS = {
    "months": "纳入监测时间满足要求",
    "income": "收入稳定超过监测范围",
    "expenditure": "刚性支出问题已解决",
    "education": "义务教育有保障",
    "medical": "基本医疗有保障",
    "housing": "住房安全有保障",
    "water": "饮水安全有保障",
    "measures": "已落实帮扶措施",
    "labour": "家庭有劳动能力",
    "notice": "民主评议公示期满",
}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _indicator(code: str, passed: bool, reason: str, **inputs) -> dict:
    return {"code": code, "label": LABELS[code], "passed": bool(passed), "reason": reason, "inputs": inputs}


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def parse_money(value, *, label: str) -> Decimal | None:
    from django.core.exceptions import ValidationError

    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(f"{label}“{value}”不是有效的金额") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(f"{label}不能为负数")
    return amount.quantize(Decimal("0.01"))


def _notice_indicator(case: MonitoringCase, on: date, notice_from: date | None, notice_to: date | None,
                      required) -> dict:
    missing = [label for label, day in ((FROM_LABEL, notice_from), (TO_LABEL, notice_to)) if day is None]
    if missing:
        return _indicator("notice", False, f"未填写{'、'.join(missing)}",
                          notice_from=notice_from.isoformat() if notice_from else None,
                          notice_to=notice_to.isoformat() if notice_to else None,
                          problems={n: [f"{lab}不能为空"] for n, lab, d in (("notice_from", FROM_LABEL, notice_from),
                                                                       ("notice_to", TO_LABEL, notice_to)) if d is None},
                          policy=required.explain())
    problems, inputs = notice_check(notice_from, notice_to, village_code=case.village_code, year=on.year, ends_by=on,
                                    ends_label="消除日期", starts_from=case.identified_on,
                                    starts_label="识别监测时间", required=required)
    reason = "；".join(m for msgs in problems.values() for m in msgs) or notice_text(inputs)
    return _indicator("notice", not problems, reason, problems=problems, **inputs)


def assess_elimination(case: MonitoringCase, on: date, *, verified_income: Decimal | None = None,
                       expenditure_solved: bool | None = None, notice_from: date | None = None,
                       notice_to: date | None = None) -> dict:
    """Each elimination condition on `on` as an indicator (passed, reason, inputs); `passed` when all pass.

    `verified_income` is the per-capita income verified over the 12 months before `on`;
    `expenditure_solved` whether the rigid expenditure has been solved (both from the visit);
    `notice_from`/`notice_to` the village notice (民主评议公示), assessed when either is given."""
    household = case.household
    with_notice = notice_from is not None or notice_to is not None
    keys = ["monitoring.min_months_before_elimination", *([NOTICE_KEY] if with_notice else [])]
    resolved = resolve_many(keys, year=on.year, region_code=case.village_code)
    min_months = resolved["monitoring.min_months_before_elimination"]
    indicators = []
    due = add_months(case.identified_on, int(min_months.value))
    indicators.append(_indicator(
        "months", on >= due,
        f"{case.identified_on:%Y-%m-%d} 纳入监测，{'已' if on >= due else '未'}满 {min_months.value} 个月"
        f"（满期日 {due:%Y-%m-%d}，审核日 {on:%Y-%m-%d}）",
        identified_on=case.identified_on.isoformat(), on=on.isoformat(), due_on=due.isoformat(),
        policy=[min_months.explain()]))
    hy = (HouseholdYear.objects.filter(household_id=household.pk, year__lte=on.year)
          .order_by("-year").values("year", "per_capita_income").first())
    data_year = hy["year"] if hy else on.year
    line = resolve_many(["monitoring_line"], year=data_year, region_code=case.village_code)["monitoring_line"]
    line_v = Decimal(str(line.value))
    problems = []
    if hy is None:
        problems.append(f"{on.year}年及以前没有年度收入数据")
    elif hy["per_capita_income"] < line_v:
        problems.append(f"{hy['year']}年人均纯收入 {_money(hy['per_capita_income'])} 元，低于监测范围 {line.value} 元")
    if verified_income is None:
        problems.append("未填写近12个月核实的人均纯收入")
    elif verified_income < line_v:
        problems.append(f"近12个月核实人均纯收入 {_money(verified_income)} 元，低于监测范围 {line.value} 元")
    ok_text = (f"{hy['year']}年人均纯收入 {_money(hy['per_capita_income'])} 元、近12个月核实人均纯收入 "
               f"{_money(verified_income)} 元，均不低于监测范围 {line.value} 元") if not problems else ""
    indicators.append(_indicator(
        "income", not problems, "；".join(problems) or ok_text, data_year=hy["year"] if hy else None,
        per_capita_income=_money(hy["per_capita_income"]) if hy else None,
        verified_income=_money(verified_income) if verified_income is not None else None, policy=[line.explain()]))
    indicators.append(_indicator(
        "expenditure", expenditure_solved is True,
        "刚性支出问题已解决" if expenditure_solved else ("刚性支出问题未解决" if expenditure_solved is False
                                                 else "未填写刚性支出问题是否已解决"),
        expenditure_solved=expenditure_solved))
    exit_assessment = assess_household(household_id=household.pk, year=data_year)
    for code in SECURITY:
        i = exit_assessment.indicator(code)
        indicators.append(_indicator(code, i.passed, i.reason, year=data_year, **i.values))
    measures = list(case.measures.values_list("measure_type", flat=True)) if case.pk else []
    indicators.append(_indicator("measures", bool(measures),
                                 f"已落实 {len(measures)} 项帮扶措施" if measures else "尚未落实任何帮扶措施",
                                 measures=len(measures)))
    present = Member.objects.filter(present_members(on), household_id=household.pk)
    rows = list(MemberYear.objects.filter(member__in=present, year=data_year)
                .values("member_id", "member__name", "labour_capacity").order_by("member_id"))
    able = [r["member__name"] for r in rows if r["labour_capacity"] in WORKING]
    present_count = present.count()
    if able:
        reason = f"有劳动能力的成员：{'、'.join(able)}"
    elif present_count == 0:
        reason = "该户已无在册成员"
    else:
        reason = f"{present_count} 名在册成员均无劳动能力（{data_year}年数据），应继续监测并落实兜底保障，不能标注风险消除"
    indicators.append(_indicator("labour", bool(able), reason, year=data_year, present_members=present_count,
                                 able_members=able))
    policy = [min_months.explain(), line.explain(), *exit_assessment.policy]
    if with_notice:
        indicators.append(_notice_indicator(case, on, notice_from, notice_to, resolved[NOTICE_KEY]))
        policy.append(resolved[NOTICE_KEY].explain())
    passed = all(i["passed"] for i in indicators)
    return {"case_id": case.pk, "household_id": household.pk, "on": on.isoformat(), "data_year": data_year,
            "passed": passed, "failed_labels": [i["label"] for i in indicators if not i["passed"]],
            "indicators": indicators, "policy": policy}


def natural_elimination_check(case: MonitoringCase, on: date) -> tuple[bool, str, dict]:
    """自然消除 applies only when the household has no present member on `on` or is 已销户."""
    household = case.household
    present = Member.objects.filter(present_members(on), household_id=household.pk).count()
    inputs = {"present_members": present, "household_status": household.status, "on": on.isoformat()}
    if household.status == HouseholdStatus.CANCELLED:
        return True, "该户已销户", inputs
    if present == 0:
        return True, f"{on:%Y-%m-%d} 该户已无在册成员", inputs
    if household.status in OUT_OF_REGISTRY:
        return False, f"该户{household.get_status_display()}", inputs
    return False, f"{on:%Y-%m-%d} 该户仍有 {present} 名在册成员，不能自然消除（应按风险消除程序办理）", inputs


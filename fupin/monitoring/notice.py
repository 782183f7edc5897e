"""The village notice period (村内公示) of identification (纳入监测) and risk elimination (风险消除).

DOMAIN §Monitoring: the notice lasts at least `monitoring.notice_days` days (counted inclusively:
1st–5th is 5 days), and the confirmation follows it — the notice ends on or before the
identification / elimination date. An identification notice starts on or after the discovery date;
an elimination notice on or after the identification date.

`notice_check` reads the policy and writes nothing; it returns the problems per field (empty when
the notice is in order) and the inputs to store (the period, its length, the policy row).
"""

from __future__ import annotations

from datetime import date

from fupin.policy.selectors import Resolved, resolve

NOTICE_KEY = "monitoring.notice_days"
FROM_LABEL = "公示开始日期"
TO_LABEL = "公示结束日期"


def notice_days(notice_from: date, notice_to: date) -> int:
    """Days of the period, both ends included."""
    return (notice_to - notice_from).days + 1


def notice_check(notice_from: date, notice_to: date, *, village_code: str, year: int, ends_by: date, ends_label: str,
                 starts_from: date, starts_label: str, required: Resolved | None = None) -> tuple[dict, dict]:
    """(problems {field: [message]}, inputs) of the notice period against the rules above.

    `ends_by`/`ends_label`: the identification or elimination date the notice must end on or before;
    `starts_from`/`starts_label`: the date it must start on or after. `required`: the resolved
    `monitoring.notice_days` when the caller has it already."""
    required = required or resolve(NOTICE_KEY, year=year, region_code=village_code)
    need = int(required.value)
    days = notice_days(notice_from, notice_to)
    period = f"{notice_from:%Y-%m-%d} 至 {notice_to:%Y-%m-%d}"
    problems: dict[str, list[str]] = {}
    if notice_to < notice_from:
        problems.setdefault("notice_to", []).append(
            f"{TO_LABEL}（{notice_to:%Y-%m-%d}）不能早于{FROM_LABEL}（{notice_from:%Y-%m-%d}）")
    elif days < need:
        problems.setdefault("notice_to", []).append(f"公示期 {period} 共 {days} 天，少于规定的 {need} 天")
    if notice_to > ends_by:
        problems.setdefault("notice_to", []).append(
            f"{TO_LABEL}（{notice_to:%Y-%m-%d}）不能晚于{ends_label}（{ends_by:%Y-%m-%d}）：公示期满后才能审核确认")
    if notice_from < starts_from:
        problems.setdefault("notice_from", []).append(
            f"{FROM_LABEL}（{notice_from:%Y-%m-%d}）不能早于{starts_label}（{starts_from:%Y-%m-%d}）")
    inputs = {"notice_from": notice_from.isoformat(), "notice_to": notice_to.isoformat(),
              "notice_days": days if notice_to >= notice_from else None, "notice_days_required": need,
              "notice_passed": not problems, "policy": required.explain()}
    return problems, inputs


def notice_text(inputs: dict) -> str:
    """Chinese summary of stored notice inputs (for notes and reasons)."""
    return (f"村内公示 {inputs['notice_from']} 至 {inputs['notice_to']}，共 {inputs['notice_days']} 天"
            f"（不少于 {inputs['notice_days_required']} 天）")

"""Reading department rosters for 部门筛查预警: the columns each kind of roster is expected to carry.

Rosters are loaded by the cross-check app (`fupin.crosscheck`); a row keeps the normalised ID
number and the department's own columns as text (`RosterRow.data`). The screening reads:

- 大额医疗费用 (medical_expense): the out-of-pocket amount (自付费用, also 个人自付 / out_of_pocket)
  and, when given, the date (结算日期, 发生日期, 就诊日期, 出院日期);
- 受灾和意外事故 (disaster): the kind of event (事件类型 / 类别: 自然灾害 or 意外事故), the date
  (发生日期) and the loss (损失金额);
- 残疾人登记 (disability): the date the person was registered (办证日期, 发证日期, 登记日期).

A row whose date is missing or unreadable is dated by its roster's `as_of` day, and the reason says so. Nothing is guessed beyond that:
an amount that does not parse is reported as such, not read as zero.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from fupin.registry.validation import parse_date

AMOUNT_COLUMNS = ("自付费用", "个人自付", "个人自付费用", "out_of_pocket")
MEDICAL_DATE_COLUMNS = ("结算日期", "发生日期", "就诊日期", "出院日期")
EVENT_COLUMNS = ("事件类型", "类别", "灾害类别", "灾害类型")
DISASTER_DATE_COLUMNS = ("发生日期", "受灾日期", "事故日期")
LOSS_COLUMNS = ("损失金额", "直接经济损失", "损失")
DISABILITY_DATE_COLUMNS = ("办证日期", "发证日期", "登记日期")
VILLAGE_CODE_COLUMNS = ("行政村代码", "村代码", "区划代码")
VILLAGE_NAME_COLUMNS = ("行政村", "村")

ACCIDENT = "意外事故"
NATURAL_DISASTER = "自然灾害"


def first(data: dict, names: tuple[str, ...]) -> str:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def money(text: str) -> Decimal | None:
    cleaned = re.sub(r"[,，\s元]", "", text or "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def day(text: str) -> date | None:
    if not text:
        return None
    try:
        return parse_date(text[:20], label="日期")
    except Exception:  # noqa: BLE001 - a department's bad date is reported as missing, not fatal
        return None


def row_date(data: dict, columns: tuple[str, ...], as_of: date) -> tuple[date, str]:
    """The row's date and where it came from (the column, or the roster's as-of day)."""
    unreadable = []
    for name in columns:
        raw = str(data.get(name) or "").strip()
        found = day(raw)
        if found is not None:
            return found, name
        if raw:
            unreadable.append(f"{name}“{raw[:20]}”")
    if unreadable:  # said, not hidden: the reason shows which date could not be read
        return as_of, f"数据截止日期（{'、'.join(unreadable)}无法识别）"
    return as_of, "数据截止日期"


def event_kind(data: dict) -> str:
    """自然灾害 or 意外事故 (a text naming an accident counts as one; anything else as a disaster)."""
    text = first(data, EVENT_COLUMNS)
    return ACCIDENT if ("意外" in text or "事故" in text) else NATURAL_DISASTER


def village_of(data: dict, villages_by_name: dict[str, list[str]]) -> str | None:
    """The 12-digit village code a row names (a code column, or a village name that is unique among
    `villages_by_name`: the villages of the region screened), else None."""
    code = re.sub(r"\D", "", first(data, VILLAGE_CODE_COLUMNS))
    if len(code) == 12 and not code.endswith("000"):
        return code
    name = first(data, VILLAGE_NAME_COLUMNS)
    if name:
        found = villages_by_name.get(name, [])
        if len(found) == 1:
            return found[0]
    return None

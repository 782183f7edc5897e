"""The household exit indicators explained: the values each one used and its Chinese reason.

The database decides pass/fail for every household at once (`household_sql`); these functions
turn one household's streamed row (its year row, its current members) into the explanation shown
on pages, in the API and by `fupin assess_exit`. They apply the same rules as the SQL, so the
reason always agrees with the mark (the tests compare both on every edge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fupin.registry.choices import DangerGrade, SchoolStatus

POLICY_KEYS = ("poverty_line", "exit.compulsory_school_age_from", "exit.compulsory_school_age_to",
               "exit.unsafe_danger_grades")

# (code, label, short label for tables), in the order the standard lists them.
INDICATORS = [
    ("income", "收入稳定超过扶贫标准", "收入"),
    ("two_no_worries", "不愁吃、不愁穿", "两不愁"),
    ("education", "义务教育有保障", "义务教育"),
    ("medical", "基本医疗有保障", "基本医疗"),
    ("housing", "住房安全有保障", "住房安全"),
    ("water", "饮水安全有保障", "饮水安全"),
]
CODES = [code for code, _, _ in INDICATORS]
LABELS = {code: label for code, label, _ in INDICATORS}
SHORT_LABELS = {code: short for code, _, short in INDICATORS}

HOUSEHOLD_YEAR_FIELDS = ("id", "per_capita_income", "food_secure", "clothing_secure", "danger_grade", "relocated",
                         "drinking_water_safe", "drinking_water_difficult")
MEMBER_YEAR_FIELDS = ("id", "school_status", "dropout", "resident_medical_insurance", "employee_medical_insurance")

# Labels looked up once (an enum's .choices is rebuilt on every access).
SCHOOL_LABELS = dict(SchoolStatus.choices)
GRADE_LABELS = dict(DangerGrade.choices)


@dataclass
class Indicator:
    code: str
    label: str
    passed: bool
    values: dict
    reason: str

    @property
    def short_label(self) -> str:
        return SHORT_LABELS.get(self.code, self.label)

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "passed": self.passed, "values": self.values,
                "reason": self.reason}


def reference_date(year: int) -> date:
    """Ages and membership are taken at 31 December of the year assessed."""
    return date(year, 12, 31)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _missing_year(code: str, year: int, values: dict | None = None) -> Indicator:
    return Indicator(code, LABELS[code], False, {"year_data": False, **(values or {})}, f"缺少{year}年度数据")


def _income(hy: dict | None, year: int, policy: dict) -> Indicator:
    line = policy["poverty_line"]
    line_values = {"poverty_line": line.value, "poverty_line_region": line.region_code,
                   "poverty_line_year_from": line.year_from}
    if hy is None:
        return _missing_year("income", year, line_values)
    income = Decimal(hy["per_capita_income"])
    passed = income > Decimal(str(line.value))
    values = {"per_capita_income": _money(income), **line_values}
    if passed:
        reason = f"年人均纯收入 {_money(income)} 元，高于扶贫标准 {line.value} 元"
    else:
        reason = f"年人均纯收入 {_money(income)} 元，未超过扶贫标准 {line.value} 元"
    return Indicator("income", LABELS["income"], passed, values, reason)


def _two_no_worries(hy: dict | None, year: int) -> Indicator:
    if hy is None:
        return _missing_year("two_no_worries", year)
    values = {"food_secure": hy["food_secure"], "clothing_secure": hy["clothing_secure"]}
    worries = [name for key, name in (("food_secure", "吃"), ("clothing_secure", "穿")) if not hy[key]]
    reason = "不愁吃、不愁穿" if not worries else "、".join(f"愁{w}" for w in worries)
    return Indicator("two_no_worries", LABELS["two_no_worries"], not worries, values, reason)


def _school_label(status: str | None) -> str:
    return SCHOOL_LABELS.get(status, "—")


def _education(members: list[dict], year: int, policy: dict) -> Indicator:
    low = int(policy["exit.compulsory_school_age_from"].value)
    high = int(policy["exit.compulsory_school_age_to"].value)
    day = reference_date(year)
    children, problems = [], []
    for m in members:
        age = age_on(m["birth_date"], day)
        if not low <= age <= high:
            continue
        my = m["year"]
        child = {"member_id": m["id"], "name": m["name"], "age": age, "year_data": my is not None,
                 "school_status": my["school_status"] if my else None,
                 "school_status_label": _school_label(my["school_status"]) if my else None,
                 "dropout": my["dropout"] if my else None}
        if my is None:
            child["problem"] = f"缺少{year}年度数据"
        elif my["school_status"] == SchoolStatus.NOT_STUDENT:
            child["problem"] = "非在校生"
        elif my["dropout"]:
            child["problem"] = "义务教育阶段失学辍学"
        if "problem" in child:
            problems.append(f"{m['name']}（{age}岁）{child['problem']}")
        children.append(child)
    values = {"age_from": low, "age_to": high, "reference_date": day.isoformat(), "children": children}
    if problems:
        reason = "；".join(problems)
    elif children:
        reason = f"{len(children)} 名义务教育适龄儿童均在校"
    else:
        reason = f"无义务教育适龄（{low}–{high}岁）成员"
    return Indicator("education", LABELS["education"], not problems, values, reason)


def _medical(members: list[dict], year: int) -> Indicator:
    rows, missing, uninsured = [], [], []
    for m in members:
        my = m["year"]
        row = {"member_id": m["id"], "name": m["name"], "year_data": my is not None,
               "resident_medical_insurance": my["resident_medical_insurance"] if my else None,
               "employee_medical_insurance": my["employee_medical_insurance"] if my else None}
        if my is None:
            missing.append(m["name"])
        elif not (my["resident_medical_insurance"] or my["employee_medical_insurance"]):
            uninsured.append(m["name"])
        rows.append(row)
    values = {"members": rows, "uninsured": uninsured, "missing_data": missing}
    problems = []
    if not members:
        problems.append(f"{year}年末没有在册家庭成员")
    if uninsured:
        problems.append(f"未参加基本医疗保险：{'、'.join(uninsured)}")
    if missing:
        problems.append(f"缺少{year}年度数据：{'、'.join(missing)}")
    reason = "；".join(problems) if problems else f"{len(members)} 名成员均参加基本医疗保险"
    return Indicator("medical", LABELS["medical"], not problems, values, reason)


def _grade_label(grade: str) -> str:
    return GRADE_LABELS.get(grade, grade)


def _housing(hy: dict | None, year: int, policy: dict) -> Indicator:
    unsafe = list(policy["exit.unsafe_danger_grades"].value)
    if hy is None:
        return _missing_year("housing", year, {"unsafe_danger_grades": unsafe})
    grade, relocated = hy["danger_grade"] or "", hy["relocated"]
    values = {"danger_grade": grade, "danger_grade_label": _grade_label(grade), "relocated": relocated,
              "unsafe_danger_grades": unsafe}
    if grade in unsafe and relocated:
        passed, reason = True, f"原住房为{_grade_label(grade)}危房，已易地扶贫搬迁"
    elif grade in unsafe:
        passed, reason = False, f"住房为{_grade_label(grade)}危房，未搬迁"
    else:
        passed = True
        reason = f"住房危房等级：{_grade_label(grade)}" + ("（已易地扶贫搬迁）" if relocated else "")
    return Indicator("housing", LABELS["housing"], passed, values, reason)


def _water(hy: dict | None, year: int) -> Indicator:
    if hy is None:
        return _missing_year("water", year)
    values = {"drinking_water_safe": hy["drinking_water_safe"], "drinking_water_difficult": hy["drinking_water_difficult"]}
    problems = []
    if not hy["drinking_water_safe"]:
        problems.append("饮水不安全")
    if hy["drinking_water_difficult"]:
        problems.append("饮水困难")
    reason = "、".join(problems) if problems else "饮水安全，无饮水困难"
    return Indicator("water", LABELS["water"], not problems, values, reason)


def explain(hy: dict | None, members: list[dict], *, year: int, policy: dict) -> list[Indicator]:
    """The six indicators of one household, in the order of INDICATORS. `hy` is the household's
    year row (None when missing), `members` its current members, each with its year row or None."""
    return [_income(hy, year, policy), _two_no_worries(hy, year), _education(members, year, policy),
            _medical(members, year), _housing(hy, year, policy), _water(hy, year)]

"""Household exit assessment (贫困户退出评估): each household against the year's exit standard.

A household may exit when, for the year assessed (DOMAIN §Exit):
- 收入: 年人均纯收入 strictly above the poverty line of its village (a province may set a higher
  line: `poverty_line` is resolved per village, most specific region first);
- 两不愁: food and clothing secure;
- 三保障: 义务教育 (every current member of compulsory school age — age on 31 December within
  `exit.compulsory_school_age_from`..`_to` — is a student and has not dropped out), 基本医疗
  (every current member has resident or employee basic medical insurance) and 住房安全 (danger
  grade not in `exit.unsafe_danger_grades`, or relocated by 易地扶贫搬迁);
- 饮水安全: drinking water safe and not difficult.

Nothing is guessed: a missing year row fails the indicators it feeds, naming what is missing.
Every indicator carries the values it used; every assessment the policy rows (with their source).

Queries: `assess_households` reads the households with their year row (one query), the current
members with their member-year rows (one query) and the policy rows (one query) — the same
whatever the number of households. Callers check scope first (`assess_household`) or pass the
user (`assess_households`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import FilteredRelation, Q, QuerySet

from fupin.accounts.scope import in_code_range
from fupin.policy.selectors import resolve_many, resolver
from fupin.regions.codes import subtree_range
from fupin.registry.choices import POOR_STATUSES, DangerGrade, HouseholdStatus, SchoolStatus
from fupin.registry.models import Household, Member

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
LABELS = {code: label for code, label, _ in INDICATORS}
SHORT_LABELS = {code: short for code, _, short in INDICATORS}

HOUSEHOLD_YEAR_FIELDS = ("id", "per_capita_income", "food_secure", "clothing_secure", "danger_grade", "relocated",
                         "drinking_water_safe", "drinking_water_difficult")
MEMBER_YEAR_FIELDS = ("id", "school_status", "dropout", "resident_medical_insurance", "employee_medical_insurance")


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


@dataclass
class HouseholdAssessment:
    household_id: int
    household_no: str
    head_name: str
    village_code: str
    status: str
    year: int
    indicators: list[Indicator]
    passed: bool
    policy: list[dict] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return HouseholdStatus(self.status).label if self.status in HouseholdStatus.values else self.status

    def failed(self) -> list[Indicator]:
        return [i for i in self.indicators if not i.passed]

    def failed_labels(self) -> list[str]:
        return [i.label for i in self.failed()]

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def as_dict(self, *, with_policy: bool = True) -> dict:
        data = {"household_id": self.household_id, "household_no": self.household_no, "head_name": self.head_name,
                "village_code": self.village_code, "status": self.status, "status_label": self.status_label,
                "year": self.year, "passed": self.passed, "failed_labels": self.failed_labels(),
                "indicators": [i.as_dict() for i in self.indicators]}
        if with_policy:
            data["policy"] = self.policy
        return data


def reference_date(year: int) -> date:
    """Ages and membership are taken at 31 December of the year assessed."""
    return date(year, 12, 31)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _missing_year(code: str, year: int, values: dict | None = None) -> Indicator:
    return Indicator(code, LABELS[code], False, {"year_data": False, **(values or {})}, f"缺少{year}年度数据")


# --- The indicators -------------------------------------------------------------------------

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
    return SchoolStatus(status).label if status in SchoolStatus.values else "—"


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
    return DangerGrade(grade).label if grade in DangerGrade.values else grade


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


def _assess(h: dict, members: list[dict], *, year: int, policy: dict) -> HouseholdAssessment:
    hy = h["year"]
    indicators = [_income(hy, year, policy), _two_no_worries(hy, year), _education(members, year, policy),
                  _medical(members, year), _housing(hy, year, policy), _water(hy, year)]
    return HouseholdAssessment(
        household_id=h["id"], household_no=h["household_no"], head_name=h["head_name"], village_code=h["village_id"],
        status=h["status"], year=year, indicators=indicators, passed=all(i.passed for i in indicators),
        policy=[policy[k].explain() for k in POLICY_KEYS])


# --- Loading (set-based) --------------------------------------------------------------------

def _split(row: dict, prefix: str, fields: tuple[str, ...]) -> dict | None:
    """The joined year row's columns (prefixed) as their own dict, or None when there is none."""
    if row[f"{prefix}__id"] is None:
        return None
    return {f: row[f"{prefix}__{f}"] for f in fields}


def _load(households: QuerySet, *, year: int) -> tuple[list[dict], dict[int, list[dict]]]:
    """Two queries: the households with their year row, the current members with theirs."""
    day = reference_date(year)
    hy_cols = [f"hy__{f}" for f in HOUSEHOLD_YEAR_FIELDS]
    rows = (households.annotate(hy=FilteredRelation("years", condition=Q(years__year=year)))
            .values("id", "household_no", "head_name", "village_id", "status", *hy_cols)
            .order_by("village_id", "household_no", "id"))
    found = [{**{k: r[k] for k in ("id", "household_no", "head_name", "village_id", "status")},
              "year": _split(r, "hy", HOUSEHOLD_YEAR_FIELDS)} for r in rows]
    my_cols = [f"my__{f}" for f in MEMBER_YEAR_FIELDS]
    members = (Member.objects.filter(household_id__in=households.order_by().values("id"))
               .filter(Q(left_on__isnull=True) | Q(left_on__gt=day), birth_date__lte=day)
               .annotate(my=FilteredRelation("years", condition=Q(years__year=year)))
               .values("id", "household_id", "name", "birth_date", *my_cols)
               .order_by("household_id", "id"))
    by_household: dict[int, list[dict]] = {}
    for m in members:
        by_household.setdefault(m["household_id"], []).append(
            {"id": m["id"], "name": m["name"], "birth_date": m["birth_date"], "year": _split(m, "my", MEMBER_YEAR_FIELDS)})
    return found, by_household


def _run(households: QuerySet, *, year: int, region_code: str | None = None,
         progress: Callable[[Iterable, int], Iterable] | None = None) -> list[HouseholdAssessment]:
    found, members = _load(households, year=year)
    policy_for = resolver(POLICY_KEYS, year=year)
    if region_code is not None:
        policy_for(region_code)  # a year without a standard fails even when no household is found
    items = progress(found, len(found)) if progress else found
    return [_assess(h, members.get(h["id"], []), year=year, policy=policy_for(h["village_id"])) for h in items]


def assess_household(*, household_id: int, year: int) -> HouseholdAssessment:
    """One household, whatever its status. No scope check: the caller has opened the household
    through `registry.selectors.household_access` (or is a service that has checked scope).
    Raises Household.DoesNotExist, or PolicyMissing when the year has no standard."""
    result = _run(Household.objects.filter(pk=household_id), year=year)
    if not result:
        raise Household.DoesNotExist(f"贫困户 {household_id} 不存在")
    return result[0]


def assess_households(*, year: int, region_code: str, user=None, statuses=POOR_STATUSES,
                      progress: Callable[[Iterable, int], Iterable] | None = None) -> list[HouseholdAssessment]:
    """Every registered household under `region_code` whose status is in `statuses` (the poor ones
    by default), in village and household-number order; only those `user` may see when given.

    `progress(items, total)` may wrap the evaluation loop (the CLI shows a bar). Raises
    PolicyMissing when a village has no value for a key in that year.
    """
    if user is not None:
        from fupin.registry.selectors import households_visible_to

        qs = households_visible_to(user)
    else:
        qs = Household.objects.all()
    qs = qs.filter(in_code_range("village_id", subtree_range(region_code)), status__in=list(statuses))
    return _run(qs, year=year, region_code=region_code, progress=progress)


def summarize(assessments: list[HouseholdAssessment]) -> dict:
    """Households assessed, passed and failed, and per indicator how many failed it."""
    failed_by = dict.fromkeys(LABELS, 0)
    passed = 0
    for a in assessments:
        passed += a.passed
        for i in a.indicators:
            if not i.passed:
                failed_by[i.code] += 1
    total = len(assessments)
    return {"households": total, "passed": passed, "failed": total - passed,
            "indicators": [{"code": code, "label": label, "short_label": short, "failed": failed_by[code],
                            "passed": total - failed_by[code]} for code, label, short in INDICATORS]}


def policy_rows(assessments: list[HouseholdAssessment], *, year: int | None = None,
                region_code: str | None = None) -> list[dict]:
    """The distinct policy rows the assessments used (one set per village; a province's override
    shows up beside the national row). With `year` and `region_code`, the rows that apply to the
    region itself come first (one query), so an empty region still shows its standard."""
    seen: dict[tuple, dict] = {}
    own = resolve_many(POLICY_KEYS, year=year, region_code=region_code) if year and region_code else {}
    for row in [r.explain() for r in own.values()] + [row for a in assessments for row in a.policy]:
        seen.setdefault((row["key"], row["region_code"], row["year_from"]), row)
    order = {k: i for i, k in enumerate(POLICY_KEYS)}
    return sorted(seen.values(), key=lambda r: (order.get(r["key"], 99), r["region_code"], r["year_from"]))


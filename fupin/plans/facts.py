"""Household facts for a year (户情): what suggestion and contradiction rules test.

`household_facts(households, year=…)` computes the facts of any number of households in two
queries: the households with their year row (HouseholdYear), and their members present at
31 December with their member-year rows (MemberYear). Nothing is guessed: a household without its
year row has None for the housing and water facts; one whose members have no year row has None for
the labour, schooling and health facts — and a rule testing a None fact does not fire.

Every fact has a Chinese label (FACTS) and a display form (`fact_text`), so a suggestion can show
the values that made it fire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import FilteredRelation, Q, QuerySet

from fupin.registry.choices import (
    COMPULSORY_SCHOOL,
    DangerGrade,
    Health,
    HouseholdAttribute,
    HouseholdStatus,
    LabourCapacity,
    PovertyCause,
    SchoolStatus,
)
from fupin.registry.models import Member

# fact code → (label, type). Types: int, bool, int_list, cause (one code), causes (list of codes),
# grade (危房等级), attribute (贫困户属性), status (户状态).
FACTS: dict[str, tuple[str, str]] = {
    "main_cause": ("主要致贫原因", "cause"),
    "causes": ("致贫原因（主要和其他）", "causes"),
    "attribute": ("贫困户属性", "attribute"),
    "status": ("年末户状态", "status"),
    "members": ("在册成员数", "int"),
    "min_age": ("成员最小年龄", "int"),
    "max_age": ("成员最大年龄", "int"),
    "labour_count": ("普通或技能劳动力人数", "int"),
    "weak_labour_count": ("弱劳动力或半劳动力人数", "int"),
    "labour_none_all": ("全家无劳动力（无普通、技能、弱或半劳动力）", "bool"),
    "labour_ages": ("普通或技能劳动力的年龄", "int_list"),
    "students": ("在校生人数（含学前教育）", "int"),
    "compulsory_students": ("义务教育阶段在校生人数（小学、初中）", "int"),
    "vocational_students": ("中职、高职高专在校生人数", "int"),
    "senior_university_students": ("普通高中、本科及以上在校生人数", "int"),
    "dropouts": ("义务教育阶段失学辍学人数", "int"),
    "sick_members": ("患大病或长期慢性病成员数", "int"),
    "disabled_members": ("残疾成员数", "int"),
    "low_income_members": ("享受低保人数", "int"),
    "destitute_members": ("特困供养人数", "int"),
    "danger_grade": ("危房等级", "grade"),
    "relocated": ("已易地扶贫搬迁", "bool"),
    "drinking_water_safe": ("饮水安全", "bool"),
    "drinking_water_difficult": ("饮水困难", "bool"),
    "water_unsafe": ("饮水不安全或饮水困难", "bool"),
}

HOUSEHOLD_FACTS = ("main_cause", "causes", "attribute", "status", "members", "min_age", "max_age")
YEAR_FACTS = ("danger_grade", "relocated", "drinking_water_safe", "drinking_water_difficult", "water_unsafe")
MEMBER_YEAR_FACTS = tuple(f for f in FACTS if f not in HOUSEHOLD_FACTS and f not in YEAR_FACTS)

LABOUR = frozenset({LabourCapacity.ORDINARY, LabourCapacity.SKILLED})
VOCATIONAL = frozenset({SchoolStatus.VOCATIONAL, SchoolStatus.COLLEGE})
SENIOR_UNIVERSITY = frozenset({SchoolStatus.SENIOR, SchoolStatus.UNIVERSITY})
SICK = frozenset({Health.CHRONIC, Health.SERIOUS})

HY_FIELDS = ("id", "status", "danger_grade", "relocated", "drinking_water_safe", "drinking_water_difficult")
MY_FIELDS = ("id", "labour_capacity", "school_status", "dropout", "health", "disability_grade",
             "on_low_income_support", "on_destitute_support")


@dataclass
class HouseholdFacts:
    household_id: int
    household_no: str
    head_name: str
    village_code: str
    year: int
    values: dict = field(default_factory=dict)
    # What is missing, in Chinese (e.g. "缺少2020年度数据"), for the page to say why a rule did not fire.
    missing: list[str] = field(default_factory=list)

    def get(self, fact: str):
        return self.values.get(fact)

    def as_dict(self) -> dict:
        return {"household_id": self.household_id, "year": self.year,
                "facts": [fact_entry(f, self.values.get(f)) for f in FACTS], "missing": self.missing}


def reference_date(year: int) -> date:
    """Ages and membership are taken at 31 December of the year."""
    return date(year, 12, 31)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _label(choices, value) -> str:
    return choices(value).label if value in choices.values else str(value)


def fact_text(fact: str, value) -> str:
    """A fact's value as the page shows it (Chinese labels, 是/否, — for missing)."""
    if value is None:
        return "缺少数据"
    kind = FACTS.get(fact, ("", ""))[1]
    if kind == "bool":
        return "是" if value else "否"
    if kind == "cause":
        return _label(PovertyCause, value)
    if kind == "causes":
        return "、".join(_label(PovertyCause, v) for v in value) or "—"
    if kind == "grade":
        return _label(DangerGrade, value) if value else "未鉴定"
    if kind == "attribute":
        return _label(HouseholdAttribute, value)
    if kind == "status":
        return _label(HouseholdStatus, value)
    if kind == "int_list":
        return "、".join(f"{v}岁" for v in value) or "无"
    return str(value)


def fact_entry(fact: str, value) -> dict:
    return {"fact": fact, "label": FACTS.get(fact, (fact, ""))[0], "value": value, "text": fact_text(fact, value)}


def _member_facts(rows: list[dict], day: date) -> dict:
    ages = [age_on(m["birth_date"], day) for m in rows]
    values: dict = {"members": len(rows), "min_age": min(ages) if ages else None, "max_age": max(ages) if ages else None}
    with_year = [(m, age) for m, age in zip(rows, ages, strict=True) if m["my"] is not None]
    if not with_year:
        return {**values, **dict.fromkeys(MEMBER_YEAR_FACTS)}
    labour = [age for m, age in with_year if m["my"]["labour_capacity"] in LABOUR]
    weak = sum(1 for m, _ in with_year if m["my"]["labour_capacity"] == LabourCapacity.WEAK)

    def count(test) -> int:
        return sum(1 for m, _ in with_year if test(m["my"]))

    values.update({
        "labour_count": len(labour),
        "weak_labour_count": weak,
        "labour_none_all": not labour and not weak,
        "labour_ages": sorted(labour),
        "students": count(lambda my: my["school_status"] not in ("", SchoolStatus.NOT_STUDENT)),
        "compulsory_students": count(lambda my: my["school_status"] in COMPULSORY_SCHOOL),
        "vocational_students": count(lambda my: my["school_status"] in VOCATIONAL),
        "senior_university_students": count(lambda my: my["school_status"] in SENIOR_UNIVERSITY),
        "dropouts": count(lambda my: my["dropout"]),
        "sick_members": count(lambda my: my["health"] in SICK),
        "disabled_members": count(lambda my: my["health"] == Health.DISABLED or bool(my["disability_grade"])),
        "low_income_members": count(lambda my: my["on_low_income_support"]),
        "destitute_members": count(lambda my: my["on_destitute_support"]),
    })
    return values


def _year_facts(hy: dict | None) -> dict:
    if hy is None:
        return dict.fromkeys(YEAR_FACTS)
    return {"danger_grade": hy["danger_grade"] or "", "relocated": hy["relocated"],
            "drinking_water_safe": hy["drinking_water_safe"], "drinking_water_difficult": hy["drinking_water_difficult"],
            "water_unsafe": (not hy["drinking_water_safe"]) or hy["drinking_water_difficult"]}


def household_facts(households: QuerySet, *, year: int) -> dict[int, HouseholdFacts]:
    """Facts of every household in `households` (any queryset of Household) for `year`: two queries."""
    day = reference_date(year)
    hy_cols = [f"hy__{f}" for f in HY_FIELDS]
    rows = list(households.annotate(hy=FilteredRelation("years", condition=Q(years__year=year)))
                .values("id", "household_no", "head_name", "village_id", "status", "main_cause", "other_causes",
                        "attribute", *hy_cols).order_by("id"))
    if not rows:
        return {}
    my_cols = [f"my__{f}" for f in MY_FIELDS]
    members: dict[int, list[dict]] = {}
    for m in (Member.objects.filter(household_id__in=households.order_by().values("id"))
              .filter(Q(left_on__isnull=True) | Q(left_on__gt=day), birth_date__lte=day)
              .annotate(my=FilteredRelation("years", condition=Q(years__year=year)))
              .values("id", "household_id", "birth_date", *my_cols).order_by("household_id", "id")):
        my = None if m["my__id"] is None else {f: m[f"my__{f}"] for f in MY_FIELDS}
        members.setdefault(m["household_id"], []).append({"birth_date": m["birth_date"], "my": my})
    out: dict[int, HouseholdFacts] = {}
    for r in rows:
        hy = None if r["hy__id"] is None else {f: r[f"hy__{f}"] for f in HY_FIELDS}
        causes = [r["main_cause"], *[c for c in (r["other_causes"] or []) if c != r["main_cause"]]]
        values = {"main_cause": r["main_cause"], "causes": causes, "attribute": r["attribute"],
                  "status": hy["status"] if hy else r["status"]}
        mine = members.get(r["id"], [])
        values.update(_member_facts(mine, day))
        values.update(_year_facts(hy))
        missing = []
        if hy is None:
            missing.append(f"缺少{year}年度户数据（住房、饮水）")
        if mine and values["labour_count"] is None:
            missing.append(f"成员缺少{year}年度数据（劳动能力、在校生、健康）")
        if not mine:
            missing.append(f"{year}年末没有在册成员")
        out[r["id"]] = HouseholdFacts(household_id=r["id"], household_no=r["household_no"], head_name=r["head_name"],
                                      village_code=r["village_id"], year=year, values=values, missing=missing)
    return out

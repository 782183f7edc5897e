"""Reading what the measures need, set-based: one query for the households' year rows, one for the
current members with their year rows — the same two queries for a village or a province.

The caller passes the querysets already limited to what may be read (`selectors.py` scopes them
to a user; the CLI passes the whole tables).
"""

from __future__ import annotations

from datetime import date

from django.db.models import FilteredRelation, Q, QuerySet

from fupin.accounts.scope import in_code_range
from fupin.regions.models import Region
from fupin.registry.choices import HouseholdStatus

# Year-end statuses not counted: 清退 (wrongly filed) and 销户 (the household ceased to exist).
EXCLUDED_STATUSES = (HouseholdStatus.REMOVED, HouseholdStatus.CANCELLED)
POPULATION_DEFINITION = (
    "区划内建档立卡户中有该年度数据、且年末户状态不是“已清退”“已销户”的户；人口按该年度数据的家庭人口数计"
    "（家庭人口数为 0 的户不计入人口）。成员按当年12月31日在册计算年龄。")

HOUSEHOLD_FIELDS = ("per_capita_income", "household_size", "danger_grade", "relocated", "drinking_water_safe",
                    "drinking_water_difficult", "sanitary_toilet", "living_electricity")
MEMBER_YEAR_FIELDS = ("education", "school_status", "dropout", "health", "resident_medical_insurance",
                      "employee_medical_insurance")


def reference_date(year: int) -> date:
    return date(year, 12, 31)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def load_households(household_years: QuerySet, *, region: Region, year: int) -> list[dict]:
    """The year rows of the population under `region` (one query), by household id; each with
    `village_id` and `household_id`."""
    rows = (household_years.filter(in_code_range("household__village_id", region.code_range), year=year)
            .exclude(status__in=EXCLUDED_STATUSES)
            .values("household_id", "household__village_id", *HOUSEHOLD_FIELDS).order_by("household_id"))
    return [{**{k: r[k] for k in ("household_id", *HOUSEHOLD_FIELDS)}, "village_id": r["household__village_id"]}
            for r in rows]


def load_members(members: QuerySet, *, region: Region, year: int) -> dict[int, list[dict]]:
    """Members on the register on 31 December of `year` under `region` (one query), by household:
    each with its `age` then and `year` (its member-year columns, or None when it has no row)."""
    day = reference_date(year)
    cols = [f"my__{f}" for f in MEMBER_YEAR_FIELDS]
    rows = (members.filter(in_code_range("household__village_id", region.code_range), birth_date__lte=day)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
            .annotate(my=FilteredRelation("years", condition=Q(years__year=year)))
            .values("household_id", "birth_date", "my__id", *cols).order_by("household_id", "id"))
    out: dict[int, list[dict]] = {}
    for r in rows:
        my = None if r["my__id"] is None else {f: r[f"my__{f}"] for f in MEMBER_YEAR_FIELDS}
        out.setdefault(r["household_id"], []).append({"age": age_on(r["birth_date"], day), "year": my})
    return out

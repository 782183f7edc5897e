"""Crafted households with exactly the facts a test needs, and plans built directly (for the checks)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from fupin.conftest import YEAR, make_id_number
from fupin.plans.models import HouseholdPlan, PlanMeasure
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear

_seq = count(5000)
_no = count(1)

ADULT = {"age": 40, "labour": "ordinary"}


def person(age=40, labour="ordinary", school="not_student", health="healthy", disability="", **extra) -> dict:
    return {"age": age, "labour": labour, "school": school, "health": health, "disability": disability, **extra}


def crafted(village: str = "610926100001", *, members=None, main_cause="illness", other_causes=(),
            danger_grade="A", relocated=False, water_safe=True, water_difficult=False, helper=None,
            status="not_exited", year=YEAR, year_row=True, head="赵", no=None) -> Household:
    """A household whose members and year data are exactly as given (one adult ordinary labourer by
    default). Each member: age at the end of `year`, labour capacity, school status, health, disability."""
    members = members if members is not None else [person()]
    n = next(_no)
    h = Household.objects.create(household_no=no or f"P{village}{n:05d}", village_id=village,
                                 head_name=f"{head}{n}", main_cause=main_cause, other_causes=list(other_causes),
                                 registered_year=2014, helper=helper, status=status)
    for i, m in enumerate(members):
        birth = date(year - m["age"], 6, 1)
        member = Member.objects.create(household=h, name=f"{head}{n}-{i}", id_number=make_id_number(birth, next(_seq)),
                                       gender="M", birth_date=birth, relation="head" if i == 0 else "son")
        if m.get("no_year"):
            continue
        MemberYear.objects.create(member=member, year=year, labour_capacity=m["labour"], school_status=m["school"],
                                  health=m["health"], disability_grade=m["disability"])
    if year_row:
        HouseholdYear.objects.create(household=h, year=year, status=status, household_size=len(members),
                                     wage_income=Decimal("3000"), net_income=Decimal("3000"),
                                     per_capita_income=Decimal("3000"), danger_grade=danger_grade, relocated=relocated,
                                     drinking_water_safe=water_safe, drinking_water_difficult=water_difficult)
    return h


def plan_with(household: Household, measures, *, year=YEAR, status="draft") -> HouseholdPlan:
    """A plan written directly (the services are tested elsewhere). measures: (type, content, amount)."""
    plan = HouseholdPlan.objects.create(household=household, village_id=household.village_id, year=year, status=status)
    for mtype, content, amount, *rest in measures:
        PlanMeasure.objects.create(plan=plan, measure_type=mtype, content=content,
                                   amount=None if amount is None else Decimal(str(amount)),
                                   responsible="镇农业站", status=rest[0] if rest else "planned",
                                   completed_on=date(year, 10, 1) if rest and rest[0] == "completed" else None)
    return plan

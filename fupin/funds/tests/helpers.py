"""Shared by the funds tests: a small chain source → allocations → project → budget line."""

from datetime import date
from decimal import Decimal

from fupin.funds.services import allocation_create, disbursement_create, funding_add, source_create
from fupin.funds.services_projects import beneficiary_add, project_declare, project_transition
from fupin.regions.codes import NATION_CODE
from fupin.registry.choices import StatusChangeSource, StatusEventKind
from fupin.registry.models import HouseholdStatusEvent

TODAY = "2020-12-15"
COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_A2 = "610926000000", "610926100000", "610926100001", "610926100002"
TOWN_B, VILLAGE_B1 = "610926101000", "610926101001"


def d(text: str) -> Decimal:
    return Decimal(text)


def central_source(users, amount="1000000.00", year=2020):
    return source_create(actor=users["root"], data={"kind": "central", "name": "中央财政专项扶贫资金", "year": year,
                                                     "region": NATION_CODE, "amount": amount})


def allocate(users, who, *, to, amount, on, source=None, parent=None, **extra):
    data = {"to_region": to, "amount": amount, "allocated_on": on, **extra}
    if source is not None:
        data["source"] = source.pk
    if parent is not None:
        data["parent"] = parent.pk
    return allocation_create(actor=users[who], data=data)


def declare(users, *, who="clerk_a", region=VILLAGE_A1, name="龙头村产业路", type="infrastructure", on="2020-02-01",
            targets=None):
    return project_declare(actor=users[who], data={"region": region, "name": name, "type": type, "year": 2020,
                                                   "declared_on": on, "targets": targets or []})


def start(users, project, *, allocation, amount, on="2020-03-10"):
    project_transition(actor=users["county"], project_id=project.pk, to_status="approved", on=on)
    line = funding_add(actor=users["county"], project_id=project.pk, allocation_id=allocation.pk, amount=amount)
    project_transition(actor=users["township_a" if project.region_id.startswith("610926100") else "township_b"],
                       project_id=project.pk, to_status="implementing", on=on)
    return line


def pay(users, project, line, *, amount, on="2020-04-01", who="township_a", household=None, item="到户补助",
        kind="household", name="王一", id_number=""):
    data = {"funding": line.pk, "amount": amount, "paid_on": on, "payee_kind": kind, "payee_name": name,
            "item": item, "payee_id_number": id_number}
    if household is not None:
        data["household"] = household.pk
    return disbursement_create(actor=users[who], project_id=project.pk, data=data)


def registered(household, day: date, *, status="not_exited", kind=StatusEventKind.NEW) -> None:
    HouseholdStatusEvent.objects.create(household=household, year=day.year, from_status="", to_status=status,
                                        kind=kind, effective_on=day, source=StatusChangeSource.IDENTIFICATION,
                                        reason="建档立卡")


def chain(users):
    """Central 1,000,000 → county 600,000 (2020-03-01) → 城关镇 200,000 (2020-03-05); a project in
    龙头村 with a 100,000 line from the township's allocation, implementing."""
    src = central_source(users)
    county = allocate(users, "root", to=COUNTY, amount="600000.00", on="2020-03-01", source=src)
    town = allocate(users, "county", to=TOWN_A, amount="200000.00", on="2020-03-05", parent=county)
    project = declare(users)
    line = start(users, project, allocation=town, amount="100000.00")
    return {"source": src, "county": county, "town": town, "project": project, "line": line}


def add_beneficiary(users, project, household, standard="3000.00"):
    return beneficiary_add(actor=users["clerk_a"], project_id=project.pk, household_id=household.pk,
                           standard_amount=standard)

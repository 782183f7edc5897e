"""Shared by the cross-check tests: writing rosters and adding members with chosen ID numbers."""

import csv
from datetime import date

from fupin.conftest import make_id_number
from fupin.crosscheck.models import Suspect
from fupin.crosscheck.services import roster_load
from fupin.registry.models import Member, MemberYear

YEAR = 2020
AS_OF = date(2020, 12, 31)
COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_A2 = "610926000000", "610926100000", "610926100001", "610926100002"
TOWN_B, VILLAGE_B1 = "610926101000", "610926101001"


def outsider(seq: int) -> str:
    """A valid ID number of someone not in the registry."""
    return make_id_number(date(1970, 5, 5), 900 + seq, region="610902")


def id_with_x(birth: date) -> str:
    for seq in range(1, 1000):
        number = make_id_number(birth, seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no X found")


def fifteen(number: str) -> str:
    """The first-generation 15-digit form of an 18-digit number born in the 1900s."""
    assert number[6:8] == "19"
    return number[:6] + number[8:17]


_seq = iter(range(500, 10**6))


def add_member(household, birth: date, *, name: str, id_number: str | None = None, left_on=None, year=YEAR,
               left_reason="", **year_data) -> Member:
    m = Member.objects.create(household=household, name=name, id_number=id_number or make_id_number(birth, next(_seq)),
                              gender="M", birth_date=birth, relation="son", left_on=left_on, left_reason=left_reason)
    if year is not None:
        MemberYear.objects.create(member=m, year=year, **year_data)
    return m


def head(household) -> Member:
    return household.members.get(relation="head")


def write_csv(path, header: list[str], rows: list[list], encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def load(users, tmp_path, kind, header, rows, *, who="county", region=COUNTY, as_of=AS_OF, name="x.csv", **kw):
    path = write_csv(tmp_path / name, header, rows)
    return roster_load(actor=users[who], kind=kind, region_code=region, file=path, as_of=as_of, **kw)


def found(roster, rule: str | None = None) -> set:
    qs = Suspect.objects.filter(roster=roster)
    if rule:
        qs = qs.filter(rule=rule)
    return {(s.rule, s.member_id) for s in qs}

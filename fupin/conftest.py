"""Shared fixtures: a small region tree with two townships and personas for every role.

    610000 陕西省 > 610900 安康市 > 610926 平利县
        610926100 城关镇 > 610926100001 龙头村, 610926100002 三里垭村
        610926101 兴隆镇 > 610926101001 兴隆村
    620000 甘肃省 (a stranger's province)
"""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from rest_framework.test import APIClient
from stdnum.cn import ric

from fupin.accounts.roles import Role
from fupin.accounts.services import api_token_create, user_create
from fupin.regions.codes import NATION_CODE, Level
from fupin.regions.models import Region
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear

PASSWORD = "Fupin#2026test"
YEAR = 2020

REGIONS = [
    (NATION_CODE, "全国", Level.NATION, None),
    ("610000000000", "陕西省", Level.PROVINCE, NATION_CODE),
    ("610900000000", "安康市", Level.CITY, "610000000000"),
    ("610926000000", "平利县", Level.COUNTY, "610900000000"),
    ("610926100000", "城关镇", Level.TOWNSHIP, "610926000000"),
    ("610926100001", "龙头村", Level.VILLAGE, "610926100000"),
    ("610926100002", "三里垭村", Level.VILLAGE, "610926100000"),
    ("610926101000", "兴隆镇", Level.TOWNSHIP, "610926000000"),
    ("610926101001", "兴隆村", Level.VILLAGE, "610926101000"),
    ("620000000000", "甘肃省", Level.PROVINCE, NATION_CODE),
    ("620100000000", "兰州市", Level.CITY, "620000000000"),
]

PERSONAS = {
    # name: (role, region)
    "clerk_a": (Role.VILLAGE_CLERK, "610926100001"),
    "clerk_b": (Role.VILLAGE_CLERK, "610926101001"),
    "township_a": (Role.TOWNSHIP_REVIEWER, "610926100000"),
    "township_b": (Role.TOWNSHIP_REVIEWER, "610926101000"),
    "county": (Role.COUNTY_APPROVER, "610926000000"),
    "city": (Role.CITY_VIEWER, "610900000000"),
    "province": (Role.PROVINCE_VIEWER, "610000000000"),
    "stranger": (Role.PROVINCE_VIEWER, "620000000000"),
    "auditor": (Role.AUDITOR, "610926000000"),
    "cadre": (Role.CADRE, "610926100000"),
    "admin": (Role.SYSADMIN, "610926000000"),
    "root": (Role.SYSADMIN, NATION_CODE),
}


def pytest_configure(config):
    # Argon2 is deliberately slow; tests use a fast hasher (test_argon2 checks production settings).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def regions(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in REGIONS])
    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def users(regions):
    return {name: user_create(actor=None, username=name, password=PASSWORD, role=role, region_code=code,
                              full_name=name)
            for name, (role, code) in PERSONAS.items()}


def make_id_number(birth: date, seq: int, gender: str = "M", region: str = "610926") -> str:
    """A valid 18-digit resident ID (odd sequence digit = male)."""
    last = (seq * 2 + (1 if gender == "M" else 0)) % 10
    body = f"{region}{birth:%Y%m%d}{seq % 100:02d}{last}"
    return body + ric.calc_check_digit(body + "0")


_seq = iter(range(1, 10**6))


def make_household(no: str, village: str, *, helper=None, head="张三", members=2, status="not_exited",
                   year=YEAR, main_cause="illness", attribute="general", income=Decimal("3000")) -> Household:
    """A household with `members` members (head male 1980, then sons born 2005+) and `year` data."""
    h = Household.objects.create(household_no=no, village_id=village, head_name=head, phone="13800138000",
                                 bank_account="6228480000000000123", main_cause=main_cause, registered_year=2014,
                                 helper=helper, status=status, address=f"{village} 一组", attribute=attribute)
    for i in range(members):
        birth = date(1980, 1, 1) if i == 0 else date(2005 + i, 3, 1)
        m = Member.objects.create(household=h, name=head if i == 0 else f"{head}家属{i}",
                                  id_number=make_id_number(birth, next(_seq)), gender="M", birth_date=birth,
                                  relation="head" if i == 0 else "son")
        adult = i == 0
        MemberYear.objects.create(member=m, year=year, health="serious" if adult else "healthy",
                                  labour_capacity="ordinary" if adult else "none",
                                  school_status="not_student" if adult else "junior",
                                  education="junior" if adult else "primary")
    HouseholdYear.objects.create(household=h, year=year, status=status, household_size=members,
                                 wage_income=income * members, net_income=income * members, per_capita_income=income)
    return h


@pytest.fixture
def households(users):
    """Two households in 城关镇 (one paired with the cadre), one in 兴隆镇."""
    return {
        "a1": make_household("610926100001001", "610926100001", helper=users["cadre"], head="王一"),
        "a2": make_household("610926100002001", "610926100002", head="王二"),
        "b1": make_household("610926101001001", "610926101001", head="李三", members=3),
    }


@pytest.fixture
def login(client):
    def _login(user, c=None):
        c = c or client
        c.force_login(user)
        return c
    return _login


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def api(users):
    """api("county") → an APIClient sending that persona's API token."""

    def _client(name: str) -> APIClient:
        _, key = api_token_create(user=users[name])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return _client

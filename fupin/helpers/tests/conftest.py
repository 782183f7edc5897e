"""Fixtures for 结对帮扶: cadres with profiles, a unit, poor villages (on top of fupin/conftest.py).

    城关镇 610926100000: 龙头村 610926100001 (poor), 三里垭村 610926100002 (poor)
    兴隆镇 610926101000: 兴隆村 610926101001
"""

from datetime import date

import pytest

from fupin.accounts.roles import Role
from fupin.accounts.services import user_create
from fupin.conftest import PASSWORD, make_id_number
from fupin.helpers.models import HelpingUnit, PoorVillage
from fupin.helpers.services import unit_create
from fupin.helpers.services_assign import cadre_profile_save

V1, V2, V3 = "610926100001", "610926100002", "610926101001"
TOWNSHIP_A, TOWNSHIP_B, COUNTY = "610926100000", "610926101000", "610926000000"
ON = date(2020, 3, 1)

_seq = iter(range(500, 10**6))


def cadre_id_number() -> str:
    return make_id_number(date(1985, 5, 5), next(_seq), region="610902")


def make_cadre(username: str, region: str = TOWNSHIP_A, *, profile: bool = True, actor=None):
    cadre = user_create(actor=None, username=username, password=PASSWORD, role=Role.CADRE, region_code=region,
                        full_name=f"干部{username}")
    if profile:
        cadre_profile_save(actor=actor, cadre_id=cadre.pk, id_number=cadre_id_number(), position="科员")
    return cadre


@pytest.fixture
def county_actor(users):
    return users["county"]


@pytest.fixture
def cadres(users):
    """Two profiled cadres in 城关镇, one in 兴隆镇, one in 城关镇 without a profile."""
    actor = users["county"]
    return {
        "c1": make_cadre("c1", actor=actor),
        "c2": make_cadre("c2", actor=actor),
        "cb": make_cadre("cb", TOWNSHIP_B, actor=actor),
        "bare": make_cadre("bare", profile=False),
    }


@pytest.fixture
def unit(users) -> HelpingUnit:
    return unit_create(actor=users["county"], region_code=COUNTY, data={"name": "县农业农村局", "kind": "县直单位"})


@pytest.fixture
def poor_villages(regions):
    return [PoorVillage.objects.create(village_id=V1, identified_year=2014),
            PoorVillage.objects.create(village_id=V2, identified_year=2014)]


def secretary(name="李书记", **extra) -> dict:
    return {"name": name, "id_number": cadre_id_number(), "phone": "13900000000", "work_unit": "县农业农村局 副局长",
            **extra}

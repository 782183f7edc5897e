"""Demo data for 结对帮扶 of a generated demo county (run after `generate_county`).

`generate_helper_demo(county_code=..., year=..., seed=..., poor_village_codes=...)` writes, set-based
and deterministically for a seed:

- PoorVillage for each of the given poor villages (identified 2014 [demo]);
- helping units (省直, 市直, 县直 departments, township governments, enterprises, social
  organisations [demo names]) registered in the county: one paired with each poor village (a unit
  may help two villages when the list runs short) and with a few other villages;
- a work team in each poor village, dispatched by its unit, with a 第一书记 and 2–3 members; some
  secretaries rotated (history). Deliberate gaps so the coverage report has something to show: one
  village whose secretary left without a successor and one whose team was withdrawn, both in `year`;
- a CadreProfile for every cadre account of the county (valid ID numbers from 汉滨区 610902, never
  a registered person's; a work unit; a position);
- a HelperAssignment for every household with a helper, starting on the day it was filed (its
  first status event), and for a few households an earlier cadre replaced during the years (history).

Refuses (DemoError) when the county already has 结对帮扶 data. One audit row summarises the run.
`sync_demo_cadre(cadre=...)` brings the records in line after `create_demo_users` points households
at the demo cadre account directly.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Min
from stdnum.cn import ric

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.accounts.scope import in_code_range
from fupin.audit.services import Action, Entry, record
from fupin.core.clock import today
from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.demo.generator.identity import Identities, random_gender
from fupin.regions.codes import Level, normalize_code
from fupin.regions.models import Region
from fupin.registry.models import Household, HouseholdStatusEvent

from .checks import registered_persons
from .models import (
    CadreProfile,
    HelperAssignment,
    HelpingUnit,
    PoorVillage,
    TeamRole,
    UnitKind,
    UnitVillagePairing,
    WorkTeam,
    WorkTeamMember,
)

DEMO_SOURCE = "demo"
CADRE_ID_PREFIX = "610902"  # 安康市汉滨区: the city seat; the demo registry's IDs are all 610926/612427
IDENTIFIED_YEAR = 2014
OTHER_VILLAGE_UNIT_SHARE = 0.08  # [demo] non-poor villages that also have a helping unit
SECRETARY_ROTATION_SHARE = 0.3  # [demo] teams whose first secretary was replaced once
REASSIGNED_SHARE = 0.05  # [demo] households whose first helper was replaced
DEPARTMENTS = ("发展和改革委员会", "教育局", "民政局", "财政局", "人力资源和社会保障局", "自然资源局", "住房和城乡建设局",
               "交通运输局", "水利局", "农业农村局", "林业局", "卫生健康委员会", "市场监督管理局", "审计局", "统计局",
               "医疗保障局", "文化和旅游局", "生态环境局", "商务局", "司法局")
ENTERPRISES = ("富硒茶业有限公司", "生态农业开发有限公司", "绞股蓝产业有限公司", "建筑工程有限公司", "现代农业有限公司",
               "食品有限公司")
SOCIAL = ("慈善协会", "青年志愿者协会", "扶贫开发协会")
POSITIONS = ("科员", "科员", "副主任科员", "主任科员", "副科长", "科长", "干部", "副局长")
TOWNSHIP_POSITIONS = ("干部", "科员", "站长", "副站长", "办公室主任")
TOWNSHIP_STAFF_SHARE = 0.4  # [demo] cadres working for their own township's government (when it is a unit)
TEAM_SIZES = (2, 3)  # members besides the secretary [demo]


def _county(county_code: str) -> tuple[Region, list[Region], dict[str, Region]]:
    county = demo_county(county_code)
    inside = Region.objects.filter(code__range=county.code_range.as_tuple()).order_by("code")
    villages = [r for r in inside if r.level == Level.VILLAGE]
    townships = {r.code: r for r in inside if r.level == Level.TOWNSHIP}
    if not villages:
        raise DemoError(f"{county.name}没有村级区划：请先导入乡镇和村")
    return county, villages, townships


class _Ids:
    """Valid, unique resident ID numbers of 汉滨区 for cadres and team members."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def draw(self, birth: date, gender: str) -> str:
        while True:
            seq = self.rng.randrange(100) * 10 + self.rng.randrange(5) * 2 + (1 if gender == "M" else 0)
            body = f"{CADRE_ID_PREFIX}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used:
                self.used.add(number)
                return number


def _unit_names(county: Region, townships: dict[str, Region], rng) -> list[tuple[str, str]]:
    city = county.parent if county.parent is not None and county.parent.level == Level.CITY else None
    province = Region.objects.filter(code=county.code[:2] + "0" * 10).first()
    names = []
    if province is not None:
        short = province.name.removesuffix("省")
        names += [(f"{short}省{d.replace('局', '厅')}", UnitKind.PROVINCIAL) for d in DEPARTMENTS[:8]]
    if city is not None:
        names += [(f"{city.name}{d}", UnitKind.CITY) for d in DEPARTMENTS[:12]]
    names += [(f"{county.name}{d}", UnitKind.COUNTY) for d in DEPARTMENTS]
    names += [(f"{t.name}人民政府", UnitKind.TOWNSHIP) for t in townships.values()]
    names += [(f"{county.name}{e}", UnitKind.ENTERPRISE) for e in ENTERPRISES]
    names += [(f"{(city or county).name}{s}", UnitKind.SOCIAL) for s in SOCIAL]
    rng.shuffle(names)
    return names


def _dates_between(rng, low: date, high: date) -> date:
    return low + timedelta(days=rng.randrange(max(1, (high - low).days)))


@transaction.atomic
def generate_helper_demo(*, county_code: str, year: int, seed: int, poor_village_codes: Iterable[str]) -> dict:
    county, villages, townships = _county(county_code)
    low, high = county.code_range.as_tuple()
    if (PoorVillage.objects.filter(village_id__gte=low, village_id__lte=high).exists()
            or HelperAssignment.objects.filter(village_code__gte=low, village_code__lte=high).exists()):
        raise DemoError(f"{county.name}已有结对帮扶数据，不能重复生成演示数据（请使用新的空数据库）")
    rng = random.Random(f"helpers-{seed}-{county.code}-{year}")
    ids = _Ids(rng)
    people = Identities(rng, county6=county.code[:6], reference=date(year, 12, 31))
    last_day = min(date(year, 12, 31), today())
    known = {v.code for v in villages}
    poor = sorted({normalize_code(c) for c in poor_village_codes} & known)

    PoorVillage.objects.bulk_create([PoorVillage(village_id=c, identified_year=IDENTIFIED_YEAR, source=DEMO_SOURCE)
                                     for c in poor])

    # Units and their villages.
    others = [v.code for v in villages if v.code not in set(poor)]
    extra = sorted(rng.sample(others, round(len(others) * OTHER_VILLAGE_UNIT_SHARE))) if others else []
    paired = poor + extra
    names = _unit_names(county, townships, rng)
    units = HelpingUnit.objects.bulk_create([
        HelpingUnit(name=name, kind=kind, region=county, contact_name=people.surname() + "主任",
                    contact_phone=people.phone(), note=DEMO_SOURCE)
        for name, kind in names[:len(paired)]])
    unit_of = {code: units[i % len(units)] for i, code in enumerate(paired)}
    start_of = {code: date(rng.choice((2015, 2015, 2016)), rng.randint(1, 12), 1) for code in paired}
    UnitVillagePairing.objects.bulk_create([UnitVillagePairing(unit=unit_of[c], village_id=c, start=start_of[c])
                                            for c in paired])

    # Teams in the poor villages; two deliberate gaps.
    gaps = rng.sample(poor, min(2, len(poor)))
    no_secretary, withdrawn = (gaps + [None, None])[:2]
    teams = WorkTeam.objects.bulk_create([
        WorkTeam(village_id=c, unit=unit_of[c], start=start_of[c] + timedelta(days=rng.randrange(60)),
                 end=date(year, 6, 30) if c == withdrawn else None,
                 end_reason="轮换撤离，新工作队待派" if c == withdrawn else "")
        for c in poor])
    members = []
    rotated = 0

    def person(role: str, team: WorkTeam, start: date, end: date | None = None, reason: str = "") -> WorkTeamMember:
        gender = random_gender(rng)
        birth = date(rng.randint(1966, 1994), rng.randint(1, 12), rng.randint(1, 28))
        unit = team.unit.name if team.unit else county.name
        return WorkTeamMember(team=team, name=people.surname() + people.given_name(gender, birth.year), role=role,
                              id_number=ids.draw(birth, gender), phone=people.phone(),
                              work_unit=f"{unit} {rng.choice(POSITIONS)}", start=start, end=end, end_reason=reason)

    for team in teams:
        end = team.end
        closing = "工作队撤离：轮换" if end else ""
        if team.village_id == no_secretary:
            members.append(person(TeamRole.SECRETARY, team, team.start, date(year, 9, 30), "调回原单位，新第一书记待派"))
        elif rng.random() < SECRETARY_ROTATION_SHARE and team.start < date(year - 1, 1, 1):
            change = _dates_between(rng, team.start + timedelta(days=365), date(year - 1, 12, 31))
            members.append(person(TeamRole.SECRETARY, team, team.start, change, "任期届满轮换"))
            members.append(person(TeamRole.SECRETARY, team, change, end, closing))
            rotated += 1
        else:
            members.append(person(TeamRole.SECRETARY, team, team.start, end, closing))
        roles = [TeamRole.LEADER] + [TeamRole.MEMBER] * (rng.choice(TEAM_SIZES) - 1)
        members += [person(role, team, team.start, end, closing) for role in roles]
    WorkTeamMember.objects.bulk_create(members, batch_size=2000)

    # Cadre profiles for every cadre of the county.
    cadres = list(User.objects.filter(role=Role.CADRE, region_id__gte=low, region_id__lte=high)
                  .exclude(cadre_profile__isnull=False).order_by("pk"))
    departments = [u for u in units if u.kind == UnitKind.COUNTY] or units
    governments = {u.name: u for u in units if u.kind == UnitKind.TOWNSHIP}
    profiles = []
    for c in cadres:
        birth = date(rng.randint(1966, 1996), rng.randint(1, 12), rng.randint(1, 28))
        township = townships.get(c.region_id[:9] + "000")
        own = governments.get(f"{township.name}人民政府") if township else None
        if own is not None and rng.random() < TOWNSHIP_STAFF_SHARE:
            unit, position = own, rng.choice(TOWNSHIP_POSITIONS)
        else:
            unit, position = (rng.choice(departments) if departments else None), rng.choice(POSITIONS)
        profiles.append(CadreProfile(user=c, id_number=ids.draw(birth, rng.choice("MF")), unit=unit,
                                     position=position, phone=c.phone or people.phone()))
    CadreProfile.objects.bulk_create(profiles, batch_size=2000)
    clash = registered_persons(ids.used, on=last_day)
    if clash:  # cannot happen with the prefix chosen; refuse rather than write a contradiction
        raise DemoError("演示帮扶干部的身份证号码与建档立卡人口重复")

    assignments, reassigned = _assignments(county, rng, last_day)
    stats = {
        "county": county.code, "year": year, "seed": seed, "poor_villages": len(poor), "units": len(units),
        "unit_pairings": len(paired), "teams": len(teams), "team_members": len(members),
        "secretaries_rotated": rotated, "village_without_secretary": no_secretary, "village_team_withdrawn": withdrawn,
        "cadre_profiles": len(profiles), "assignments": assignments, "households_reassigned": reassigned,
    }
    record(entry=Entry(action=Action.IMPORT, object_type="helpers.demo", object_repr=f"生成结对帮扶演示数据：{county.name}",
                       region_code=county.code, after=stats))
    return stats


def _assignments(county: Region, rng, last_day: date) -> tuple[int, int]:
    """One current pairing per household with a helper (from its first status event), and for a
    few an earlier cadre of the same township replaced during the years."""
    low, high = county.code_range.as_tuple()
    households = list(Household.objects.filter(village_id__gte=low, village_id__lte=high, helper__isnull=False)
                      .values_list("id", "village_id", "helper_id", "registered_year").order_by("id"))
    filed = dict(HouseholdStatusEvent.objects.filter(in_code_range("household__village_id", county.code_range))
                 .values("household_id").annotate(first=Min("effective_on")).values_list("household_id", "first")
                 .order_by())
    by_township: dict[str, list[int]] = {}
    for pk, region in (User.objects.filter(role=Role.CADRE, region_id__gte=low, region_id__lte=high)
                       .values_list("pk", "region_id").order_by("pk")):
        by_township.setdefault(region[:9], []).append(pk)
    rows, reassigned = [], 0
    for pk, village, helper, registered_year in households:
        start = filed.get(pk) or date(registered_year, 1, 1)
        reason = "初次结对"
        peers = [c for c in by_township.get(village[:9], []) if c != helper]
        if peers and rng.random() < REASSIGNED_SHARE and (last_day - start).days > 60:
            change = _dates_between(rng, start + timedelta(days=30), last_day)
            reason = "原帮扶责任人工作调动"
            rows.append(HelperAssignment(household_id=pk, village_code=village, cadre_id=rng.choice(peers), start=start,
                                         end=change, reason="初次结对", end_reason=reason, actor_name=DEMO_SOURCE))
            start = change
            reassigned += 1
        rows.append(HelperAssignment(household_id=pk, village_code=village, cadre_id=helper, start=start,
                                     reason=reason, actor_name=DEMO_SOURCE))
    HelperAssignment.objects.bulk_create(rows, batch_size=2000)
    return len(households), reassigned


@transaction.atomic
def sync_demo_cadre(*, cadre: User, on: date | None = None, seed: int = 2014) -> dict:
    """After `create_demo_users` pointed households at the demo cadre account directly: give the
    account a profile if it has none, and for each household whose helper it now is, end the other
    cadre's pairing on `on` (default today) and open the account's. Set-based; one audit row."""
    on = on or today()
    rng = random.Random(f"demo-cadre-{seed}-{cadre.pk}")
    made_profile = False
    if not CadreProfile.objects.filter(user=cadre).exists():
        ids = _Ids(rng)
        number = ids.draw(date(1988, 8, 8), "M")
        while registered_persons([number], on=on) or CadreProfile.objects.filter(id_number=number).exists():
            number = ids.draw(date(1988, 8, 8), "M")
        unit = (HelpingUnit.objects.filter(region_id=cadre.region_id[:6] + "000000").order_by("pk").first())
        CadreProfile.objects.create(user=cadre, id_number=number, unit=unit, position="科员", phone=cadre.phone)
        made_profile = True
    households = list(Household.objects.filter(helper=cadre).values_list("id", "village_id").order_by("id"))
    ids_ = [pk for pk, _ in households]
    stale = HelperAssignment.objects.filter(household_id__in=ids_, end__isnull=True).exclude(cadre=cadre)
    have = set(HelperAssignment.objects.filter(household_id__in=ids_, end__isnull=True, cadre=cadre)
               .values_list("household_id", flat=True))
    ended = stale.update(end=on, end_reason="演示账户结对")
    HelperAssignment.objects.bulk_create([
        HelperAssignment(household_id=pk, village_code=village, cadre=cadre, start=on, reason="演示账户结对",
                         actor_name=DEMO_SOURCE) for pk, village in households if pk not in have])
    stats = {"cadre": cadre.username, "profile_created": made_profile, "households": len(households),
             "ended": ended, "opened": len(households) - len(have)}
    record(entry=Entry(action=Action.IMPORT, object_type="helpers.demo", object_repr=f"演示帮扶责任人结对：{cadre.username}",
                       region_code=cadre.region_id, after=stats))
    return stats

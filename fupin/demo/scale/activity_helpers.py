"""结对帮扶 of a county, set-based: 贫困村, helping units, unit pairings, work teams, cadre profiles
and the household pairings (HelperAssignment).

- 贫困村: the county's PoorVillage rows when the registry has them; otherwise the villages with the
  most households (the registry weights poor villages up), POOR_VILLAGE_SHARE of the villages.
- Helping units: the demo's list (省直、市直、县直 departments, township governments, enterprises,
  social organisations) registered in the county — a few dozen rows, written with bulk_create.
  Each poor village is paired with one (in turn; a unit helps several villages when there are
  more villages than units), and OTHER_VILLAGE_UNIT_SHARE of the other villages too.
- A work team in each poor village, dispatched by its unit, with a 第一书记, a leader and one or
  two members; SECRETARY_ROTATION_SHARE of the secretaries were replaced once (history). Their ID
  numbers are valid like the cadres' (sequences 900–999, drawn again if a registered member has one).
- A CadreProfile for every cadre account of the county without one. ID numbers are valid for
  stdnum: the county's address code in force in the birth year (`registry_ids.prefix_by_year`, as
  the registry's own IDs), birth date (1960–1999) and sequence a one-to-one function of the account
  id (so unique across counties and runs), check digit computed in SQL. The registry uses the same
  address codes, so a number a registered member already has is drawn again in the next sequence
  band (ID_ROUNDS bands; two fixed UPDATEs) — a cadre is never a registered poor person.
- A HelperAssignment for every household with a helper, from the day it was filed (its first status
  event); REASSIGNED_SHARE of them had an earlier cadre of the same village replaced during the
  years. The current pairing (no end) is always the household's `helper` (Household.helper_id).
"""

from __future__ import annotations

import random
from datetime import date

from fupin.demo.generator import DemoError
from fupin.demo.generator.calibration import HELPER_MAX_HOUSEHOLDS, POOR_VILLAGE_SHARE
from fupin.demo.generator.identity import GIVEN_NAME_CHARS, MOBILE_PREFIXES, SURNAMES
from fupin.helpers.demo import (
    DEPARTMENTS,
    ENTERPRISES,
    OTHER_VILLAGE_UNIT_SHARE,
    POSITIONS,
    REASSIGNED_SHARE,
    SECRETARY_ROTATION_SHARE,
    SOCIAL,
    TOWNSHIP_POSITIONS,
    TOWNSHIP_STAFF_SHARE,
)
from fupin.helpers.models import (
    CadreProfile,
    HelperAssignment,
    HelpingUnit,
    PoorVillage,
    UnitKind,
    UnitVillagePairing,
    WorkTeam,
    WorkTeamMember,
)
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.registry.choices import Gender

from .activity import HH, SOURCE
from .activity_sql import choice, id_check_sql, q

IDENTIFIED_YEAR = 2014  # 贫困村 identified with the registry (建档立卡, 2014)
ID_EPOCH = date(1960, 1, 1)  # cadres' birth dates: 1960-01-01 … 1999-12-31
ID_DAYS = 14610
ID_PER_DAY = 300  # sequence numbers per birth date in a round (both sexes: the last digit's parity)
ID_MULTIPLIER = 1_000_003  # coprime with ID_DAYS × ID_PER_DAY: account id → (birth day, slot) is one-to-one
ID_CAPACITY = ID_DAYS * ID_PER_DAY  # 4,383,000 account ids before two could share a number
ID_ROUNDS = 3  # cadres' sequences 000–299, then 300–599 and 600–899 for numbers a registered person has
TEAM_SEQ_BASE = 900  # team members' sequences 900–999 (no uniqueness needed)
A = "scale_act_assign"


def generate(ctx) -> None:
    _poor_villages(ctx)
    units = _units(ctx)
    _pairings(ctx, units)
    _teams(ctx)
    _profiles(ctx, units)
    _assignments(ctx)


def _poor_villages(ctx) -> None:
    s, t = ctx.sql, PoorVillage._meta.db_table
    have = s.rows(f"SELECT COUNT(*) FROM {t} WHERE village_id BETWEEN %s AND %s", [ctx.low, ctx.high],
                  label="helpers.poorvillage")[0][0]
    if have:
        ctx.parameters.setdefault("helpers.poorvillage", {})["existing"] = have
        return
    year = min(IDENTIFIED_YEAR, ctx.years[0])
    n = s.run(f"""
        INSERT INTO {t} (village_id, identified_year, exited_year, source, created_at)
        SELECT v.village_id, %s, NULL, %s, %s FROM (
            SELECT village_id, ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, village_id) AS rn
            FROM {HH} GROUP BY village_id) v
        WHERE v.rn <= (SELECT ROUND(COUNT(*) * {POOR_VILLAGE_SHARE:.6f})
                       FROM {Region._meta.db_table} WHERE level = %s AND code BETWEEN %s AND %s)""",
              [year, SOURCE, ctx.now_p, Level.VILLAGE, ctx.low, ctx.high], label="helpers.poorvillage")
    ctx.count("helpers.poorvillage", n, "贫困村", share=POOR_VILLAGE_SHARE, identified_year=year,
              rule="户数最多的村")


def _units(ctx) -> dict[str, list[int]]:
    """Helping units of the county (a few dozen, bulk_create); ids by kind, in creation order."""
    county = ctx.county
    city = Region.objects.filter(code=county.code[:4] + "0" * 8).first()
    province = Region.objects.filter(code=county.code[:2] + "0" * 10).first()
    townships = list(Region.objects.filter(parent_id=county.code, level=Level.TOWNSHIP).order_by("code")
                     .values_list("name", flat=True))
    names = []
    if province is not None:  # 省直 departments are 厅; a municipality's (北京市 …) keep 局
        provincial = province.name.endswith(("省", "自治区"))
        names += [(f"{province.name}{d.replace('局', '厅') if provincial else d}", UnitKind.PROVINCIAL)
                  for d in DEPARTMENTS[:8]]
    if city is not None and city.name not in (province.name if province else "", county.name):
        names += [(f"{city.name}{d}", UnitKind.CITY) for d in DEPARTMENTS[:12]]
    names += [(f"{county.name}{d}", UnitKind.COUNTY) for d in DEPARTMENTS]
    names += [(f"{t}人民政府", UnitKind.TOWNSHIP) for t in townships]
    names += [(f"{county.name}{e}", UnitKind.ENTERPRISE) for e in ENTERPRISES]
    names += [(f"{(city or county).name}{s}", UnitKind.SOCIAL) for s in SOCIAL]
    first: dict[str, str] = {}
    for name, kind in names:  # one unit a name (unique in the county), its first kind
        first.setdefault(name, kind)
    names = list(first.items())
    rng = random.Random(f"scale-units-{ctx.seed}-{county.code}")
    rng.shuffle(names)
    rows = HelpingUnit.objects.bulk_create([
        HelpingUnit(name=name, kind=kind, region=county, contact_name=rng.choice(SURNAMES) + "主任", note=SOURCE)
        for name, kind in names])
    ctx.count("helpers.helpingunit", len(rows), "帮扶单位")
    by_kind: dict[str, list[int]] = {}
    for u in rows:
        by_kind.setdefault(u.kind, []).append(u.pk)
    by_kind["all"] = [u.pk for u in rows]
    return by_kind


def _pairings(ctx, units: dict[str, list[int]]) -> None:
    s = ctx.sql
    base = date(min(2015, ctx.years[0]), 1, 1)
    pv, unit = PoorVillage._meta.db_table, HelpingUnit._meta.db_table
    poor = f"EXISTS (SELECT 1 FROM {pv} p WHERE p.village_id = r.code)"
    n = s.run(f"""
        INSERT INTO {UnitVillagePairing._meta.db_table} (unit_id, village_id, start, "end", end_reason, created_at)
        SELECT u.id, v.code, {s.add_months(s.date(base), s.hash(s.code_int('v.code'), 11, 24))}, NULL, '', %s
        FROM (SELECT r.code, ROW_NUMBER() OVER (ORDER BY CASE WHEN {poor} THEN 0 ELSE 1 END, r.code) - 1 AS k
              FROM {Region._meta.db_table} r
              WHERE r.level = %s AND r.code BETWEEN %s AND %s
                AND ({poor} OR {s.hash(s.code_int('r.code'), 12, 1000)} < {round(OTHER_VILLAGE_UNIT_SHARE * 1000)})) v
        JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM {unit}
              WHERE region_id = %s AND note = %s) u ON u.k = v.k %% {len(units['all'])}""",
              [ctx.now_p, Level.VILLAGE, ctx.low, ctx.high, ctx.county.code, SOURCE], label="helpers.unitvillagepairing")
    ctx.count("helpers.unitvillagepairing", n, "单位包村", other_village_share=OTHER_VILLAGE_UNIT_SHARE)


def _name(s, key: str, salt: int, gender_sql: str) -> str:
    male, female = GIVEN_NAME_CHARS[(Gender.MALE, 1)], GIVEN_NAME_CHARS[(Gender.FEMALE, 1)]

    def given(k: int) -> str:
        return (f"(CASE WHEN {gender_sql} = 1 THEN {s.char_at(male, s.hash(key, salt + k, len(male)))} "
                f"ELSE {s.char_at(female, s.hash(key, salt + k, len(female)))} END)")

    return (f"{s.char_at(SURNAMES, s.hash(key, salt, len(SURNAMES)))} || {given(1)} || "
            f"(CASE WHEN {s.hash(key, salt + 3, 10)} < 8 THEN {given(2)} ELSE '' END)")


def _phone(s, key: str, salt: int) -> str:
    return (f"{choice(s.hash(key, salt, len(MOBILE_PREFIXES)), MOBILE_PREFIXES)} || "
            f"SUBSTR({s.text(f'100000000 + {s.hash(key, salt + 1, 100000000)}')}, 2, 8)")


def _prefix(s, county_code: str, birth_sql: str) -> str:
    """The address code in force for the county in the birth year, as the registry's IDs use it
    (`registry_ids.prefix_by_year`: stdnum accepts it for that year)."""
    from .registry_ids import FIRST_BIRTH_YEAR, prefix_by_year

    by_year = prefix_by_year(county_code[:6])
    first, last = ID_EPOCH.year, ID_EPOCH.year + ID_DAYS // 365 + 1
    runs: list[list] = []
    for year in range(first, last + 1):
        code = by_year[year - FIRST_BIRTH_YEAR]
        if runs and runs[-1][2] == code:
            runs[-1][1] = year
        else:
            runs.append([year, year, code])
    year = s.year_of(birth_sql)
    return "(CASE " + " ".join(f"WHEN {year} <= {end} THEN {q(code)}" for _start, end, code in runs) + " END)"


def _id(s, county_code: str, birth_sql: str, seq_sql: str) -> str:
    """A full resident ID: address code of the birth year, birth date, sequence, check character."""
    body = f"{_prefix(s, county_code, birth_sql)} || {s.ymd(birth_sql)} || SUBSTR({s.text(f'1000 + {seq_sql}')}, 2, 3)"
    return f"({body} || {id_check_sql(body)})"


def _cadre_id(s, county_code: str, id_sql: str, round_: int) -> str:
    """Account id → (birth day, slot) one-to-one, the round picking the sequence band: unique among
    every generated profile whatever the round."""
    scrambled = f"(({id_sql} * {ID_MULTIPLIER}) %% {ID_CAPACITY})"
    birth = s.add_days(s.date(ID_EPOCH), f"{scrambled} / {ID_PER_DAY}")
    seq = f"({round_ * ID_PER_DAY} + {scrambled} %% {ID_PER_DAY})"
    return _id(s, county_code, birth, seq)


def _clear_registered(ctx, table: str, column_sql: str, where: str, params: list, label: str) -> None:
    """Re-draw, in a later band, the numbers that a registry member already has (rare: the registry
    uses the same address codes); a fixed number of statements whether or not there are any."""
    from fupin.registry.models import Member

    s, m = ctx.sql, Member._meta.db_table
    for r in range(1, ID_ROUNDS):
        s.run(f"""UPDATE {table} SET id_number = {column_sql(r)}
                  WHERE {where} AND EXISTS (SELECT 1 FROM {m} m WHERE m.id_number = {table}.id_number)""",
              params, label=label)


def _teams(ctx) -> None:
    s = ctx.sql
    pv, pairing, team = PoorVillage._meta.db_table, UnitVillagePairing._meta.db_table, WorkTeam._meta.db_table
    n = s.run(f"""
        INSERT INTO {team} (village_id, unit_id, start, "end", end_reason, created_at)
        SELECT p.village_id, pr.unit_id, {s.add_days('pr.start', s.hash(s.code_int('p.village_id'), 21, 60))},
               NULL, '', %s
        FROM {pv} p JOIN {pairing} pr ON pr.village_id = p.village_id
        WHERE p.village_id BETWEEN %s AND %s""", [ctx.now_p, ctx.low, ctx.high], label="helpers.workteam")
    ctx.count("helpers.workteam", n, "驻村工作队")

    # Roles: 0 第一书记 (current), 1 队长, 2 队员, 3 a second 队员 (half the teams), 4 the first
    # secretary replaced once (SECRETARY_ROTATION_SHARE of the teams started before last year).
    team_key = s.code_int("t.village_id")  # one team a village: its code, not the new row's id, keys the draws
    change = s.add_days("t.start", f"400 + {s.hash(team_key, 22, 300)}")
    rotated = (f"({s.hash(team_key, 23, 100)} < {round(SECRETARY_ROTATION_SHARE * 100)} "
               f"AND {change} <= {s.date(date(ctx.last - 1, 12, 31))})")
    key = f"({team_key} * 5 + r.k)"
    male = f"CASE WHEN {s.hash(key, 31, 100)} < 70 THEN 1 ELSE 0 END"  # [demo] seven in ten are men
    seq = f"({TEAM_SEQ_BASE} + {s.hash(key, 33, 50)} * 2 + {male})"
    birth = s.add_days(s.date(date(1966, 1, 1)), s.hash(key, 34, 10950))
    member, unit = WorkTeamMember._meta.db_table, HelpingUnit._meta.db_table
    n = s.run(f"""
        INSERT INTO {member} (team_id, name, user_id, role, id_number, phone, work_unit, start, "end", end_reason,
                              created_at)
        SELECT b.team_id, b.name, NULL, b.role, b.id_number, b.phone, b.work_unit,
               b.start, b.stop, b.end_reason, %s
        FROM (SELECT t.id AS team_id, {_name(s, key, 40, male)} AS name,
                     CASE WHEN r.k IN (0, 4) THEN 'secretary' WHEN r.k = 1 THEN 'leader' ELSE 'member' END AS role,
                     {_id(s, ctx.county.code, birth, seq)} AS id_number,
                     {_phone(s, key, 45)} AS phone,
                     COALESCE(u.name, {q(ctx.county.name)}) || ' ' ||
                         {choice(s.hash(key, 47, len(POSITIONS)), POSITIONS)} AS work_unit,
                     CASE WHEN r.k = 0 AND {rotated} THEN {change} ELSE t.start END AS start,
                     CASE WHEN r.k = 4 THEN {change} END AS stop,
                     CASE WHEN r.k = 4 THEN '任期届满轮换' ELSE '' END AS end_reason
              FROM {team} t
              JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) r
                ON r.k <= 2 OR (r.k = 3 AND {s.hash(team_key, 24, 2)} = 1) OR (r.k = 4 AND {rotated})
              LEFT JOIN {unit} u ON u.id = t.unit_id
              WHERE t.village_id BETWEEN %s AND %s) b""",
              [ctx.now_p, ctx.low, ctx.high], label="helpers.workteammember")

    def redraw(r: int) -> str:
        old = "CAST(SUBSTR(id_number, 7, 11) AS BIGINT)"  # birth date and sequence of the number replaced
        birth_r = s.add_days(s.date(date(1966, 1, 1)), s.hash(old, 34 + 10 * r, 10950))
        return _id(s, ctx.county.code, birth_r, f"({TEAM_SEQ_BASE} + {s.hash(old, 33 + 10 * r, 50)} * 2 + "
                                                f"CAST(SUBSTR(id_number, 17, 1) AS INTEGER) %% 2)")

    _clear_registered(ctx, member, redraw, f"team_id IN (SELECT id FROM {team} WHERE village_id BETWEEN %s AND %s)",
                      [ctx.low, ctx.high], "helpers.workteammember")
    ctx.count("helpers.workteammember", n, "驻村工作队员", rotation_share=SECRETARY_ROTATION_SHARE)


def _profiles(ctx, units: dict[str, list[int]]) -> None:
    from django.contrib.auth import get_user_model

    s = ctx.sql
    users = get_user_model()._meta.db_table
    profile, unit = CadreProfile._meta.db_table, HelpingUnit._meta.db_table
    departments = units.get(UnitKind.COUNTY) or units["all"]
    top = s.rows(f"SELECT MAX(id) FROM {users} WHERE role = 'cadre' AND region_id BETWEEN %s AND %s",
                 [ctx.low, ctx.high], label="helpers.cadreprofile")[0][0]
    if top is not None and top >= ID_CAPACITY:  # the id → number mapping would repeat itself
        raise DemoError(f"帮扶责任人账户 ID 超过 {ID_CAPACITY:,}，无法为其生成不重复的演示身份证号码")
    own = f"{s.hash('u.id', 52, 100)} < {round(TOWNSHIP_STAFF_SHARE * 100)}"
    n = s.run(f"""
        INSERT INTO {profile} (user_id, id_number, unit_id, position, phone, updated_at)
        SELECT c.id, c.id_number, c.unit_id, c.position, c.phone, %s
        FROM (SELECT u.id, u.phone, {_cadre_id(s, ctx.county.code, 'u.id', 0)} AS id_number,
                     CASE WHEN tu.id IS NOT NULL AND {own} THEN tu.id ELSE d.id END AS unit_id,
                     CASE WHEN tu.id IS NOT NULL AND {own}
                          THEN {choice(s.hash('u.id', 53, len(TOWNSHIP_POSITIONS)), TOWNSHIP_POSITIONS)}
                          ELSE {choice(s.hash('u.id', 54, len(POSITIONS)), POSITIONS)} END AS position
              FROM {users} u
              LEFT JOIN {Region._meta.db_table} tr ON tr.code = SUBSTR(u.region_id, 1, 9) || '000'
              LEFT JOIN {unit} tu ON tu.region_id = %s AND tu.note = %s AND tu.name = tr.name || '人民政府'
              JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM {unit}
                    WHERE id IN ({', '.join(str(i) for i in departments)})) d
                ON d.k = {s.hash('u.id', 55, len(departments))}
              WHERE u.role = 'cadre' AND u.region_id BETWEEN %s AND %s
                AND NOT EXISTS (SELECT 1 FROM {profile} p WHERE p.user_id = u.id)) c""",
              [ctx.now_p, ctx.county.code, SOURCE, ctx.low, ctx.high], label="helpers.cadreprofile")
    _clear_registered(ctx, profile, lambda r: _cadre_id(s, ctx.county.code, "user_id", r),
                      f"user_id IN (SELECT id FROM {users} WHERE role = 'cadre' AND region_id BETWEEN %s AND %s)",
                      [ctx.low, ctx.high], "helpers.cadreprofile")
    ctx.count("helpers.cadreprofile", n, "帮扶责任人档案", township_staff_share=TOWNSHIP_STAFF_SHARE,
              id_numbers="地址码为出生年份适用的本县代码；出生日期和顺序码由账户 ID 一一对应，与建档立卡成员重复的改用后续号段")


def _assignments(ctx) -> None:
    s = ctx.sql
    on = s.date(ctx.on)
    span = s.days_between(on, "h.first_on")
    s.temp(A, f"""
        SELECT h.id, h.village_id, h.helper_id, h.first_on, o.other,
               CASE WHEN o.other IS NOT NULL AND {span} > 60
                     AND {s.hash('h.id', 61, 1000)} < {round(REASSIGNED_SHARE * 1000)}
                    THEN {s.add_days('h.first_on', f"30 + (({s.hash('h.id', 62, 1000000)}) %% ({span} - 30))")}
                    END AS change
        FROM {HH} h
        LEFT JOIN (SELECT h1.id, CASE WHEN v.low <> h1.helper_id THEN v.low WHEN v.high <> h1.helper_id THEN v.high
                                 END AS other
                   FROM {HH} h1 JOIN (SELECT village_id, MIN(helper_id) AS low, MAX(helper_id) AS high FROM {HH}
                                      GROUP BY village_id) v ON v.village_id = h1.village_id
                   WHERE h1.helper_id IS NOT NULL) o ON o.id = h.id
        WHERE h.helper_id IS NOT NULL AND h.first_on <= {on}""", label="helpers.helperassignment")
    table = HelperAssignment._meta.db_table
    cols = "household_id, village_code, cadre_id, start, \"end\", reason, end_reason, actor_name, created_at"
    actor = ctx.actor.username
    earlier = s.run(f"""
        INSERT INTO {table} ({cols})
        SELECT a.id, a.village_id, a.other, a.first_on, a.change, '初次结对', '原帮扶责任人工作调动', %s, %s
        FROM {A} a WHERE a.change IS NOT NULL""", [actor, ctx.now_p], label="helpers.helperassignment")
    current = s.run(f"""
        INSERT INTO {table} ({cols})
        SELECT a.id, a.village_id, a.helper_id, COALESCE(a.change, a.first_on), NULL,
               CASE WHEN a.change IS NULL THEN '初次结对' ELSE '原帮扶责任人工作调动' END, '', %s, %s
        FROM {A} a""", [actor, ctx.now_p], label="helpers.helperassignment")
    ctx.count("helpers.helperassignment", earlier + current, "结对帮扶记录", current=current, ended=earlier,
              reassigned_share=REASSIGNED_SHARE, max_households_per_cadre=HELPER_MAX_HOUSEHOLDS)

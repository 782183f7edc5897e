"""一户一策 of a county for the last year, set-based: one plan per household and 1–3 measures.

Who gets a plan: households with a row for the last year whose year-end status is poor (未脱贫,
返贫: POOR_SHARE) or exited / monitored (脱贫不脱帮扶: OTHER_SHARE) — the demo's shares.

Measures follow the household's facts as `plans.facts` defines them (members present at 31
December with their year rows; the year's housing and water): a measure type is a candidate only
when the national default suggestion rule for it fires (S01–S12, `plans/rules/defaults.py`), so no
contradiction rule (C01–C09) can fire on a generated measure; 转移就业 needs a labourer (C02) and
资产收益 (no rule either way) is the fallback every household has. Candidates matching the main
cause come first, then those of its other causes, then the rest (ties broken by the hash); the
plan takes the first 1–3. Province-specific rule rows are not consulted (the national defaults
are), see the report of `fupin check_plans` for what they would flag.

Statuses by a per-plan progress (20–100 %): completed measures have a completion day from 1 March
to the business date, the others are 实施中 or 计划中; plans are drawn up January–March and most
confirmed in April (never after the business date). Demo plans have no author id, as in
`plans.demo` (only the services set one).
"""

from __future__ import annotations

from datetime import date

from fupin.plans.choices import DEFAULT_RESPONSIBLE, MeasureStatus, MeasureType, PlanStatus
from fupin.plans.demo import (
    ANIMALS,
    CONFIRMED_SHARE,
    CROPS,
    JOBS,
    OTHER_SHARE,
    PLACES,
    POOR_SHARE,
    PURPOSES,
    SKILLS,
)
from fupin.plans.models import HouseholdPlan, PlanMeasure
from fupin.policy.selectors import resolve
from fupin.registry.models import HouseholdYear, Member, MemberYear

from .activity import HH
from .activity_sql import choice, q, utc_hour

F = "scale_act_facts"
C = "scale_act_cand"
MAX_MEASURES = 3
T = MeasureType
# Measure types that answer a main or other cause first (our reading of the 五个一批 and sector
# measures, [demo]); a type is only used when its suggestion rule fires for the household.
FOR_CAUSE = {
    "illness": (T.HEALTH,), "disability": (T.DISABILITY_ALLOWANCE,), "schooling": (T.EDUCATION_AID, T.RAIN_DEW),
    "disaster": (T.HOUSING, T.INDUSTRY), "lack_land": (T.INDUSTRY,), "lack_water": (T.WATER,),
    "lack_skills": (T.SKILLS_TRAINING, T.EMPLOYMENT), "lack_labour": (T.BASIC_SECURITY, T.PUBLIC_JOB),
    "lack_funds": (T.MICROCREDIT, T.INDUSTRY), "transport": (T.EMPLOYMENT, T.INDUSTRY),
    "no_motivation": (T.PUBLIC_JOB, T.INDUSTRY),
}
# type → (suggestion rule code, condition on the facts table f)
RULES = {
    T.BASIC_SECURITY: ("S01", "f.my_rows > 0 AND f.labour = 0 AND f.weak = 0"),
    T.EDUCATION_AID: ("S02", "(f.compulsory > 0 OR f.senior_univ > 0)"),
    T.RAIN_DEW: ("S03", "f.vocational > 0"),
    T.HOUSING: ("S05", "f.unsafe_house = 1"),
    T.WATER: ("S06", "f.water_unsafe = 1"),
    T.HEALTH: ("S07", "(f.c_illness = 1 OR f.sick > 0)"),
    T.DISABILITY_ALLOWANCE: ("S08", "f.disabled > 0"),
    T.SKILLS_TRAINING: ("S09", "f.labour > 0 AND f.c_lack_skills = 1"),
    T.MICROCREDIT: ("S10", "f.c_lack_funds = 1 AND f.labour_adult > 0"),
    T.INDUSTRY: ("S11", "f.labour > 0"),
    T.PUBLIC_JOB: ("S12", "f.weak > 0 AND f.labour = 0"),
    T.EMPLOYMENT: ("", "f.labour > 0 AND (f.c_lack_skills = 1 OR f.c_transport = 1 OR f.c_lack_land = 1)"),
    T.ASSET_INCOME: ("", "1 = 1"),
}
TYPES = list(RULES)
CAUSES = ("illness", "lack_skills", "lack_funds", "transport", "lack_land")
SCHOOL_AID = ("“两免一补”", "“两免一补”和营养改善计划", "免学杂费和国家助学金", "学前教育资助")


def generate(ctx) -> None:
    _facts(ctx)
    _candidates(ctx)
    _plans(ctx)
    _measures(ctx)


def _facts(ctx) -> None:
    s, year = ctx.sql, ctx.last
    unsafe = resolve("exit.unsafe_danger_grades", year=year, region_code=ctx.county.code)
    ctx.parameters.setdefault("plans.planmeasure", {})["policy"] = [unsafe.explain()]
    grades = ", ".join(q(g) for g in unsafe.value) or "''"
    hy, m, my = HouseholdYear._meta.db_table, Member._meta.db_table, MemberYear._meta.db_table
    day = s.date(date(year, 12, 31))
    age = f"({year} - {s.year_of('m.birth_date')})"

    def n(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    causes = ", ".join(f"CASE WHEN h.main_cause = {q(c)} OR {s.contains('h.causes', chr(34) + c + chr(34))} "
                       f"THEN 1 ELSE 0 END AS c_{c}" for c in CAUSES)
    s.temp(F, f"""
        SELECT h.id, h.village_id, h.head_name, h.helper_id, h.main_cause, h.causes, y.status, y.household_size,
               CASE WHEN y.danger_grade IN ({grades}) AND NOT y.relocated THEN 1 ELSE 0 END AS unsafe_house,
               CASE WHEN NOT y.drinking_water_safe OR y.drinking_water_difficult THEN 1 ELSE 0 END AS water_unsafe,
               COALESCE(a.my_rows, 0) AS my_rows, COALESCE(a.labour, 0) AS labour, COALESCE(a.weak, 0) AS weak,
               COALESCE(a.labour_adult, 0) AS labour_adult, COALESCE(a.compulsory, 0) AS compulsory,
               COALESCE(a.vocational, 0) AS vocational, COALESCE(a.senior_univ, 0) AS senior_univ,
               COALESCE(a.sick, 0) AS sick, COALESCE(a.disabled, 0) AS disabled, {causes}
        FROM {HH} h
        JOIN {hy} y ON y.household_id = h.id AND y.year = %s
        LEFT JOIN (
            SELECT m.household_id, COUNT(*) AS my_rows,
                   {n("my.labour_capacity IN ('ordinary', 'skilled')")} AS labour,
                   {n("my.labour_capacity = 'weak'")} AS weak,
                   {n(f"my.labour_capacity IN ('ordinary', 'skilled') AND {age} BETWEEN 18 AND 65")} AS labour_adult,
                   {n("my.school_status IN ('primary', 'junior')")} AS compulsory,
                   {n("my.school_status IN ('vocational', 'college')")} AS vocational,
                   {n("my.school_status IN ('senior', 'university')")} AS senior_univ,
                   {n("my.health IN ('chronic', 'serious')")} AS sick,
                   {n("my.health = 'disabled' OR my.disability_grade <> ''")} AS disabled
            FROM {HH} h2
            JOIN {m} m ON m.household_id = h2.id
            JOIN {my} my ON my.member_id = m.id AND my.year = %s
            WHERE (m.left_on IS NULL OR m.left_on > {day}) AND m.birth_date <= {day}
            GROUP BY m.household_id) a ON a.household_id = h.id
        WHERE y.status IN ('not_exited', 'returned', 'exited', 'monitored')""", [year, year],
        label="plans.householdplan", index=("id",))


def _candidates(ctx) -> None:
    s = ctx.sql
    parts = []
    for i, mtype in enumerate(TYPES):
        main = [c for c, types in FOR_CAUSE.items() if mtype in types]
        first = " OR ".join(f"f.main_cause = {q(c)}" for c in main) or "1 = 0"
        other = " OR ".join(s.contains("f.causes", f'"{c}"') for c in main) or "1 = 0"
        prio = "3" if mtype == T.ASSET_INCOME else f"CASE WHEN {first} THEN 0 WHEN {other} THEN 1 ELSE 2 END"
        parts.append(f"SELECT f.id AS household_id, {i} AS t, {q(mtype)} AS mtype, {prio} AS prio, "
                     f"{s.hash(f'f.id * 32 + {i}', 100, 1000)} AS tb FROM {F} f WHERE {RULES[mtype][1]}")
    s.temp(C, " UNION ALL ".join(parts), label="plans.planmeasure", index=("household_id",))


def _plans(ctx) -> None:
    from django.contrib.auth import get_user_model

    s, year, on = ctx.sql, ctx.last, ctx.on
    users = get_user_model()._meta.db_table
    drawn = s.least(s.add_days(s.date(date(year, 1, 5)), s.hash("f.id", 71, 86)), s.date(on))
    confirm_day = s.least(s.add_days(s.date(date(year, 4, 1)), s.hash("f.id", 72, 30)), s.date(on))
    confirmed = f"{s.hash('f.id', 73, 100)} < {round(CONFIRMED_SHARE * 100)}"
    if on < date(year, 4, 1):
        confirmed = "1 = 0"
    share = (f"{s.hash('f.id', 70, 100)} < CASE WHEN f.status IN ('not_exited', 'returned') "
             f"THEN {round(POOR_SHARE * 100)} ELSE {round(OTHER_SHARE * 100)} END")
    n = s.run(f"""
        INSERT INTO {HouseholdPlan._meta.db_table} (household_id, village_id, year, status, note, drawn_up_at,
            drawn_up_by_id, drawn_up_by_name, confirmed_at, confirmed_by_id, confirmed_by_name, updated_at)
        SELECT f.id, f.village_id, %s,
               CASE WHEN {confirmed} THEN %s ELSE %s END, '',
               {s.at_hour(drawn, utc_hour(9, on))}, NULL, COALESCE(u.username, %s),
               CASE WHEN {confirmed} THEN {s.at_hour(confirm_day, utc_hour(10, on))} END, NULL,
               CASE WHEN {confirmed} THEN %s ELSE '' END, %s
        FROM {F} f LEFT JOIN {users} u ON u.id = f.helper_id
        WHERE {share}""",
              [year, PlanStatus.CONFIRMED, PlanStatus.DRAFT, ctx.actor.username, ctx.actor.username, ctx.now_p],
              label="plans.householdplan")
    ctx.count("plans.householdplan", n, "帮扶计划", year=year, poor_share=POOR_SHARE, other_share=OTHER_SHARE,
              confirmed_share=CONFIRMED_SHARE)


def _step(s, key: str, salt: int, low: int, high: int, step: int) -> str:
    return f"({low} + {s.hash(key, salt, (high - low) // step + 1)} * {step})"


def _content(s, key: str) -> tuple[str, str]:
    """(content, amount) CASE expressions over c.mtype for the measure with hash key `key`."""
    head = "f.head_name"
    size = "CASE WHEN f.household_size > 0 THEN f.household_size ELSE 1 END"

    def pick(salt: int, values) -> str:
        return choice(s.hash(key, salt, len(values)), values)

    grow = (f"CASE WHEN {s.hash(key, 201, 2)} = 0 THEN '发展' || {pick(202, CROPS)} || "
            f"{s.text(f'1 + {s.hash(key, 203, 8)}')} || '亩，落实产业奖补' ELSE '养殖' || {pick(204, ANIMALS)} || "
            f"{s.text(f'2 + {s.hash(key, 205, 29)}')} || '头（只、箱），落实产业奖补' END")
    monthly = f"(300 + {s.hash(key, 210, 4)} * 100)"
    loan = f"(1 + {s.hash(key, 211, 5)})"
    contents = {
        T.INDUSTRY: (f"{head} || '户' || {grow}", _step(s, key, 220, 1000, 5000, 500)),
        T.EMPLOYMENT: (f"{head} || '户劳动力到' || {pick(221, PLACES)} || '务工，稳定就业' || "
                       f"{s.text(f'6 + {s.hash(key, 222, 6)}')} || '个月以上'", _step(s, key, 223, 200, 800, 100)),
        T.SKILLS_TRAINING: (f"{head} || '户劳动力参加' || {pick(224, SKILLS)} || '培训并取得证书'", "NULL"),
        T.PUBLIC_JOB: (f"'安排' || {head} || '户成员担任' || {pick(225, JOBS)} || '，每月补贴' || "
                       f"{s.text(monthly)} || '元'", f"({monthly} * 12)"),
        T.MICROCREDIT: (f"{head} || '户申请扶贫小额信贷' || {s.text(loan)} || '万元，用于' || {pick(226, PURPOSES)}",
                        f"({loan} * 10000)"),
        T.ASSET_INCOME: (f"{head} || '户享受' || {pick(227, ('村集体光伏电站', '村茶叶加工厂', '产业园', '村集体社区工厂'))}"
                         f" || '收益分红'", _step(s, key, 228, 300, 1000, 100)),
        T.HOUSING: (f"{head} || '户住房为危房，' || {pick(229, ('原址拆除重建', '加固维修'))}",
                    _step(s, key, 230, 10000, 35000, 1000)),
        T.WATER: (f"{head} || '户实施入户饮水改造，接通' || {pick(231, ('集中供水管网', '山泉水池'))}",
                  _step(s, key, 232, 800, 3000, 100)),
        T.EDUCATION_AID: (f"{head} || '户在校生落实' || {pick(233, SCHOOL_AID)}", _step(s, key, 234, 500, 3000, 250)),
        T.RAIN_DEW: (f"{head} || '户中职、高职在校生申请雨露计划补助'", "3000"),
        T.HEALTH: (f"{head} || '户' || {pick(235, ('办理慢病卡，落实家庭医生签约和大病保险报销', '参加城乡居民医保，个人缴费由财政资助', '落实医疗救助和大病保险报销'))}",
                   _step(s, key, 236, 500, 8000, 500)),
        T.BASIC_SECURITY: (f"{head} || '户' || {s.text(size)} || '人纳入农村低保，按月发放低保金'",
                           f"({_step(s, key, 237, 250, 350, 50)} * 12 * {size})"),
        T.DISABILITY_ALLOWANCE: (f"{head} || '户残疾成员落实困难残疾人生活补贴和重度残疾人护理补贴'",
                                 _step(s, key, 238, 1200, 2400, 100)),
    }
    content = " ".join(f"WHEN {q(t)} THEN {c}" for t, (c, _) in contents.items())
    amount = " ".join(f"WHEN {q(t)} THEN {a}" for t, (_, a) in contents.items())
    return f"(CASE c.mtype {content} END)", f"(CASE c.mtype {amount} END)"


def _measures(ctx) -> None:
    s, year, on = ctx.sql, ctx.last, ctx.on
    key = "(c.household_id * 32 + c.t)"
    content, amount = _content(s, key)
    progress = f"(20 + {s.hash('c.household_id', 80, 81)})"
    done_last = min(date(year, 12, 20), on)
    can_complete = on >= date(year, 3, 1)
    completed = f"{s.hash(key, 81, 100)} < {progress}" if can_complete else "1 = 0"
    span = max((done_last - date(year, 3, 1)).days + 1, 1)
    status = (f"CASE WHEN {completed} THEN {q(MeasureStatus.COMPLETED)} WHEN {s.hash(key, 82, 10)} < 6 "
              f"THEN {q(MeasureStatus.IN_PROGRESS)} ELSE {q(MeasureStatus.PLANNED)} END")
    rules = " ".join(f"WHEN {q(t)} THEN {q(code)}" for t, (code, _) in RULES.items())
    responsible = " ".join(f"WHEN {q(t)} THEN {q(r)}" for t, r in DEFAULT_RESPONSIBLE.items())
    n = s.run(f"""
        INSERT INTO {PlanMeasure._meta.db_table} (plan_id, measure_type, content, amount, responsible, status, due_on,
            completed_on, note, source_rule, created_at, updated_at)
        SELECT p.id, c.mtype, {content}, {amount}, CASE c.mtype {responsible} END, {status},
               {s.add_days(s.date(date(year, 6, 30)), s.hash(key, 83, 185))},
               CASE WHEN {completed} THEN {s.add_days(s.date(date(year, 3, 1)), s.hash(key, 84, span))} END,
               '', CASE c.mtype {rules} END, %s, %s
        FROM (SELECT c0.*, ROW_NUMBER() OVER (PARTITION BY c0.household_id ORDER BY c0.prio, c0.tb, c0.t) AS rn
              FROM {C} c0) c
        JOIN {F} f ON f.id = c.household_id
        JOIN {HouseholdPlan._meta.db_table} p ON p.household_id = c.household_id AND p.year = %s
        WHERE c.rn <= 1 + {s.hash('c.household_id', 85, MAX_MEASURES)}""",
              [ctx.now_p, ctx.now_p, year], label="plans.planmeasure")
    ctx.count("plans.planmeasure", n, "帮扶措施", year=year, measures_per_plan=[1, MAX_MEASURES],
              rules="国家默认措施建议规则 S01–S12（不产生 C01–C09 矛盾）")


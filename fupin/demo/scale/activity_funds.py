"""扶贫资金和项目库 of a county for every data year, set-based.

Projects: each village with eligible households (funds.eligible_statuses, filed by 1 May) has one
project a year, half of them a second (二期); types weighted as in `funds.demo.TYPES`. Per-household
types (产业, 危房改造, 教育, 健康, 搬迁, 就业) pick 3–12 of the village's eligible households as
beneficiaries with a per-household standard, and cost standard × beneficiaries; a village with fewer
than three eligible households gets an infrastructure project instead. Each project's status is the
last step of its life cycle (申报 → 审批入库 → 开工实施 → 验收 → 公告公示 → 销号) whose date has
come: earlier years' projects are mostly closed, the last year's spread over the stages as in the
demo; one event per step.

Money (the services' rules hold for every row): projects from 审批入库 on have one budget line from
the township allocation of the fund kind drawn for the project. Per year and kind, the county
gets a FundSource (held at its level: 中央 at the nation, 省级 at the province …) of the lines'
total / SOURCE_USED, passed down level by level (每级下达 = total / COUNTY_USED) and from the county to
each township exactly what its lines need — so no allocation exceeds what is left above it, and no
line its allocation. Sources and allocations are a few rows per township (bulk_create). A source
held above the county is the part of that fund earmarked for this county ("…（下达平利县）"): one row
per county keeps counties independent of each other when they are generated in parallel.

Payments from 开工实施 on, dated between the start and acceptance (or the business date), never more
than the line: to households their standard (all of them once accepted, a project-dependent share
while being carried out), to the contractor 30 % 预付款, 40 % 进度款, 30 % 尾款 as far as it got. No
alert cases are crafted (the demo does that); slow spending shows where projects are behind.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from fupin.funds.choices import FundKind, PayeeKind, ProjectStatus
from fupin.funds.demo import STATUS_WEIGHTS, TYPES
from fupin.funds.models import (
    Allocation,
    Disbursement,
    FundSource,
    Project,
    ProjectBeneficiary,
    ProjectEvent,
    ProjectFunding,
    ProjectTarget,
)
from fupin.policy.selectors import resolve
from fupin.regions.codes import NATION_CODE
from fupin.regions.models import Region

from .activity import HH
from .activity_sql import choice, q, weighted

P = "scale_act_proj"
B = "scale_act_benef"
STEPS = [s.value for s in ProjectStatus]  # index = step
KINDS = [(FundKind.CENTRAL, 45), (FundKind.PROVINCIAL, 15), (FundKind.CITY, 5), (FundKind.COUNTY, 8),
         (FundKind.INTEGRATED, 17), (FundKind.EAST_WEST, 7), (FundKind.DONATION, 3)]  # [demo]
PAST_STATUS_WEIGHTS = [(ProjectStatus.ACCEPTED, 10), (ProjectStatus.DISCLOSED, 15), (ProjectStatus.CLOSED, 75)]  # [demo]
SECOND_PROJECT_SHARE = 50  # % of villages with a second project a year [demo]
COUNTY_USED = Decimal("0.9")  # lines / what reaches the county [demo]
SOURCE_USED = Decimal("0.85")  # lines / the source [demo]
PAYMENTS = ((0, "预付款", 30, 10), (1, "进度款", 40, 50), (2, "尾款", 30, 95))  # k, item, % of budget, % of the way
DOC = {FundKind.CENTRAL: "财农", FundKind.PROVINCIAL: "省财农", FundKind.CITY: "市财农"}


def generate(ctx) -> None:
    eligible = resolve("funds.eligible_statuses", year=ctx.last, region_code=ctx.county.code)
    ctx.parameters.setdefault("funds.project", {})["policy"] = [eligible.explain()]
    _projects_planned(ctx, [str(v) for v in eligible.value])
    sources, by_line = _money(ctx)
    _projects(ctx)
    _lines(ctx, sources)
    _payments(ctx)
    ctx.count("funds.fundsource", len(sources), "资金来源", kinds=dict(KINDS), source_used=str(SOURCE_USED))
    ctx.count("funds.allocation", by_line, "资金下达", county_used=str(COUNTY_USED))


def _projects_planned(ctx, eligible: list[str]) -> None:
    s, on = ctx.sql, ctx.on
    statuses = ", ".join(q(v) for v in eligible) or "''"
    years = " UNION ALL ".join(f"SELECT {y} AS year" for y in ctx.years)
    key = "(CAST(v.village_id AS BIGINT) * 100 + (y.year - 2000) * 2 + sl.slot)"
    types = list(TYPES)
    household_types = [t for t in types if TYPES[t][1]]
    ptype = weighted(s.hash(key, 301, sum(TYPES[t][0] for t in types)), [(t, TYPES[t][0]) for t in types])
    last_weights = [(STEPS.index(st), w) for st, w in STATUS_WEIGHTS]
    past_weights = [(STEPS.index(st), w) for st, w in PAST_STATUS_WEIGHTS]
    target = (f"CASE WHEN y.year = {ctx.last} THEN {weighted(s.hash(key, 302, 100), last_weights)} "
              f"ELSE {weighted(s.hash(key, 303, 100), past_weights)} END")
    kind = weighted(s.hash(key, 304, 100), KINDS)
    first_may = s.add_months(s.jan_first("y.year"), 4)
    # Per village and year: eligible households filed by 1 May (the beneficiaries' pool).
    s.temp(P + "_vy", f"""
        SELECT v.village_id, v.township, y.year, SUM(CASE WHEN v.first_on <= {first_may} THEN 1 ELSE 0 END) AS pool
        FROM {HH} v CROSS JOIN ({years}) y
        WHERE v.status IN ({statuses})
        GROUP BY v.village_id, v.township, y.year""", label="funds.project")
    ranges = " ".join(f"WHEN {q(t)} THEN {TYPES[t][2][0]}" for t in types)
    highs = " ".join(f"WHEN {q(t)} THEN {TYPES[t][2][1]}" for t in types)
    per_household = ", ".join(q(t) for t in household_types)
    s.temp(P + "_0", f"""
        SELECT v.village_id, v.township, y.year, sl.slot, {key} AS k, v.pool, {ptype} AS ptype0, {target} AS target,
               {kind} AS kind
        FROM {P}_vy v JOIN ({years}) y ON y.year = v.year
        JOIN (SELECT 0 AS slot UNION ALL SELECT 1) sl
          ON sl.slot = 0 OR {s.hash("(CAST(v.village_id AS BIGINT) * 100 + (y.year - 2000) * 2)", 305, 100)}
                            < {SECOND_PROJECT_SHARE}""", label="funds.project")
    declared = s.add_days(s.add_days(s.jan_first("p.year"), 4), s.hash("p.k", 310, 60))
    approved = s.add_days(declared, f"10 + {s.hash('p.k', 311, 21)}")
    implementing = s.add_days(s.add_months(s.jan_first("p.year"), 5), s.hash("p.k", 312, 30))
    accepted = s.add_days(implementing, f"60 + {s.hash('p.k', 313, 91)}")
    disclosed = s.add_days(accepted, f"3 + {s.hash('p.k', 314, 13)}")
    closed = s.add_days(disclosed, f"10 + {s.hash('p.k', 315, 21)}")
    s.temp(P + "_1", f"""
        SELECT p.*, CASE WHEN p.ptype0 IN ({per_household}) AND p.pool < 3 THEN 'infrastructure' ELSE p.ptype0 END
                    AS ptype,
               {declared} AS d0, {approved} AS d1, {implementing} AS d2, {accepted} AS d3, {disclosed} AS d4,
               {closed} AS d5
        FROM {P}_0 p""", label="funds.project")
    on_sql = s.date(on)
    status = " ".join(f"WHEN p.target >= {i} AND p.d{i} <= {on_sql} THEN {i}" for i in range(5, 0, -1))
    names = " ".join(f"WHEN {q(t)} THEN {choice(s.hash('p.k', 320, len(TYPES[t][3])), TYPES[t][3])}" for t in types)
    std = (f"CASE WHEN p.ptype IN ({per_household}) THEN (CASE p.ptype {ranges} END) + "
           f"{s.hash('p.k', 321, 1000)} %% (((CASE p.ptype {highs} END) - (CASE p.ptype {ranges} END)) / 100 + 1) * 100 "
           f"END")
    budget = (f"(CASE p.ptype {ranges} END) + {s.hash('p.k', 322, 100000)} %% "
              f"(((CASE p.ptype {highs} END) - (CASE p.ptype {ranges} END)) / 1000 + 1) * 1000")
    s.temp(P, f"""
        SELECT p.village_id, p.township, p.year, p.slot, p.k, p.ptype, p.kind, p.d0, p.d1, p.d2, p.d3, p.d4, p.d5,
               CASE {status} ELSE 0 END AS step,
               r.name || (CASE p.ptype {names} END) || CASE WHEN p.slot = 1 THEN '（二期）' ELSE '' END AS name,
               {std} AS std, CASE WHEN p.ptype IN ({per_household}) THEN 3 + {s.hash('p.k', 323, 10)} ELSE 0 END
                   AS planned,
               CASE WHEN p.ptype IN ({per_household}) THEN 0 ELSE {budget} END AS budget, 0 AS beneficiaries
        FROM {P}_1 p JOIN {Region._meta.db_table} r ON r.code = p.village_id
        WHERE p.d0 <= {on_sql}""", label="funds.project", index=("village_id, year, slot",))
    hkey = "(h.id * 64 + (p.year - 2000) * 2 + p.slot)"
    s.temp(B, f"""
        SELECT b.village_id, b.year, b.slot, b.household_id, b.head_name FROM (
            SELECT p.village_id, p.year, p.slot, p.planned, h.id AS household_id, h.head_name,
                   ROW_NUMBER() OVER (PARTITION BY p.village_id, p.year, p.slot ORDER BY {s.hash(hkey, 330, 1000000)},
                                      h.id) AS rn
            FROM {P} p JOIN {HH} h ON h.village_id = p.village_id
            WHERE p.planned > 0 AND h.status IN ({statuses}) AND h.first_on <= {s.add_months(s.jan_first('p.year'), 4)}
        ) b WHERE b.rn <= b.planned""", label="funds.projectbeneficiary", index=("village_id, year, slot",))
    s.run(f"""
        UPDATE {P} SET beneficiaries = (SELECT COUNT(*) FROM {B} b WHERE b.village_id = {P}.village_id
                                        AND b.year = {P}.year AND b.slot = {P}.slot)
        WHERE planned > 0""", label="funds.project")
    s.run(f"UPDATE {P} SET budget = std * beneficiaries WHERE planned > 0", label="funds.project")


def _money(ctx) -> tuple[dict, int]:
    """Sources and allocations (a few rows per township): returns {(year, kind): source} and the count."""
    s, county = ctx.sql, ctx.county
    need: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(dict)
    for year, township, kind, total in s.rows(
            f"SELECT year, township, kind, SUM(budget) FROM {P} WHERE step >= 1 GROUP BY year, township, kind "
            f"ORDER BY year, township, kind", label="funds.allocation"):
        if total:
            need[(int(year), kind)][township] = Decimal(total)
    province, city = county.code[:2] + "0" * 10, county.code[:4] + "0" * 8
    known = set(Region.objects.filter(code__in=[NATION_CODE, province, city]).values_list("code", flat=True))
    known.add(county.code)
    holder = {FundKind.CENTRAL: NATION_CODE, FundKind.PROVINCIAL: province, FundKind.CITY: city}
    labels = dict(FundKind.choices)
    sources, plan = {}, []
    for (year, kind), towns in sorted(need.items()):
        lines = sum(towns.values())
        reach = _round_up(lines / COUNTY_USED)
        held = holder.get(kind, county.code)
        if held not in known:
            held = county.code
        path = [c for c in (NATION_CODE, province, city, county.code) if c in known]
        path = path[path.index(held):] if held != county.code else [county.code, county.code]
        name = labels[kind] + (f"（下达{county.name}）" if held != county.code else "")
        sources[(year, kind)] = FundSource(kind=kind, name=name, year=year, region_id=held,
                                           amount=max(_round_up(lines / SOURCE_USED), reach),
                                           document_no=f"{DOC.get(kind, '县财农')}〔{year}〕{county.code[:6]}号")
        plan.append(((year, kind), path, reach, towns))
    FundSource.objects.bulk_create(list(sources.values()))
    # Level by level (a child needs its parent's id): at most four bulk inserts for any county.
    last: dict[tuple[int, str], Allocation] = {}
    count, level = 0, 0
    while True:
        rows = []
        for key, path, reach, _towns in plan:
            if level + 1 < len(path):
                year, kind = key
                frm, to = path[level], path[level + 1]
                rows.append(Allocation(
                    source=sources[key], parent=last.get(key), year=year, from_code=frm, to_region_id=to,
                    amount=reach, allocated_on=date(year, 2, 20) + timedelta(days=12 * level),
                    integrated=kind in (FundKind.CENTRAL, FundKind.PROVINCIAL) and to == county.code,
                    document_no=f"{sources[key].document_no}-{level + 1}"))
        if not rows:
            break
        Allocation.objects.bulk_create(rows)
        last.update({(a.year, a.source.kind): a for a in rows})
        count += len(rows)
        level += 1
    town_rows = []
    for key, _path, _reach, towns in plan:
        year, kind = key
        parent = last[key]
        for j, (town, amount) in enumerate(sorted(towns.items())):
            town_rows.append(Allocation(
                source=sources[key], parent=parent, year=year, from_code=county.code, to_region_id=town, amount=amount,
                allocated_on=date(year, 5, 1) + timedelta(days=(j * 7 + len(kind)) % 30),
                integrated=parent.integrated, document_no=f"县财〔{year}〕{county.code[:6]}-{kind}-{j + 1}号"))
    Allocation.objects.bulk_create(town_rows)
    return sources, count + len(town_rows)


def _round_up(amount: Decimal) -> Decimal:
    return Decimal(math.ceil(amount / 10000) * 10000)


def _projects(ctx) -> None:
    s = ctx.sql
    project, event, target = Project._meta.db_table, ProjectEvent._meta.db_table, ProjectTarget._meta.db_table
    n = s.run(f"""
        INSERT INTO {project} (region_id, year, name, type, status, content, beneficiary_count, created_by_id,
                               created_at)
        SELECT p.village_id, p.year, p.name, p.ptype, {choice('p.step', STEPS)},
               p.name || '，计划投资 ' || {s.text('p.budget')} || ' 元', p.beneficiaries, NULL, %s
        FROM {P} p ORDER BY p.village_id, p.year, p.slot""", [ctx.now_p], label="funds.project")
    ctx.count("funds.project", n, "扶贫项目", second_project_share=SECOND_PROJECT_SHARE,
              status_weights_last_year=dict(STATUS_WEIGHTS),
              status_weights_earlier=dict(PAST_STATUS_WEIGHTS))
    join = f"JOIN {project} pr ON pr.region_id = p.village_id AND pr.year = p.year AND pr.name = p.name"
    steps = " UNION ALL ".join(f"SELECT {i} AS i" for i in range(len(STEPS)))
    day = "CASE st.i " + " ".join(f"WHEN {i} THEN p.d{i}" for i in range(len(STEPS))) + " END"
    n = s.run(f"""
        INSERT INTO {event} (project_id, region_code, from_status, to_status, "on", note, actor_id, at)
        SELECT pr.id, p.village_id, CASE WHEN st.i = 0 THEN '' ELSE {choice('st.i - 1', STEPS)} END,
               {choice('st.i', STEPS)}, {day}, '批量生成', NULL, %s
        FROM {P} p {join} JOIN ({steps}) st ON st.i <= p.step""", [ctx.now_p], label="funds.projectevent")
    ctx.count("funds.projectevent", n, "项目状态变动")
    indicator = " ".join(f"WHEN {q(t)} THEN {q(v[4][0])}" for t, v in TYPES.items())
    unit = " ".join(f"WHEN {q(t)} THEN {q(v[4][1])}" for t, v in TYPES.items())
    goal = " ".join(f"WHEN {q(t)} THEN {v[4][2]} + {s.hash('p.k', 340, v[4][3] - v[4][2] + 1)}" for t, v in TYPES.items())
    n = s.run(f"""
        INSERT INTO {target} (project_id, indicator, unit, target_value, actual_value, result)
        SELECT pr.id, CASE p.ptype {indicator} END, CASE p.ptype {unit} END, CASE p.ptype {goal} END,
               CASE WHEN p.step >= 3 THEN CASE p.ptype {goal} END END, CASE WHEN p.step >= 3 THEN '已完成' ELSE '' END
        FROM {P} p {join}""", label="funds.projecttarget")
    ctx.count("funds.projecttarget", n, "绩效目标")
    n = s.run(f"""
        INSERT INTO {ProjectBeneficiary._meta.db_table} (project_id, household_id, location_code, standard_amount)
        SELECT pr.id, b.household_id, p.village_id, p.std
        FROM {B} b JOIN {P} p ON p.village_id = b.village_id AND p.year = b.year AND p.slot = b.slot {join}""",
              label="funds.projectbeneficiary")
    ctx.count("funds.projectbeneficiary", n, "项目受益户")


def _lines(ctx, sources: dict) -> None:
    s = ctx.sql
    ids = ", ".join(str(src.pk) for src in sources.values()) or "0"
    n = s.run(f"""
        INSERT INTO {ProjectFunding._meta.db_table} (project_id, allocation_id, source_id, year, holder_code,
                                                     location_code, amount, created_by_id, created_at)
        SELECT pr.id, a.id, a.source_id, a.year, a.to_region_id, p.village_id, p.budget, NULL, %s
        FROM {P} p
        JOIN {Project._meta.db_table} pr ON pr.region_id = p.village_id AND pr.year = p.year AND pr.name = p.name
        JOIN {FundSource._meta.db_table} fs ON fs.kind = p.kind AND fs.year = p.year AND fs.id IN ({ids})
        JOIN {Allocation._meta.db_table} a ON a.source_id = fs.id AND a.to_region_id = p.township
             AND a.from_code = %s
        WHERE p.step >= 1 AND p.budget > 0""", [ctx.now_p, ctx.county.code], label="funds.projectfunding")
    ctx.count("funds.projectfunding", n, "项目资金安排")


def _payments(ctx) -> None:
    s = ctx.sql
    on = s.date(ctx.on)
    cols = ("funding_id, project_id, allocation_id, source_id, year, holder_code, location_code, paid_on, amount, "
            "payee_kind, payee_name, payee_id_number, household_id, item, voucher_no, created_by_id, created_at")
    line = (f"FROM {P} p JOIN {Project._meta.db_table} pr ON pr.region_id = p.village_id AND pr.year = p.year "
            f"AND pr.name = p.name JOIN {ProjectFunding._meta.db_table} f ON f.project_id = pr.id")
    end = f"CASE WHEN p.step >= 3 THEN p.d3 ELSE {on} END"
    span = s.days_between(end, "p.d2")
    share = f"{s.hash('p.k', 350, 5)} * 20"  # % of the way a project still being carried out has got
    table = Disbursement._meta.db_table
    households = s.run(f"""
        INSERT INTO {table} ({cols})
        SELECT f.id, pr.id, f.allocation_id, f.source_id, f.year, f.holder_code, f.location_code,
               {s.add_days('p.d2', f"{s.hash('b.household_id * 64 + p.slot', 351, 1000000)} %% ({span} + 1)")},
               p.std, %s, b.head_name, '', b.household_id, '到户补助',
               '记-' || {s.text('pr.id')} || '-' || {s.text('b.household_id')}, NULL, %s
        {line} JOIN {B} b ON b.village_id = p.village_id AND b.year = p.year AND b.slot = p.slot
        WHERE p.step >= 2 AND (p.step >= 3 OR {s.hash('b.household_id * 64 + p.slot', 352, 100)} < {share})""",
                       [PayeeKind.HOUSEHOLD, ctx.now_p], label="funds.disbursement")
    parts = " UNION ALL ".join(f"SELECT {k} AS k, {q(item)} AS item, {pct} AS pct, {way} AS way"
                               for k, item, pct, way in PAYMENTS)
    amount = ("CASE WHEN pay.k = 2 THEN p.budget - ROUND(p.budget * 30 / 100.0, 2) - ROUND(p.budget * 40 / 100.0, 2) "
              "ELSE ROUND(p.budget * pay.pct / 100.0, 2) END")
    companies = s.run(f"""
        INSERT INTO {table} ({cols})
        SELECT f.id, pr.id, f.allocation_id, f.source_id, f.year, f.holder_code, f.location_code,
               {s.add_days('p.d2', f"({span}) * pay.way / 100")}, {amount}, %s, %s, '', NULL, pay.item,
               '记-' || {s.text('pr.id')} || '-C' || {s.text('pay.k')}, NULL, %s
        {line} JOIN ({parts}) pay ON p.step >= 3 OR pay.way <= {share}
        WHERE p.step >= 2 AND p.planned = 0""",
                        [PayeeKind.COMPANY, f"{ctx.county.name}建设工程有限公司", ctx.now_p], label="funds.disbursement")
    ctx.count("funds.disbursement", households + companies, "资金拨付", to_households=households,
              to_companies=companies)

"""Synthetic activity around a county's registry, set-based: what `fupin generate` writes after a
county's households (helpers, plans, projects and funds, micro-credit, monitoring, visits).

    generate_activity(county_code="610926", years=(2019, 2020), seed=2014) -> {"helpers.helperassignment": n, …}

Runs inside the caller's transaction, after the county's registry (households, members, yearly rows,
status events, cadre accounts with Household.helper_id) is written. Each table is filled by a few
INSERT … SELECT statements over the county's households — scoped by the county's code range, never
a row at a time — with pseudo-random choices from an integer hash of (key, seed, salt), so the same
seed gives the same rows on PostgreSQL and SQLite. Python holds only small lists (helping units,
fund sources and allocations: a few per township), so memory does not grow with the households
and the number of statements is fixed (`activity_sql.Sql`).

The data is as of `on`: the business date (`fupin.core.clock.today()`), but not after the end of
the last year — nothing is dated later (a household taken into monitoring after it has no case
yet). Rules the services enforce hold for every row (see each module); policy values come from the
policy table, resolved for the county and the year. One audit entry per table and county (counts
and parameters), not per row. Refuses (DemoError, nothing written) a county that already has any
of this activity. Ratings, loans and repayments need an account: the county's approver, else a
non-loginable `scale_county_<code>` account created for it. 东莞、中山、儋州、嘉峪关 (cities without
counties) are taken as counties, as the scale generator does.

Modules by domain: activity_helpers (贫困村, 帮扶单位, 驻村工作队, 帮扶责任人档案, 结对帮扶),
activity_plans (一户一策), activity_funds (资金来源、下达、项目、拨付), activity_credit (评级授信、
贷款、还款), activity_monitoring (监测对象、过程、措施), activity_visits (走访记录).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from fupin.accounts.roles import Role
from fupin.audit.services import Action, Entry, record_many
from fupin.core.clock import today
from fupin.demo.generator import DemoError
from fupin.regions.codes import Level, normalize_code, subtree_range
from fupin.regions.models import Region

from .activity_sql import Sql
from .regions import COUNTY_EQUIVALENT_CITIES

SOURCE = "scale"  # marks generated rows where a table has a free-text source/note column
HH = "scale_act_hh"  # temp table: the county's households with what every domain needs


@dataclass
class Ctx:
    """One county's run: where, when, the SQL helper, who records, and what was written."""

    county: Region
    years: tuple[int, ...]
    on: date
    seed: int
    sql: Sql
    actor: object
    now: datetime
    counts: dict[str, int] = field(default_factory=dict)
    parameters: dict[str, dict] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def low(self) -> str:
        return subtree_range(self.county.code).low

    @property
    def high(self) -> str:
        return subtree_range(self.county.code).high

    @property
    def last(self) -> int:
        return self.years[-1]

    @property
    def now_p(self):
        return self.sql.now_param(self.now)

    def count(self, table: str, n: int, label: str, **parameters) -> None:
        self.counts[table] = self.counts.get(table, 0) + n
        self.labels[table] = label
        if parameters:
            self.parameters.setdefault(table, {}).update(parameters)


def generate_activity(*, county_code: str, years: tuple[int, ...], seed: int, timings: dict | None = None) -> dict:
    """Fill the activity tables for one county whose registry is written. Returns rows per table
    (`app.model` → count); `timings`, when given, receives seconds per table and the statement count."""
    from . import (
        activity_credit,
        activity_funds,
        activity_helpers,
        activity_monitoring,
        activity_plans,
        activity_visits,
    )

    county = _county(county_code)
    years = tuple(sorted({int(y) for y in years}))
    if not years:
        raise DemoError("未指定年度")
    on = min(today(), date(years[-1], 12, 31))
    if on < date(years[-1], 1, 1):
        raise DemoError(f"业务日期 {on} 早于最后一个年度 {years[-1]}：无法生成该年度的帮扶数据")
    with transaction.atomic():
        sql = Sql(seed=seed)
        sql.begin()
        _refuse_existing(sql, county)
        ctx = Ctx(county=county, years=years, on=on, seed=seed, sql=sql, actor=None, now=timezone.now())
        ctx.actor = _recorder(ctx)
        households = _households(ctx)
        _analyze_if_stale(sql, households)
        if households:
            activity_helpers.generate(ctx)
            activity_plans.generate(ctx)
            activity_funds.generate(ctx)
            activity_credit.generate(ctx)
            activity_monitoring.generate(ctx)
            activity_visits.generate(ctx)
        sql.end()
        _audit(ctx, households)
    if timings is not None:
        timings.update({"seconds": {k: round(v, 3) for k, v in sorted(sql.seconds.items())},
                        "statements": sql.statements})
    return dict(sorted(ctx.counts.items()))


def _county(county_code: str) -> Region:
    try:
        code = normalize_code(county_code)
    except ValueError as exc:
        raise DemoError(str(exc)) from None
    county = Region.objects.filter(code=code).first()
    # 东莞、中山… are cities without counties: the scale generator treats them as counties.
    if county is None or not (county.level == Level.COUNTY or code[:6] in COUNTY_EQUIVALENT_CITIES):
        raise DemoError(f"区划 {county_code} 不是已导入的县级区划")
    return county


def _refuse_existing(sql: Sql, county: Region) -> None:
    """One query: does the county have any of the activity already (a second run would double it)?"""
    from fupin.credit.models import Loan
    from fupin.funds.models import Project
    from fupin.helpers.models import HelperAssignment
    from fupin.monitoring.models import MonitoringCase
    from fupin.plans.models import HouseholdPlan

    low, high = subtree_range(county.code).as_tuple()
    checks = [(HelperAssignment, "village_code", "结对帮扶记录"), (HouseholdPlan, "village_id", "帮扶计划"),
              (Project, "region_id", "扶贫项目"), (Loan, "village_id", "扶贫小额信贷"),
              (MonitoringCase, "village_code", "监测对象")]
    union = " UNION ALL ".join(
        f"SELECT {i} FROM (SELECT 1 AS x FROM {m._meta.db_table} WHERE {col} BETWEEN %s AND %s LIMIT 1) t{i}"
        for i, (m, col, _) in enumerate(checks))
    found = sql.rows(union, [v for _ in checks for v in (low, high)], label="check")
    if found:
        names = "、".join(checks[r[0]][2] for r in sorted(found))
        raise DemoError(f"{county.name}已有{names}，不能重复生成帮扶数据（请使用新的空数据库）")


def _recorder(ctx: Ctx):
    """Who records ratings, loans and repayments (a required account): the county's approver, or a
    non-loginable service account of the county created for the purpose."""
    users = get_user_model().objects.filter(role=Role.COUNTY_APPROVER, region_id=ctx.county.code)
    user = users.filter(is_active=True).order_by("id").first() or users.order_by("id").first()
    if user is not None:
        return user
    username = f"scale_county_{ctx.county.code[:6]}"
    user = get_user_model().objects.create(
        username=username, role=Role.COUNTY_APPROVER, region=ctx.county, full_name=f"{ctx.county.name}批量生成",
        is_active=False, password=make_password(None))
    ctx.count("accounts.user", 1, "县级录入账户（不可登录）", username=username)
    return user


def _households(ctx: Ctx) -> int:
    """The county's households with their first status event (the day they were filed) and the
    village's township, as one indexed temp table every domain joins."""
    from fupin.registry.models import Household, HouseholdStatusEvent

    s = ctx.sql
    h, e = Household._meta.db_table, HouseholdStatusEvent._meta.db_table
    return s.temp(HH, f"""
        SELECT h.id, h.household_no, h.village_id, SUBSTR(h.village_id, 1, 9) || '000' AS township,
               h.helper_id, h.status, h.main_cause, {s.json_text('h.other_causes')} AS causes,
               h.registered_year, h.exit_year, h.head_name, h.policies_kept_until,
               COALESCE(f.first_on, {s.jan_first('h.registered_year')}) AS first_on
        FROM {h} h
        LEFT JOIN (SELECT e.household_id, MIN(e.effective_on) AS first_on FROM {e} e
                   JOIN {h} h2 ON h2.id = e.household_id WHERE h2.village_id BETWEEN %s AND %s
                   GROUP BY e.household_id) f ON f.household_id = h.id
        WHERE h.village_id BETWEEN %s AND %s""", [ctx.low, ctx.high, ctx.low, ctx.high],
        label="households", index=("id", "village_id"))


def _analyze_if_stale(sql: Sql, households: int) -> None:
    """PostgreSQL: statistics for a registry table that has fewer rows on record than this county
    alone wrote to it (in a fresh database, or before autovacuum has caught up). The county's rows
    are uncommitted, so autovacuum cannot see them; without statistics the planner takes the table
    for tiny and joins it by scanning it once per household (minutes instead of seconds). ANALYZE
    in the transaction counts them; once the tables hold far more than a county, it is skipped."""
    from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear

    if not sql.pg or not households:
        return
    tables = [m._meta.db_table for m in (Household, HouseholdYear, Member, MemberYear, HouseholdStatusEvent)]
    known = dict(sql.rows("SELECT relname, reltuples FROM pg_class WHERE relname IN ("
                          + ", ".join("%s" for _ in tables) + ")", tables, label="households"))
    for table in tables:
        if known.get(table, -1) < households:
            sql.run(f"ANALYZE {table}", label="households")


def _audit(ctx: Ctx, households: int) -> None:
    common = {"county": ctx.county.code, "years": list(ctx.years), "seed": ctx.seed, "on": ctx.on.isoformat(),
              "households": households}
    entries = [Entry(action=Action.IMPORT, object_type=table,
                     object_repr=f"批量生成{ctx.labels.get(table, table)} {n:,} 条（{ctx.county.name}）",
                     region_code=ctx.county.code,
                     after={**common, "count": n, "parameters": ctx.parameters.get(table, {})})
               for table, n in sorted(ctx.counts.items())]
    record_many(entries=entries)

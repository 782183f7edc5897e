"""防止返贫监测 of a county, set-based, read off the registry's status history.

A case for every period a household was under monitoring: each status event into 监测户 (from
another status, on or before the business date) opens one, identified on the event's day. It is
closed by the household's next event to another status (on or before the business date): 风险消除
(kind risk_eliminated) → 风险已消除 on that day; 已销户 → 自然消除; any other change (返贫, 清退 …)
→ closed as 风险已消除 with the event named in its inputs. So every household whose status is 监测户
has exactly one open case and no other household has one (`monitoring_one_open_case` holds).

Object type: 脱贫不稳定户 when the household had exited (the event comes from 已脱贫, or it has an exit
year), otherwise 边缘易致贫户 or (SUDDEN_SHARE) 突发严重困难户. Risk types: the risk the event's reason
names ("…风险：因病"), then the one of the main cause (`monitoring.demo.RISK_OF_CAUSE`). Discovery
mostly by cadres (15 % department warnings, 25 % self-reported, as the demo). The village notice
follows `monitoring.notice_days` (the required days or up to two more, ending 0–3 days before the
identification) and discovery precedes it, within `monitoring.identify_within_days` except
LATE_SHARE; both policy values resolved for the county and the identification year.

Measures (`monitoring.demo.MEASURES` of the main risk, one or two) for MEASURE_SHARE of the open
cases — which are then 帮扶中 — and for every closed case (elimination needs a measure), started 5–60
days after identification (not after the closing day or the business date). Steps: the
identification, each measure, the closing.
"""

from __future__ import annotations

from fupin.monitoring.choices import CaseState, Discovery, ObjectType, RiskType, StepKind
from fupin.monitoring.demo import MEASURES, RISK_OF_CAUSE
from fupin.monitoring.models import MonitoringCase, MonitoringMeasure, MonitoringStep
from fupin.plans.choices import MeasureType
from fupin.policy.selectors import PolicyMissing, first_year, resolve_many
from fupin.registry.models import HouseholdStatusEvent

from .activity import HH
from .activity_sql import q

M0, M, POL = "scale_act_mon0", "scale_act_mon", "scale_act_monpol"
NOTICE_KEY, WITHIN_KEY = "monitoring.notice_days", "monitoring.identify_within_days"
MEASURE_SHARE, LATE_SHARE, SUDDEN_SHARE = 85, 10, 30  # % [demo]


def generate(ctx) -> None:
    if not _cases_planned(ctx):
        return
    _cases(ctx)
    _measures(ctx)
    _steps(ctx)


def _cases_planned(ctx) -> int:
    s = ctx.sql
    e = HouseholdStatusEvent._meta.db_table
    on = s.date(ctx.on)
    s.temp(M0, f"""
        SELECT e.id AS event_id, e.household_id, h.village_id, h.main_cause, h.exit_year, e.effective_on AS identified_on,
               {s.year_of('e.effective_on')} AS year, e.from_status, e.reason,
               (SELECT c.id FROM {e} c WHERE c.household_id = e.household_id AND c.to_status <> 'monitored'
                  AND c.effective_on <= {on}
                  AND (c.effective_on > e.effective_on OR (c.effective_on = e.effective_on AND c.id > e.id))
                ORDER BY c.effective_on, c.id LIMIT 1) AS close_id
        FROM {e} e JOIN {HH} h ON h.id = e.household_id
        WHERE e.to_status = 'monitored' AND COALESCE(e.from_status, '') <> 'monitored' AND e.effective_on <= {on}""",
           label="monitoring.monitoringcase")
    years = [int(r[0]) for r in s.rows(f"SELECT DISTINCT year FROM {M0} ORDER BY year", label="monitoring.monitoringcase")]
    if not years:
        return 0
    _policy_table(ctx, years)
    notice_to = s.add_days("m.identified_on", f"-{s.hash('m.event_id', 501, 4)}")
    extra = s.hash("m.event_id", 502, 3)
    lead = f"({s.hash('m.event_id', 501, 4)} + p.need + {extra} - 1)"
    late = f"{s.hash('m.event_id', 503, 100)} < {LATE_SHARE}"
    days = (f"CASE WHEN {late} THEN {s.greatest('p.within', lead)} + 1 + {s.hash('m.event_id', 504, 10)} "
            f"ELSE {lead} + {s.hash('m.event_id', 505, 1000)} %% ({s.greatest('p.within', lead)} - {lead} + 1) END")
    risk_of_reason = "CASE " + " ".join(
        f"WHEN {s.contains('m.reason', '风险：' + str(label))} THEN {q(value)}" for value, label in RiskType.choices
    ) + " END"
    risk_of_cause = "CASE m.main_cause " + " ".join(
        f"WHEN {q(c)} THEN {q(r)}" for c, r in RISK_OF_CAUSE.items()) + " END"
    c = HouseholdStatusEvent._meta.db_table
    s.temp(M, f"""
        SELECT x.*, {s.add_days('x.identified_on', '-x.days')} AS discovered_on,
               {s.add_days('x.notice_to', '-(x.need + x.extra - 1)')} AS notice_from
        FROM (SELECT m.event_id, m.household_id, m.village_id, m.identified_on, m.year, m.from_status, m.reason,
                     p.need, p.within, p.notice_policy, p.within_policy, {notice_to} AS notice_to, {extra} AS extra,
                     {days} AS days,
                     CASE WHEN m.from_status = 'exited' OR m.exit_year IS NOT NULL THEN {q(ObjectType.UNSTABLE)}
                          WHEN {s.hash('m.event_id', 506, 100)} < {SUDDEN_SHARE} THEN {q(ObjectType.SUDDEN)}
                          ELSE {q(ObjectType.MARGINAL)} END AS object_type,
                     COALESCE({risk_of_reason}, {risk_of_cause}, {q(RiskType.UNSTABLE_WORK)}) AS risk1,
                     {risk_of_cause} AS risk_cause,
                     CASE WHEN {s.hash('m.event_id', 507, 100)} < 15 THEN {q(Discovery.DEPARTMENT_SCREENING)}
                          WHEN {s.hash('m.event_id', 508, 100)} < 25 THEN {q(Discovery.SELF_REPORT)}
                          ELSE {q(Discovery.CADRE_SCREENING)} END AS discovery,
                     c.effective_on AS close_on, c.kind AS close_kind, c.to_status AS close_to,
                     CASE WHEN c.id IS NULL THEN NULL WHEN c.to_status = 'cancelled'
                          THEN {q(CaseState.NATURALLY_ELIMINATED)} ELSE {q(CaseState.ELIMINATED)} END AS closed_state,
                     CASE WHEN c.id IS NOT NULL OR {s.hash('m.event_id', 509, 100)} < {MEASURE_SHARE} THEN 1 ELSE 0 END
                         AS measured,
                     CASE WHEN {s.hash('m.event_id', 510, 3)} = 2 THEN 2 ELSE 1 END AS measures
              FROM {M0} m JOIN {POL} p ON p.year = m.year LEFT JOIN {c} c ON c.id = m.close_id) x""",
           label="monitoring.monitoringcase", index=("household_id",))
    return len(years)


def _policy_table(ctx, years: list[int]) -> None:
    """The notice and time-limit values per identification year (a row per year)."""
    s = ctx.sql
    start = first_year("monitoring_line", region_code=ctx.county.code) or ctx.on.year
    s.run(f"DROP TABLE IF EXISTS {POL}", label="monitoring.monitoringcase")
    s.run(f"CREATE TEMP TABLE {POL} (year INTEGER, need INTEGER, within INTEGER, notice_policy TEXT, "
          f"within_policy TEXT)", label="monitoring.monitoringcase")
    s.temp_tables.append(POL)
    rows, explained = [], {}
    for year in years:
        try:  # an identification before 防止返贫监测 began there reads the first year's values
            pol = resolve_many([NOTICE_KEY, WITHIN_KEY], year=max(year, start), region_code=ctx.county.code)
        except PolicyMissing:
            pol = resolve_many([NOTICE_KEY, WITHIN_KEY], year=ctx.on.year, region_code=ctx.county.code)
        rows.append((year, int(pol[NOTICE_KEY].value), int(pol[WITHIN_KEY].value),
                     s.json_param(pol[NOTICE_KEY].explain()), s.json_param(pol[WITHIN_KEY].explain())))
        explained[year] = [pol[NOTICE_KEY].explain(), pol[WITHIN_KEY].explain()]
    values = ", ".join("(%s, %s, %s, %s, %s)" for _ in rows)
    s.run(f"INSERT INTO {POL} (year, need, within, notice_policy, within_policy) VALUES {values}",
          [v for row in rows for v in row], label="monitoring.monitoringcase")
    ctx.parameters.setdefault("monitoring.monitoringcase", {})["policy"] = explained


def _notice_json(s) -> str:
    return ("'{\"notice_from\": \"' || " + s.date_text("m.notice_from") + " || '\", \"notice_to\": \"' || "
            + s.date_text("m.notice_to") + " || '\", \"notice_days\": ' || " + s.text("m.need + m.extra")
            + " || ', \"notice_days_required\": ' || " + s.text("m.need")
            + " || ', \"notice_passed\": true, \"policy\": ' || m.notice_policy || '}'")


def _inputs_body(s) -> str:
    """The keys of a case's inputs (as `services._open_case` stores them), without the braces."""
    within = "CASE WHEN m.days <= m.within THEN 'true' ELSE 'false' END"
    return ("'\"days_to_identify\": ' || " + s.text("m.days") + " || ', \"identify_within_days\": ' || "
            + s.text("m.within") + f" || ', \"identified_within_limit\": ' || {within} || ', \"notice\": ' || "
            + _notice_json(s) + " || ', \"policy\": [' || m.within_policy || ', ' || m.notice_policy || "
            "'], \"scale\": true'")


def _inputs_json(s) -> str:
    return "'{' || " + _inputs_body(s) + " || '}'"


def _reasons_json(s) -> str:
    return "'[{\"code\": \"scale\", \"label\": \"批量生成\", \"text\": ' || " + s.json_str("m.reason") + " || ', \"inputs\": {}}]'"


def _cases(ctx) -> None:
    s = ctx.sql
    on = ctx.on
    risks = ("'[\"' || m.risk1 || '\"' || CASE WHEN m.risk_cause IS NOT NULL AND m.risk_cause <> m.risk1 "
             "THEN ', \"' || m.risk_cause || '\"' ELSE '' END || ']'")
    state = (f"COALESCE(m.closed_state, CASE WHEN m.measured = 1 THEN {q(CaseState.ASSISTED)} "
             f"ELSE {q(CaseState.IDENTIFIED)} END)")
    closing = ("CASE WHEN m.closed_state IS NULL THEN '{}' "
               f"WHEN m.closed_state = {q(CaseState.NATURALLY_ELIMINATED)} "
               "THEN '{\"natural\": true, \"reason\": \"户内成员全部减少，销户\", \"check\": \"户状态变更为已销户\", "
               "\"scale\": true}' "
               "WHEN m.close_kind = 'risk_eliminated' THEN '{\"reason\": \"风险消除，恢复为已脱贫\", "
               "\"check\": \"依据户状态变更记录（风险消除）\", \"scale\": true}' "
               "ELSE '{\"reason\": \"户状态变更，监测结束\", \"check\": \"依据户状态变更记录（' || m.close_kind || "
               "'）\", \"scale\": true}' END")
    n = s.run(f"""
        INSERT INTO {MonitoringCase._meta.db_table} (household_id, village_code, object_type, risk_types, discovery,
            discovered_on, identified_on, year, state, reasons, inputs, status_before, eliminated_on,
            elimination_inputs, created_by_id, created_at, updated_at)
        SELECT m.household_id, m.village_id, m.object_type, {s.json(risks)}, m.discovery, m.discovered_on,
               m.identified_on, m.year, {state}, {s.json(_reasons_json(s))}, {s.json(_inputs_json(s))},
               COALESCE(m.from_status, ''), m.close_on, {s.json(closing)}, %s, %s, %s
        FROM {M} m ORDER BY m.household_id, m.identified_on""", [ctx.actor.pk, ctx.now_p, ctx.now_p],
              label="monitoring.monitoringcase")
    ctx.count("monitoring.monitoringcase", n, "监测对象", measure_share=MEASURE_SHARE, late_share=LATE_SHARE,
              sudden_share=SUDDEN_SHARE, on=on.isoformat())


def _case_join(alias: str = "mc") -> str:
    return (f"JOIN {MonitoringCase._meta.db_table} {alias} ON {alias}.household_id = m.household_id "
            f"AND {alias}.identified_on = m.identified_on")


def _measures(ctx) -> None:
    s = ctx.sql
    default = MEASURES[RiskType.UNSTABLE_WORK]

    def option(i: int, part: int) -> str:
        whens = " ".join(f"WHEN {q(r)} THEN {q(opts[i][part])}" for r, opts in MEASURES.items())
        return f"COALESCE(CASE m.risk1 {whens} END, {q(default[i][part])})"

    mtype = f"CASE WHEN k.k = 1 THEN {option(0, 0)} ELSE {option(-1, 0)} END"
    text = f"CASE WHEN k.k = 1 THEN {option(0, 1)} ELSE {option(-1, 1)} END"
    cap = s.least(s.date(ctx.on), "COALESCE(m.close_on, " + s.date(ctx.on) + ")")
    started = s.least(s.add_days("m.identified_on", f"5 + {s.hash('m.event_id * 2 + k.k', 520, 56)}"), cap)
    n = s.run(f"""
        INSERT INTO {MonitoringMeasure._meta.db_table} (case_id, measure_type, description, started_on, amount,
                                                        created_at)
        SELECT mc.id, x.mtype, x.text, x.started, x.amount, %s
        FROM (SELECT m.household_id, m.identified_on, k.k, {mtype} AS mtype, {text} AS text, {started} AS started,
                     500 + {s.hash('m.event_id * 2 + k.k', 521, 75)} * 100 AS amount
              FROM {M} m JOIN (SELECT 1 AS k UNION ALL SELECT 2) k ON k.k <= m.measures
              WHERE m.measured = 1) x
        JOIN {MonitoringCase._meta.db_table} mc ON mc.household_id = x.household_id AND mc.identified_on = x.identified_on""",
              [ctx.now_p], label="monitoring.monitoringmeasure")
    ctx.count("monitoring.monitoringmeasure", n, "监测帮扶措施")


def _steps(ctx) -> None:
    s = ctx.sql
    table = MonitoringStep._meta.db_table
    cols = "case_id, kind, \"on\", note, inputs, actor_id, actor_name, at"
    labels = " ".join(f"WHEN {q(v)} THEN {q(label)}" for v, label in ObjectType.choices)
    late = "CASE WHEN m.days <= m.within THEN '' ELSE '（发现后 ' || " + s.text("m.days") + \
        " || ' 天识别，超过 ' || " + s.text("m.within") + " || ' 天时限）' END"
    note = ("'识别纳入监测：' || CASE m.object_type " + labels + " END || '；村内公示 ' || "
            + s.date_text("m.notice_from") + " || ' 至 ' || " + s.date_text("m.notice_to") + " || '，共 ' || "
            + s.text("m.need + m.extra") + " || ' 天（不少于 ' || " + s.text("m.need") + " || ' 天）' || " + late)
    inputs = ("'{\"reasons\": ' || " + _reasons_json(s) + " || ', \"discovery\": \"' || m.discovery || "
              "'\", \"discovered_on\": \"' || " + s.date_text("m.discovered_on") + " || '\", ' || "
              + _inputs_body(s) + " || '}'")
    actor = [ctx.actor.pk, ctx.actor.username, ctx.now_p]
    n = s.run(f"""
        INSERT INTO {table} ({cols})
        SELECT mc.id, {q(StepKind.IDENTIFIED)}, m.identified_on, {note}, {s.json(inputs)}, %s, %s, %s
        FROM {M} m {_case_join()}""", actor, label="monitoring.monitoringstep")
    labels_m = " ".join(f"WHEN {q(v)} THEN {q(label)}" for v, label in MeasureType.choices)
    measure_inputs = s.json("'{\"measure_id\": ' || " + s.text("mm.id") + " || ', \"measure_type\": \"' || "
                            "mm.measure_type || '\", \"amount\": \"' || " + s.text("mm.amount") + " || '\"}'")
    closing_inputs = s.json("'{\"event_kind\": \"' || m.close_kind || '\", \"scale\": true}'")
    n += s.run(f"""
        INSERT INTO {table} ({cols})
        SELECT mm.case_id, {q(StepKind.MEASURE)}, mm.started_on, CASE mm.measure_type {labels_m} END || '：' ||
               mm.description,
               {measure_inputs}, %s, %s, %s
        FROM {MonitoringMeasure._meta.db_table} mm
        JOIN {MonitoringCase._meta.db_table} mc ON mc.id = mm.case_id
        WHERE mc.village_code BETWEEN %s AND %s""", [*actor, ctx.low, ctx.high], label="monitoring.monitoringstep")
    n += s.run(f"""
        INSERT INTO {table} ({cols})
        SELECT mc.id, CASE WHEN m.closed_state = {q(CaseState.NATURALLY_ELIMINATED)}
                           THEN {q(StepKind.NATURALLY_ELIMINATED)} ELSE {q(StepKind.ELIMINATED)} END,
               m.close_on, CASE WHEN m.close_kind = 'risk_eliminated' THEN '风险消除，恢复为已脱贫'
                                WHEN m.closed_state = {q(CaseState.NATURALLY_ELIMINATED)} THEN '户内成员全部减少，销户'
                                ELSE '户状态变更，监测结束' END,
               {closing_inputs}, %s, %s, %s
        FROM {M} m {_case_join()} WHERE m.closed_state IS NOT NULL""", actor, label="monitoring.monitoringstep")
    ctx.count("monitoring.monitoringstep", n, "监测过程记录")


"""走访记录 of a county, set-based: the last WINDOW_DAYS (two months) before the business date.

Every household with a helper still in the registry (not 清退 or 销户) is visited by its current
helper (who records the visit), on or after the current pairing began: VISITS visits spaced by at
most `visits.max_days_between` − 2 days, the latest within that many days of the business date —
so the visit-frequency rule holds — except LAPSED_SHARE of the households, whose visits stopped
5–60 days too early (the overdue list), and NEVER_SHARE never visited in the window. Kinds 入户走访
(90 %) or 集中帮扶 (10 %); content from the quick-pick phrases; a fifth found a problem, most with a
follow-up and a due date, mostly closed by the business date (the demo's shares).

Only the recent window is written, not a visit a month for years: at national scale that would be
tens of millions of rows the statistics (households visited in the year) and the compliance page
(the last visit) do not need.
"""

from __future__ import annotations

from fupin.helpers.models import HelperAssignment
from fupin.policy.selectors import resolve_many
from fupin.visits.choices import MAX_DAYS_KEY, QUICK_PHRASES, VisitKind
from fupin.visits.demo import PROBLEMS
from fupin.visits.models import Visit

from .activity import HH
from .activity_sql import choice

VISITS = 2
LAPSED_SHARE, NEVER_SHARE = 5, 1  # % [demo]
PROBLEM_SHARE, FOLLOW_UP_SHARE, CLOSED_SHARE = 20, 80, 85  # % [demo]
WINDOW_DAYS = 60


def generate(ctx) -> None:
    s = ctx.sql
    pol = resolve_many([MAX_DAYS_KEY], year=ctx.on.year, region_code=ctx.county.code)
    max_days = max(int(pol[MAX_DAYS_KEY].value), 6)
    on = s.date(ctx.on)
    key = "(h.id * 4 + k.k)"
    gap = f"({max_days - 2} - {s.hash('h.id', 601, max(max_days // 3, 1))})"
    lapse = f"CASE WHEN {s.hash('h.id', 602, 100)} < {LAPSED_SHARE} THEN {max_days} + 5 + {s.hash('h.id', 603, 56)} ELSE 0 END"
    day = s.add_days(on, f"-({s.hash('h.id', 604, max_days - 2)} + {lapse} + k.k * {gap})")
    phrases = list(QUICK_PHRASES)
    content = (f"{choice(s.hash(key, 610, len(phrases)), phrases)} || CASE WHEN {s.hash(key, 611, 2)} = 1 "
               f"THEN '；' || {choice(s.hash(key, 612, len(phrases)), phrases)} ELSE '' END")
    problem = f"{s.hash(key, 613, 100)} < {PROBLEM_SHARE}"
    follow = f"{problem} AND {s.hash(key, 614, 100)} < {FOLLOW_UP_SHARE}"
    which = s.hash(key, 615, len(PROBLEMS))
    due = s.add_days("v.visited_on", f"14 + {s.hash('v.k2', 616, 32)}")
    done_on = s.least(s.add_days("v.visited_on", f"3 + {s.hash('v.k2', 617, 38)}"), on)
    closed = f"v.follow = 1 AND {due} < {on} AND {s.hash('v.k2', 618, 100)} < {CLOSED_SHARE}"
    assignment = HelperAssignment._meta.db_table
    numbers = " UNION ALL ".join(f"SELECT {i} AS k" for i in range(VISITS))
    n = s.run(f"""
        INSERT INTO {Visit._meta.db_table} (household_id, village_id, cadre_id, visited_on, kind, content, problems,
            follow_up, follow_up_due, follow_up_done, follow_up_done_on, on_behalf_note, photo, photo_name,
            photo_type, photo_size, photo_sha256, recorded_at, recorded_by_id, updated_at)
        SELECT v.id, v.village_id, v.helper_id, v.visited_on, v.kind, v.content,
               CASE WHEN v.problem = 1 THEN v.problems ELSE '' END,
               CASE WHEN v.follow = 1 THEN v.follow_up ELSE '' END,
               CASE WHEN v.follow = 1 THEN {due} END, {s.boolean(closed)}, CASE WHEN {closed} THEN {done_on} END,
               '', '', '', '', NULL, '', %s, v.helper_id, %s
        FROM (SELECT h.id, h.village_id, h.helper_id, {key} AS k2, {day} AS visited_on, a.start,
                     {choice(f"CASE WHEN {s.hash(key, 619, 10)} = 0 THEN 1 ELSE 0 END", [VisitKind.HOME, VisitKind.GROUP])}
                         AS kind,
                     {content} AS content, CASE WHEN {problem} THEN 1 ELSE 0 END AS problem,
                     CASE WHEN {follow} THEN 1 ELSE 0 END AS follow,
                     {choice(which, [p for p, _ in PROBLEMS])} AS problems,
                     {choice(which, [f for _, f in PROBLEMS])} AS follow_up
              FROM {HH} h
              JOIN {assignment} a ON a.household_id = h.id AND a."end" IS NULL
              JOIN ({numbers}) k ON 1 = 1
              WHERE h.helper_id IS NOT NULL AND h.status NOT IN ('removed', 'cancelled')
                AND {s.hash('h.id', 605, 100)} >= {NEVER_SHARE}) v
        WHERE v.visited_on >= v.start AND v.visited_on >= {s.add_days(on, -WINDOW_DAYS)}""",
              [ctx.now_p, ctx.now_p], label="visits.visit")
    ctx.count("visits.visit", n, "走访记录", window_days=WINDOW_DAYS, visits_per_household=VISITS,
              lapsed_share=LAPSED_SHARE, never_share=NEVER_SHARE, policy=[pol[MAX_DAYS_KEY].explain()])


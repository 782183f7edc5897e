"""Statistics of the issue ledger over a region on a day D: per child region and per source — total,
open, rectifying, submitted, verified, closed, overdue, submitted late, due soon — and the time from
finding to closure (销号用时: average and median days found_on → closing, over the items closed on D).

The state of an item on D is that of its last event dated on or before D (items found after D are
left out), so a report for a past day shows that day's standing. Counts and averages are SQL
aggregates (one query per grouping); medians come from one query listing the closed items' days.
Overdue, due soon and 逾期提交 as defined in `rules.py`.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Substr

from fupin.accounts.scope import in_code_range
from fupin.policy.selectors import resolve
from fupin.regions.codes import CODE_LENGTH, Level
from fupin.regions.models import Region
from fupin.regions.selectors import region_children

from .choices import EventKind, ItemState, Source
from .models import ItemEvent, LedgerItem
from .rules import DUE_SOON_KEY, OVERDUE_TEXT, due_soon_q, overdue_q

CHILD_PREFIX = {Level.NATION: 2, Level.PROVINCE: 4, Level.CITY: 6, Level.COUNTY: 9, Level.TOWNSHIP: 12}
STATES = list(ItemState.values)


class DaysBetween(Func):
    """Whole days from `start` to `end` (two dates)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"({end_sql} - {start_sql})", [*end_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)", [*end_params, *start_params]


@dataclass
class Tally:
    total: int = 0
    open: int = 0
    rectifying: int = 0
    submitted: int = 0
    verified: int = 0
    closed: int = 0
    overdue: int = 0
    late_submitted: int = 0
    due_soon: int = 0
    closure_avg_days: float | None = None
    closure_median_days: float | None = None

    @property
    def unclosed(self) -> int:
        return self.total - self.closed


@dataclass
class Row:
    key: str
    label: str
    tally: Tally


@dataclass
class LedgerStats:
    region_code: str
    region_name: str
    on: date
    due_soon_days: int
    totals: Tally
    by_region: list[Row]
    by_source: list[Row]
    overdue: list[LedgerItem]
    policy: list[dict] = field(default_factory=list)
    rule: str = OVERDUE_TEXT

    def as_dict(self) -> dict:
        return {
            "region_code": self.region_code, "region_name": self.region_name, "on": self.on,
            "rule": self.rule, "due_soon_days": self.due_soon_days, "totals": asdict(self.totals),
            "by_region": [{"code": r.key, "name": r.label, **asdict(r.tally)} for r in self.by_region],
            "by_source": [{"source": r.key, "label": r.label, **asdict(r.tally)} for r in self.by_source],
            "overdue_count": len(self.overdue),
            "overdue": [overdue_row(i, self.on) for i in self.overdue],
            "policy": self.policy,
        }


def overdue_row(item: LedgerItem, on: date) -> dict:
    h = item.household
    state = getattr(item, "state_then", item.state)
    return {"id": item.pk, "source": item.source, "source_label": item.get_source_display(),
            "region_code": item.region_code, "household_id": item.household_id,
            "household_no": h.household_no if h else "", "head_name": h.head_name if h else "",
            "title": item.title, "state": state, "state_label": ItemState(state).label,
            "found_on": item.found_on, "deadline": item.deadline, "overdue_days": (on - item.deadline).days,
            "responsible": item.responsible.display_name if item.responsible_id else "",
            "responsible_name": item.responsible_name}


def as_of(items: QuerySet[LedgerItem], on: date) -> QuerySet[LedgerItem]:
    """Items found on or before `on`, annotated with `state_then`, `state_since` (the date of that
    state's event), `late` (a submission dated after the deadline, on or before `on`) and `closure_days`."""
    last = ItemEvent.objects.filter(item_id=OuterRef("pk"), on__lte=on).order_by("-on", "-id")
    late = ItemEvent.objects.filter(item_id=OuterRef("pk"), kind=EventKind.SUBMITTED, on__lte=on,
                                    on__gt=OuterRef("deadline"))
    return (items.filter(found_on__lte=on)
            .annotate(state_then=Coalesce(Subquery(last.values("to_state")[:1]), Value(ItemState.OPEN)),
                      state_since=Subquery(last.values("on")[:1]), late=Exists(late))
            .annotate(closure_days=DaysBetween(F("state_since"), F("found_on"))))


def _aggregates(on: date, due_days: int) -> dict:
    closed = Q(state_then=ItemState.CLOSED)
    agg = {"total": Count("pk")}
    agg |= {s: Count("pk", filter=Q(state_then=s)) for s in STATES}
    agg |= {"overdue": Count("pk", filter=overdue_q(on, state_field="state_then")),
            "late_submitted": Count("pk", filter=Q(late=True)),
            "due_soon": Count("pk", filter=due_soon_q(on, due_days, state_field="state_then")),
            "closure_avg_days": Avg("closure_days", filter=closed)}
    return agg


def _tally(row: dict, days: list[int]) -> Tally:
    avg = row.get("closure_avg_days")
    return Tally(**{k: row.get(k) or 0 for k in ("total", *STATES, "overdue", "late_submitted", "due_soon")},
                 closure_avg_days=round(float(avg), 1) if avg is not None else None,
                 closure_median_days=float(statistics.median(days)) if days else None)


def build_stats(items: QuerySet[LedgerItem], *, region: Region, on: date) -> LedgerStats:
    """The statistics over `items` (already scoped) under `region` on `on`."""
    policy = resolve(DUE_SOON_KEY, year=on.year, region_code=region.code)
    due_days = int(policy.value)
    base = as_of(items.filter(in_code_range("region_code", region.code_range)).order_by(), on)
    agg = _aggregates(on, due_days)
    n = CHILD_PREFIX.get(region.level)
    group = Substr("region_code", 1, n) if n else Value(region.code[:1])
    closed_rows = list(base.filter(state_then=ItemState.CLOSED).annotate(g=group)
                       .values_list("g", "source", "closure_days"))
    totals = _tally(base.aggregate(**agg), [d for _, _, d in closed_rows])

    by_region: list[Row] = []
    if n:
        grouped = {r["g"]: r for r in base.annotate(g=group).values("g").annotate(**agg).order_by("g")}
        children = {c.code: c.name for c in region_children(region)}
        for code, name in children.items():
            key = code[:n]
            days = [d for g, _, d in closed_rows if g == key]
            by_region.append(Row(code, name, _tally(grouped.pop(key, {}), days)))
        own = region.code[:n]
        for key, row in sorted(grouped.items()):  # items registered at this level (or at an unknown child)
            label = f"{region.name}本级" if key == own else f"区划 {key.ljust(CODE_LENGTH, '0')}"
            by_region.append(Row(key.ljust(CODE_LENGTH, "0"), label,
                                 _tally(row, [d for g, _, d in closed_rows if g == key])))

    per_source = {r["source"]: r for r in base.values("source").annotate(**agg).order_by("source")}
    by_source = [Row(value, label, _tally(per_source.get(value, {}), [d for _, s, d in closed_rows if s == value]))
                 for value, label in Source.choices]
    overdue = list(base.filter(overdue_q(on, state_field="state_then"))
                   .select_related("household", "responsible").order_by("deadline", "id"))
    return LedgerStats(region_code=region.code, region_name=region.name, on=on, due_soon_days=due_days,
                       totals=totals, by_region=by_region, by_source=by_source, overdue=overdue,
                       policy=[policy.explain()])

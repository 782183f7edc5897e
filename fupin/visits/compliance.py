"""Visit-frequency compliance (走访频次): which households are overdue on a day, per cadre and village.

The rule, all of it policy data resolved per household's village for the day's year:

- A household must be visited regularly on day D if it is in the registry on D (its first status
  event is on or before D; a household without events counts from 1 January of its
  `registered_year`) and its status on D (latest event effective by D; without events its current
  status) is 未脱贫, 返贫 or 监测户 — or 已脱贫 while it keeps its policies (脱贫不脱政策, "摘帽不摘帮扶":
  helpers keep visiting) up to `policies_kept_until` inclusive; for a household exited without that
  date recorded (imported or generated histories), its latest 已脱贫 event by D plus
  `exit.policy_retention_years` of that event's year. 清退 and 已销户 households are not listed at
  all; other exited households are listed as 无需定期走访.
- Only visits of the kinds in `visits.counted_kinds` (default 入户走访, 集中帮扶; a phone call does not
  count) on or before D count. Days since = D − the last such visit; a household never visited
  counts from its registration date (the date it entered the registry, as above — pairing history
  is not used: a household needs visits whoever its helper is).
- Overdue if days since > `visits.max_days_between` (default 30): exactly max days is still
  compliant, max + 1 is overdue. The last day to visit (`due_on`) is the start + max days.
  Not overdue and at most `visits.due_soon_days` (default 7) left → 即将到期.

Set-based: `due_rows` costs three queries whatever the number of households (the households with
their status on D, registration and exit dates; the last visit per household and kind; the policy
rows for all villages at once) — plus one per distinct exit year when exited households lack their
policy period — then groups in memory. Callers pass an already scoped queryset.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from fupin.policy.selectors import PolicyMissing, resolver
from fupin.registry.choices import HouseholdStatus, StatusEventKind
from fupin.registry.models import Household, HouseholdStatusEvent
from fupin.registry.selectors_status import status_on_expr

from .choices import (
    CLOSED_STATUSES,
    COMPLIANCE_KEYS,
    COUNTED_KINDS_KEY,
    DUE_SOON_KEY,
    HELPED_STATUSES,
    MAX_DAYS_KEY,
    DueState,
    VisitKind,
)
from .models import Visit

UNPAIRED = "未结对"
STATUS_LABELS = dict(HouseholdStatus.choices)
KIND_LABELS = dict(VisitKind.choices)

RULE_TEXT = ("需定期走访的户：当日状态为未脱贫、返贫、监测户，或已脱贫但仍在“脱贫不脱政策”期内。"
             "距上次走访（只计“计入走访频次的走访方式”）的天数超过“两次走访最长间隔”即为逾期，恰好等于仍为按时；"
             "从未走访的户从建档日期起算。")


RETENTION_KEY = "exit.policy_retention_years"


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def exit_date_expr(on: date):
    """The outer household's latest 已脱贫 event effective on or before `on`."""
    latest = (HouseholdStatusEvent.objects.filter(household_id=OuterRef("pk"), to_status=HouseholdStatus.EXITED,
                                                  kind=StatusEventKind.EXITED,  # not a 风险消除 return
                                                  effective_on__lte=on).order_by("-effective_on", "-id"))
    return Subquery(latest.values("effective_on")[:1])


def registration_date_expr():
    """The day the household entered the registry: its first status event's effective date."""
    first = HouseholdStatusEvent.objects.filter(household_id=OuterRef("pk")).order_by("effective_on", "id")
    return Subquery(first.values("effective_on")[:1])


@dataclass(frozen=True)
class DueRow:
    """One household against the rule on day `on`, with every input of the verdict."""

    household_id: int
    household_no: str
    head_name: str
    village_code: str
    village_name: str
    cadre_id: int | None
    cadre_name: str
    status: str  # status on the day
    required: bool
    registered_on: date
    last_visit: date | None  # last visit of a counted kind on or before the day
    last_contact: date | None  # last visit of any kind (a phone call included)
    on: date
    max_days: int
    due_soon_days: int
    counted_kinds: tuple[str, ...]
    policy: tuple[dict, ...]

    @property
    def start(self) -> date:
        return self.last_visit or self.registered_on

    @property
    def days_since(self) -> int:
        return (self.on - self.start).days

    @property
    def due_on(self) -> date:
        return self.start + timedelta(days=self.max_days)

    @property
    def days_left(self) -> int:
        return (self.due_on - self.on).days

    @property
    def overdue(self) -> bool:
        return self.required and self.days_since > self.max_days

    @property
    def overdue_days(self) -> int:
        return max(self.days_since - self.max_days, 0) if self.required else 0

    @property
    def state(self) -> str:
        if not self.required:
            return DueState.NOT_REQUIRED
        if self.overdue:
            return DueState.OVERDUE
        return DueState.DUE_SOON if self.days_left <= self.due_soon_days else DueState.OK

    @property
    def state_label(self) -> str:
        return DueState(self.state).label

    @property
    def due_text(self) -> str:
        """What is due, in a few words (the cadre's list)."""
        state = self.state
        if state == DueState.NOT_REQUIRED:
            return "无需定期走访"
        if state == DueState.OVERDUE:
            return f"已逾期 {self.overdue_days} 天"
        if self.days_left == 0:
            return "今天到期"
        if state == DueState.DUE_SOON:
            return f"{self.days_left} 天内到期"
        return f"最迟 {self.due_on:%m-%d} 前走访"

    @property
    def counted_kind_labels(self) -> list[str]:
        return [KIND_LABELS.get(k, k) for k in self.counted_kinds]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def never_visited(self) -> bool:
        return self.last_visit is None

    def explain(self) -> str:
        if not self.required:
            return f"户状态为{self.status_label}，无需定期走访"
        since = (f"距上次走访（{self.last_visit:%Y-%m-%d}）{self.days_since} 天" if self.last_visit
                 else f"从未走访，距建档（{self.registered_on:%Y-%m-%d}）{self.days_since} 天")
        verdict = (f"超过 {self.max_days} 天，已逾期 {self.overdue_days} 天" if self.overdue
                   else f"不超过 {self.max_days} 天，最迟 {self.due_on:%Y-%m-%d} 前走访")
        return f"{since}，{verdict}"

    def as_dict(self, *, with_policy: bool = False) -> dict:
        data = {
            "household_id": self.household_id, "household_no": self.household_no, "head_name": self.head_name,
            "village_code": self.village_code, "village_name": self.village_name,
            "cadre_id": self.cadre_id, "cadre_name": self.cadre_name,
            "status": self.status, "status_label": self.status_label, "required": self.required,
            "registered_on": self.registered_on, "last_visit": self.last_visit, "last_contact": self.last_contact,
            "never_visited": self.never_visited, "days_since": self.days_since, "max_days": self.max_days,
            "due_on": self.due_on, "days_left": self.days_left, "overdue_days": self.overdue_days,
            "state": self.state, "state_label": self.state_label, "due_text": self.due_text,
            "explanation": self.explain(),
        }
        if with_policy:
            data["policy"] = list(self.policy)
        return data


def due_rows(households: QuerySet[Household], *, on: date) -> list[DueRow]:
    """Every household of `households` (already scoped) in the registry on `on`, against the rule.
    Three queries."""
    qs = (households.order_by()
          .annotate(status_on=Coalesce(status_on_expr(on), F("status")), registered_on=registration_date_expr(),
                    exited_on=exit_date_expr(on))
          .filter(Q(registered_on__lte=on) | Q(registered_on__isnull=True, registered_year__lte=on.year))
          .exclude(status_on__in=CLOSED_STATUSES)
          .values("pk", "household_no", "head_name", "village_id", "village__name", "helper_id", "helper__username",
                  "helper__full_name", "status_on", "registered_on", "registered_year", "policies_kept_until",
                  "exited_on"))
    rows = list(qs)
    last: dict[int, dict[str, date]] = defaultdict(dict)
    visits = (Visit.objects.filter(household_id__in=households.order_by().values("pk"), visited_on__lte=on)
              .order_by().values("household_id", "kind").annotate(last=Max("visited_on")))
    for v in visits:
        last[v["household_id"]][v["kind"]] = v["last"]
    policy_for = resolver(COMPLIANCE_KEYS, year=on.year)
    retention_for: dict[int, object] = {}  # exit year → resolver of exit.policy_retention_years

    def kept_until(r) -> date | None:
        if r["policies_kept_until"] is not None or r["exited_on"] is None:
            return r["policies_kept_until"]
        year = r["exited_on"].year
        if year not in retention_for:
            retention_for[year] = resolver([RETENTION_KEY], year=year)
        try:
            years = int(retention_for[year](r["village_id"])[RETENTION_KEY].value)
        except PolicyMissing:
            return None
        return add_years(r["exited_on"], years)

    result = []
    for r in rows:
        policy = policy_for(r["village_id"])
        counted = tuple(str(k) for k in policy[COUNTED_KINDS_KEY].value)
        kinds = last.get(r["pk"], {})
        status = r["status_on"]
        required = status in HELPED_STATUSES
        if status == HouseholdStatus.EXITED:
            kept = kept_until(r)
            required = kept is not None and kept >= on
        result.append(DueRow(
            household_id=r["pk"], household_no=r["household_no"], head_name=r["head_name"],
            village_code=r["village_id"], village_name=r["village__name"], cadre_id=r["helper_id"],
            cadre_name=(r["helper__full_name"] or r["helper__username"]) if r["helper_id"] else UNPAIRED,
            status=status, required=required,
            registered_on=r["registered_on"] or date(r["registered_year"], 1, 1),
            last_visit=max((d for k, d in kinds.items() if k in counted), default=None),
            last_contact=max(kinds.values(), default=None), on=on,
            max_days=int(policy[MAX_DAYS_KEY].value), due_soon_days=int(policy[DUE_SOON_KEY].value),
            counted_kinds=counted, policy=tuple(policy[k].explain() for k in COMPLIANCE_KEYS)))
    return result


# --- Grouping ------------------------------------------------------------------------------------

@dataclass
class Tally:
    """Households that must be visited; of them visited within the window, never visited but not yet
    due (新户待走访), overdue. Compliance rate = (households − overdue) / households."""

    households: int = 0
    visited: int = 0
    pending: int = 0
    overdue: int = 0

    def add(self, row: DueRow) -> None:
        if not row.required:
            return
        self.households += 1
        if row.overdue:
            self.overdue += 1
        elif row.never_visited:
            self.pending += 1
        else:
            self.visited += 1

    @property
    def compliant(self) -> int:
        return self.households - self.overdue

    @property
    def rate(self) -> float | None:
        return round(self.compliant / self.households, 4) if self.households else None

    @property
    def rate_percent(self) -> str:
        return "—" if not self.households else f"{self.compliant / self.households:.1%}"

    def as_dict(self) -> dict:
        return {"households": self.households, "visited": self.visited, "pending": self.pending,
                "overdue": self.overdue, "compliant": self.compliant, "rate": self.rate}


@dataclass
class Group:
    key: str
    label: str
    tally: Tally = field(default_factory=Tally)
    max_days: set[int] = field(default_factory=set)
    extra: dict = field(default_factory=dict)

    @property
    def max_days_list(self) -> list[int]:
        return sorted(self.max_days)

    def as_dict(self) -> dict:
        return {**self.extra, "name": self.label, "max_days": self.max_days_list, **self.tally.as_dict()}


@dataclass
class ComplianceReport:
    region_code: str
    on: date
    rows: list[DueRow]
    totals: Tally
    by_cadre: list[Group]
    by_village: list[Group]
    overdue: list[DueRow]
    policy: list[dict]

    def as_dict(self, *, overdue_rows: list[DueRow] | None = None) -> dict:
        return {
            "region_code": self.region_code, "on": self.on, "rule": RULE_TEXT, "totals": self.totals.as_dict(),
            "by_cadre": [g.as_dict() for g in self.by_cadre],
            "by_village": [g.as_dict() for g in self.by_village],
            "overdue_count": len(self.overdue),
            "overdue": [r.as_dict() for r in (self.overdue if overdue_rows is None else overdue_rows)],
            "policy": self.policy,
        }


def build_report(rows: list[DueRow], *, region_code: str, on: date) -> ComplianceReport:
    totals = Tally()
    cadres: dict[str, Group] = {}
    villages: dict[str, Group] = {}
    policy: dict[tuple, dict] = {}
    for row in rows:
        if not row.required:
            continue
        totals.add(row)
        ckey = str(row.cadre_id or "")
        cadre = cadres.setdefault(ckey, Group(ckey, row.cadre_name, extra={"cadre_id": row.cadre_id}))
        cadre.tally.add(row)
        cadre.max_days.add(row.max_days)
        village = villages.setdefault(row.village_code, Group(row.village_code, row.village_name,
                                                              extra={"village_code": row.village_code}))
        village.tally.add(row)
        village.max_days.add(row.max_days)
        for p in row.policy:
            policy[(p["key"], p["region_code"], p["year_from"])] = p
    overdue = sorted((r for r in rows if r.overdue), key=lambda r: (-r.days_since, r.household_no))
    by_cadre = sorted(cadres.values(), key=lambda g: (g.tally.rate if g.tally.rate is not None else 1,
                                                     -g.tally.overdue, g.key == "", g.label))
    return ComplianceReport(region_code=region_code, on=on, rows=rows, totals=totals, by_cadre=by_cadre,
                            by_village=sorted(villages.values(), key=lambda g: g.key), overdue=overdue,
                            policy=sorted(policy.values(), key=lambda p: (p["key"], p["region_code"], p["year_from"])))


STATE_ORDER = {DueState.OVERDUE: 0, DueState.DUE_SOON: 1, DueState.OK: 2, DueState.NOT_REQUIRED: 3}


def due_order(row: DueRow) -> tuple:
    """Overdue first (longest first), then due soon (soonest first), then the rest by due date."""
    return (STATE_ORDER[row.state], -row.days_since if row.overdue else row.days_left, row.household_no)

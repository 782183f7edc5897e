"""Coverage of 结对帮扶 (四包责任制: no poor village without a unit and a team, no poor household
without a helper) over a region on a date, as a list of checks.

Each check says what it looked at (`checked`, `checked_count`), what it found (`count`, `items`)
and the policy rows behind its numbers. Everything is set-based: a fixed number of queries for any
number of villages, households and cadres. The querysets come in through `Sources`, already scoped
for a user (selectors.coverage_report) or whole (the CLI, an administrator's tool, like
check_quality). ID numbers in the items are always masked.

Definitions (periods are half-open: in force on `on` when start <= on < end, or no end):
- a poor village is checked on `on` when it was identified by that year and has not exited, or
  exited no more than `helpers.village_support_years_after_exit` years before (四个不摘: 摘帽不摘帮扶);
- a household is checked when its status on `on` (from its status events) is 未脱贫, 返贫 or 监测户;
- a cadre's load is their pairings in force on `on` (anywhere), against `helpers.max_households_per_cadre`
  resolved for the year and the cadre's own region;
- a registered person is a present member of a household that is 未脱贫, 已脱贫, 返贫 or 监测户.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from fupin.accounts.masking import mask_id_number
from fupin.accounts.scope import in_code_range
from fupin.policy.selectors import resolver
from fupin.regions.codes import subtree_range
from fupin.regions.models import Region
from fupin.registry.choices import HouseholdStatus
from fupin.registry.selectors_status import status_on_expr

from .checks import HELPED_STATUSES, KEEP_KEY, LOAD_KEY, REGISTERED_LABEL, registered_persons
from .models import TeamRole

ITEM_LIMIT = 500  # items listed per check; `count` is always the full number
HELPED_LABEL = "、".join(HouseholdStatus(s).label for s in HELPED_STATUSES)


@dataclass
class Sources:
    poor_villages: QuerySet
    pairings: QuerySet
    teams: QuerySet
    members: QuerySet
    households: QuerySet
    assignments: QuerySet
    cadres: QuerySet  # User rows with role cadre
    profiles: QuerySet


@dataclass
class Check:
    code: str
    title: str
    checked: str
    checked_count: int
    count: int = 0
    items: list[dict] = field(default_factory=list)
    policy: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.count == 0

    @property
    def truncated(self) -> bool:
        return self.count > len(self.items)

    def as_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "ok": self.ok, "checked": self.checked,
                "checked_count": self.checked_count, "count": self.count, "truncated": self.truncated,
                "items": self.items, "policy": self.policy}


@dataclass
class CoverageReport:
    region_code: str
    region_name: str
    on: date
    poor_villages: int
    households: int
    cadres: int
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def gaps(self) -> int:
        return sum(c.count for c in self.checks)

    def check(self, code: str) -> Check:
        return next(c for c in self.checks if c.code == code)

    def as_dict(self) -> dict:
        return {"region_code": self.region_code, "region_name": self.region_name, "on": self.on.isoformat(),
                "ok": self.ok, "gaps": self.gaps, "poor_villages": self.poor_villages,
                "households": self.households, "cadres": self.cadres,
                "checks": [c.as_dict() for c in self.checks]}


def in_force(on: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start__lte": on}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": on}))


def _limited(rows) -> list:
    return list(rows[:ITEM_LIMIT])


def coverage(region: Region, *, on: date, sources: Sources) -> CoverageReport:
    rng = subtree_range(region.code)
    names = _Names()
    villages, keep_policy = _poor_villages_in_force(sources.poor_villages.filter(in_code_range("village_id", rng)), on)
    codes = sorted(villages)
    names.want(codes)
    paired = set(sources.pairings.filter(in_force(on), village_id__in=codes).values_list("village_id", flat=True))
    teams = {t["village_id"]: t for t in sources.teams.filter(in_force(on), village_id__in=codes)
             .values("id", "village_id", "start", "unit__name").order_by("village_id", "start")}
    with_secretary = set(sources.members.filter(in_force(on), in_force(on, "team__"), role=TeamRole.SECRETARY,
                                                team__village_id__in=codes).values_list("team__village_id", flat=True))
    names.load()
    village_text = (f"{on.year} 年在册的贫困村（认定年度不晚于 {on.year} 年，未出列或出列不超过"
                    f"“{KEEP_KEY}”规定的年数）")

    checks = [
        Check("village_no_unit", "贫困村没有帮扶单位", village_text + f"在 {on} 是否有在期的单位包村记录", len(codes),
              policy=keep_policy),
        Check("village_no_team", "贫困村没有驻村工作队", village_text + f"在 {on} 是否有在驻的驻村工作队", len(codes),
              policy=keep_policy),
        Check("team_no_secretary", "驻村工作队没有第一书记", f"贫困村在 {on} 在驻的驻村工作队是否有在任的第一书记",
              len(teams)),
    ]
    checks[0].items = [names.village(c, villages[c]) for c in codes if c not in paired]
    checks[1].items = [names.village(c, villages[c]) for c in codes if c not in teams]
    checks[2].items = [{**names.village(c, villages[c]), "team_id": teams[c]["id"], "team_start": teams[c]["start"],
                        "unit_name": teams[c]["unit__name"] or ""} for c in codes if c in teams and c not in with_secretary]
    for c in checks[:3]:
        c.count = len(c.items)

    households = sources.households.filter(in_code_range("village_id", rng))
    checks.append(_households_without_helper(households, sources.assignments, on))
    checks.append(_helper_mismatch(households, sources.assignments))
    cadre_checks, cadre_count = _cadre_checks(sources, rng, on)
    checks += cadre_checks
    return CoverageReport(region_code=region.code, region_name=region.name, on=on, poor_villages=len(codes),
                          households=checks[3].checked_count, cadres=cadre_count, checks=checks)


class _Names:
    """Village and township names for the listed villages, in one query."""

    def __init__(self):
        self.codes: set[str] = set()
        self.regions: dict[str, Region] = {}

    def want(self, codes):
        for c in codes:
            self.codes.add(c)
            self.codes.add(c[:9] + "000")

    def load(self):
        self.regions = Region.objects.in_bulk(list(self.codes)) if self.codes else {}

    def village(self, code: str, row: dict) -> dict:
        v, t = self.regions.get(code), self.regions.get(code[:9] + "000")
        return {"village_code": code, "village_name": v.name if v else "", "township_name": t.name if t else "",
                "identified_year": row["identified_year"], "exited_year": row["exited_year"]}


def _poor_villages_in_force(qs: QuerySet, on: date) -> tuple[dict[str, dict], list[dict]]:
    rows = list(qs.filter(identified_year__lte=on.year).values("village_id", "identified_year", "exited_year"))
    resolve_for = resolver([KEEP_KEY], year=on.year)
    policies: dict[tuple, dict] = {}
    villages = {}
    for r in rows:
        if r["exited_year"] is not None:
            keep = resolve_for(r["village_id"])[KEEP_KEY]
            policies[(keep.region_code, keep.year_from)] = keep.explain()
            if on.year > r["exited_year"] + int(keep.value):
                continue
        villages[r["village_id"]] = r
    return villages, sorted(policies.values(), key=lambda p: (p["region_code"], p["year_from"]))


def _households_without_helper(households: QuerySet, assignments: QuerySet, on: date) -> Check:
    helped = households.annotate(status_on=status_on_expr(on)).filter(status_on__in=HELPED_STATUSES)
    covered = assignments.filter(in_force(on), household_id=OuterRef("pk"))
    missing = helped.filter(~Exists(covered)).order_by("village_id", "household_no")
    check = Check("household_no_helper", "贫困户没有帮扶责任人",
                  f"{on} 户状态为{HELPED_LABEL}的建档立卡户是否有在期的结对帮扶记录", helped.count())
    check.count = missing.count()
    check.items = [{"household_id": r["id"], "household_no": r["household_no"], "head_name": r["head_name"],
                    "village_code": r["village_id"], "village_name": r["village__name"],
                    "status": r["status_on"], "status_label": HouseholdStatus(r["status_on"]).label}
                   for r in _limited(missing.values("id", "household_no", "head_name", "village_id", "village__name",
                                                    "status_on"))]
    return check


def _helper_mismatch(households: QuerySet, assignments: QuerySet) -> Check:
    current = assignments.filter(household_id=OuterRef("pk"), end__isnull=True).values("cadre_id")[:1]
    rows = households.annotate(current_cadre=Subquery(current)).filter(
        Q(helper_id__isnull=True, current_cadre__isnull=False) | Q(helper_id__isnull=False, current_cadre__isnull=True)
        | (Q(helper_id__isnull=False, current_cadre__isnull=False) & ~Q(helper_id=F("current_cadre"))))
    check = Check("helper_mismatch", "户的帮扶责任人与结对记录不一致",
                  "每户登记的帮扶责任人是否就是其当前（未结束）结对记录中的帮扶责任人", households.count())
    check.count = rows.count()
    check.items = [{"household_id": r["id"], "household_no": r["household_no"], "head_name": r["head_name"],
                    "village_code": r["village_id"], "helper_id": r["helper_id"], "helper_name": r["helper__full_name"],
                    "assignment_cadre_id": r["current_cadre"]}
                   for r in _limited(rows.order_by("household_no").values(
                       "id", "household_no", "head_name", "village_id", "helper_id", "helper__full_name",
                       "current_cadre"))]
    return check


def _cadre_checks(sources: Sources, rng, on: date) -> tuple[list[Check], int]:
    in_region = sources.assignments.filter(in_force(on), in_code_range("village_code", rng))
    cadre_ids = set(in_region.values_list("cadre_id", flat=True).distinct())
    cadres = {u["id"]: u for u in sources.cadres.filter(Q(pk__in=cadre_ids) | in_code_range("region_id", rng))
              .values("id", "username", "full_name", "region_id", "is_active")}
    # Loads count every pairing in force, wherever the household is (the cadre's whole caseload).
    loads = dict(sources.assignments.model.objects.filter(in_force(on), cadre_id__in=cadre_ids).values("cadre_id")
                 .annotate(n=Count("id")).values_list("cadre_id", "n"))
    resolve_for = resolver([LOAD_KEY], year=on.year)
    over = Check("cadre_over_limit", "帮扶责任人结对户数超过上限",
                 f"在本区划有结对户的帮扶责任人在 {on} 的在期结对户数（含区划外的户）是否超过“{LOAD_KEY}”"
                 "（按该年度和帮扶责任人所属区划取值）", len(cadre_ids))
    policies: dict[tuple, dict] = {}
    for cid in sorted(cadre_ids):
        u = cadres.get(cid)
        if u is None:
            continue
        limit = resolve_for(u["region_id"])[LOAD_KEY]
        policies[(limit.region_code, limit.year_from)] = limit.explain()
        if loads.get(cid, 0) > int(limit.value):
            over.items.append({**_cadre_item(u), "households": loads[cid], "limit": int(limit.value),
                               "policy": limit.explain()})
    over.count = len(over.items)
    over.policy = sorted(policies.values(), key=lambda p: (p["region_code"], p["year_from"]))

    profiles = {p["user_id"]: p["id_number"] for p in sources.profiles.filter(user_id__in=list(cadres))
                .values("user_id", "id_number")}
    no_profile = Check("cadre_no_profile", "帮扶责任人未登记档案",
                       "在本区划有在期结对户的帮扶责任人是否登记了身份证号码（否则无法核查是否为建档立卡人口）",
                       len(cadre_ids))
    no_profile.items = [_cadre_item(cadres[c]) for c in sorted(cadre_ids) if c in cadres and c not in profiles]
    no_profile.count = len(no_profile.items)

    members = list(sources.members.filter(in_force(on), in_force(on, "team__"), in_code_range("team__village_id", rng))
                   .values("id", "name", "role", "id_number", "team_id", "team__village_id"))
    found = registered_persons([*profiles.values(), *(m["id_number"] for m in members)], on=on)
    poor = Check("cadre_is_poor", "帮扶干部是建档立卡人口",
                 f"本区划的帮扶责任人（{len(cadres)} 人，按档案身份证号码）和 {on} 在任的驻村工作队员"
                 f"（{len(members)} 人）是否为户状态{REGISTERED_LABEL}的建档立卡户在册成员", len(cadres) + len(members))
    for cid in sorted(profiles):
        for f in found.get(profiles[cid], []):
            poor.items.append({"kind": "cadre", "kind_label": "帮扶责任人", **_cadre_item(cadres[cid]),
                               "id_number": mask_id_number(profiles[cid]), **_registered(f)})
    for m in members:
        for f in found.get(m["id_number"], []):
            poor.items.append({"kind": "team_member", "kind_label": TeamRole(m["role"]).label, "member_id": m["id"],
                               "name": m["name"], "team_id": m["team_id"], "village_code": m["team__village_id"],
                               "id_number": mask_id_number(m["id_number"]), **_registered(f)})
    poor.count = len(poor.items)
    return [over, no_profile, poor], len(cadre_ids)


def _cadre_item(u: dict) -> dict:
    return {"cadre_id": u["id"], "name": u["full_name"] or u["username"], "region_code": u["region_id"]}


def _registered(f: dict) -> dict:
    return {"household_id": f["household_id"], "household_no": f["household_no"], "member_name": f["member_name"],
            "household_status": f["status"], "household_status_label": f["status_label"]}

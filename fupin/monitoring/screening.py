"""Risk screening (风险排查): who should be taken into 防止返贫监测 in a year, and why.

For a region and year, candidates come from the registry and from department rosters:

- registry households whose status is in `monitoring.screened_statuses` (已脱贫, and 监测户 without an
  open case) are checked against
  * 收入低于监测范围: per-capita income of the year strictly below `monitoring_line` (resolved per
    village, a province may raise it); exactly at the line is not a candidate;
  * 刚性支出: 合规自付支出 of the year strictly above `monitoring.rigid_expenditure_ratio` × last
    year's 家庭纯收入;
  * 收入骤减: per-capita income fell by `monitoring.income_drop_ratio` or more against last year;
  * 新患大病 / 新增残疾: a member 患有大病 (or 残疾) this year who was not last year (a member without a
    row last year is not "new": nothing is known of them);
  * department rows about one of its members: a medical bill whose out-of-pocket amount exceeds the
    rigid-expenditure ratio × last year's net income, a disaster or accident, or a newly issued
    disability certificate, dated within the year;
- persons found only in department rosters (not a registry member): a medical bill of at least
  `monitoring.large_medical_expense`, a disaster or accident, or a disability certificate issued
  within the year.

Households with an open case are not candidates; they are counted as skipped. Object type: an
exited household is 脱贫不稳定户; a sudden event or expenditure makes 突发严重困难户; otherwise
边缘易致贫户. Every reason carries its numbers and the policy rows used.

Queries (fixed, whatever the size of the county): households with both year rows, member-year rows,
roster rows with their matched members, the policy rows, the village names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Subquery

from fupin.accounts.masking import mask_id_number
from fupin.accounts.scope import in_code_range, scope_of
from fupin.crosscheck.choices import DatasetKind
from fupin.crosscheck.models import RosterRow
from fupin.policy.selectors import resolve_many, resolver
from fupin.regions.codes import ancestor_codes, subtree_range
from fupin.regions.models import Region
from fupin.registry.choices import Health, HouseholdStatus, PovertyCause
from fupin.registry.models import Household, Member, MemberYear

from . import department as dept
from .choices import OPEN_STATES, ObjectType, RiskType
from .models import MonitoringCase

POLICY_KEYS = ("monitoring_line", "monitoring.rigid_expenditure_ratio", "monitoring.income_drop_ratio",
               "monitoring.large_medical_expense")
REGION_KEYS = ("monitoring.screened_statuses",)
SCREEN_KINDS = (DatasetKind.MEDICAL_EXPENSE, DatasetKind.DISASTER, DatasetKind.DISABILITY)
YEAR_FIELDS = ("id", "per_capita_income", "net_income", "compliant_out_of_pocket")

# The reasons, their Chinese names and whether they are a sudden event (突发).
SIGNALS = {
    "income_below_line": ("收入低于监测范围", False),
    "rigid_expenditure": ("刚性支出超过上年收入", True),
    "income_drop": ("收入大幅骤减", True),
    "new_serious_illness": ("新患大病", True),
    "new_disability": ("新增残疾", False),
    "dept_medical_expense": ("大额医疗自付费用（部门数据）", True),
    "dept_disaster": ("受灾（部门数据）", True),
    "dept_accident": ("意外事故（部门数据）", True),
    "dept_disability": ("新办残疾人证（部门数据）", False),
}
RISK_OF_SIGNAL = {
    "rigid_expenditure": RiskType.ILLNESS, "new_serious_illness": RiskType.ILLNESS,
    "dept_medical_expense": RiskType.ILLNESS, "new_disability": RiskType.DISABILITY,
    "dept_disability": RiskType.DISABILITY, "dept_disaster": RiskType.DISASTER, "dept_accident": RiskType.ACCIDENT,
}
RISK_OF_CAUSE = {
    PovertyCause.ILLNESS: RiskType.ILLNESS, PovertyCause.DISABILITY: RiskType.DISABILITY,
    PovertyCause.SCHOOLING: RiskType.SCHOOLING, PovertyCause.DISASTER: RiskType.DISASTER,
    PovertyCause.LACK_LABOUR: RiskType.LACK_LABOUR, PovertyCause.LACK_WATER: RiskType.WATER,
}


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _num(value) -> str:
    """A policy number as written (6000, 0.3)."""
    d = Decimal(str(value))
    return f"{d.normalize():f}" if d == d.to_integral_value() else str(value)


@dataclass
class Candidate:
    village_code: str
    village_name: str
    object_type: str
    risk_types: list[str]
    reasons: list[dict]
    household_id: int | None = None
    household_no: str = ""
    head_name: str = ""
    status: str = ""
    person: dict | None = None  # a person found only in department rosters

    @property
    def sort_key(self) -> tuple:
        if self.household_id is not None:
            return (self.village_code, 0, self.household_no, "")
        return (self.village_code, 1, str(self.person["roster_id"]), f"{self.person['row_no']:09d}")

    def as_dict(self) -> dict:
        return {
            "kind": "household" if self.household_id is not None else "person",
            "household_id": self.household_id, "household_no": self.household_no, "head_name": self.head_name,
            "status": self.status,
            "status_label": HouseholdStatus(self.status).label if self.status in HouseholdStatus.values else "",
            "village_code": self.village_code, "village_name": self.village_name,
            "object_type": self.object_type, "object_type_label": ObjectType(self.object_type).label,
            "risk_types": self.risk_types, "risk_type_labels": [RiskType(r).label for r in self.risk_types],
            "reasons": self.reasons, "person": self.person,
        }


@dataclass
class Screening:
    region_code: str
    year: int
    candidates: list[Candidate]
    counts: dict
    policy: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"region": self.region_code, "year": self.year, "policy": self.policy,
                "candidates": [c.as_dict() for c in self.candidates], "counts": self.counts}


def _reason(code: str, text: str, **inputs) -> dict:
    return {"code": code, "label": SIGNALS[code][0], "text": text, "inputs": inputs}


def _split(row: dict, prefix: str) -> dict | None:
    if row[f"{prefix}__id"] is None:
        return None
    return {f: row[f"{prefix}__{f}"] for f in YEAR_FIELDS}


# --- Registry households ---------------------------------------------------------------------------

def _households(region_code: str, year: int, statuses, user, household_ids):
    if user is not None:
        from fupin.registry.selectors import households_visible_to

        qs = households_visible_to(user)
    else:
        qs = Household.objects.all()
    qs = qs.filter(in_code_range("village_id", subtree_range(region_code)), status__in=list(statuses))
    if household_ids is not None:
        qs = qs.filter(pk__in=list(household_ids))
    open_case = MonitoringCase.objects.filter(household_id=OuterRef("pk"), state__in=list(OPEN_STATES))
    cols = [f"{p}__{f}" for p in ("cur", "prev") for f in YEAR_FIELDS]
    rows = (qs.annotate(cur=FilteredRelation("years", condition=Q(years__year=year)),
                        prev=FilteredRelation("years", condition=Q(years__year=year - 1)),
                        has_open_case=Exists(open_case))
            .values("id", "household_no", "head_name", "village_id", "status", "exit_year", "main_cause",
                    "has_open_case", *cols)
            .order_by("village_id", "household_no"))
    return qs, list(rows)


def _member_changes(households_qs, year: int) -> dict[int, list[dict]]:
    """Members newly 患有大病 or newly disabled in `year`: the comparison with last year's row is done
    in SQL (one query), so only the members who changed come back, not every member-year row."""
    ill = Q(health=Health.SERIOUS)
    disabled = Q(health=Health.DISABLED) | ~Q(disability_grade="")
    last = MemberYear.objects.filter(member_id=OuterRef("member_id"), year=year - 1)
    rows = (MemberYear.objects.filter(member__household_id__in=households_qs.order_by().values("id"), year=year)
            .filter(ill | disabled)
            .annotate(was_ill=Exists(last.filter(ill)), was_disabled=Exists(last.filter(disabled)),
                      health_last_year=Subquery(last.values("health")[:1]))
            .filter(health_last_year__isnull=False)  # no row last year: nothing is known, not "new"
            .values("member_id", "member__household_id", "member__name", "health", "disability_grade",
                    "was_ill", "was_disabled", "health_last_year")
            .order_by("member_id"))
    found: dict[int, list[dict]] = {}
    for r in rows:
        base = {"member_id": r["member_id"], "name": r["member__name"], "health": r["health"],
                "health_last_year": r["health_last_year"]}
        if r["health"] == Health.SERIOUS and not r["was_ill"]:
            found.setdefault(r["member__household_id"], []).append({**base, "signal": "new_serious_illness"})
        if (r["health"] == Health.DISABLED or r["disability_grade"]) and not r["was_disabled"]:
            found.setdefault(r["member__household_id"], []).append(
                {**base, "signal": "new_disability", "disability_grade": r["disability_grade"]})
    return found


# --- Department rosters ----------------------------------------------------------------------------

def _roster_rows(region_code: str) -> list[dict]:
    """Rows of screening rosters whose region overlaps the region screened, with the registry member
    (if any) their ID number belongs to — one query (the member is a correlated subquery on the
    indexed ID number)."""
    codes = subtree_range(region_code)
    overlap = Q(roster__region_code__in=ancestor_codes(region_code)) | in_code_range("roster__region_code", codes)
    member = Member.objects.filter(id_number=OuterRef("id_number")).order_by(F("left_on").asc(nulls_first=True), "-id")
    return list(RosterRow.objects.filter(overlap, roster__kind__in=list(SCREEN_KINDS))
                .annotate(member_id=Subquery(member.values("id")[:1]),
                          member_household_id=Subquery(member.values("household_id")[:1]),
                          member_name=Subquery(member.values("name")[:1]))
                .values("id", "row_no", "id_number", "name", "data", "member_id", "member_household_id",
                        "member_name", roster_kind=F("roster__kind"), roster_name=F("roster__name"),
                        roster_department=F("roster__department"), roster_region=F("roster__region_code"),
                        roster_as_of=F("roster__as_of"), roster_pk=F("roster_id"))
                .order_by("roster_id", "row_no"))


def _dept_signal(row: dict, year: int) -> dict | None:
    """What a roster row says, if it falls within `year`: the signal, amount and date with their source."""
    data = row["data"] or {}
    src = {"roster_id": row["roster_pk"], "roster": row["roster_name"], "department": row["roster_department"],
           "row_no": row["row_no"]}
    if row["roster_kind"] == DatasetKind.MEDICAL_EXPENSE:
        on, on_from = dept.row_date(data, dept.MEDICAL_DATE_COLUMNS, row["roster_as_of"])
        amount = dept.money(dept.first(data, dept.AMOUNT_COLUMNS))
        if on.year != year or amount is None:
            return None
        return {"signal": "dept_medical_expense", "on": on, "date_from": on_from, "amount": amount, **src}
    if row["roster_kind"] == DatasetKind.DISASTER:
        on, on_from = dept.row_date(data, dept.DISASTER_DATE_COLUMNS, row["roster_as_of"])
        if on.year != year:
            return None
        kind = dept.event_kind(data)
        return {"signal": "dept_accident" if kind == dept.ACCIDENT else "dept_disaster", "on": on, "date_from": on_from,
                "event": kind, "loss": dept.money(dept.first(data, dept.LOSS_COLUMNS)), **src}
    on, on_from = dept.row_date(data, dept.DISABILITY_DATE_COLUMNS, row["roster_as_of"])
    if on.year != year or on_from == "数据截止日期":
        return None  # a coverage list without a certificate date says nothing new
    return {"signal": "dept_disability", "on": on, "date_from": on_from, **src}


def _dept_text(s: dict, who: str) -> str:
    where = f"（{s['department'] or s['roster']}，第 {s['row_no']} 行）"
    if s["signal"] == "dept_medical_expense":
        return f"{who}{s['on']:%Y-%m-%d} 医疗自付费用 {_money(s['amount'])} 元{where}"
    if s["signal"] in ("dept_disaster", "dept_accident"):
        loss = f"，损失 {_money(s['loss'])} 元" if s.get("loss") is not None else ""
        return f"{who}{s['on']:%Y-%m-%d} 遭受{s['event']}{loss}{where}"
    return f"{who}{s['on']:%Y-%m-%d} 办理残疾人证{where}"


def _dept_inputs(s: dict) -> dict:
    return {k: (_money(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v)
            for k, v in s.items() if k != "signal"}


# --- Assessing -------------------------------------------------------------------------------------

def _object_type(h_exited: bool, codes: list[str]) -> str:
    if h_exited:
        return ObjectType.UNSTABLE
    if any(SIGNALS[c][1] for c in codes):
        return ObjectType.SUDDEN
    return ObjectType.MARGINAL


def _risks(codes: list[str], main_cause: str | None) -> list[str]:
    risks: list[str] = []
    for c in codes:
        r = RISK_OF_SIGNAL.get(c)
        if r and r not in risks:
            risks.append(r)
    if not risks:
        risks.append(RISK_OF_CAUSE.get(main_cause, RiskType.UNSTABLE_WORK))
    return risks


def _assess_household(h: dict, year: int, pol: dict, members: list[dict], dept_rows: list[dict]) -> list[dict]:
    cur, prev = _split(h, "cur"), _split(h, "prev")
    line, ratio = pol["monitoring_line"], pol["monitoring.rigid_expenditure_ratio"]
    drop_ratio = pol["monitoring.income_drop_ratio"]
    line_v, ratio_v, drop_v = Decimal(str(line.value)), Decimal(str(ratio.value)), Decimal(str(drop_ratio.value))
    reasons = []
    if cur is not None and cur["per_capita_income"] < line_v:
        reasons.append(_reason(
            "income_below_line",
            f"{year}年人均纯收入 {_money(cur['per_capita_income'])} 元，低于监测范围 {_num(line.value)} 元",
            per_capita_income=_money(cur["per_capita_income"]), year=year, policy=[line.explain()]))
    limit = None
    if prev is not None:
        limit = (ratio_v * prev["net_income"]).quantize(Decimal("0.01"))
    if cur is not None and limit is not None and cur["compliant_out_of_pocket"] > limit:
        reasons.append(_reason(
            "rigid_expenditure",
            f"{year}年合规自付支出 {_money(cur['compliant_out_of_pocket'])} 元，超过上年（{year - 1}年）家庭纯收入 "
            f"{_money(prev['net_income'])} 元的 {_num(ratio.value)} 倍（{_money(limit)} 元）",
            compliant_out_of_pocket=_money(cur["compliant_out_of_pocket"]), last_year_net_income=_money(prev["net_income"]),
            limit=_money(limit), year=year, policy=[ratio.explain()]))
    if cur is not None and prev is not None and prev["per_capita_income"] > 0:
        fall = (prev["per_capita_income"] - cur["per_capita_income"]) / prev["per_capita_income"]
        if fall >= drop_v:
            reasons.append(_reason(
                "income_drop",
                f"人均纯收入由{year - 1}年 {_money(prev['per_capita_income'])} 元降至{year}年 "
                f"{_money(cur['per_capita_income'])} 元，下降 {fall * 100:.1f}%（达到收入骤减比例 {_num(drop_v * 100)}%）",
                per_capita_income=_money(cur["per_capita_income"]),
                last_year_per_capita_income=_money(prev["per_capita_income"]), drop=f"{fall:.4f}",
                policy=[drop_ratio.explain()]))
    for m in members:
        if m["signal"] == "new_serious_illness":
            reasons.append(_reason("new_serious_illness", f"成员{m['name']}{year}年患有大病（{year - 1}年为"
                                   f"{Health(m['health_last_year']).label}）", **m))
        else:
            reasons.append(_reason("new_disability", f"成员{m['name']}{year}年新增残疾（{year - 1}年为"
                                   f"{Health(m['health_last_year']).label}）", **m))
    for s in dept_rows:
        who = f"成员{s['member_name']}"
        if s["signal"] == "dept_medical_expense":
            if limit is None or s["amount"] <= limit:
                continue
            reasons.append(_reason(s["signal"], _dept_text(s, who) + f"，超过上年家庭纯收入 {_money(prev['net_income'])} 元的 "
                                   f"{_num(ratio.value)} 倍（{_money(limit)} 元）",
                                   **_dept_inputs(s), limit=_money(limit), policy=[ratio.explain()]))
        else:
            reasons.append(_reason(s["signal"], _dept_text(s, who), **_dept_inputs(s)))
    return reasons


def screen_risks(*, year: int, region_code: str, user=None, household_ids=None) -> Screening:
    """Candidates for monitoring under `region_code` in `year`, ordered by village then household number
    (persons found only in department rosters after the households of their village).

    With `user`, only the households the user may see (a cadre: their paired households, and no
    department-only persons). `household_ids` limits the registry part to those households (the
    identification service screens one household with it). Raises PolicyMissing."""
    policy_for = resolver(POLICY_KEYS, year=year)
    own = resolve_many(POLICY_KEYS + REGION_KEYS, year=year, region_code=region_code)
    statuses = list(own["monitoring.screened_statuses"].value)
    households_qs, households = _households(region_code, year, statuses, user, household_ids)
    villages = {r["code"]: r["name"] for r in Region.objects.filter(
        in_code_range("code", subtree_range(region_code)), level="village").values("code", "name")}
    by_name: dict[str, list[str]] = {}
    for code, name in villages.items():
        by_name.setdefault(name, []).append(code)
    changes = _member_changes(households_qs, year)
    dept_by_household: dict[int, list[dict]] = {}
    persons: dict[str, list[tuple[dict, dict]]] = {}
    for row in _roster_rows(region_code):
        s = _dept_signal(row, year)
        if s is None:
            continue
        if row["member_id"] is not None:
            dept_by_household.setdefault(row["member_household_id"], []).append({**s, "member_name": row["member_name"]})
        else:
            persons.setdefault(row["id_number"], []).append((row, s))
    candidates: list[Candidate] = []
    skipped = screened = 0
    used_regions = {region_code}
    for h in households:
        if h["has_open_case"]:
            skipped += 1
            continue
        screened += 1
        pol = policy_for(h["village_id"])
        used_regions.add(h["village_id"])
        reasons = _assess_household(h, year, pol, changes.get(h["id"], []), dept_by_household.get(h["id"], []))
        if not reasons:
            continue
        codes = [r["code"] for r in reasons]
        exited = h["status"] == HouseholdStatus.EXITED or h["exit_year"] is not None
        candidates.append(Candidate(
            village_code=h["village_id"], village_name=villages.get(h["village_id"], ""),
            object_type=_object_type(exited, codes), risk_types=_risks(codes, h["main_cause"]), reasons=reasons,
            household_id=h["id"], household_no=h["household_no"], head_name=h["head_name"], status=h["status"]))
    person_count = 0
    if household_ids is None and not (user is not None and scope_of(user).cadre_only):
        codes_in = subtree_range(region_code)
        for id_number, found in persons.items():
            cand = _person_candidate(id_number, found, year, policy_for, by_name, villages, codes_in)
            if cand is not None:
                candidates.append(cand)
                person_count += 1
                used_regions.add(cand.village_code)
    candidates.sort(key=lambda c: c.sort_key)
    by_type = {t.value: 0 for t in ObjectType}
    by_signal = dict.fromkeys(SIGNALS, 0)
    for c in candidates:
        by_type[c.object_type] += 1
        for code in {r["code"] for r in c.reasons}:
            by_signal[code] += 1
    counts = {"screened_households": screened, "skipped_open_case": skipped, "candidates": len(candidates),
              "households": len(candidates) - person_count, "persons": person_count, "by_object_type": by_type,
              "by_signal": by_signal}
    seen: dict[tuple, dict] = {}
    for code in sorted(used_regions):
        for row in [r.explain() for r in policy_for(code).values()]:
            seen.setdefault((row["key"], row["region_code"], row["year_from"]), row)
    policy = sorted(seen.values(), key=lambda r: (r["key"], r["region_code"])) + [own["monitoring.screened_statuses"].explain()]
    return Screening(region_code=region_code, year=year, candidates=candidates, counts=counts, policy=policy)


def _person_candidate(id_number, found, year, policy_for, by_name, villages, codes_in) -> Candidate | None:
    row0 = found[0][0]
    village = None
    for row, _ in found:
        village = dept.village_of(row["data"] or {}, by_name)
        if village:
            break
    location = village or row0["roster_region"]
    if location not in codes_in:
        return None
    pol = policy_for(location)
    large = pol["monitoring.large_medical_expense"]
    reasons = []
    for row, s in found:
        who = f"{row['name'] or '该人员'}（未建档立卡）"
        if s["signal"] == "dept_medical_expense":
            if s["amount"] < Decimal(str(large.value)):
                continue
            reasons.append(_reason(s["signal"], _dept_text(s, who) + f"，达到大额自付医疗费用 {_num(large.value)} 元",
                                   **_dept_inputs(s), policy=[large.explain()]))
        else:
            reasons.append(_reason(s["signal"], _dept_text(s, who), **_dept_inputs(s)))
    if not reasons:
        return None
    codes = [r["code"] for r in reasons]
    person = {"id_number": mask_id_number(id_number), "name": row0["name"], "roster_id": row0["roster_pk"],
              "row_no": row0["row_no"], "roster_row_id": row0["id"], "roster": row0["roster_name"],
              "department": row0["roster_department"], "roster_region": row0["roster_region"],
              "village_derived": village is not None}
    return Candidate(village_code=location, village_name=villages.get(location, ""), object_type=_object_type(False, codes),
                     risk_types=_risks(codes, None), reasons=reasons, person=person)

"""Generating a county: checks, the household loop, batched writing and the statistics."""

from __future__ import annotations

import random
import re
import string
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.audit.services import Action, Entry, record, record_many
from fupin.core.bulk import TableWriter, json_safe
from fupin.core.db import analyze
from fupin.regions.codes import Level, normalize_code, subtree_range
from fupin.regions.models import Region
from fupin.registry.choices import (
    DangerGrade,
    HouseholdAttribute,
    HouseholdStatus,
    PovertyCause,
)
from fupin.registry.models import (
    Household,
    HouseholdStatusEvent,
    HouseholdYear,
    Member,
    MemberYear,
    YearFreeze,
)

from .calibration import (
    DEFAULT_YEARS,
    EVENT_ACTOR,
    GROUPS_PER_VILLAGE,
    IDENTIFICATION_STANDARD_SHARES,
    MAIN_CAUSE_SHARES,
    POOR_VILLAGE_SHARE,
    POOR_VILLAGE_WEIGHT,
    POVERTY_LINE,
    REGISTERED_YEAR_SHARES,
    STATUS_SHARES,
    VILLAGE_WEIGHT_NOISE,
)
from .housing import draw_housing, housing_year
from .identity import Identities, random_gender
from .income import income_year, next_rank
from .people import Families, HouseholdPlan, MemberRow
from .planning import (
    apportion,
    assign_attributes,
    assign_sizes,
    helper_loads,
    pick,
    place_natural_decrease,
    shuffled_labels,
)
from .timeline import Event, build_timeline
from .yearly import member_year, present

BATCH_SIZE = 2000
PASSWORD_CHARS = string.ascii_letters + string.digits
CHINESE_NUMERALS = "一二三四五六七八九十"
DEMO_CADRE_PREFIX = "cadre_"
# Member fields recorded in the household's creation entry of the audit trail (the yearly ones
# are recorded under "years").
MEMBER_AUDIT_FIELDS = ("name", "id_type", "id_number", "gender", "birth_date", "relation", "ethnicity", "phone",
                       "disability_cert_no", "left_on", "left_reason")
# HouseholdYear and MemberYear fields recorded per year, in this order (every row carries them).
HOUSEHOLD_YEAR_AUDIT_FIELDS = [
    "year", "status", "wage_income", "business_income", "business_cost", "property_income", "transfer_income",
    "policy_subsidy", "compliant_out_of_pocket", "household_size", "net_income", "per_capita_income",
    "housing_area", "housing_structure", "housing_year_built", "danger_grade", "relocated", "living_electricity",
    "production_electricity", "road_distance_km", "access_road", "drinking_water_difficult", "drinking_water_safe",
    "food_secure", "clothing_secure", "fuel", "sanitary_toilet", "cooperative_member", "arable_mu", "forest_mu", "grain_for_green_mu", "orchard_mu",
    "pasture_mu", "water_surface_mu"]
MEMBER_YEAR_AUDIT_FIELDS = ["year", "member_id", "education", "school_status", "dropout", "dropout_reason", "health",
                            "disability_grade", "labour_capacity", "labour_skill", "migrant_worker", "work_months",
                            "work_place", "work_monthly_income", "on_low_income_support", "on_destitute_support",
                            "resident_medical_insurance", "employee_medical_insurance", "critical_illness_insurance",
                            "resident_pension_insurance", "note"]
_household_year_values = itemgetter(*HOUSEHOLD_YEAR_AUDIT_FIELDS)
_member_year_values = itemgetter(*MEMBER_YEAR_AUDIT_FIELDS[2:])

class DemoError(CommandError):
    """Generation refused (wrong county or years, not loaded, already has households)."""


def demo_county(county_code: str):
    """The county a demo generator works on, or DemoError with the reason (shared by every app's
    demo module)."""
    from fupin.regions.codes import InvalidCode, Level, normalize_code
    from fupin.regions.models import Region

    try:
        code = normalize_code(county_code)
    except InvalidCode as exc:
        raise DemoError(str(exc)) from None
    county = Region.objects.select_related("parent").filter(code=code).first()
    if county is None or county.level != Level.COUNTY:
        raise DemoError(f"县级区划 {code[:6]} 不存在：请先运行 fupin load_regions")
    return county


def parse_years(spec: str | Sequence[int]) -> tuple[int, ...]:
    """'2019-2020' or '2020' (or a sequence of consecutive years) → (2019, 2020)."""
    if isinstance(spec, str):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–~至]\s*(\d{4}))?\s*", spec)
        if not m:
            raise DemoError(f"年度“{spec}”格式不对，应为 2019-2020 或 2020")
        first, last = int(m[1]), int(m[2] or m[1])
    else:
        years = sorted(set(spec))
        if not years or years != list(range(years[0], years[-1] + 1)):
            raise DemoError("年度须为连续的年份")
        first, last = years[0], years[-1]
    low, high = min(POVERTY_LINE), max(POVERTY_LINE)
    if not (low <= first <= last <= high):
        raise DemoError(f"年度须在 {low}–{high} 年之间（有扶贫标准的年份），且起始年不晚于结束年")
    if last < max(REGISTERED_YEAR_SHARES):
        raise DemoError(f"结束年度不能早于 {max(REGISTERED_YEAR_SHARES)} 年（最后一批建档立卡的年份）")
    return tuple(range(first, last + 1))


def _check_county(county_code: str) -> tuple[Region, list[Region], dict[str, Region]]:
    try:
        code = normalize_code(county_code)
    except ValueError as exc:
        raise DemoError(str(exc)) from None
    county = Region.objects.filter(code=code).first()
    if county is None:
        raise DemoError(f"区划 {code[:6]} 不存在：请先运行 fupin load_regions 载入全国省市县")
    if county.level != Level.COUNTY:
        raise DemoError(f"“{county.name}”（{code}）是{county.level_label}级，请指定县级区划代码")
    low, high = subtree_range(code).as_tuple()
    villages = list(Region.objects.filter(level=Level.VILLAGE, code__range=(low, high)).order_by("code"))
    if not villages:
        raise DemoError(f"{county.name}（{code[:6]}）下还没有村级区划：请先运行 "
                        f"fupin import_regions fupin/demo/data/{code[:6]}_regions.csv")
    # gte/lte: Django allows no `range` lookup across a foreign key.
    existing = Household.objects.filter(village_id__gte=low, village_id__lte=high).count()
    if existing:
        raise DemoError(f"{county.name}已有 {existing} 户建档立卡数据，不能重复生成演示数据（请使用新的空数据库）")
    if User.objects.filter(username__startswith=f"{DEMO_CADRE_PREFIX}{code[:6]}").exists():
        raise DemoError(f"{county.name}已有演示帮扶责任人账户（{DEMO_CADRE_PREFIX}{code[:6]}…），请使用新的空数据库")
    parents = {v.parent_id for v in villages}
    townships = Region.objects.in_bulk(parents)
    return county, villages, townships


def generate_county(*, county_code: str, households: int, seed: int = 2014,
                    years: str | Sequence[int] = DEFAULT_YEARS,
                    progress: Callable[[int], object] | None = None) -> dict:
    """Generate `households` demo households in the county's villages, with their data for each of
    `years` (e.g. "2019-2020"); the years but the last are frozen. Returns the statistics.

    Raises DemoError (a CommandError, message in Chinese) if the years are invalid, the county or
    its villages are not loaded, or the county already has households. All or nothing: one transaction."""
    started = time.monotonic()
    if households < 1:
        raise DemoError("户数必须是正整数")
    years = parse_years(years)
    with transaction.atomic():
        county, villages, townships = _check_county(county_code)
        POVERTY_LINE.use_region(county.code)
        stats = _generate(county=county, villages=villages, townships=townships, households=households,
                          seed=seed, years=years, progress=progress)
        # Planner statistics for what was just written: PostgreSQL may have analyzed these tables
        # while they were empty, and would then plan the joins that follow (the other demo data,
        # statistics, region exits) as over one row each — nested loops over every row.
        analyze(Household, HouseholdYear, Member, MemberYear, HouseholdStatusEvent)
    stats["elapsed_seconds"] = round(time.monotonic() - started, 2)
    return stats


@dataclass
class Built:
    """One household, ready to be written."""

    household: dict
    members: list[MemberRow]
    member_years: list[tuple[MemberRow, dict]]
    household_years: list[dict]
    events: list[Event]


class _Writers:
    """The tables written per batch, and the audit trail of each household."""

    def __init__(self, progress):
        self.household = TableWriter(Household)
        self.member = TableWriter(Member)
        self.member_year = TableWriter(MemberYear)
        self.household_year = TableWriter(HouseholdYear)
        self.event = TableWriter(HouseholdStatusEvent)
        self.progress = progress
        self.audit_rows = 0
        self.counts = Counter()

    def flush(self, batch: list[Built]) -> None:
        if not batch:
            return
        now = timezone.now()
        written = self.household.insert([b.household for b in batch], now=now)
        ids = dict(Household.objects.filter(household_no__in=[b.household["household_no"] for b in batch])
                   .values_list("household_no", "id"))
        for b, row in zip(batch, written, strict=True):
            row["id"] = ids[row["household_no"]]
            for m in b.members:
                m.household_id = row["id"]
        members = [m for b in batch for m in b.members]
        self.member.insert(members, now=now, keep=False)
        # Members of a household get ascending keys in the order written.
        low, high = min(ids.values()), max(ids.values())
        keys = defaultdict(list)
        for household_id, pk in (Member.objects.filter(household_id__gte=low, household_id__lte=high)
                                 .order_by("id").values_list("household_id", "id")):
            keys[household_id].append(pk)
        for b in batch:
            for m, pk in zip(b.members, keys[b.members[0].household_id], strict=True):
                m.id = pk
        member_years = []
        for b in batch:
            for m, values in b.member_years:
                values["member_id"] = m.id
                member_years.append(values)
        household_years, events = [], []
        for b, row in zip(batch, written, strict=True):
            for values in b.household_years:
                values["household_id"] = row["id"]
                household_years.append(values)
            events += [{"household_id": row["id"], "year": e.year, "from_status": e.from_status,
                        "to_status": e.to_status, "kind": e.kind, "effective_on": e.at.date(),
                        "source": e.source, "reason": e.reason, "at": e.at,
                        "actor_name": EVENT_ACTOR} for e in b.events]
        self.member_year.insert(member_years, now=now, keep=False)
        self.household_year.insert(household_years, now=now, keep=False)
        self.event.insert(events, now=now, keep=False)
        self.audit_rows += record_many(entries=[self.entry(b, row) for b, row in zip(batch, written, strict=True)])
        self.counts.update(persons=len(members), member_years=len(member_years),
                           household_years=len(household_years), status_events=len(events))
        if self.progress is not None:
            self.progress(len(batch))

    @staticmethod
    def entry(b: Built, row: dict) -> Entry:
        """The household's creation entry: its row, members, yearly data and status events. Yearly
        data are rows in the order of `year_fields` and `member_year_fields`: keys repeated 160,000
        times would double the size of the trail."""
        after = json_safe(row)
        after["members"] = [json_safe({"id": m.id, **{f: getattr(m, f) for f in MEMBER_AUDIT_FIELDS}})
                            for m in b.members]
        after["year_fields"] = HOUSEHOLD_YEAR_AUDIT_FIELDS
        after["years"] = [_json_row(_household_year_values(hy)) for hy in b.household_years]
        after["member_year_fields"] = MEMBER_YEAR_AUDIT_FIELDS
        after["member_years"] = [_json_row((values["year"], m.id, *_member_year_values(values))) for m, values in b.member_years]
        after["status_events"] = [[e.year, e.from_status, str(e.to_status), str(e.source), e.reason, e.at.isoformat()]
                                  for e in b.events]
        return Entry(action=Action.CREATE, object_type="registry.household", object_id=str(row["id"]),
                     object_repr=f"{row['head_name']}户（{row['household_no']}）"[:200],
                     region_code=row["village_id"], after=after)


def _json_row(values) -> list:
    # Choices are str and go into JSON as they are; amounts and areas as strings, as snapshot() has them.
    return [str(v) if type(v) is Decimal else v for v in values]


def _generate(*, county: Region, villages: Sequence[Region], townships: dict[str, Region], households: int,
              seed: int, years: tuple[int, ...], progress) -> dict:
    rng = random.Random(seed)
    ids = Identities(rng, county6=county.code[:6], reference=date(years[-1], 12, 31))
    families = Families(rng, ids)
    n = households

    # Villages: which are poor, and how many households each holds.
    poor = {v.code for v in rng.sample(list(villages), round(len(villages) * POOR_VILLAGE_SHARE))}
    weights = {v.code: (POOR_VILLAGE_WEIGHT if v.code in poor else 1.0) * rng.uniform(*VILLAGE_WEIGHT_NOISE)
               for v in villages}
    per_village = apportion(weights, n)
    groups = {v.code: rng.randint(*GROUPS_PER_VILLAGE) for v in villages}
    width = max(3, len(str(max(per_village.values()))))

    # Household attributes over the whole county (exact shares), then sizes that fit them.
    causes = shuffled_labels(rng, MAIN_CAUSE_SHARES, n)
    attributes = assign_attributes(rng, causes)
    sizes = assign_sizes(rng, causes, attributes)
    statuses = place_natural_decrease(rng, shuffled_labels(rng, STATUS_SHARES, n), sizes)
    registered = shuffled_labels(rng, REGISTERED_YEAR_SHARES, n)

    writers = _Writers(progress)
    cadres, helper_of = _cadres(rng, ids, villages, per_village, writers)

    by_cause, by_status, by_attribute = Counter(), Counter(), Counter()
    per_year = {y: Counter() for y in years}
    left = 0
    batch: list[Built] = []
    index = 0
    for v in villages:
        township = townships[v.parent_id]
        for seq in range(1, per_village[v.code] + 1):
            cause, attribute = causes[index], attributes[index]
            timeline = build_timeline(rng, status=statuses[index], registered=registered[index], cause=cause,
                                      data_years=years)
            ceased = timeline.ceased_on  # 自然减少: no data from the year it ceased on
            plan = HouseholdPlan(size=sizes[index], cause=cause, attribute=attribute, status=timeline.status,
                                 registered_year=registered[index], helper_id=cadres[helper_of[index]].pk,
                                 years=tuple(y for y in years if y >= registered[index]
                                             and (ceased is None or y < ceased.year)),
                                 ceased_on=ceased)
            members, phone = families.members(plan)
            bank_name, account = ids.bank()
            group = CHINESE_NUMERALS[rng.randrange(groups[v.code])] + "组"
            household = {
                "household_no": f"{v.code}{seq:0{width}d}", "village_id": v.code, "group_name": group,
                "address": f"{county.name}{township.name}{v.name}{group}", "head_name": members[0].name,
                "phone": phone, "bank_name": bank_name, "bank_account": account,
                "identification_standard": pick(rng, IDENTIFICATION_STANDARD_SHARES),
                "attribute": attribute, "status": timeline.status, "main_cause": cause,
                "other_causes": families.other_causes(plan, members),
                "registered_year": plan.registered_year, "exit_year": timeline.exit_year, "helper_id": plan.helper_id,
            }
            built = Built(household, members, [], [], timeline.events)
            _years(rng, plan, timeline, built, per_year)
            batch.append(built)
            by_cause[cause] += 1
            by_status[timeline.status] += 1
            by_attribute[attribute] += 1
            left += sum(1 for m in members if m.left_on is not None)
            index += 1
            if len(batch) >= BATCH_SIZE:
                writers.flush(batch)
                batch.clear()
    writers.flush(batch)
    frozen = _freeze(county, years, per_year, writers)

    loads = Counter(helper_of)
    counts = writers.counts
    stats = {
        "ok": True,
        "county": county.code,
        "county_name": county.name,
        "seed": seed,
        "years": list(years),
        "frozen_years": frozen,
        "households": n,
        "persons": counts["persons"],
        "persons_per_household": round(counts["persons"] / n, 3),
        "left_members": left,
        "household_years": counts["household_years"],
        "member_years": counts["member_years"],
        "status_events": counts["status_events"],
        "villages": len(villages),
        "villages_with_households": sum(1 for c in per_village.values() if c),
        "poor_villages": len(poor),
        "poor_village_codes": sorted(poor),
        "poor_village_households": sum(per_village[c] for c in poor),
        "cadres": len(cadres),
        "max_households_per_cadre": max(loads.values()),
        "by_cause": _breakdown(by_cause, PovertyCause, n, "cause"),
        "by_status": _breakdown(by_status, HouseholdStatus, n, "status"),
        "by_attribute": _breakdown(by_attribute, HouseholdAttribute, n, "attribute"),
        "by_year": [_year_stats(y, per_year[y], frozen) for y in years],
    }
    writers.audit_rows += 1
    stats["audit_rows"] = writers.audit_rows
    summary = {k: v for k, v in stats.items() if k not in ("ok",)}
    record(entry=Entry(action=Action.IMPORT, object_type="demo.dataset", object_repr=f"生成演示数据：{county.name}",
                       region_code=county.code, after=summary))
    return stats


def _cadres(rng, ids: Identities, villages, per_village: dict, writers: _Writers) -> tuple[list[User], list[int]]:
    """Helper cadres per township, created first so households can point at them."""
    per_township = Counter()
    for v in villages:
        per_township[v.parent_id] += per_village[v.code]
    cadres, helper_of = [], []
    for township_code in sorted(per_township):
        for i, load in enumerate(helper_loads(rng, per_township[township_code]), start=1):
            gender = random_gender(rng)
            birth_year = rng.randint(1965, 1998)
            user = User(username=f"{DEMO_CADRE_PREFIX}{township_code[:9]}_{i:04d}", role=Role.CADRE,
                        region_id=township_code, full_name=ids.surname() + ids.given_name(gender, birth_year),
                        phone=ids.phone(), is_active=True)
            # What set_unusable_password() stores ("!" + 40 random characters), drawn from the seeded
            # generator: Django's draws each character from the OS (~0.5 ms a cadre).
            user.password = UNUSABLE_PASSWORD_PREFIX + "".join(
                rng.choices(PASSWORD_CHARS, k=UNUSABLE_PASSWORD_SUFFIX_LENGTH))
            cadres.append(user)
            helper_of += [len(cadres) - 1] * load
    for start in range(0, len(cadres), BATCH_SIZE):
        chunk = cadres[start:start + BATCH_SIZE]
        User.objects.bulk_create(chunk)
        writers.audit_rows += record_many(entries=[
            Entry(action=Action.CREATE, object_type="accounts.user", object_id=str(u.pk), object_repr=u.username,
                  region_code=u.region_id,
                  after={"username": u.username, "role": u.role, "region": u.region_id, "loginable": False})
            for u in chunk])
    return cadres, helper_of


def _years(rng, plan: HouseholdPlan, timeline, built: Built, per_year: dict) -> None:
    """The household's and its members' data for each of its years."""
    housing = draw_housing(rng, timeline=timeline, size=plan.size)
    destitute = plan.attribute == HouseholdAttribute.DESTITUTE
    lacks_skills = plan.cause == PovertyCause.LACK_SKILLS
    rank = rng.gauss(0, 1)
    for year in plan.years:
        status = timeline.status_in(year)
        states = [(m, member_year(m, year, destitute=destitute, lacks_skills=lacks_skills))
                  for m in built.members if present(m, year)]
        values = {"year": year, "status": status,
                  **income_year(rng, attribute=plan.attribute, status=status, year=year, rank=rank, states=states),
                  **housing_year(housing, year)}
        built.household_years.append(values)
        built.member_years += states
        rank = next_rank(rng, rank)
        c = per_year[year]
        c.update(households=1, persons=len(states), income=values["per_capita_income"],
                 below_line=values["per_capita_income"] < POVERTY_LINE[year],
                 dangerous=values["danger_grade"] in (DangerGrade.C, DangerGrade.D), relocated=values["relocated"],
                 migrant_workers=sum(1 for _m, v in states if v.get("migrant_worker")))
        c[f"status:{status}"] += 1


def _freeze(county: Region, years: tuple[int, ...], per_year: dict, writers: _Writers) -> list[int]:
    """Freeze (固化) every year but the last for the county, as `registry.services.year_freeze` would."""
    wanted = list(years[:-1])
    have = set(YearFreeze.objects.filter(region_code=county.code, year__in=wanted).values_list("year", flat=True))
    freezes = YearFreeze.objects.bulk_create([YearFreeze(region_code=county.code, year=y, frozen_by_name=EVENT_ACTOR)
                                              for y in wanted if y not in have])
    writers.audit_rows += record_many(entries=[
        Entry(action=Action.CREATE, object_type="registry.yearfreeze", object_id=str(f.pk or ""),
              object_repr=str(f)[:200], region_code=county.code,
              after={"year": f.year, "households": per_year[f.year]["households"]}) for f in freezes])
    return wanted


def _year_stats(year: int, c: Counter, frozen: list[int]) -> dict:
    households = c["households"]
    return {
        "year": year, "frozen": year in frozen, "poverty_line": POVERTY_LINE[year], "households": households,
        "persons": c["persons"],
        "per_capita_income_mean": round(float(c["income"]) / households, 2) if households else 0,
        "below_line": c["below_line"], "dangerous_housing": c["dangerous"], "relocated": c["relocated"],
        "migrant_workers": c["migrant_workers"],
        "by_status": {s.value: c[f"status:{s.value}"] for s in HouseholdStatus if c[f"status:{s.value}"]},
    }


def _breakdown(counter: Counter, choices, total: int, key: str) -> list[dict]:
    return [{key: c.value, "label": c.label, "households": counter[c], "share": round(counter[c] / total, 4)}
            for c in sorted(choices, key=lambda c: -counter[c]) if counter[c]]

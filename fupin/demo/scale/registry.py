"""Generating the registry of a region, county by county, chunk by chunk.

Each county is one transaction: its villages (created if it has none), its households in chunks of
about CHUNK_PERSONS persons — cadres, households, members, yearly data and status events of a chunk
drawn as arrays and written before the next chunk is drawn, so memory stays the same whatever the
number of persons — the year-end freezes and the audit trail, then the activity around the
registry (fupin.demo.scale.activity, when it is there). A county that already has households is
skipped, so an interrupted run is resumed by running it again.

Seeds: a county draws from (seed, county code) only — its villages, its share of the persons and
every chunk (seed, county, chunk number) — so the same command with the same seed writes the same
data, and a county gets the same data alone as in its province when it gets as many persons.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import closing

import numpy as np
from django.db import transaction
from django.utils import timezone

from fupin.accounts.models import User
from fupin.audit.services import Action, Entry, record_many
from fupin.core.db import analyze
from fupin.demo.generator.calibration import (
    DEFAULT_YEARS,
    EVENT_ACTOR,
    GROUPS_PER_VILLAGE,
    MAIN_CAUSE_SHARES,
    OTHER_CAUSE_COUNT_SHARES,
    POOR_VILLAGE_SHARE,
    POOR_VILLAGE_WEIGHT,
    SOFT_CAUSES,
    VILLAGE_WEIGHT_NOISE,
    WORK_PLACES,
)
from fupin.demo.generator.county import CHINESE_NUMERALS, DemoError, parse_years
from fupin.policy.selectors import resolver
from fupin.regions.codes import Level, subtree_range
from fupin.regions.models import Region
from fupin.registry.choices import Gender, IdType
from fupin.registry.models import (
    Household,
    HouseholdStatusEvent,
    HouseholdYear,
    Member,
    MemberYear,
    YearFreeze,
)

from .regions import (
    COUNTY_EQUIVALENT_CITIES,
    ScaleError,
    Unit,
    _ensure_villages,
    apportion_counts,
    persons_per_unit,
    plain,
    rng_for,
    units_under,
)
from .registry_cadres import Cadres
from .registry_contacts import bank_accounts
from .registry_housing import FUEL_CODES, GRADES, ROADS, STRUCTURES, Housing
from .registry_ids import IdAllocator
from .registry_people import EXITS, RELATIONS, SKILL_CODES, Members
from .registry_plan import (
    ATTRIBUTES,
    CAUSES,
    DISABILITY,
    ILLNESS,
    SCHOOLING,
    STANDARDS,
    STATUSES,
    Plan,
    households_for,
)
from .registry_timeline import KINDS, SOURCES, UTC_OFFSET_MINUTES, Timeline
from .registry_write import Keys, Table, Writer
from .registry_years import (
    CHRONIC,
    DISABLED,
    EDUCATIONS,
    HEALTHS,
    LABOURS,
    SCHOOL_LEVEL_CODES,
    SCHOOLS,
    SERIOUS,
    YearData,
    next_rank,
)

CHUNK_PERSONS = 5_000
KEYED = (User, Household, Member)  # tables whose keys are handed out before writing
STREAM_VILLAGE_PLAN, STREAM_CHUNK = 11, 12


def _labels(values) -> np.ndarray:
    """Label table of coded values; index -1 (none) is the empty string."""
    return np.array([str(v) for v in values] + [""], dtype=object)


_OTHER_CAUSE_CANDIDATES = np.array([c in SOFT_CAUSES for c in CAUSES])
_CAUSE_WEIGHT = np.array([MAIN_CAUSE_SHARES[c] for c in CAUSES])


def _tables(unit: Unit, village_codes: list[str]) -> dict[str, Table]:
    places = [unit.name, unit.city_name or unit.province_name, *(p for p, _s, _w in WORK_PLACES[2:])]
    return {
        "user": Table(User, with_id=True),
        "household": Table(Household, with_id=True, labels={
            "village_id": np.array(village_codes, dtype=object), "identification_standard": _labels(STANDARDS),
            "attribute": _labels(ATTRIBUTES), "status": _labels(STATUSES), "main_cause": _labels(CAUSES)}),
        "member": Table(Member, with_id=True, labels={
            "relation": _labels(RELATIONS), "left_reason": _labels(EXITS), "gender": _labels((Gender.FEMALE, Gender.MALE))}),
        "member_year": Table(MemberYear, labels={
            "education": _labels(EDUCATIONS), "school_status": _labels(SCHOOLS), "health": _labels(HEALTHS),
            "disability_grade": _labels(["", "1", "2", "3", "4"]), "labour_capacity": _labels(LABOURS),
            "labour_skill": _labels(["", *SKILL_CODES]), "work_place": _labels(places)}),
        "household_year": Table(HouseholdYear, labels={
            "status": _labels(STATUSES), "housing_structure": _labels(STRUCTURES), "danger_grade": _labels(GRADES),
            "access_road": _labels(ROADS), "fuel": _labels(FUEL_CODES)}),
        "event": Table(HouseholdStatusEvent, labels={
            "from_status": _labels(STATUSES), "to_status": _labels(STATUSES), "source": _labels(SOURCES),
            "kind": _labels(KINDS)}),
    }


def generate_region(*, region_code: str, persons: int, seed: int = 2014, years: str | Sequence[int] = DEFAULT_YEARS,
                    registry_only: bool = False, progress: Callable[[int], object] | None = None,
                    chunk_persons: int = CHUNK_PERSONS) -> dict:
    """Generate `persons` persons over the counties under `region_code` (see the module docstring).
    Raises ScaleError (message in Chinese) on bad input; returns per-county and total counts."""
    started = time.monotonic()
    if not isinstance(persons, int) or persons < 1:
        raise ScaleError("人数（--persons）必须是正整数")
    try:
        years = parse_years(years)
    except DemoError as exc:
        raise ScaleError(str(exc)) from None
    region, units = units_under(region_code)
    shares = persons_per_unit(units, persons=persons, seed=seed)
    activity = None if registry_only else _activity()
    lines = {y: resolver(["poverty_line"], year=y) for y in years}
    counties = []
    with closing(Keys(KEYED)) as keys:
        for unit, share in zip(units, shares, strict=True):
            if not share:
                continue
            try:
                counties.append(_county(unit, share=share, seed=seed, years=years, lines=lines, keys=keys,
                                        activity=activity, progress=progress, chunk_persons=chunk_persons))
            except (ScaleError, DemoError) as exc:
                done = sum(1 for c in counties if not c.get("skipped"))
                kept = f"；此前 {done} 个县已生成并保存，重新运行即从该县继续" if done else ""
                error = ScaleError(f"{unit.name}（{unit.code6}）：{exc}{kept}")
                error.generated = done
                raise error from exc
    if any(not c.get("skipped") for c in counties):
        analyze(Household, Member, HouseholdYear, MemberYear, HouseholdStatusEvent)
    elapsed = time.monotonic() - started
    done = [c for c in counties if not c.get("skipped")]
    summed = ("households", "persons", "member_years", "household_years", "status_events", "cadres",
            "townships_created", "villages_created")
    totals = {k: sum(c[k] for c in done) for k in summed}
    return {"ok": True, "region": region.code, "region_name": region.name, "seed": seed, "years": list(years),
            "persons_requested": persons, "counties": counties, "counties_generated": len(done),
            "counties_skipped": sum(1 for c in counties if c.get("skipped")),
            "counties_without_persons": shares.count(0), **totals,
            "by_status": dict(sum((Counter(c["by_status"]) for c in done), Counter())),
            "by_cause": dict(sum((Counter(c["by_cause"]) for c in done), Counter())),
            "activity": activity is not None, "elapsed_seconds": round(elapsed, 2),
            "persons_per_second": round(totals["persons"] / elapsed) if elapsed else None}


def _county(unit: Unit, *, share: int, seed: int, years, lines, keys, activity, progress, chunk_persons) -> dict:
    """One county in its own transaction, or skipped if it has households."""
    with transaction.atomic():
        low, high = subtree_range(unit.code).as_tuple()
        existing = Household.objects.filter(village_id__gte=low, village_id__lte=high).count()
        if existing:
            if progress:
                progress(share)
            return {"county": unit.code, "county_name": unit.name, "persons": 0, "skipped": True,
                    "reason": f"已有 {existing} 户数据，跳过"}
        stats = generate_county(unit, persons=share, seed=seed, years=years, progress=progress, keys=keys,
                                lines={y: int(r(unit.code)["poverty_line"].value) for y, r in lines.items()},
                                chunk_persons=chunk_persons)
        if activity is not None and unit.code6 in COUNTY_EQUIVALENT_CITIES:
            # The activity generator works on 县级 regions only (it refuses a city).
            stats["activity"] = {"skipped": "不设区的地级市：未生成帮扶、项目、信贷和监测数据"}
        elif activity is not None:
            stats["activity"] = activity(county_code=unit.code, years=years, seed=seed)
    return stats


def _activity():
    """g2's generate_activity if fupin.demo.scale.activity is there (it may not be yet)."""
    try:
        from .activity import generate_activity
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.activity":
            raise
        return None
    return generate_activity


def generate_county(unit: Unit, *, persons: int, seed: int, years: tuple[int, ...], lines: dict[int, int],
                    progress=None, chunk_persons: int = CHUNK_PERSONS, keys: Keys | None = None) -> dict:
    """One county's registry (inside the caller's transaction). Returns its counts."""
    if keys is None:
        with closing(Keys(KEYED)) as keys:
            return generate_county(unit, persons=persons, seed=seed, years=years, lines=lines, progress=progress,
                                   chunk_persons=chunk_persons, keys=keys)
    started = time.monotonic()
    county6 = int(unit.code6)
    villages, townships_created, villages_created = _ensure_villages(unit.code, seed=seed, persons=persons)
    low, high = subtree_range(unit.code).as_tuple()
    names = {code: plain(name) for code, name in Region.objects.filter(
        code__range=(low, high), level__in=(Level.TOWNSHIP, Level.VILLAGE)).values_list("code", "name")}
    parents = dict(Region.objects.filter(code__range=(low, high), level=Level.VILLAGE).values_list("code", "parent_id"))
    # Households per village (poor villages hold more) and 村民小组 per village.
    rng = rng_for(seed, STREAM_VILLAGE_PLAN, county6)
    v = len(villages)
    poor = np.zeros(v, dtype=bool)
    poor[rng.permutation(v)[: round(v * POOR_VILLAGE_SHARE)]] = True
    weights = np.where(poor, POOR_VILLAGE_WEIGHT, 1.0) * rng.uniform(*VILLAGE_WEIGHT_NOISE, v)
    groups = rng.integers(GROUPS_PER_VILLAGE[0], GROUPS_PER_VILLAGE[1] + 1, v)
    chunk_count = max(1, -(-persons // chunk_persons))
    chunk_persons_ = apportion_counts(np.ones(chunk_count), persons).tolist()
    chunk_households = [households_for(p) for p in chunk_persons_]
    per_village = apportion_counts(weights, sum(chunk_households))
    village_end = np.cumsum(per_village)
    width = max(3, len(str(int(per_village.max()))))
    address = np.array([f"{unit.name}{names.get(parents[c], '')}{names[c]}" for c in villages], dtype=object)
    township_of = [parents[c] for c in villages]

    tables = _tables(unit, villages)
    keys.begin()
    writer = Writer()
    ids = IdAllocator(unit.code6, salt=seed + county6)
    numbered: dict[str, int] = {}
    now = timezone.now()
    counts, by_status, by_cause = Counter(), Counter(), Counter()
    entries, first = [], 0
    try:
        for number, (p, h) in enumerate(zip(chunk_persons_, chunk_households, strict=True)):
            chunk_rng = rng_for(seed, STREAM_CHUNK, county6, number)
            household = np.arange(first, first + h)
            village = np.searchsorted(village_end, household, side="right")
            seq = household - (village_end[village] - per_village[village]) + 1
            built = _chunk(chunk_rng, unit=unit, persons=p, households=h, years=years, lines=lines, ids=ids,
                           village=village, seq=seq, width=width, villages=villages, groups=groups, address=address,
                           township_of=township_of, numbered=numbered, serial=household, keys=keys, now=now)
            writer.write([(tables[name], cols, n) for name, cols, n in built["items"]], now=now)
            counts.update(built["counts"])
            by_status.update(built["by_status"])
            by_cause.update(built["by_cause"])
            entries.append(_chunk_entry(unit, number, seed, built))
            first += h
            if progress:
                progress(p)
    finally:
        writer.close()  # waits for the COPY thread before anything else uses the connection
    frozen = _freeze(unit, years)
    elapsed = time.monotonic() - started
    stats = {
        "county": unit.code, "county_name": unit.name, "villages": v, "poor_villages": int(poor.sum()),
        "townships_created": townships_created, "villages_created": villages_created, **counts,
        "frozen_years": frozen, "by_status": dict(by_status), "by_cause": dict(by_cause),
        "fast_foreign_keys": writer.fast_keys, "copy_seconds": {k: round(v, 2) for k, v in writer.seconds.items()},
        "elapsed_seconds": round(elapsed, 2),
        "persons_per_second": round(counts["persons"] / elapsed) if elapsed else None,
    }
    entries.append(Entry(action=Action.IMPORT, object_type="demo.scale.county", object_id=unit.code,
                         object_repr=f"生成建档立卡数据：{unit.name}", region_code=unit.code,
                         after={"seed": seed, "years": list(years), **{k: v for k, v in stats.items()
                                                                       if k not in ("elapsed_seconds",
                                                                                    "persons_per_second")}}))
    entries += [Entry(action=Action.CREATE, object_type="registry.yearfreeze", object_repr=f"{unit.name} {y} 年度数据固化",
                      region_code=unit.code, after={"year": y, "frozen_by_name": EVENT_ACTOR}) for y in frozen]
    stats["audit_rows"] = record_many(entries=entries)
    return stats


def _chunk_entry(unit: Unit, number: int, seed: int, built: dict) -> Entry:
    return Entry(action=Action.CREATE, object_type="demo.scale.chunk", object_id=f"{unit.code6}-{number}",
                 object_repr=f"生成建档立卡数据：{unit.name} 第 {number + 1} 批", region_code=unit.code,
                 after={"seed": seed, "chunk": number, **built["counts"], **built["ranges"]})


def _freeze(unit: Unit, years: tuple[int, ...]) -> list[int]:
    """Freeze (固化) every year but the last for the county, as registry.services.year_freeze would."""
    wanted = list(years[:-1])
    have = set(YearFreeze.objects.filter(region_code=unit.code, year__in=wanted).values_list("year", flat=True))
    YearFreeze.objects.bulk_create([YearFreeze(region_code=unit.code, year=y, frozen_by_name=EVENT_ACTOR)
                                    for y in wanted if y not in have])
    return wanted


def _other_causes(rng, plan: Plan, members: Members, year_data: list[YearData], timeline: Timeline) -> list[str]:
    """Up to two other causes per household, each borne out by every year of its data (JSON)."""
    n = plan.n
    hh = members.household
    last_data = np.where(timeline.ceased_year > 0, timeline.ceased_year - 1, year_data[-1].year)[hh]
    always = (members.birth_year <= members.first_year) & ((members.left_year == 0) | (members.left_year > last_data))
    sick = np.bincount(hh, always & np.isin(members.health, [CHRONIC, SERIOUS]), minlength=n) > 0
    disabled = np.bincount(hh, always & (members.health == DISABLED), minlength=n) > 0
    schooling = np.ones(n, dtype=bool)
    for yd in year_data:
        in_school = np.bincount(hh[yd.members], np.isin(yd.member_columns["school_status"], SCHOOL_LEVEL_CODES),
                                minlength=n) > 0
        schooling &= in_school | ~timeline.has_data(yd.year)
    eligible = np.repeat(_OTHER_CAUSE_CANDIDATES[None, :], n, axis=0)
    eligible[:, ILLNESS], eligible[:, DISABILITY], eligible[:, SCHOOLING] = sick, disabled, schooling
    eligible[np.arange(n), plan.cause] = False
    count_p = np.array(list(OTHER_CAUSE_COUNT_SHARES.values()))
    count = np.array(list(OTHER_CAUSE_COUNT_SHARES))[rng.choice(len(count_p), n, p=count_p / count_p.sum())]
    # Weighted draws without replacement, in order (Efraimidis–Spirakis keys).
    keys = np.where(eligible, rng.random((n, len(CAUSES))) ** (1 / _CAUSE_WEIGHT), -1.0)
    order = np.argsort(-keys, axis=1)[:, :2]
    cache: dict[tuple, str] = {}
    out = []
    for (a, b), k, (ka, kb) in zip(order.tolist(), count.tolist(),
                                   np.take_along_axis(keys, order, 1).tolist(), strict=True):
        chosen = tuple(c for c, key, i in ((a, ka, 0), (b, kb, 1)) if i < k and key >= 0)
        if chosen not in cache:
            cache[chosen] = json.dumps([str(CAUSES[c].value) for c in chosen])
        out.append(cache[chosen])
    return out


def _chunk(rng, *, unit, persons, households, years, lines, ids, village, seq, width, villages, groups, address,
           township_of, numbered, serial, keys, now) -> dict:
    plan = Plan(rng, households=households, persons=persons, data_years=years)
    timeline = Timeline(rng, plan, years)
    members = Members(rng, plan, timeline, data_years=years, ids=ids)
    housing = Housing(rng, status=plan.status, registered=plan.registered, exit_year=timeline.exit_year,
                      size=plan.size)
    rank = rng.standard_normal(plan.n)
    year_data = []
    for y in years:
        yd = YearData(rng, year=y, line=lines[y], plan=plan, timeline=timeline, members=members, housing=housing,
                      rank=rank)
        year_data.append(yd)
        rank = np.where(timeline.has_data(y), next_rank(rng, rank), rank)
    other = _other_causes(rng, plan, members, year_data, timeline)
    cadres = Cadres(rng, township_of_household=[township_of[i] for i in village.tolist()], numbered=numbered)
    user_ids = keys.take(User, cadres.n)
    household_ids = keys.take(Household, plan.n)
    member_ids = keys.take(Member, members.n)
    group = rng.integers(0, groups[village])
    group_names = np.array([f"{ch}组" for ch in CHINESE_NUMERALS], dtype=object)[group]
    bank_name, account = bank_accounts(rng, county6=unit.code6, county_name=unit.name, serial=serial)
    hno = [f"{villages[v]}{s:0{width}d}" for v, s in zip(village.tolist(), seq.tolist(), strict=True)]
    house = {
        "id": household_ids, "household_no": hno, "village_id": village, "group_name": group_names,
        "address": (address[village] + group_names).tolist(), "head_name": members.head_name,
        "phone": members.household_phone, "bank_name": bank_name, "bank_account": account,
        "identification_standard": plan.standard, "attribute": plan.attribute, "status": plan.status,
        "main_cause": plan.cause, "other_causes": other, "registered_year": plan.registered,
        "exit_year": [y or None for y in timeline.exit_year.tolist()], "helper_id": user_ids[cadres.helper],
    }
    member = {
        "id": member_ids, "household_id": household_ids[members.household], "name": members.name,
        "id_type": IdType.RESIDENT_ID.value, "id_number": members.id_number,
        "gender": members.male.astype(np.int64),
        "birth_date": members.birth, "relation": members.relation, "ethnicity": members.ethnicity,
        "phone": members.phone, "disability_cert_no": members.cert, "left_on": members.left_on,
        "left_reason": members.left_reason,
    }
    member_years = {k: _concat([yd.member_columns[k] for yd in year_data], [len(yd.members) for yd in year_data])
                    for k in year_data[0].member_columns}
    member_years["member_id"] = np.concatenate([member_ids[yd.members] for yd in year_data])
    household_years = {k: _concat([yd.household_columns[k] for yd in year_data],
                                  [len(yd.households) for yd in year_data])
                       for k in year_data[0].household_columns}
    household_years["household_id"] = np.concatenate([household_ids[yd.households] for yd in year_data])
    local = timeline.e_moment
    events = {
        "household_id": household_ids[timeline.e_household], "year": timeline.e_year,
        "from_status": timeline.e_from, "to_status": timeline.e_to, "kind": timeline.e_kind,
        "effective_on": local.astype("datetime64[D]"), "source": timeline.e_source,
        "reason": timeline.e_reason.tolist(), "at": local - np.timedelta64(UTC_OFFSET_MINUTES, "m"),
        "actor_name": EVENT_ACTOR,
    }
    users = {"id": user_ids, "date_joined": now, **cadres.columns}
    n_my, n_hy, n_ev = len(member_years["member_id"]), len(household_years["household_id"]), len(timeline.e_year)
    return {
        "items": [("user", users, cadres.n), ("household", house, plan.n), ("member", member, members.n),
                  ("member_year", member_years, n_my), ("household_year", household_years, n_hy),
                  ("event", events, n_ev)],
        "counts": {"households": plan.n, "persons": members.n, "member_years": n_my, "household_years": n_hy,
                   "status_events": n_ev, "cadres": cadres.n, "left_members": int((members.left_year > 0).sum())},
        "by_status": Counter({str(STATUSES[s].value): int(c) for s, c in enumerate(np.bincount(plan.status,
                                                                                             minlength=6)) if c}),
        "by_cause": Counter({str(CAUSES[s].value): int(c) for s, c in enumerate(np.bincount(plan.cause,
                                                                                          minlength=len(CAUSES))) if c}),
        "ranges": {"household_no": [hno[0], hno[-1]], "household_ids": [int(household_ids.min()), int(household_ids.max())],
                   "member_ids": [int(member_ids.min()), int(member_ids.max())],
                   "cadre_ids": [int(user_ids.min()), int(user_ids.max())] if cadres.n else []},
    }


def _concat(parts: list, lengths: list[int]):
    """Columns of several years as one: arrays joined; a value for every row stays one value."""
    if all(isinstance(p, np.ndarray) for p in parts):
        return np.concatenate(parts)
    if all(not isinstance(p, np.ndarray | list) for p in parts) and len(set(parts)) == 1:
        return parts[0]
    return np.concatenate([p if isinstance(p, np.ndarray) else np.full(n, p) for p, n in zip(parts, lengths,
                                                                                            strict=True)])

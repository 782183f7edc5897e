"""Demo funds and projects (扶贫资金和项目库) for a generated demo county.

`generate_funds_demo(county_code=..., year=..., on=..., seed=...)` runs after `generate_demo` and
writes, set-based (bulk_create) and deterministically for a seed:

- fund sources of `year` at every level for the county: 中央 (at the nation), 省级, 市级, and at the
  county 县级, 统筹整合涉农资金, 东西部扶贫协作 and 社会捐赠 [demo amounts];
- allocations passed down level by level to the county (central and provincial money marked as
  integrated — it still counts under its source, 各记其功) and from the county to its townships;
- 30–60 projects of every type in villages with households, at every stage of the life cycle with
  dated events (none after `on`), budget lines from the township's (else the county's)
  allocations, beneficiaries from the registry with a per-household standard, performance targets;
- payments: to households (their standard) and to companies (预付款, 进度款, 尾款); projects still
  being carried out are partly paid and some not at all, so slow spending shows; and, so that each
  alert has a case: one household paid twice for the same item, one paid above its standard, one
  payee not in the registry and (if the registry has one) one household already 清退/销户.

The money rules hold for everything written (no line beyond its allocation's remainder, no payment
beyond its line). Refuses a county that already has fund data. One transaction; one audit row.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from stdnum.cn import ric

from fupin.accounts.scope import in_code_range
from fupin.audit.services import Action, Entry, record
from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.regions.codes import NATION_CODE, Level, subtree_range
from fupin.regions.models import Region
from fupin.registry.models import Household, HouseholdStatusEvent

from .choices import PAYABLE_STATUSES, FundKind, PayeeKind, ProjectStatus, ProjectType
from .models import (
    Allocation,
    Disbursement,
    FundSource,
    Project,
    ProjectBeneficiary,
    ProjectEvent,
    ProjectFunding,
    ProjectTarget,
)

CENT = Decimal("0.01")
ELIGIBLE = ("not_exited", "returned", "exited", "monitored")
OUT = ("removed", "cancelled")
STATUS_WEIGHTS = ((ProjectStatus.DECLARED, 8), (ProjectStatus.APPROVED, 10), (ProjectStatus.IMPLEMENTING, 35),
                  (ProjectStatus.ACCEPTED, 15), (ProjectStatus.DISCLOSED, 12), (ProjectStatus.CLOSED, 20))  # [demo]
# type: (weight, household-level?, standard range or budget range, names, target)
TYPES = {
    ProjectType.INFRASTRUCTURE: (20, False, (200_000, 800_000), ("通组道路硬化", "产业路建设", "村组便民桥"),
                                 ("硬化道路", "公里", 2, 6)),
    ProjectType.WATER: (10, False, (60_000, 300_000), ("安全饮水巩固提升", "集中供水工程"), ("受益人口", "人", 200, 800)),
    ProjectType.INDUSTRY: (20, True, (3_000, 8_000), ("茶园建设奖补", "绞股蓝种植", "生猪养殖到户"),
                           ("带动贫困户", "户", 5, 15)),
    ProjectType.HOUSING: (12, True, (15_000, 30_000), ("危房改造",), ("改造危房", "户", 3, 10)),
    ProjectType.EDUCATION: (8, True, (1_000, 3_000), ("雨露计划助学",), ("资助学生", "人", 3, 12)),
    ProjectType.HEALTH: (8, True, (500, 2_000), ("大病医疗救助",), ("救助人次", "人次", 3, 12)),
    ProjectType.RELOCATION: (6, True, (6_000, 10_000), ("易地扶贫搬迁安置补助",), ("搬迁入住", "户", 3, 10)),
    ProjectType.EMPLOYMENT: (6, True, (1_000, 3_000), ("公益性岗位补贴", "务工交通补助"), ("稳定就业", "人", 3, 12)),
}


def _money(x) -> Decimal:
    return Decimal(x).quantize(CENT)




def _id_number(rng: random.Random) -> str:
    body = f"610926{rng.randint(1960, 1990)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return body + ric.calc_check_digit(body + "0")


class _Ledger:
    """Remaining money per allocation and per line while generating (the services' rules, in memory)."""

    def __init__(self):
        self.left: dict[int, Decimal] = {}
        self.line_left: dict[int, Decimal] = {}

    def take(self, table: dict, key: int, amount: Decimal) -> bool:
        if table[key] < amount:
            return False
        table[key] -= amount
        return True


@transaction.atomic
def generate_funds_demo(*, county_code: str, year: int, on: date, seed: int) -> dict:
    county = demo_county(county_code)
    if on < date(year, 8, 1):
        raise DemoError(f"统计日期应不早于 {year}-08-01（演示资金在上半年下达）")
    codes = subtree_range(county.code)
    if (Allocation.objects.filter(in_code_range("to_region_id", codes)).exists()
            or Project.objects.filter(in_code_range("region_id", codes)).exists()):
        raise DemoError(f"{county.name}已有资金或项目数据，请使用新的空数据库")
    rng = random.Random(f"funds-{seed}-{county.code}-{year}")
    province, city = county.code[:2] + "0" * 10, county.code[:4] + "0" * 8
    for code in (NATION_CODE, province, city):
        if not Region.objects.filter(code=code).exists():
            raise DemoError(f"区划 {code} 不存在：请先运行 fupin load_regions")
    townships = list(Region.objects.filter(parent_id=county.code, level=Level.TOWNSHIP).order_by("code")
                     .values_list("code", flat=True))
    first_event: dict[int, date] = {}
    for h, day in (HouseholdStatusEvent.objects.filter(in_code_range("household__village_id", codes))
                   .order_by("household_id", "effective_on", "id").values_list("household_id", "effective_on")):
        first_event.setdefault(h, day)
    names = dict(Region.objects.filter(in_code_range("code", codes)).values_list("code", "name"))
    names.update(Region.objects.filter(code__in=[NATION_CODE, county.code[:2] + "0" * 10, county.code[:4] + "0" * 8])
                 .values_list("code", "name"))
    households = list(Household.objects.filter(in_code_range("village_id", codes)).order_by("household_no")
                      .values("pk", "village_id", "head_name", "status", "registered_year"))
    by_village: dict[str, list[dict]] = {}
    for h in households:
        h["reg"] = first_event.get(h["pk"]) or date(h["registered_year"], 1, 1)
        by_village.setdefault(h["village_id"], []).append(h)
    villages = sorted(v for v, hs in by_village.items() if any(h["status"] in ELIGIBLE for h in hs))
    if not villages or not townships:
        raise DemoError(f"{county.name}没有乡镇或建档立卡户：请先运行 fupin generate_demo")

    # --- Sources and allocations down to the county -----------------------------------------------
    y = year
    src_rows = [  # kind, name, holder, amount, (chain of (to, amount, day, integrated))
        (FundSource(kind=FundKind.CENTRAL, name="中央财政专项扶贫资金", year=y, region_id=NATION_CODE,
                    amount=_money(60_000_000), document_no=f"财农〔{y}〕1号"),
         [(province, 14_000_000, date(y, 2, 20), False), (city, 9_000_000, date(y, 3, 5), False),
          (county.code, 6_000_000, date(y, 3, 20), True)]),
        (FundSource(kind=FundKind.PROVINCIAL, name="省级财政专项扶贫资金", year=y, region_id=province,
                    amount=_money(20_000_000), document_no=f"省财农〔{y}〕8号"),
         [(city, 3_000_000, date(y, 3, 10), False), (county.code, 2_000_000, date(y, 3, 25), True)]),
        (FundSource(kind=FundKind.CITY, name="市级财政专项扶贫资金", year=y, region_id=city,
                    amount=_money(4_000_000), document_no=f"市财农〔{y}〕3号"),
         [(county.code, 1_000_000, date(y, 4, 1), False)]),
        (FundSource(kind=FundKind.COUNTY, name="县级财政专项扶贫资金", year=y, region_id=county.code,
                    amount=_money(1_500_000)), [(county.code, 1_500_000, date(y, 4, 5), False)]),
        (FundSource(kind=FundKind.INTEGRATED, name="统筹整合涉农资金", year=y, region_id=county.code,
                    amount=_money(5_000_000)), [(county.code, 4_000_000, date(y, 4, 10), True)]),
        (FundSource(kind=FundKind.EAST_WEST, name="东西部扶贫协作资金", year=y, region_id=county.code,
                    amount=_money(1_000_000)), [(county.code, 1_000_000, date(y, 4, 15), False)]),
        (FundSource(kind=FundKind.DONATION, name="社会捐赠资金", year=y, region_id=county.code,
                    amount=_money(300_000)), [(county.code, 300_000, date(y, 4, 20), False)]),
    ]
    sources = FundSource.objects.bulk_create([s for s, _ in src_rows])
    ledger = _Ledger()
    county_allocs: list[Allocation] = []
    all_allocs: list[Allocation] = []
    for (source, steps) in zip(sources, (c for _, c in src_rows), strict=True):
        parent, from_code = None, source.region_id
        for to, amount, day, integrated in steps:
            a = Allocation(source=source, parent=parent, year=y, from_code=from_code, to_region_id=to,
                           amount=_money(amount), allocated_on=day, integrated=integrated,
                           document_no=f"{names[from_code][:2]}财〔{y}〕{len(all_allocs) + 1}号")
            a.save()
            all_allocs.append(a)
            parent, from_code = a, to
        county_allocs.append(parent)

    # --- Projects (planned first: townships get what their projects need) -------------------------
    n = min(rng.randint(30, 60), 3 * len(villages))
    type_keys = list(TYPES)
    plans = []
    for i in range(n):
        village = villages[i % len(villages)] if i < len(villages) else rng.choice(villages)
        ptype = rng.choices(type_keys, weights=[TYPES[t][0] for t in type_keys])[0]
        status = rng.choices([s for s, _ in STATUS_WEIGHTS], weights=[w for _, w in STATUS_WEIGHTS])[0]
        _, per_household, (low, high), kinds, target = TYPES[ptype]
        pool = [h for h in by_village[village] if h["status"] in ELIGIBLE and h["reg"] <= date(y, 5, 1)]
        chosen = sorted(rng.sample(pool, min(len(pool), rng.randint(3, 12))), key=lambda h: h["pk"]) \
            if per_household else []
        if per_household and not chosen:
            ptype, per_household, (low, high), kinds, target = (ProjectType.INFRASTRUCTURE, False,
                                                                *TYPES[ProjectType.INFRASTRUCTURE][2:])
        standard = _money(rng.randrange(low, high + 1, 100)) if per_household else None
        budget = standard * len(chosen) if per_household else _money(rng.randrange(low, high + 1, 1000))
        plans.append({"village": village, "township": village[:9] + "000", "type": ptype, "status": status,
                      "name": f"{names[village]}{rng.choice(kinds)}", "standard": standard,
                      "households": chosen, "budget": budget, "target": target})
    need: dict[str, Decimal] = {}
    for p in plans:
        need[p["township"]] = need.get(p["township"], Decimal(0)) + p["budget"]
    # County allocations → townships: about 70 % of each township's need, spread over the county's
    # allocations in turn; the rest of the projects are funded by the county directly.
    for a in all_allocs:
        ledger.left[a.pk] = a.amount
    for a in all_allocs:
        if a.parent_id:
            ledger.left[a.parent_id] -= a.amount
    town_allocs: dict[str, list[Allocation]] = {}
    for k, (town, total) in enumerate(sorted(need.items())):
        share = _money(total * Decimal("0.7"))
        for j, parent in enumerate((county_allocs[k % len(county_allocs)], county_allocs[(k + 3) % len(county_allocs)])):
            amount = _money(share / 2)
            if amount <= 0 or ledger.left[parent.pk] < amount:
                continue
            a = Allocation(source_id=parent.source_id, parent=parent, year=y, from_code=county.code, to_region_id=town,
                           amount=amount, allocated_on=date(y, 5, 1) + timedelta(days=rng.randint(0, 30) + 10 * j),
                           integrated=parent.integrated, document_no=f"县财〔{y}〕{100 + len(all_allocs)}号")
            a.save()
            all_allocs.append(a)
            ledger.left[parent.pk] -= amount
            ledger.left[a.pk] = amount
            town_allocs.setdefault(town, []).append(a)

    projects, events, targets, beneficiaries, lines, line_plans = [], [], [], [], [], []
    for p in plans:
        declared = date(y, 1, 5) + timedelta(days=rng.randint(0, 60))
        steps = [(ProjectStatus.DECLARED, declared)]
        day = declared
        gaps = {ProjectStatus.APPROVED: (10, 30), ProjectStatus.IMPLEMENTING: (5, 20), ProjectStatus.ACCEPTED: (60, 150),
                ProjectStatus.DISCLOSED: (3, 15), ProjectStatus.CLOSED: (10, 30)}
        # Budget lines: the township's allocations first, then the county's.
        funding, left = [], p["budget"]
        for a in town_allocs.get(p["township"], []) + sorted(county_allocs, key=lambda a: -ledger.left[a.pk]):
            if left <= 0:
                break
            take = min(left, ledger.left[a.pk])
            if take > 0:
                ledger.left[a.pk] -= take
                left -= take
                funding.append((a, take))
        latest_alloc = max((a.allocated_on for a, _ in funding), default=declared)
        target_status = p["status"]
        for status in [ProjectStatus.APPROVED, ProjectStatus.IMPLEMENTING, ProjectStatus.ACCEPTED,
                       ProjectStatus.DISCLOSED, ProjectStatus.CLOSED]:
            if STATUS_ORDER_INDEX[status] > STATUS_ORDER_INDEX[target_status]:
                break
            day = day + timedelta(days=rng.randint(*gaps[status]))
            if status == ProjectStatus.IMPLEMENTING:
                day = max(day, latest_alloc + timedelta(days=1))
            if day > on:
                break
            steps.append((status, day))
        project = Project(region_id=p["village"], year=y, name=p["name"], type=p["type"], status=steps[-1][0],
                          content=f"{p['name']}，计划投资 {p['budget']:,.2f} 元", beneficiary_count=len(p["households"]))
        p.update(project=project, steps=dict(steps), funding=funding)
        projects.append(project)
    Project.objects.bulk_create(projects)
    for p in plans:
        project = p["project"]
        for status, day in p["steps"].items():
            prev = STATUS_ORDER[STATUS_ORDER_INDEX[status] - 1] if STATUS_ORDER_INDEX[status] else ""
            events.append(ProjectEvent(project=project, region_code=project.region_id, from_status=prev,
                                       to_status=status, on=day, note="演示数据"))
        indicator, unit, lo, hi = p["target"]
        done = STATUS_ORDER_INDEX[project.status] >= STATUS_ORDER_INDEX[ProjectStatus.ACCEPTED]
        goal = Decimal(rng.randint(lo, hi))
        targets.append(ProjectTarget(project=project, indicator=indicator, unit=unit, target_value=goal,
                                     actual_value=goal if done else None, result="已完成" if done else ""))
        for h in p["households"]:
            beneficiaries.append(ProjectBeneficiary(project=project, household_id=h["pk"],
                                                    location_code=project.region_id, standard_amount=p["standard"]))
        for a, amount in p["funding"]:
            line = ProjectFunding(project=project, allocation=a, source_id=a.source_id, year=y,
                                  holder_code=a.to_region_id, location_code=project.region_id, amount=amount)
            lines.append(line)
            line_plans.append((p, line))
    ProjectEvent.objects.bulk_create(events)
    ProjectTarget.objects.bulk_create(targets)
    ProjectBeneficiary.objects.bulk_create(beneficiaries)
    ProjectFunding.objects.bulk_create(lines)
    for line in lines:
        ledger.line_left[line.pk] = line.amount

    # --- Payments ----------------------------------------------------------------------------------
    pays: list[Disbursement] = []

    def pay(p, amount, day, *, kind, name, item, household=None, id_number=""):
        for _, line in (x for x in line_plans if x[0] is p):
            if ledger.take(ledger.line_left, line.pk, amount):
                pays.append(Disbursement(funding=line, project=p["project"], allocation_id=line.allocation_id,
                                         source_id=line.source_id, year=y, holder_code=line.holder_code,
                                         location_code=line.location_code, paid_on=day, amount=amount,
                                         payee_kind=kind, payee_name=name, payee_id_number=id_number,
                                         household_id=household, item=item,
                                         voucher_no=f"记-{day:%m}-{len(pays) + 1:04d}"))
                return pays[-1]
        return None

    paid_projects = []
    for p in plans:
        steps = p["steps"]
        if ProjectStatus.IMPLEMENTING not in steps:
            continue
        start = steps[ProjectStatus.IMPLEMENTING]
        end = min(steps.get(ProjectStatus.ACCEPTED, on), on)
        complete = ProjectStatus.ACCEPTED in steps
        share = 1.0 if complete else rng.choice([0.0, 0.2, 0.4, 0.6, 0.8])  # [demo] some barely started

        def when(frac: float, start=start, end=end) -> date:
            return start + timedelta(days=int(max((end - start).days, 0) * frac))

        if p["households"]:
            for i, h in enumerate(p["households"]):
                if i < round(len(p["households"]) * share):
                    pay(p, p["standard"], when(rng.random()), kind=PayeeKind.HOUSEHOLD, name=h["head_name"],
                        item="到户补助", household=h["pk"])
            if share:
                paid_projects.append(p)
        else:
            total = sum((amt for _, amt in p["funding"]), Decimal(0))
            for frac, item, part in ((0.1, "预付款", "0.3"), (0.5, "进度款", "0.4"), (0.95, "尾款", "0.3")):
                if frac <= share or complete:
                    pay(p, _money(total * Decimal(part)), when(frac), kind=PayeeKind.COMPANY,
                        name=f"{county.name}建设工程有限公司", item=item)

    # Cases for the alerts, on projects still open for payments first.
    paid_projects.sort(key=lambda p: p["project"].status not in PAYABLE_STATUSES)
    crafted = {}
    for p in paid_projects:
        done = [d for d in pays if d.project is p["project"] and d.household_id]
        if "double_payment" not in crafted and done:
            d0 = done[0]
            again = pay(p, d0.amount, min(d0.paid_on + timedelta(days=7), on), kind=PayeeKind.HOUSEHOLD,
                        name=d0.payee_name, item=d0.item, household=d0.household_id)
            if again:
                crafted["double_payment"] = d0.household_id
                continue
        if "above_standard" not in crafted and len(done) > 1:
            d1 = done[-1]
            if pay(p, _money(500), min(d1.paid_on + timedelta(days=3), on), kind=PayeeKind.HOUSEHOLD,
                   name=d1.payee_name, item="到户补助（补发）", household=d1.household_id):
                crafted["above_standard"] = d1.household_id
        if "not_in_registry" not in crafted and done and pay(
                p, p["standard"], done[0].paid_on, kind=PayeeKind.HOUSEHOLD, name="刘某", item="到户补助",
                id_number=_id_number(rng)):
            crafted["not_in_registry"] = p["project"].name
    gone = [h for h in households if h["status"] in OUT]
    if gone and paid_projects:
        h = gone[0]
        left_on = (HouseholdStatusEvent.objects.filter(household_id=h["pk"], to_status__in=OUT)
                   .order_by("-effective_on").values_list("effective_on", flat=True).first())
        if left_on and left_on < on:
            for p in paid_projects:
                if pay(p, _money(800), on, kind=PayeeKind.HOUSEHOLD, name=h["head_name"], item="临时救助",
                       household=h["pk"]):
                    crafted["not_eligible"] = h["pk"]
                    break
    Disbursement.objects.bulk_create(pays)

    by_status = {s: sum(1 for p in projects if p.status == s) for s in ProjectStatus.values}
    stats = {
        "county": county.code, "year": y, "on": on.isoformat(), "sources": len(sources),
        "allocations": len(all_allocs), "projects": len(projects), "by_status": by_status,
        "by_type": {t: sum(1 for p in projects if p.type == t) for t in ProjectType.values},
        "fundings": len(lines), "beneficiaries": len(beneficiaries), "disbursements": len(pays),
        "funded": str(sum((x.amount for x in lines), Decimal(0))), "paid": str(sum((d.amount for d in pays), Decimal(0))),
        "crafted": crafted,
    }
    record(entry=Entry(action=Action.CREATE, object_type="funds.project", object_repr=f"演示扶贫资金和项目（{county.name}）",
                       region_code=county.code, after=stats))
    return stats


STATUS_ORDER = [s.value for s in ProjectStatus]
STATUS_ORDER_INDEX = {s: i for i, s in enumerate(STATUS_ORDER)}

"""Demo asset income (资产收益扶贫) for a generated demo county.

`generate_assets_demo(county_code=..., year=..., seed=...)` runs after `generate_funds_demo` and
writes, set-based (bulk_create) and deterministically for a seed:

- an asset for each accepted (已验收, 已公告公示, 已销号) demo project that paid something, with the
  whole payment as book value and the acceptance date as formed_on (光伏电站, 厂房, 大棚, 入股合作社 …);
- shares to up to 10 poor households (未脱贫, 返贫, 监测户) of the asset's village, together exactly
  at or just under the part quantified to households;
- one year of income for all but one asset (left without income): most between 6.5 % and 12 % of the
  book value, one at 4 % (below the 6 % target); half split as in seed 004 (村集体留存 84.5 %, 分配
  到户 15.5 %), the others 60 / 40; distributed by share with the largest remainder.

Refuses a county that already has assets. One transaction; one audit row.
"""

import random
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum

from fupin.accounts.scope import in_code_range
from fupin.audit.services import Action, Entry, record
from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.funds.models import Disbursement, Project, ProjectEvent
from fupin.regions.codes import subtree_range
from fupin.regions.models import Region
from fupin.registry.models import Household

from .choices import CENT, FORMED_STATUSES, POOR_FOR_ASSETS, RATIO_PLACES, AssetKind
from .models import Asset, AssetDistribution, AssetIncome, AssetShare
from .services import split_by_largest_remainder

KINDS = [AssetKind.PV, AssetKind.PLANT, AssetKind.GREENHOUSE, AssetKind.COOP_SHARE, AssetKind.COMPANY_SHARE,
         AssetKind.SHOP]
OPERATORS = {AssetKind.PV: "村集体经济合作社", AssetKind.PLANT: "租赁经营户", AssetKind.GREENHOUSE: "种植专业合作社",
             AssetKind.COOP_SHARE: "农民专业合作社", AssetKind.COMPANY_SHARE: "农业龙头企业", AssetKind.SHOP: "个体经营户"}
SEED_004 = (Decimal("0.845"), Decimal("0.155"))  # village keeps 84.5 %, households 15.5 % [seed 004]
OTHER_SPLIT = (Decimal("0.6"), Decimal("0.4"))   # [demo]
MAX_HOLDERS = 10




@transaction.atomic
def generate_assets_demo(*, county_code: str, year: int, seed: int) -> dict:
    county = demo_county(county_code)
    codes = subtree_range(county.code)
    if Asset.objects.filter(in_code_range("region_id", codes)).exists():
        raise DemoError(f"{county.name}已有资产收益数据，请使用新的空数据库")
    rng = random.Random(f"assets-{seed}-{county.code}-{year}")
    projects = list(Project.objects.filter(in_code_range("region_id", codes), status__in=FORMED_STATUSES)
                    .order_by("region_id", "id"))
    ids = [p.pk for p in projects]
    paid = dict(Disbursement.objects.filter(project_id__in=ids).order_by().values("project_id")
                .annotate(s=Sum("amount")).values_list("project_id", "s"))
    accepted = dict(ProjectEvent.objects.filter(project_id__in=ids, to_status="accepted").order_by()
                    .values_list("project_id", "on"))
    projects = [p for p in projects if paid.get(p.pk)]
    if not projects:
        raise DemoError(f"{county.name}没有已验收且有拨付的项目：请先运行演示扶贫资金和项目")
    names = dict(Region.objects.filter(in_code_range("code", codes)).values_list("code", "name"))
    poor: dict[str, list[int]] = {}
    for pk, village in (Household.objects.filter(in_code_range("village_id", codes), status__in=POOR_FOR_ASSETS)
                        .order_by("household_no").values_list("pk", "village_id")):
        poor.setdefault(village, []).append(pk)

    assets = []
    for p in projects:
        kind = rng.choice(KINDS)
        assets.append(Asset(project=p, region_id=p.region_id, name=f"{names.get(p.region_id, '')}{kind.label}",
                            kind=kind, book_value=paid[p.pk], household_ratio=Decimal(rng.choice(["0.3", "0.5", "1"])),
                            formed_on=accepted.get(p.pk) or date(p.year, 10, 1), operator=OPERATORS[kind]))
    assets = Asset.objects.bulk_create(assets)

    shares = []
    for a in assets:
        pool = poor.get(a.region_id, [])
        holders = sorted(rng.sample(pool, min(len(pool), rng.randint(3, MAX_HOLDERS)))) if pool else []
        if not holders:
            continue
        each = (a.household_ratio / len(holders)).quantize(RATIO_PLACES, rounding=ROUND_DOWN)
        shares += [AssetShare(asset=a, household_id=h, location_code=a.region_id, ratio=each, start_on=a.formed_on)
                   for h in holders]
    AssetShare.objects.bulk_create(shares)
    by_asset: dict[int, list[AssetShare]] = {}
    for s in shares:
        by_asset.setdefault(s.asset_id, []).append(s)

    # Income: the last asset earns nothing this year; the first with holders earns 4 % (below target).
    earning = [a for a in assets if a.formed_on.year <= year][:-1] if len(assets) > 1 else assets
    low = next((a.pk for a in earning if a.pk in by_asset), None)
    incomes, rows_for = [], {}
    for i, a in enumerate(earning):
        rate = Decimal("0.04") if a.pk == low else Decimal(rng.randint(650, 1200)) / Decimal(10_000)
        gross = (a.book_value * rate).quantize(CENT)
        holders = by_asset.get(a.pk, [])
        if holders:
            village_part, _ = SEED_004 if i % 2 == 0 else OTHER_SPLIT
            retained = (gross * village_part).quantize(CENT)
            distributed = gross - retained
        else:
            retained, distributed = gross, Decimal("0.00")
        on = max(a.formed_on, date(year, 12, 10))
        incomes.append(AssetIncome(asset=a, location_code=a.region_id, year=year, gross_income=gross,
                                   retained=retained, distributed=distributed, recorded_on=on,
                                   note="村集体留存84.5%、分配到户15.5%" if holders and i % 2 == 0 else ""))
        rows_for[a.pk] = holders
    incomes = AssetIncome.objects.bulk_create(incomes)
    dists = []
    for inc in incomes:
        holders = rows_for[inc.asset_id]
        if inc.distributed and holders:
            parts = split_by_largest_remainder(inc.distributed, [s.ratio for s in holders])
            dists += [AssetDistribution(income=inc, asset_id=inc.asset_id, household_id=s.household_id,
                                        location_code=inc.location_code, year=year, ratio=s.ratio, amount=amt)
                      for s, amt in zip(holders, parts, strict=True)]
    AssetDistribution.objects.bulk_create(dists)

    stats = {"county": county.code, "year": year, "assets": len(assets), "shares": len(shares),
             "incomes": len(incomes), "distributions": len(dists),
             "book_value": str(sum((a.book_value for a in assets), Decimal(0))),
             "gross_income": str(sum((x.gross_income for x in incomes), Decimal(0))),
             "distributed": str(sum((x.distributed for x in incomes), Decimal(0))),
             "below_target_asset": low, "without_income": len(assets) - len(incomes)}
    record(entry=Entry(action=Action.CREATE, object_type="assets.asset", object_repr=f"演示资产收益（{county.name}）",
                       region_code=county.code, after=stats))
    return stats

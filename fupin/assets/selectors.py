"""Scoped reads of asset income (资产收益扶贫). Views, the API and services open rows only through here.

Scope: an asset, its shares, incomes and distributions are seen by whoever sees the asset's place
(one range condition on `region_id` / `location_code`). A cadre (帮扶责任人) sees no asset data
except, on a paired household's page, what that household holds and received.

Figures (one year, a region opened through region_access):
- income rate per asset = gross income ÷ book value, flagged when strictly below
  `assets.target_income_rate` (resolved for the asset's place; the row is returned to explain it);
- coverage = poor households (year-end status in not_exited/returned/monitored: the HouseholdYear
  of the year, else the registered status) holding a share, active in the year, of an asset with
  income that year ÷ all poor households — per village and for the region;
- per household: the income received by year.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum

from fupin.accounts.roles import Role
from fupin.accounts.scope import in_code_range, scoped, scoped_get
from fupin.funds.models import Disbursement
from fupin.policy.selectors import resolve_many, resolver
from fupin.regions.codes import subtree_range
from fupin.regions.models import Region
from fupin.registry.models import Household, HouseholdYear

from .choices import POOR_FOR_ASSETS, TARGET_RATE_KEY
from .models import Asset, AssetDistribution, AssetIncome, AssetShare

ASSET_SCOPE = {"region_field": "region_id"}
ROW_SCOPE = {"region_field": "location_code"}
RATE_PLACES = Decimal("0.0001")


def assets_visible_to(user) -> QuerySet[Asset]:
    return scoped(Asset.objects.all(), user, **ASSET_SCOPE)


def asset_access(user, pk, *, for_update: bool = False) -> Asset:
    return scoped_get(Asset.objects.select_related("region", "project"), user, pk=pk, for_update=for_update,
                      **ASSET_SCOPE)


def project_paid(project_id: int) -> Decimal:
    """What a project has paid out (资金拨付), the ceiling of an asset's book value."""
    return Disbursement.objects.filter(project_id=project_id).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


def shares_active_in(qs: QuerySet[AssetShare], year: int) -> QuerySet[AssetShare]:
    return qs.filter(Q(end_on__isnull=True) | Q(end_on__gte=date(year, 1, 1)), start_on__lte=date(year, 12, 31))


# --- Income rate ---------------------------------------------------------------------------------

@dataclass
class AssetFigure:
    asset: Asset
    income: AssetIncome | None
    rate: Decimal | None
    target: Decimal
    below_target: bool
    policy: dict
    households: int = 0

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.2%}"

    def as_dict(self) -> dict:
        a, i = self.asset, self.income
        return {"id": a.pk, "name": a.name, "kind": a.kind, "kind_label": a.get_kind_display(),
                "region_code": a.region_id, "project_id": a.project_id, "book_value": a.book_value,
                "operator": a.operator, "status": a.status, "household_ratio": a.household_ratio,
                "households": self.households,
                "gross_income": i.gross_income if i else None, "retained": i.retained if i else None,
                "distributed": i.distributed if i else None, "rate": self.rate, "target": self.target,
                "below_target": self.below_target, "policy": self.policy}


def income_rate(asset: Asset, income: AssetIncome | None) -> Decimal | None:
    """Gross income ÷ book value, exact (compare this with the target; round only to show it)."""
    if income is None or not asset.book_value:
        return None
    return income.gross_income / asset.book_value


def _shown(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else rate.quantize(RATE_PLACES)


def _targets(codes, year: int) -> dict:
    """The target row per place: one query for all places (the policy resolver)."""
    resolve_for = resolver([TARGET_RATE_KEY], year=year)
    return {code: resolve_for(code)[TARGET_RATE_KEY] for code in codes}


def asset_figures(assets: QuerySet[Asset], *, year: int) -> list[AssetFigure]:
    """Each asset with its income of `year`, the rate and the target. Four queries, however many places."""
    assets = list(assets.select_related("region").order_by("region_id", "id"))
    ids = [a.pk for a in assets]
    incomes = {i.asset_id: i for i in AssetIncome.objects.filter(asset_id__in=ids, year=year)}
    holders = dict(shares_active_in(AssetShare.objects.filter(asset_id__in=ids), year).order_by()
                   .values("asset_id").annotate(n=Count("id")).values_list("asset_id", "n"))
    targets = _targets({a.region_id for a in assets}, year)
    rows = []
    for a in assets:
        t = targets[a.region_id]
        target = Decimal(str(t.value))
        rate = income_rate(a, incomes.get(a.pk))
        # Strictly below the target is flagged; exactly at it is not. An asset without income
        # in the year (rate 0) is below any positive target.
        below = (rate if rate is not None else Decimal("0")) < target
        rows.append(AssetFigure(a, incomes.get(a.pk), _shown(rate), target, below, t.explain(),
                                holders.get(a.pk, 0)))
    return rows


# --- Coverage ------------------------------------------------------------------------------------

def poor_households(region_code: str, year: int) -> dict[int, str]:
    """Poor households under the region at the end of `year`: {household id: village code}. The
    year-end status (HouseholdYear) where there is one, else the registered status. Two queries."""
    rng = subtree_range(region_code)
    year_status = dict(HouseholdYear.objects.filter(in_code_range("household__village_id", rng), year=year)
                       .values_list("household_id", "status"))
    rows = Household.objects.filter(in_code_range("village_id", rng)).values_list("pk", "village_id", "status")
    return {pk: village for pk, village, status in rows if year_status.get(pk, status) in POOR_FOR_ASSETS}


def covered_households(region_code: str, year: int) -> set[int]:
    """Households holding a share, active in `year`, of an asset with income that year. One query."""
    rng = subtree_range(region_code)
    earning = AssetIncome.objects.filter(year=year, gross_income__gt=0).values("asset_id")
    qs = shares_active_in(AssetShare.objects.filter(in_code_range("household__village_id", rng),
                                                    asset_id__in=earning), year)
    return set(qs.values_list("household_id", flat=True))


def _rate(n: int, d: int) -> Decimal | None:
    return None if not d else (Decimal(n) / Decimal(d)).quantize(RATE_PLACES)


def coverage(region_code: str, year: int) -> dict:
    """Coverage of poor households by asset income, per village and for the region."""
    poor = poor_households(region_code, year)
    covered = covered_households(region_code, year) & poor.keys()
    by_village: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pk, village in poor.items():
        by_village[village][0] += 1
        by_village[village][1] += pk in covered
    names = dict(Region.objects.filter(code__in=list(by_village)).values_list("code", "name"))
    villages = [{"code": c, "name": names.get(c, c), "poor": p, "covered": n, "rate": _rate(n, p)}
                for c, (p, n) in sorted(by_village.items())]
    return {"poor": len(poor), "covered": len(covered), "rate": _rate(len(covered), len(poor)),
            "villages": villages, "statuses": list(POOR_FOR_ASSETS)}


# --- Reports -------------------------------------------------------------------------------------

def _report(assets: QuerySet[Asset], *, region_code: str, year: int) -> dict:
    figures = asset_figures(assets.filter(in_code_range("region_id", subtree_range(region_code))), year=year)
    zero = Decimal("0.00")
    incomes = [f.income for f in figures if f.income]
    return {"year": year, "assets": figures,
            "book_value": sum((f.asset.book_value for f in figures), zero),
            "gross_income": sum((i.gross_income for i in incomes), zero),
            "retained": sum((i.retained for i in incomes), zero),
            "distributed": sum((i.distributed for i in incomes), zero),
            "below_target": sum(1 for f in figures if f.below_target),
            "coverage": coverage(region_code, year)}


def region_assets(user, *, region_code: str, year: int) -> dict:
    """The region's asset page (region opened through region_access). Coverage counts households
    of the whole region, so a cadre — who sees only their own households — may not open it."""
    if user.role == Role.CADRE:
        raise PermissionDenied("帮扶责任人只能查看自己结对户的资产收益")
    return _report(assets_visible_to(user), region_code=region_code, year=year)


def region_assets_in_region(*, region_code: str, year: int) -> dict:
    """The same over the whole region (the CLI)."""
    return _report(Asset.objects.all(), region_code=region_code, year=year)


@dataclass
class AssetDetail:
    asset: Asset
    paid: Decimal
    shares: list
    incomes: list
    distributions: dict = field(default_factory=dict)
    share_total: Decimal = Decimal("0")


def asset_detail(user, asset: Asset) -> AssetDetail:
    """An asset's page (asset opened through asset_access): shares, incomes and their split."""
    shares = list(AssetShare.objects.filter(asset_id=asset.pk).select_related("household")
                  .order_by("household__household_no"))
    incomes = list(AssetIncome.objects.filter(asset_id=asset.pk).order_by("-year"))
    targets = {i.year: resolve_many([TARGET_RATE_KEY], year=i.year, region_code=asset.region_id)[TARGET_RATE_KEY]
               for i in incomes}
    for i in incomes:
        exact = income_rate(asset, i)
        i.rate = _shown(exact)
        i.rate_text = "—" if i.rate is None else f"{i.rate:.2%}"
        i.target = Decimal(str(targets[i.year].value))
        i.below_target = exact is not None and exact < i.target
    dists: dict[int, list] = defaultdict(list)
    for d in AssetDistribution.objects.filter(asset_id=asset.pk).select_related("household").order_by(
            "-year", "household__household_no"):
        dists[d.income_id].append(d)
    for i in incomes:
        i.rows = dists.get(i.pk, [])
    return AssetDetail(asset, project_paid(asset.project_id), shares, incomes, dict(dists),
                       sum((s.ratio for s in shares if s.end_on is None), Decimal("0")))


def household_asset_income(user, household: Household) -> list[dict]:
    """Income a household (opened through household_access) received, by year and asset."""
    rows = (scoped(AssetDistribution.objects.filter(household_id=household.pk), user, **ROW_SCOPE)
            if user.role != Role.CADRE else AssetDistribution.objects.filter(household_id=household.pk))
    return list(rows.select_related("asset").order_by("-year", "asset_id")
                .values("year", "asset_id", "asset__name", "ratio", "amount"))


def household_assets_context(user, household: Household) -> dict:
    """Context for `web/assets/_household_section.html` on the household page (household opened
    through household_access, which already limits a cadre to paired households). Two queries."""
    received = household_asset_income(user, household)
    shares = list(AssetShare.objects.filter(household_id=household.pk).select_related("asset")
                  .order_by("-start_on", "id"))
    by_year: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for r in received:
        by_year[r["year"]] += r["amount"]
    return {"assets_section": {"household": household, "shares": shares, "received": received,
                               "by_year": sorted(by_year.items(), reverse=True),
                               "total": sum(by_year.values(), Decimal("0.00"))}}

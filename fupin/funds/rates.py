"""Disbursement rates (资金拨付率) and totals, rolled up along the region hierarchy.

Definitions (all for the funds of one year, `year` = the source's year):
- 已下达 (allocated) to a region = the allocations that *entered* it: passed to a place inside it by
  a source or by an allocation held outside it. Money passed on inside the region is not counted
  twice, so a county's figure = its own level's + the sum of its townships'.
- 已拨付 (paid, by holder) = payments from allocations held inside the region; never more than
  allocated (a payment never exceeds its line, a line never its allocation).
- 项目资金 / 项目拨付 (by place) = budget lines and payments of the projects located in the region:
  a county = the sum of its townships = the sum of its villages (plus township-level projects).
- 拨付率 = 已拨付 ÷ 已下达; 项目拨付率 = 项目拨付 ÷ 项目资金; exact decimals, None when the base is 0.

Every figure is one GROUP BY on a prefix of a code column (`Substr(code, 1, n)`), whatever the
number of rows; the callers have opened the region through `region_access` (everything under an
opened region is in the user's scope).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Substr

from fupin.accounts.scope import in_code_range
from fupin.regions.codes import Level, level_of, subtree_range
from fupin.regions.models import Region

from .models import Allocation, Disbursement, FundSource, ProjectFunding

ZERO = Decimal("0.00")
RATE_PLACES = Decimal("0.0001")


def money(value) -> Decimal:
    """A sum as yuan with 2 places (SQLite hands back sums with more digits)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def rate(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if not whole else (part / whole).quantize(RATE_PLACES)


def percent(r: Decimal | None) -> str:
    return "—" if r is None else f"{r:.2%}"


@dataclass
class Figures:
    allocated: Decimal = ZERO
    paid: Decimal = ZERO
    funded: Decimal = ZERO
    project_paid: Decimal = ZERO

    @property
    def rate(self) -> Decimal | None:
        return rate(self.paid, self.allocated)

    @property
    def project_rate(self) -> Decimal | None:
        return rate(self.project_paid, self.funded)

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    @property
    def project_rate_text(self) -> str:
        return percent(self.project_rate)

    def add(self, other: "Figures") -> None:
        self.allocated += other.allocated
        self.paid += other.paid
        self.funded += other.funded
        self.project_paid += other.project_paid

    def as_dict(self) -> dict:
        return {"allocated": self.allocated, "paid": self.paid, "rate": self.rate, "funded": self.funded,
                "project_paid": self.project_paid, "project_rate": self.project_rate}


def entering(region_code: str, plen: int | None = None) -> Q:
    """Allocations that entered the region (or, with `plen`, the child region of their place)."""
    if plen is None:
        codes = subtree_range(region_code)
        return Q(parent__isnull=True) | ~in_code_range("from_code", codes)
    return Q(parent__isnull=True) | ~Q(from_prefix=F("to_prefix"))


def _child_level(region_code: str) -> str:
    order = Level.ORDER
    return order[min(order.index(level_of(region_code)) + 1, len(order) - 1)]


def _grouped(qs, field: str, plen: int, amount: str = "amount") -> dict[str, Decimal]:
    return {g: money(v) for g, v in qs.annotate(g=Substr(field, 1, plen)).order_by().values("g")
            .annotate(s=Sum(amount)).values_list("g", "s")}


def region_figures(*, region_code: str, year: int, base=None) -> tuple[Figures, list[dict]]:
    """The region's totals and one row per child region (and a 本级 row for money or projects
    held at the region itself): five GROUP BY queries and one for the children's names.
    `base`: optional dict of already-scoped querysets (allocations, disbursements, fundings)."""
    base = base or {}
    codes = subtree_range(region_code)
    level = _child_level(region_code)
    plen = Level.PREFIX_LENGTH[level]
    allocs = base.get("allocations", Allocation.objects.all()).filter(in_code_range("to_region_id", codes), year=year)
    pays = base.get("disbursements", Disbursement.objects.all()).filter(year=year)
    lines = base.get("fundings", ProjectFunding.objects.all()).filter(year=year)
    allocated = _grouped(allocs.annotate(from_prefix=Substr("from_code", 1, plen),
                                         to_prefix=Substr("to_region_id", 1, plen)).filter(entering("", plen)),
                         "to_region_id", plen)
    paid = _grouped(pays.filter(in_code_range("holder_code", codes)), "holder_code", plen)
    funded = _grouped(lines.filter(in_code_range("location_code", codes)), "location_code", plen)
    project_paid = _grouped(pays.filter(in_code_range("location_code", codes)), "location_code", plen)
    total_allocated = money(allocs.filter(entering(region_code)).aggregate(s=Sum("amount"))["s"])
    total = Figures(total_allocated, sum(paid.values(), ZERO), sum(funded.values(), ZERO),
                    sum(project_paid.values(), ZERO))
    own_prefix = (codes.low[:plen]) if level_of(region_code) != Level.VILLAGE else region_code
    names = dict(Region.objects.filter(in_code_range("code", codes), level=level).exclude(code=region_code)
                 .values_list("code", "name"))
    rows = []
    for code, name in sorted(names.items()):
        p = code[:plen]
        rows.append({"code": code, "name": name, "own_level": False,
                     "figures": Figures(allocated.get(p, ZERO), paid.get(p, ZERO), funded.get(p, ZERO),
                                        project_paid.get(p, ZERO))})
    # 本级: money held and projects placed at the region itself (not inside any child). Its allocated
    # figure is the region's total minus what entered the children.
    children = Figures()
    for r in rows:
        children.add(r["figures"])
    own = Figures(total.allocated - children.allocated, paid.get(own_prefix, ZERO), funded.get(own_prefix, ZERO),
                  project_paid.get(own_prefix, ZERO))
    if any((own.allocated, own.paid, own.funded, own.project_paid)):
        rows.insert(0, {"code": region_code, "name": "本级", "own_level": True, "figures": own})
    return total, rows


def source_figures(*, region_code: str, year: int, base=None) -> list[dict]:
    """Per fund source reaching the region: allocated into it, paid, budgeted to its projects and
    the rates — the 各记其功 view: integrated money still shows under its original source."""
    base = base or {}
    codes = subtree_range(region_code)
    allocs = base.get("allocations", Allocation.objects.all()).filter(in_code_range("to_region_id", codes), year=year)
    pays = base.get("disbursements", Disbursement.objects.all()).filter(year=year)
    lines = base.get("fundings", ProjectFunding.objects.all()).filter(year=year)

    def by_source(qs) -> dict[int, Decimal]:
        return {k: money(v) for k, v in qs.order_by().values("source_id").annotate(s=Sum("amount"))
                .values_list("source_id", "s")}

    allocated = by_source(allocs.filter(entering(region_code)))
    integrated = by_source(allocs.filter(entering(region_code), integrated=True))
    paid = by_source(pays.filter(in_code_range("holder_code", codes)))
    funded = by_source(lines.filter(in_code_range("location_code", codes)))
    project_paid = by_source(pays.filter(in_code_range("location_code", codes)))
    ids = set(allocated) | set(paid) | set(funded)
    rows = []
    for s in FundSource.objects.filter(pk__in=ids).select_related("region").order_by("region_id", "kind", "id"):
        f = Figures(allocated.get(s.pk, ZERO), paid.get(s.pk, ZERO), funded.get(s.pk, ZERO),
                    project_paid.get(s.pk, ZERO))
        rows.append({"source_id": s.pk, "name": s.name, "kind": s.kind, "kind_label": s.get_kind_display(),
                     "year": s.year, "holder_code": s.region_id, "holder_name": s.region.name,
                     "holder_level": s.region.level, "holder_level_label": s.region.level_label,
                     "source_amount": s.amount, "integrated": integrated.get(s.pk, ZERO), "figures": f})
    return rows


def totals_by(rows: list[dict], key: str, labels: dict) -> list[dict]:
    acc: dict[str, Figures] = {}
    for r in rows:
        acc.setdefault(r[key], Figures()).add(r["figures"])
    return [{"key": k, "label": labels.get(k, k), **f.as_dict()} for k, f in sorted(acc.items())]

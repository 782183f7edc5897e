"""Scoped reads of funds and projects. Views, the API and services open rows only through here.

Scope: a source is seen by whoever sees the region holding it; an allocation by whoever sees the
region it was passed to; a project, its budget lines, beneficiaries and payments by whoever sees
the project's place (one range condition on each table's own code column). A cadre (帮扶责任人)
sees no fund data. The trace of a payment the user may see names its allocations and source even
when those are held higher up: that is the point of the trace (资金来源可追溯).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from fupin.accounts.scope import in_code_range, scoped, scoped_get
from fupin.regions.codes import subtree_range
from fupin.registry.models import Household

from .choices import ProjectStatus
from .models import (
    Allocation,
    Disbursement,
    FundSource,
    Project,
    ProjectBeneficiary,
    ProjectFunding,
    ProjectTarget,
)

SOURCE_SCOPE = {"region_field": "region_id"}
ALLOCATION_SCOPE = {"region_field": "to_region_id"}
PROJECT_SCOPE = {"region_field": "region_id"}
LINE_SCOPE = {"region_field": "location_code"}
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))


def money_sum(expr: str, **filters) -> Coalesce:
    return Coalesce(Sum(expr, **filters), ZERO, output_field=DecimalField(max_digits=16, decimal_places=2))


def _subquery_sum(qs: QuerySet, outer: str, inner: str = "amount") -> Coalesce:
    total = qs.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(s=Sum(inner)).values("s")
    return Coalesce(Subquery(total[:1], output_field=DecimalField(max_digits=16, decimal_places=2)), ZERO)


# --- Gates and lists ------------------------------------------------------------------------------

def sources_visible_to(user) -> QuerySet[FundSource]:
    return scoped(FundSource.objects.all(), user, **SOURCE_SCOPE)


def source_access(user, pk, *, for_update: bool = False) -> FundSource:
    return scoped_get(FundSource.objects.select_related("region"), user, pk=pk, for_update=for_update,
                      **SOURCE_SCOPE)


def allocations_visible_to(user) -> QuerySet[Allocation]:
    return scoped(Allocation.objects.all(), user, **ALLOCATION_SCOPE)


def allocation_access(user, pk, *, for_update: bool = False) -> Allocation:
    return scoped_get(Allocation.objects.select_related("source", "to_region"), user, pk=pk, for_update=for_update,
                      **ALLOCATION_SCOPE)


def projects_visible_to(user) -> QuerySet[Project]:
    return scoped(Project.objects.all(), user, **PROJECT_SCOPE)


def project_access(user, pk, *, for_update: bool = False) -> Project:
    return scoped_get(Project.objects.select_related("region"), user, pk=pk, for_update=for_update, **PROJECT_SCOPE)


def disbursements_visible_to(user) -> QuerySet[Disbursement]:
    return scoped(Disbursement.objects.all(), user, **LINE_SCOPE)


def disbursement_access(user, pk) -> Disbursement:
    return scoped_get(Disbursement.objects.select_related("project", "funding", "allocation", "source", "household"),
                      user, pk=pk, **LINE_SCOPE)


def funding_remaining_expr() -> Coalesce:
    return _subquery_sum(Disbursement.objects.all(), "funding_id")


def allocation_totals(qs: QuerySet[Allocation]) -> QuerySet[Allocation]:
    """Allocations with `passed_down` (children), `funded` (budget lines) and `remaining`."""
    return qs.annotate(passed_down=_subquery_sum(Allocation.objects.all(), "parent_id"),
                       funded=_subquery_sum(ProjectFunding.objects.all(), "allocation_id"))


def project_list(user, *, region_code: str, year: int | None = None, status: str | None = None,
                 type: str | None = None, q: str | None = None) -> QuerySet[Project]:
    """Projects under `region_code` (already opened through region_access) with budget and paid."""
    qs = projects_visible_to(user).filter(in_code_range("region_id", subtree_range(region_code)))
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    if type:
        qs = qs.filter(type=type)
    if q:
        qs = qs.filter(name__contains=q)
    return with_money(qs).select_related("region").order_by("-year", "region_id", "id")


def with_money(qs: QuerySet[Project]) -> QuerySet[Project]:
    return qs.annotate(budget=_subquery_sum(ProjectFunding.objects.all(), "project_id"),
                       paid=_subquery_sum(Disbursement.objects.all(), "project_id"),
                       households=Coalesce(Subquery(ProjectBeneficiary.objects.filter(project_id=OuterRef("pk"))
                                                    .order_by().values("project_id").annotate(n=Count("id"))
                                                    .values("n")[:1]), Value(0)))


@dataclass
class ProjectDetail:
    project: Project
    events: list
    fundings: list
    beneficiaries: list
    targets: list
    disbursements: list
    budget: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> Decimal | None:
        return None if not self.budget else (self.paid / self.budget).quantize(Decimal("0.0001"))

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.2%}"


def project_detail(user, project: Project) -> ProjectDetail:
    """Everything on a project's page (project opened through project_access). Six queries."""
    events = list(project.events.select_related("actor").order_by("on", "id"))
    fundings = list(ProjectFunding.objects.filter(project_id=project.pk).select_related("source", "allocation")
                    .annotate(paid=funding_remaining_expr()).order_by("id"))
    for f in fundings:
        f.remaining = f.amount - f.paid
    beneficiaries = list(ProjectBeneficiary.objects.filter(project_id=project.pk).select_related("household")
                         .order_by("household__household_no"))
    paid_by_household = dict(Disbursement.objects.filter(project_id=project.pk, household__isnull=False).order_by()
                             .values("household_id").annotate(s=Sum("amount")).values_list("household_id", "s"))
    for b in beneficiaries:
        b.paid = Decimal(paid_by_household.get(b.household_id) or 0).quantize(Decimal("0.01"))
    targets = list(ProjectTarget.objects.filter(project_id=project.pk).order_by("id"))
    disbursements = list(Disbursement.objects.filter(project_id=project.pk).select_related("source", "household")
                         .order_by("paid_on", "id"))
    budget = sum((f.amount for f in fundings), Decimal("0.00"))
    paid = sum((d.amount for d in disbursements), Decimal("0.00"))
    return ProjectDetail(project, events, fundings, beneficiaries, targets, disbursements, budget, paid)


def payable_fundings(project: Project) -> list[ProjectFunding]:
    return list(ProjectFunding.objects.filter(project_id=project.pk).select_related("source")
                .annotate(paid=funding_remaining_expr()).order_by("id"))


def open_allocations_for(user, project: Project) -> list[Allocation]:
    """Allocations in the user's scope whose region contains the project's place, with money left."""
    from fupin.regions.codes import ancestor_codes

    qs = allocation_totals(allocations_visible_to(user).filter(to_region_id__in=ancestor_codes(project.region_id))).select_related("source")
    rows = []
    for a in qs.order_by("allocated_on", "id"):
        a.remaining = a.amount - a.passed_down - a.funded
        if a.remaining > 0:
            rows.append(a)
    return rows


# --- Traceability (资金追溯) ----------------------------------------------------------------------

def allocation_chain(allocation: Allocation) -> list[Allocation]:
    """The allocation and its parents up to the first one (from the source), first one first.
    At most one query per level (≤ 5 levels: nation → province → city → county → township)."""
    chain = [allocation]
    while chain[-1].parent_id is not None:
        chain.append(Allocation.objects.select_related("to_region").get(pk=chain[-1].parent_id))
    return list(reversed(chain))


def trace(disbursement: Disbursement) -> dict:
    """The chain of one payment: source → allocations (each level) → budget line → project → payment."""
    d = disbursement
    chain = allocation_chain(Allocation.objects.select_related("to_region").get(pk=d.allocation_id))
    source = FundSource.objects.select_related("region").get(pk=d.source_id)
    return {
        "disbursement": {"id": d.pk, "paid_on": d.paid_on, "amount": d.amount, "payee_kind": d.payee_kind,
                         "payee_name": d.payee_name, "household_id": d.household_id, "item": d.item,
                         "voucher_no": d.voucher_no},
        "funding": {"id": d.funding_id, "amount": d.funding.amount},
        "project": {"id": d.project_id, "name": d.project.name, "region_code": d.project.region_id,
                    "status": d.project.status},
        "allocations": [{"id": a.pk, "from_code": a.from_code, "to_code": a.to_region_id,
                         "to_name": a.to_region.name, "amount": a.amount, "allocated_on": a.allocated_on,
                         "document_no": a.document_no, "integrated": a.integrated} for a in chain],
        "source": {"id": source.pk, "kind": source.kind, "kind_label": source.get_kind_display(),
                   "name": source.name, "year": source.year, "region_code": source.region_id,
                   "region_name": source.region.name, "amount": source.amount},
    }


def household_receipts(user, household: Household) -> QuerySet[Disbursement]:
    """Every payment to a household (opened through household_access) with project and source."""
    return (disbursements_visible_to(user).filter(household_id=household.pk)
            .select_related("project", "source").order_by("-paid_on", "-id"))


def household_funds_context(user, household: Household) -> dict:
    """Context for `web/funds/_household_section.html` on the household page: payments received
    (with their fund source) and projects benefiting the household. Three queries."""
    from fupin.accounts.roles import Role

    if user.role == Role.CADRE:
        return {"funds_section": None}
    receipts = list(household_receipts(user, household)[:50])
    by_source: dict[str, Decimal] = {}
    for d in receipts:
        by_source[d.source.get_kind_display()] = by_source.get(d.source.get_kind_display(), Decimal("0.00")) + d.amount
    projects = list(scoped(ProjectBeneficiary.objects.filter(household_id=household.pk), user,
                           region_field="location_code").select_related("project").order_by("-project__year", "id"))
    return {"funds_section": {
        "household": household, "receipts": receipts,
        "total": sum((d.amount for d in receipts), Decimal("0.00")),
        "by_source": sorted(by_source.items()), "projects": projects,
        "statuses": dict(ProjectStatus.choices),
    }}


# --- Reports over a region (region opened through region_access) ---------------------------------

def _scoped_base(user) -> dict:
    return {"allocations": allocations_visible_to(user), "disbursements": disbursements_visible_to(user),
            "fundings": scoped(ProjectFunding.objects.all(), user, **LINE_SCOPE)}


def region_funds(user, *, region_code: str, year: int) -> dict:
    """The region's funds page: totals, rows per child region, per source and by kind and level."""
    from fupin.regions.codes import Level

    from .choices import FundKind
    from .rates import region_figures, source_figures, totals_by

    base = _scoped_base(user)
    total, rows = region_figures(region_code=region_code, year=year, base=base)
    sources = source_figures(region_code=region_code, year=year, base=base)
    return {"year": year, "total": total, "children": rows, "sources": sources,
            "by_kind": totals_by(sources, "kind", dict(FundKind.choices)),
            "by_level": totals_by(sources, "holder_level", Level.LABELS)}


def region_funds_in_region(*, region_code: str, year: int) -> dict:
    """The same over the whole region (the CLI)."""
    from fupin.regions.codes import Level

    from .choices import FundKind
    from .rates import region_figures, source_figures, totals_by

    total, rows = region_figures(region_code=region_code, year=year)
    sources = source_figures(region_code=region_code, year=year)
    return {"year": year, "total": total, "children": rows, "sources": sources,
            "by_kind": totals_by(sources, "kind", dict(FundKind.choices)),
            "by_level": totals_by(sources, "holder_level", Level.LABELS)}


def fund_alerts(user, *, region_code: str, on) -> dict:
    from .alerts import fund_alerts_for

    return fund_alerts_for(allocations=allocations_visible_to(user), disbursements=disbursements_visible_to(user),
                           region_code=region_code, on=on, user=user)


def region_allocations(user, *, region_code: str, year: int) -> list[Allocation]:
    """Allocations to places under the region, with what was passed down and budgeted."""
    rows = list(allocation_totals(allocations_visible_to(user).filter(
        in_code_range("to_region_id", subtree_range(region_code)), year=year))
        .select_related("source", "to_region").order_by("to_region_id", "allocated_on", "id"))
    for a in rows:
        a.remaining = a.amount - a.passed_down - a.funded
    return rows

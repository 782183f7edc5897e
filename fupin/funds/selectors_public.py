"""Public reads for the disclosure pages (项目资金公告公示): no user, nothing but what a posted paper
notice shows.

Only projects that have reached 公告公示 (status `disclosed`, or `closed` after it) are public; any
other project is absent from every list and 404 on its own. For those projects the notice shows:
name, type, place, the dates of each step, the budget per original fund kind (各记其功), what was
paid (per kind), the number of beneficiary households and — for money paid to households — the
household head's name with the amount. Never ID numbers, phones, bank accounts, members or payee
ID numbers: the queries below select only the columns printed (`values()` on named columns), so
nothing else is loaded at all.

Every read is set-based: a region's disclosure is a fixed number of queries whatever the number of
projects or households (see `tests/test_disclosure.py`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.db.models.functions import Substr
from django.http import Http404

from fupin.accounts.scope import in_code_range
from fupin.regions.codes import Level, subtree_range
from fupin.regions.models import Region

from .choices import FundKind, ProjectStatus, ProjectType
from .models import Disbursement, Project, ProjectBeneficiary, ProjectEvent, ProjectFunding, ProjectTarget
from .rates import ZERO, Figures, money, percent, rate, source_figures, totals_by

PUBLIC_STATUSES = (ProjectStatus.DISCLOSED, ProjectStatus.CLOSED)
KIND_LABELS = dict(FundKind.choices)
STATUS_LABELS = dict(ProjectStatus.choices)
TYPE_LABELS = dict(ProjectType.choices)


@dataclass
class PublicProject:
    """One disclosed project as the notice prints it."""

    id: int
    name: str
    type: str
    type_label: str
    year: int
    status: str
    status_label: str
    content: str
    region_code: str
    region_name: str
    place: str
    planned_households: int
    events: list = field(default_factory=list)          # [{status, status_label, on}]
    budget_by_kind: list = field(default_factory=list)  # [{kind, label, budget, paid}]
    households: list = field(default_factory=list)      # [{head_name, amount}] paid to households
    targets: list = field(default_factory=list)         # [{indicator, unit, target_value, actual_value, result}]
    beneficiary_count: int = 0
    budget: Decimal = ZERO
    paid: Decimal = ZERO
    paid_to_households: Decimal = ZERO

    @property
    def rate(self) -> Decimal | None:
        return rate(self.paid, self.budget)

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    def on(self, status: str):
        return next((e["on"] for e in self.events if e["status"] == status), None)

    @property
    def declared_on(self):
        return self.on(ProjectStatus.DECLARED)

    @property
    def approved_on(self):
        return self.on(ProjectStatus.APPROVED)

    @property
    def accepted_on(self):
        return self.on(ProjectStatus.ACCEPTED)

    @property
    def disclosed_on(self):
        return self.on(ProjectStatus.DISCLOSED)


def _public_projects():
    return Project.objects.filter(status__in=PUBLIC_STATUSES)


def _place(region: Region) -> str:
    """Township + village name for a village project, the township's own name for a township one."""
    if region.level == Level.VILLAGE and region.parent_id and region.parent is not None:
        return f"{region.parent.name}{region.name}"
    return region.name


def _build(rows: list) -> list[PublicProject]:
    """The projects' printed details: six queries for any number of projects."""
    projects = {p.pk: PublicProject(
        id=p.pk, name=p.name, type=p.type, type_label=TYPE_LABELS.get(p.type, p.type), year=p.year,
        status=p.status, status_label=STATUS_LABELS.get(p.status, p.status), content=p.content,
        region_code=p.region_id, region_name=p.region.name, place=_place(p.region),
        planned_households=p.beneficiary_count) for p in rows}
    ids = list(projects)
    if not ids:
        return []
    for pid, status, on in (ProjectEvent.objects.filter(project_id__in=ids).order_by("project_id", "on", "id")
                            .values_list("project_id", "to_status", "on")):
        projects[pid].events.append({"status": status, "status_label": STATUS_LABELS.get(status, status), "on": on})
    by_kind: dict[int, dict[str, dict]] = {pid: {} for pid in ids}
    for pid, kind, s in (ProjectFunding.objects.filter(project_id__in=ids).order_by()
                         .values("project_id", "source__kind").annotate(s=Sum("amount"))
                         .values_list("project_id", "source__kind", "s")):
        by_kind[pid].setdefault(kind, {"kind": kind, "label": KIND_LABELS.get(kind, kind), "budget": ZERO,
                                       "paid": ZERO})["budget"] = money(s)
    for pid, kind, s in (Disbursement.objects.filter(project_id__in=ids).order_by()
                         .values("project_id", "source__kind").annotate(s=Sum("amount"))
                         .values_list("project_id", "source__kind", "s")):
        by_kind[pid].setdefault(kind, {"kind": kind, "label": KIND_LABELS.get(kind, kind), "budget": ZERO,
                                       "paid": ZERO})["paid"] = money(s)
    for pid, kinds in by_kind.items():
        p = projects[pid]
        p.budget_by_kind = [kinds[k] for k in sorted(kinds, key=lambda k: list(KIND_LABELS).index(k)
                                                     if k in KIND_LABELS else 99)]
        p.budget = sum((k["budget"] for k in p.budget_by_kind), ZERO)
        p.paid = sum((k["paid"] for k in p.budget_by_kind), ZERO)
    # Households: the beneficiaries (名单) and what each was paid; a household paid without being on
    # the list is shown too. Only the head's name is read — no other household column.
    names: dict[tuple[int, int], str] = {}
    for pid, hid, head in (ProjectBeneficiary.objects.filter(project_id__in=ids)
                           .values_list("project_id", "household_id", "household__head_name")):
        names[(pid, hid)] = head
        projects[pid].beneficiary_count += 1
    paid: dict[tuple[int, int], Decimal] = {}
    for pid, hid, head, s in (Disbursement.objects.filter(project_id__in=ids, household__isnull=False).order_by()
                              .values("project_id", "household_id", "household__head_name")
                              .annotate(s=Sum("amount"))
                              .values_list("project_id", "household_id", "household__head_name", "s")):
        names.setdefault((pid, hid), head)
        paid[(pid, hid)] = money(s)
    for (pid, hid), head in sorted(names.items(), key=lambda kv: (kv[0][0], kv[1], kv[0][1])):
        amount = paid.get((pid, hid), ZERO)
        projects[pid].households.append({"head_name": head, "amount": amount})
        projects[pid].paid_to_households += amount
    for pid, indicator, unit, target, actual, result in (
            ProjectTarget.objects.filter(project_id__in=ids).order_by("project_id", "id")
            .values_list("project_id", "indicator", "unit", "target_value", "actual_value", "result")):
        projects[pid].targets.append({"indicator": indicator, "unit": unit, "target_value": target,
                                      "actual_value": actual, "result": result})
    return [projects[pid] for pid in ids]


def public_projects(*, region_code: str, year: int) -> list[PublicProject]:
    """The disclosed projects of a year placed in the region (any level): seven queries."""
    rows = list(_public_projects().filter(in_code_range("region_id", subtree_range(region_code)), year=year)
                .select_related("region", "region__parent").order_by("region_id", "id"))
    return _build(rows)


def public_project(pk) -> PublicProject:
    """One disclosed project; 404 for any other (not yet disclosed, or no such id)."""
    try:
        row = _public_projects().select_related("region", "region__parent").get(pk=int(pk))
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该公示项目") from None
    return _build([row])[0]


def public_fund_summary(*, region_code: str, year: int) -> dict:
    """The region's funds of the year by original fund kind (各记其功): received (下达), budgeted to
    projects, paid and the rates — the same figures as the funds pages (`rates.source_figures`),
    whole region, sums only (no payee). Six queries."""
    sources = source_figures(region_code=region_code, year=year)
    by_kind = [{**row, "kind": row["key"], "rate_text": percent(row["rate"]), "project_rate_text": percent(row["project_rate"])}
               for row in totals_by(sources, "kind", KIND_LABELS)]
    total = Figures()
    for s in sources:
        total.add(s["figures"])
    return {"year": year, "by_kind": by_kind, "total": total}


def public_years(*, region_code: str) -> list[int]:
    """Years with disclosed projects in the region, latest first (one query)."""
    return list(_public_projects().filter(in_code_range("region_id", subtree_range(region_code))).order_by("-year")
                .values_list("year", flat=True).distinct())


def public_region_disclosure(*, region: Region, year: int) -> dict:
    """A region's disclosure page: summary + projects + the years to choose from."""
    projects = public_projects(region_code=region.code, year=year)
    return {"region": region, "year": year, "years": public_years(region_code=region.code),
            "summary": public_fund_summary(region_code=region.code, year=year), "projects": projects,
            "project_count": len(projects), "budget": sum((p.budget for p in projects), ZERO),
            "paid": sum((p.paid for p in projects), ZERO),
            "households": sum((p.beneficiary_count for p in projects), 0)}


def public_regions(*, year: int | None = None) -> list[dict]:
    """Counties with disclosed projects (of the year, or any year), each with its villages (and
    townships holding projects of their own): counts and latest year. Three queries."""
    qs = _public_projects()
    if year:
        qs = qs.filter(year=year)
    places = list(qs.order_by().values("region_id").annotate(n=Count("id"), latest=Max("year"))
                  .values_list("region_id", "n", "latest"))
    counties = {c: (n, latest) for c, n, latest in qs.annotate(c=Substr("region_id", 1, 6)).order_by().values("c")
                .annotate(n=Count("id"), latest=Max("year")).values_list("c", "n", "latest")}
    codes = {c.ljust(12, "0") for c in counties} | {code for code, _, _ in places}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    out = []
    for prefix, (n, latest) in sorted(counties.items()):
        code = prefix.ljust(12, "0")
        out.append({"code": code, "name": names.get(code, code), "project_count": n, "latest_year": latest,
                    "places": [{"code": c, "name": names.get(c, c), "project_count": pn, "latest_year": pl}
                               for c, pn, pl in sorted(places) if c.startswith(prefix) and c != code]})
    return out

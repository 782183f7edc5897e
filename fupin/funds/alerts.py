"""Fund alerts (资金预警) over a region on a date: each a fixed number of set-based queries, each
alert with its reason in Chinese, its inputs and the policy rows that decided it.

- 拨付缓慢 slow spending: an allocation made more than `funds.slow_spending_days` days before the
  date (exactly that many days: not yet) whose payments by then — its own and those of every
  allocation passed down from it — are below `funds.slow_spending_min_rate` of its amount (exactly
  the rate: not slow). Thresholds are resolved for the allocation's place, so a province may
  override them.
- 重复拨付 double payment: the same household paid more than once for the same project item.
- 不在册或不符合条件 not eligible: a household payment whose payee is not in the registry (no
  household matched), was not yet registered on the payment date, or whose status on that day
  is not in `funds.eligible_statuses`.
- 超标准 above standard: a household's payments on a project above its per-household standard
  (exactly the standard: fine), or a household paid that is not listed as a beneficiary.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum

from fupin.accounts.masking import mask_value
from fupin.accounts.scope import in_code_range
from fupin.policy.selectors import resolver
from fupin.regions.codes import subtree_range
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import HouseholdStatusEvent

from .choices import ALERT_KEYS, ELIGIBLE_KEY, SLOW_DAYS_KEY, SLOW_RATE_KEY, AlertKind, PayeeKind
from .models import Allocation, Disbursement, ProjectBeneficiary
from .rates import money

ZERO = Decimal("0.00")
STATUS_LABELS = dict(HouseholdStatus.choices)


@dataclass
class Alert:
    kind: str
    reason: str
    region_code: str
    amount: Decimal
    inputs: dict
    project_id: int | None = None
    project_name: str = ""
    household_id: int | None = None
    allocation_id: int | None = None
    disbursement_ids: list[int] = field(default_factory=list)
    policy: list[dict] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return AlertKind(self.kind).label

    def as_dict(self) -> dict:
        return {"kind": self.kind, "kind_label": self.kind_label, "reason": self.reason,
                "region_code": self.region_code, "amount": self.amount, "project_id": self.project_id,
                "project_name": self.project_name, "household_id": self.household_id,
                "allocation_id": self.allocation_id, "disbursement_ids": self.disbursement_ids,
                "inputs": self.inputs, "policy": self.policy}


def _yuan(v: Decimal) -> str:
    return f"{v:,.2f}"


def slow_spending(allocations, disbursements, *, region_code: str, on: date, policy) -> list[Alert]:
    codes = subtree_range(region_code)
    allocs = list(allocations.filter(in_code_range("to_region_id", codes))
                  .values("id", "parent_id", "amount", "allocated_on", "to_region_id", "to_region__name",
                          "source__name"))
    direct = {k: money(v) for k, v in disbursements.filter(in_code_range("holder_code", codes), paid_on__lte=on)
              .order_by().values("allocation_id").annotate(s=Sum("amount")).values_list("allocation_id", "s")}
    parent = {a["id"]: a["parent_id"] for a in allocs}
    paid = {a["id"]: ZERO for a in allocs}
    for alloc_id, amount in direct.items():
        cur = alloc_id
        while cur in paid:  # up the chain, within the region
            paid[cur] += amount
            cur = parent.get(cur)
    alerts = []
    for a in allocs:
        if a["allocated_on"] > on:
            continue
        rules = policy(a["to_region_id"])
        days_limit, min_rate = rules[SLOW_DAYS_KEY].value, rules[SLOW_RATE_KEY].value
        days = (on - a["allocated_on"]).days
        got = Fraction(paid[a["id"]]) / Fraction(a["amount"])
        if days > days_limit and got < Fraction(str(min_rate)):
            r = (Decimal(paid[a["id"]]) / a["amount"]).quantize(Decimal("0.0001"))
            alerts.append(Alert(
                AlertKind.SLOW, f"{a['to_region__name']}的“{a['source__name']}”{a['allocated_on']:%Y-%m-%d} 下达 "
                                f"{_yuan(a['amount'])} 元，已 {days} 天（超过 {days_limit} 天），拨付 {_yuan(paid[a['id']])} 元，"
                                f"拨付率 {r:.2%} 低于 {Decimal(str(min_rate)):.0%}",
                a["to_region_id"], a["amount"], allocation_id=a["id"],
                inputs={"allocated_on": a["allocated_on"], "days": days, "paid": paid[a["id"]], "rate": r,
                        "max_days": days_limit, "min_rate": min_rate},
                policy=[rules[SLOW_DAYS_KEY].explain(), rules[SLOW_RATE_KEY].explain()]))
    return alerts


def double_payments(disbursements, *, region_code: str, on: date) -> list[Alert]:
    groups = list(disbursements.filter(in_code_range("location_code", subtree_range(region_code)),
                                       household__isnull=False, paid_on__lte=on).order_by()
                  .values("project_id", "item", "household_id").annotate(n=Count("id"), total=Sum("amount"))
                  .filter(n__gt=1))
    if not groups:
        return []
    keys = {(g["project_id"], g["item"], g["household_id"]) for g in groups}
    rows = (disbursements.filter(project_id__in={k[0] for k in keys}, household_id__in={k[2] for k in keys},
                                 paid_on__lte=on)
            .values("id", "project_id", "project__name", "item", "household_id", "household__head_name",
                    "paid_on", "amount", "location_code").order_by("paid_on", "id"))
    by_key: dict = {}
    for r in rows:
        k = (r["project_id"], r["item"], r["household_id"])
        if k in keys:
            by_key.setdefault(k, []).append(r)
    alerts = []
    for k, payments in sorted(by_key.items(), key=lambda kv: (kv[1][0]["location_code"], kv[0][0], kv[0][2])):
        first = payments[0]
        total = sum((p["amount"] for p in payments), ZERO)
        dates = "、".join(f"{p['paid_on']:%Y-%m-%d} {_yuan(p['amount'])} 元" for p in payments)
        alerts.append(Alert(
            AlertKind.DOUBLE, f"{first['household__head_name']}户在“{first['project__name']}”的“{first['item']}”"
                              f"拨付了 {len(payments)} 次：{dates}",
            first["location_code"], total, project_id=k[0], project_name=first["project__name"], household_id=k[2],
            disbursement_ids=[p["id"] for p in payments],
            inputs={"item": first["item"], "count": len(payments), "total": total,
                    "payments": [{"id": p["id"], "paid_on": p["paid_on"], "amount": p["amount"]} for p in payments]}))
    return alerts


def not_eligible(disbursements, *, region_code: str, on: date, policy, user=None) -> list[Alert]:
    events = HouseholdStatusEvent.objects.filter(household_id=OuterRef("household_id"))
    status_then = events.filter(effective_on__lte=OuterRef("paid_on")).order_by("-effective_on", "-at", "-id")
    rows = (disbursements.filter(in_code_range("location_code", subtree_range(region_code)),
                                 payee_kind=PayeeKind.HOUSEHOLD, paid_on__lte=on)
            .annotate(status_then=Subquery(status_then.values("to_status")[:1]), has_events=Exists(events))
            .values("id", "project_id", "project__name", "household_id", "household__head_name", "household__status",
                    "payee_name", "payee_id_number", "paid_on", "amount", "location_code", "status_then",
                    "has_events", "item").order_by("location_code", "paid_on", "id"))
    alerts = []
    for r in rows:
        rules = policy(r["location_code"])
        eligible = rules[ELIGIBLE_KEY]
        base = f"{r['paid_on']:%Y-%m-%d} 向{r['payee_name']}拨付“{r['project__name']}”{_yuan(r['amount'])} 元"
        status = None
        if r["household_id"] is None:
            id_shown = mask_value("id_number", r["payee_id_number"], user=user or _NoRights, in_list=True)
            reason = f"{base}，但收款人（身份证号 {id_shown or '未填'}）不在建档立卡名册"
        else:
            # A household filed without history counts with its current status.
            status = r["status_then"] if r["has_events"] else r["household__status"]
            if status is None:
                reason = f"{base}，但该户拨付日尚未建档立卡"
            elif status not in eligible.value:
                reason = f"{base}，但该户拨付日的状态为“{STATUS_LABELS.get(status, status)}”，不属于可领取到户资金的户状态"
            else:
                continue
        alerts.append(Alert(AlertKind.NOT_ELIGIBLE, reason, r["location_code"], r["amount"],
                            project_id=r["project_id"], project_name=r["project__name"],
                            household_id=r["household_id"], disbursement_ids=[r["id"]],
                            inputs={"paid_on": r["paid_on"], "item": r["item"], "status_on_paid": status,
                                    "eligible_statuses": eligible.value},
                            policy=[eligible.explain()]))
    return alerts


class _NoRights:
    role = ""


def above_standard(disbursements, *, region_code: str, on: date) -> list[Alert]:
    standard = ProjectBeneficiary.objects.filter(project_id=OuterRef("project_id"),
                                                 household_id=OuterRef("household_id")).values("standard_amount")[:1]
    groups = (disbursements.filter(in_code_range("location_code", subtree_range(region_code)),
                                   household__isnull=False, paid_on__lte=on).order_by()
              .values("project_id", "household_id").annotate(total=Sum("amount"), n=Count("id"))
              .annotate(standard=Subquery(standard))
              .filter(Q(standard__isnull=True) | Q(total__gt=F("standard"))))
    groups = list(groups)
    for g in groups:
        g["total"] = money(g["total"])
        g["standard"] = None if g["standard"] is None else money(g["standard"])
    if not groups:
        return []
    from fupin.registry.models import Household

    from .models import Project

    projects = dict(Project.objects.filter(pk__in={g["project_id"] for g in groups})
                    .values_list("pk", "name"))
    places = dict(Project.objects.filter(pk__in={g["project_id"] for g in groups}).values_list("pk", "region_id"))
    heads = dict(Household.objects.filter(pk__in={g["household_id"] for g in groups}).values_list("pk", "head_name"))
    alerts = []
    for g in sorted(groups, key=lambda g: (places[g["project_id"]], g["project_id"], g["household_id"])):
        name, head = projects[g["project_id"]], heads[g["household_id"]]
        if g["standard"] is None:
            reason = f"{head}户领取“{name}”资金 {_yuan(g['total'])} 元，但不是该项目的受益户（无到户补助标准）"
        else:
            reason = (f"{head}户领取“{name}”资金合计 {_yuan(g['total'])} 元，超过到户补助标准 "
                      f"{_yuan(g['standard'])} 元（多 {_yuan(g['total'] - g['standard'])} 元）")
        alerts.append(Alert(AlertKind.ABOVE_STANDARD, reason, places[g["project_id"]], g["total"],
                            project_id=g["project_id"], project_name=name, household_id=g["household_id"],
                            inputs={"paid_total": g["total"], "payments": g["n"], "standard": g["standard"]}))
    return alerts


def fund_alerts_for(*, allocations, disbursements, region_code: str, on: date, user=None) -> dict:
    """Every alert under the region on `on` from the given (scoped) querysets."""
    policy = resolver(ALERT_KEYS, year=on.year)
    alerts = (slow_spending(allocations, disbursements, region_code=region_code, on=on, policy=policy)
              + double_payments(disbursements, region_code=region_code, on=on)
              + not_eligible(disbursements, region_code=region_code, on=on, policy=policy, user=user)
              + above_standard(disbursements, region_code=region_code, on=on))
    counts = {k.value: 0 for k in AlertKind}
    for a in alerts:
        counts[a.kind] += 1
    return {"region_code": region_code, "on": on, "counts": counts, "alerts": alerts}


def fund_alerts_in_region(*, region_code: str, on: date) -> dict:
    """The whole region (the CLI, an administrator's tool)."""
    return fund_alerts_for(allocations=Allocation.objects.all(), disbursements=Disbursement.objects.all(),
                           region_code=region_code, on=on)

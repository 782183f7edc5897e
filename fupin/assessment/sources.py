"""The values of every metric for all assessed regions at once: a fixed number of grouped
queries (facts, refresh times, tasks, household incomes, samples, funds, ledger), whatever the
number of regions. A value is (numerator, denominator) or a reason it is missing (缺少数据)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from fupin.accounts.scope import in_code_range
from fupin.core.clock import today
from fupin.exits.models import SampleKind, VerificationSample
from fupin.funds.models import Disbursement, ProjectFunding
from fupin.ledger.choices import Source
from fupin.ledger.models import LedgerItem
from fupin.ledger.rules import overdue_q
from fupin.regions.codes import Level, subtree_range
from fupin.registry.choices import HouseholdStatus
from fupin.registry.models import HouseholdYear
from fupin.stats.models import RegionYearFact
from fupin.stats.selectors import last_refresh

from .models import AssessmentTarget

OUT = (HouseholdStatus.REMOVED, HouseholdStatus.CANCELLED)
SERIOUS_SOURCES = (Source.INSPECTION, Source.AUDIT)


@dataclass
class Value:
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    missing: str | None = None  # 缺少数据 reason
    source: str = ""


def _key(code: str, plen: int) -> str:
    return code[:plen]


def collect(*, root_code: str, codes: list[str], level: str, year: int) -> dict[str, dict[str, Value]]:
    """{region code: {metric code: Value}} for the assessed regions `codes` under `root_code`."""
    plen = Level.PREFIX_LENGTH[level]
    rng = subtree_range(root_code)
    prefixes = {c[:plen]: c for c in codes}
    out: dict[str, dict[str, Value]] = {c: {} for c in codes}
    _facts(out, codes, year, root_code)
    _tasks(out, codes, year)
    _income(out, rng, prefixes, plen, year)
    _samples(out, rng, prefixes, plen, level, year)
    _funds(out, rng, prefixes, plen, year)
    _ledger(out, rng, prefixes, plen, year)
    return out


def _facts(out, codes, year, root_code) -> None:
    refreshed = {y: last_refresh(root_code, y) is not None for y in (year - 1, year)}
    facts: dict = defaultdict(dict)
    for code, y, metric, value in (RegionYearFact.objects.filter(
            year__in=[year - 1, year], region_code__in=codes, key="",
            metric__in=["poor_persons", "households", "helped_households", "visited_households",
                        "ledger_found", "ledger_closed"]).values_list("region_code", "year", "metric", "value")):
        facts[(code, y)][metric] = value
    for code in codes:
        f, prev = facts[(code, year)], facts[(code, year - 1)]
        o = out[code]
        if not refreshed[year]:
            why = f"{year} 年统计数据尚未生成（请运行 fupin refresh_stats）"
            for m in ("poverty_reduction", "helper_coverage", "visit_rate", "rectification_rate"):
                o[m] = Value(missing=why)
            continue
        src = f"统计汇总 {year} 年"
        households = f.get("households", 0)
        o["helper_coverage"] = Value(f.get("helped_households", 0), households, None if households else
                                     f"{year} 年末没有在册户", src)
        o["visit_rate"] = Value(f.get("visited_households", 0), households, None if households else
                                f"{year} 年末没有在册户", src)
        o["rectification_rate"] = Value(f.get("ledger_closed", 0), f.get("ledger_found", 0), None, src)
        if not refreshed[year - 1]:
            o["poverty_reduction"] = Value(missing=f"{year - 1} 年统计数据尚未生成，无法计算减少的贫困人口")
        else:
            o["poverty_reduction"] = Value(prev.get("poor_persons", 0) - f.get("poor_persons", 0), None, None,
                                           f"统计汇总 {year - 1}、{year} 年剩余贫困人口")


def _tasks(out, codes, year) -> None:
    tasks = dict(AssessmentTarget.objects.filter(year=year, region_code__in=codes)
                 .values_list("region_code", "reduction_task"))
    for code in codes:
        v = out[code].get("poverty_reduction")
        if v is None or v.missing:
            continue
        task = tasks.get(code)
        if task is None:
            v.missing = f"未导入 {year} 年减贫任务（fupin import_assessment_targets）"
        elif task == 0:
            v.missing = f"{year} 年减贫任务为 0"
        v.denominator = task
        v.source += f"；减贫任务表 {year} 年"


def _income(out, rng, prefixes, plen, year) -> None:
    sums: dict = defaultdict(lambda: [Decimal(0), 0])
    for r in (HouseholdYear.objects.filter(in_code_range("household__village_id", rng), year__in=[year - 1, year])
              .exclude(status__in=OUT).order_by().values("household__village_id", "year")
              .annotate(income=Sum("net_income"), size=Sum("household_size"))):
        key = (r["household__village_id"][:plen], r["year"])
        sums[key][0] += r["income"] or 0
        sums[key][1] += r["size"] or 0
    for prefix, code in prefixes.items():
        (inc, size), (pinc, psize) = sums.get((prefix, year), (0, 0)), sums.get((prefix, year - 1), (0, 0))
        if not size or not psize or not pinc:
            missing = f"缺少{year if not size else year - 1} 年建档立卡户收入数据"
            out[code]["income_growth"] = Value(missing=missing)
            continue
        pc, ppc = (Decimal(inc) / size).quantize(Decimal("0.01")), (Decimal(pinc) / psize).quantize(Decimal("0.01"))
        out[code]["income_growth"] = Value(pc - ppc, ppc, None,
                                           f"建档立卡户年度数据：{year} 年人均 {pc} 元，{year - 1} 年人均 {ppc} 元")


def _samples(out, rng, prefixes, plen, level, year) -> None:
    totals: dict = defaultdict(lambda: [0, 0])
    for r in (VerificationSample.objects.filter(in_code_range("region_code", rng), year=year).order_by()
              .values("region_code", "county_code", "kind")
              .annotate(n_persons=Sum("persons"), n_flagged=Sum("persons", filter=Q(flagged=True)))):
        code = r["county_code"] if level == Level.COUNTY else r["region_code"]
        totals[(code[:plen], r["kind"])][0] += r["n_persons"] or 0
        totals[(code[:plen], r["kind"])][1] += r["n_flagged"] or 0
    kinds = {"wrong_exit_rate": SampleKind.EXITED_CHECK, "missed_rate": SampleKind.NON_REGISTERED_CHECK,
             "satisfaction": SampleKind.SATISFACTION}
    for prefix, code in prefixes.items():
        for metric, kind in kinds.items():
            persons, flagged = totals.get((prefix, kind), (0, 0))
            name = SampleKind(kind).label
            if not persons:
                out[code][metric] = Value(missing=f"未导入 {year} 年{name}样本")
            else:
                num = persons - flagged if metric == "satisfaction" else flagged
                out[code][metric] = Value(num, persons, None, f"{year} 年{name}样本")


def _funds(out, rng, prefixes, plen, year) -> None:
    funded: dict = defaultdict(Decimal)
    paid: dict = defaultdict(Decimal)
    for r in (ProjectFunding.objects.filter(in_code_range("location_code", rng), year=year).order_by()
              .values("location_code").annotate(total=Sum("amount"))):
        funded[r["location_code"][:plen]] += r["total"] or 0
    for r in (Disbursement.objects.filter(in_code_range("location_code", rng), year=year).order_by()
              .values("location_code").annotate(total=Sum("amount"))):
        paid[r["location_code"][:plen]] += r["total"] or 0
    q = Decimal("0.01")
    for prefix, code in prefixes.items():
        f, p = funded.get(prefix, Decimal(0)).quantize(q), paid.get(prefix, Decimal(0)).quantize(q)
        out[code]["disbursement_rate"] = Value(p, f, None if f else f"{year} 年度没有项目资金安排",
                                               f"{year} 年度项目资金（元）")


def _ledger(out, rng, prefixes, plen, year) -> None:
    on = min(today(), date(year, 12, 31))
    counts: dict = defaultdict(int)
    for r in (LedgerItem.objects.filter(in_code_range("region_code", rng), overdue_q(on), found_on__lte=on,
                                        source__in=SERIOUS_SOURCES).order_by()
              .values("region_code").annotate(n=Count("id"))):
        counts[r["region_code"][:plen]] += r["n"]
    for prefix, code in prefixes.items():
        out[code]["serious_ledger_overdue"] = Value(counts.get(prefix, 0), None, None,
                                                    f"问题台账，截至 {on:%Y-%m-%d}（按当前状态）")

"""Reads of the assessment app: the scheme in force and the assessment of all counties or
townships under a region for a year — the one document the web page, the API and `fupin assess`
show. A fixed number of queries for any number of regions (no query per region).

Scoped through `region_access` (out of scope → 404); a cadre (帮扶责任人) gets 403."""

from fractions import Fraction

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from fupin.accounts.roles import Role
from fupin.regions.codes import Level, ancestor_codes, level_of, subtree_range
from fupin.regions.models import Region
from fupin.regions.selectors import region_access

from . import scoring
from .catalog import BY_CODE
from .models import (
    AssessedLevel,
    AssessmentIndicator,
    AssessmentScheme,
    AssessmentVeto,
    Direction,
    Method,
    VetoOp,
)
from .sources import collect


class SchemeMissing(Exception):
    """No scheme applies to a region (the national defaults were removed)."""


def gate(user, code: str) -> Region:
    region = region_access(user, code)
    if user.role == Role.CADRE:
        raise PermissionDenied("帮扶责任人只能查看结对户，不能查看考核评估")
    return region


def schemes_for(codes: list[str], *, level: str, year: int) -> dict[str, AssessmentScheme]:
    """The scheme in force for each code: the most specific region, then the latest year_from
    (3 queries for any number of codes)."""
    ancestors = {a for c in codes for a in ancestor_codes(c)}
    rows = list(AssessmentScheme.objects.filter(level=level, year_from__lte=year, region_code__in=ancestors)
                .prefetch_related(Prefetch("indicators", AssessmentIndicator.objects.order_by("order", "id")),
                                  Prefetch("vetoes", AssessmentVeto.objects.order_by("order", "id"))))
    found = {}
    for code in codes:
        depth = {a: i for i, a in enumerate(ancestor_codes(code))}
        best = max((s for s in rows if s.region_code in depth),
                   key=lambda s: (depth[s.region_code], s.year_from), default=None)
        if best is None:
            raise SchemeMissing(f"{year} 年没有适用于 {code} 的{AssessedLevel(level).label}考核方案")
        found[code] = best
    return found


def scheme_dict(s: AssessmentScheme) -> dict:
    return {
        "id": s.pk, "region_code": s.region_code, "year_from": s.year_from, "level": s.level, "name": s.name,
        "source": s.source,
        "indicators": [{"code": i.code, "label": i.label, "weight": str(i.weight),
                        "direction": i.direction, "direction_label": str(Direction(i.direction).label),
                        "method": i.method, "method_label": str(Method(i.method).label),
                        "target": str(i.target.normalize()), "floor": None if i.floor is None else str(i.floor.normalize()),
                        "empty_full": i.empty_full, "rule": scoring.rule_text(i),
                        "definition": BY_CODE[i.code].definition, "source": BY_CODE[i.code].source}
                       for i in s.indicators.all()],
        "vetoes": [{"metric": v.metric, "label": BY_CODE[v.metric].label, "op": v.op,
                    "op_label": str(VetoOp(v.op).label), "threshold": str(v.threshold.normalize()),
                    "reason": v.reason} for v in s.vetoes.all()],
    }


def _text(metric: str, f: Fraction | None) -> str:
    if f is None:
        return scoring.MISSING
    return scoring.percent(f) if BY_CODE[metric].ratio else str(f.numerator)


def _num(x) -> str | None:
    return None if x is None else str(x)


def _assess_one(region: Region, values: dict, scheme: AssessmentScheme) -> dict:
    indicators, total = [], Fraction(0)
    for ind in scheme.indicators.all():
        v = values[ind.code]
        f = scoring.fraction(v)
        note = ""
        if f is None and v.missing is None and v.denominator == 0 and ind.empty_full:
            pts, note = Fraction(ind.weight), "分母为 0（无考核事项），按方案得满分"
        elif f is None:
            pts, note = Fraction(0), f"{scoring.MISSING}：{v.missing or '分母为 0'}，计 0 分"
        else:
            pts = scoring.score(ind, f)
        total += Fraction(scoring.points(pts))
        indicators.append({"code": ind.code, "label": ind.label, "weight": str(ind.weight),
                           "numerator": _num(v.numerator), "denominator": _num(v.denominator),
                           "value": None if f is None else str(scoring.as_decimal(f)), "value_text": _text(ind.code, f),
                           "source": v.source, "missing": f is None, "score": str(scoring.points(pts)), "note": note})
    vetoes = []
    for rule in scheme.vetoes.all():
        v = values[rule.metric]
        f = scoring.fraction(v)
        triggered = f is not None and scoring.vetoed(rule.op, f, rule.threshold)
        vetoes.append({"metric": rule.metric, "label": BY_CODE[rule.metric].label, "reason": rule.reason,
                       "value_text": _text(rule.metric, f), "triggered": triggered,
                       "note": f"{scoring.MISSING}，未能判定：{v.missing or '分母为 0'}" if f is None else ""})
    return {"code": region.code, "name": region.name, "scheme_id": scheme.pk,
            "total": str(scoring.points(total)), "vetoed": any(x["triggered"] for x in vetoes),
            "veto_reasons": [x["reason"] for x in vetoes if x["triggered"]],
            "indicators": indicators, "vetoes": vetoes, "rank": 0}


def _rank(results: list[dict]) -> list[dict]:
    """Not vetoed first, then by total (highest first); equal totals share a rank (1, 1, 3)."""
    results.sort(key=lambda r: (r["vetoed"], -Fraction(r["total"]), r["code"]))
    for i, r in enumerate(results):
        prev = results[i - 1] if i else None
        same = prev is not None and (prev["vetoed"], prev["total"]) == (r["vetoed"], r["total"])
        r["rank"] = prev["rank"] if same else i + 1
    return results


def assess_regions(*, region_code: str, year: int, level: str) -> dict:
    """Every county (or township) under `region_code` assessed for `year` (unscoped)."""
    region = Region.objects.get(code=region_code)
    if level not in AssessedLevel.values:
        raise ValueError(f"考核对象级别“{level}”无效（county 或 township）")
    if Level.depth(level_of(region.code)) > Level.depth(level):
        raise ValueError(f"{region.name} 低于{AssessedLevel(level).label}，无可考核的{AssessedLevel(level).label}单位")
    regions = list(Region.objects.filter(level=level, code__range=subtree_range(region.code).as_tuple())
                   .order_by("code"))
    codes = [r.code for r in regions]
    schemes = schemes_for(codes, level=level, year=year) if codes else {}
    values = collect(root_code=region.code, codes=codes, level=level, year=year) if codes else {}
    results = _rank([_assess_one(r, values[r.code], schemes[r.code]) for r in regions])
    used = {s.pk: s for s in schemes.values()}
    return {"region": {"code": region.code, "name": region.name, "level": region.level},
            "year": year, "level": level, "level_label": str(AssessedLevel(level).label),
            "schemes": [scheme_dict(s) for _, s in sorted(used.items())], "results": results}


def assessment(user, code: str, *, year: int, level: str) -> dict:
    region = gate(user, code)
    return assess_regions(region_code=region.code, year=year, level=level)


def scheme_in_force(user, code: str, *, year: int, level: str) -> dict:
    """The scheme that applies to `code` itself for `level` (for the region's own page)."""
    region = gate(user, code)
    return scheme_dict(schemes_for([region.code], level=level, year=year)[region.code])

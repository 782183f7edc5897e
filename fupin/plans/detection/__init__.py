"""Checking plans per village and year: copy-paste (措施雷同) and measures that contradict the household.

`detect(plans, year=…)` takes any queryset of HouseholdPlan (the caller scopes it) and works
set-based: the plans with their households (one query), their active measures (one), the
households' facts (two), the contradiction rules (one) and the policy values (two: the threshold
`plans.copy_similarity` per village, and what the rules read). Plans are compared pairwise within
each village only — O(n²) per village, villages have at most a few hundred households — and a pair
is scored only when the households' causes differ and the measure types could reach the threshold.

(a) Copy-paste: a pair of plans of one village is flagged when similarity ≥ `plans.copy_similarity`
    (the value in force for the village), the households have no cause in common (see
    similarity.py), and both plans have at least `plans.copy_min_measures` active measures (two
    one-measure plans alike — 低保兜底 for two households without labour — show no copying).
    Flagged pairs are grouped into clusters (connected plans); a cluster whose plans are all the
    same after normalization is marked identical.
(b) Contradictions: each active measure against the contradiction rules for its type (PlanRule
    kind contradict) on the household's facts — each with the rule, the facts and the policy rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from fupin.policy.selectors import PolicyMissing, resolver
from fupin.registry.choices import PovertyCause
from fupin.registry.models import Household

from ..choices import ACTIVE_MEASURE_STATUSES, RuleKind, measure_info
from ..facts import household_facts
from ..models import PlanMeasure
from ..rules import rule_resolver
from ..rules.evaluation import hits, policy_resolver
from .similarity import Comparer, Item, fingerprint, item_of, upper_bound

THRESHOLD_KEY = "plans.copy_similarity"
MIN_MEASURES_KEY = "plans.copy_min_measures"
SCORE_DIGITS = 4


def check_threshold(value) -> None:
    """Policy check for plans.copy_similarity: a number in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ValidationError(f"雷同阈值应为大于 0、不超过 1 的数（现为 {value}）")


def check_min_measures(value) -> None:
    """Policy check for plans.copy_min_measures: a whole number ≥ 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"参与雷同比较的最少措施数应为不小于 1 的整数（现为 {value}）")


def _cause_label(code: str) -> str:
    return PovertyCause(code).label if code in PovertyCause.values else code


@dataclass
class PlanDoc:
    plan_id: int
    household_id: int
    household_no: str
    head_name: str
    village_code: str
    status: str
    main_cause: str
    causes: list[str]
    measures: list[dict] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    def brief(self) -> dict:
        return {"plan_id": self.plan_id, "household_id": self.household_id, "household_no": self.household_no,
                "head_name": self.head_name, "village_code": self.village_code, "plan_status": self.status,
                "main_cause": self.main_cause, "main_cause_label": _cause_label(self.main_cause),
                "causes": self.causes, "cause_labels": [_cause_label(c) for c in self.causes]}

    def side(self) -> dict:
        """The plan as shown beside another: the household, its causes and its measures."""
        return {**self.brief(), "measures": self.measures}


@dataclass
class VillageFindings:
    village_code: str
    plans: int
    threshold: dict | None
    min_measures: dict | None = None
    pairs: list[dict] = field(default_factory=list)
    clusters: list[dict] = field(default_factory=list)
    contradictions: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"village_code": self.village_code, "plans": self.plans, "threshold": self.threshold,
                "min_measures": self.min_measures, "pairs": self.pairs, "clusters": self.clusters, "contradictions": self.contradictions}


def _load(plans: QuerySet, *, year: int) -> list[PlanDoc]:
    rows = (plans.filter(year=year)
            .values("id", "household_id", "household__household_no", "household__head_name", "village_id", "status",
                    "household__main_cause", "household__other_causes")
            .order_by("village_id", "household__household_no", "id"))
    docs = {}
    for r in rows:
        main = r["household__main_cause"]
        causes = [main, *[c for c in (r["household__other_causes"] or []) if c != main]]
        docs[r["id"]] = PlanDoc(plan_id=r["id"], household_id=r["household_id"],
                                household_no=r["household__household_no"], head_name=r["household__head_name"],
                                village_code=r["village_id"], status=r["status"], main_cause=main, causes=causes)
    if docs:
        for m in (PlanMeasure.objects.filter(plan_id__in=plans.filter(year=year).order_by().values("id"),
                                             status__in=ACTIVE_MEASURE_STATUSES)
                  .values("id", "plan_id", "measure_type", "content", "amount", "responsible", "status")
                  .order_by("plan_id", "id")):
            doc = docs.get(m["plan_id"])
            if doc is None:
                continue
            doc.measures.append({"measure_id": m["id"], **measure_info(m["measure_type"]), "content": m["content"],
                                 "amount": None if m["amount"] is None else f"{m['amount']:.2f}",
                                 "responsible": m["responsible"], "status": m["status"]})
            doc.items.append(item_of(m["measure_type"], m["content"], m["amount"]))
    return list(docs.values())


def _policy_for(year: int):
    """`policy(village_code) -> (threshold row, minimum-measures row)`; a key without a value is None."""
    resolvers = {key: resolver([key], year=year) for key in (THRESHOLD_KEY, MIN_MEASURES_KEY)}

    def policy(code: str):
        found = []
        for key, resolve_for in resolvers.items():
            try:
                found.append(resolve_for(code)[key])
            except PolicyMissing:
                found.append(None)
        return tuple(found)

    return policy


def _why(a: PlanDoc, b: PlanDoc, score: float, threshold: float, identical: bool) -> str:
    def causes(d: PlanDoc) -> str:
        others = [_cause_label(c) for c in d.causes[1:]]
        return f"{d.head_name}户主要致贫原因{_cause_label(d.main_cause)}" + (f"（其他：{'、'.join(others)}）" if others else "")

    head = "两户计划完全相同" if identical else f"两户计划相似度 {score:.2f}"
    return f"{head}，达到雷同阈值 {threshold:g}；而{causes(a)}，{causes(b)}，两户没有相同的致贫原因"


def _copies(docs: list[PlanDoc], threshold_row, min_row, comparer: Comparer,
            focus: int | None = None) -> tuple[list[dict], list[dict]]:
    """Flagged pairs and their clusters; with `focus` (a plan id) only the pairs involving that plan."""
    if threshold_row is None:
        return [], []
    threshold = float(threshold_row.value)
    least = max(1, int(min_row.value)) if min_row is not None else 1
    # Measure-type signatures repeat across a village: the bound is computed once per pair of them.
    signatures = [tuple(sorted(Counter(i.measure_type for i in d.items).items())) for d in docs]
    causes = [frozenset(d.causes) | {d.main_cause} for d in docs]
    prints = [fingerprint(d.items) for d in docs]
    bounds: dict[tuple, float] = {}
    pairs, links = [], []
    for i, a in enumerate(docs):
        if len(a.items) < least:
            continue
        for j in range(i + 1, len(docs)):
            b = docs[j]
            if focus is not None and focus not in (a.plan_id, b.plan_id):
                continue
            if len(b.items) < least or not causes[i].isdisjoint(causes[j]):
                continue  # no cause in common is required (similarity.causes_differ)
            key = (signatures[i], signatures[j])
            if key not in bounds:
                bounds[key] = round(upper_bound(Counter(dict(key[0])), Counter(dict(key[1]))), 9)
            if bounds[key] < threshold:
                continue
            identical = prints[i] == prints[j]
            score, matched = (1.0, None) if identical else comparer.similarity(a.items, b.items)
            if round(score, 9) < threshold:
                continue
            if matched is None:
                _, matched = comparer.similarity(a.items, b.items)
            links.append((i, j))
            pairs.append({
                "score": round(score, SCORE_DIGITS), "identical": identical, "threshold": threshold,
                "a": a.side(), "b": b.side(),
                "matched": [{**measure_info(x.measure_type), "a_content": x.text, "b_content": y.text,
                             "a_amount": x.amount, "b_amount": y.amount, "ratio": round(s, SCORE_DIGITS)}
                            for x, y, s in matched],
                "why": _why(a, b, score, threshold, identical)})
    return pairs, _clusters(docs, links, prints, pairs)


def _clusters(docs, links, prints, pairs) -> list[dict]:
    parent = list(range(len(docs)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in links:
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i, j in links:
        for k in (i, j):
            members = groups.setdefault(find(k), [])
            if k not in members:
                members.append(k)
    score_of = {(p["a"]["plan_id"], p["b"]["plan_id"]): p["score"] for p in pairs}
    out = []
    for members in groups.values():
        members.sort()
        ids = [docs[k].plan_id for k in members]
        scores = [s for (x, y), s in score_of.items() if x in ids and y in ids]
        out.append({"plans": [docs[k].brief() for k in members], "size": len(members),
                    "identical": len({prints[k] for k in members}) == 1,
                    "causes": sorted({docs[k].main_cause for k in members}),
                    "cause_labels": sorted({_cause_label(docs[k].main_cause) for k in members}),
                    "min_score": min(scores), "max_score": max(scores)})
    return sorted(out, key=lambda c: (-c["size"], c["plans"][0]["household_no"]))


def _contradictions(docs: list[PlanDoc], facts, rules_for, policy_for) -> list[dict]:
    out = []
    for d in docs:
        f = facts.get(d.household_id)
        if f is None or not d.measures:
            continue
        rules = rules_for(d.village_code)
        if not rules:
            continue
        policy = policy_for(d.village_code)
        for m in d.measures:
            relevant = [r for r in rules if r.measure_type == m["measure_type"]]
            for hit in hits(relevant, f, policy):
                out.append({**d.brief(), "measure": m, "rule": hit.rule, "facts": hit.facts, "policy": hit.policy,
                            "why": f"{m['measure_label']}“{m['content']}”：{hit.rule['explanation']}"})
    return out


def detect(plans: QuerySet, *, year: int, focus: int | None = None) -> list[VillageFindings]:
    """Findings per village (villages with plans only), in village-code order.

    With `focus` (a plan id; `plans` then holds that plan's village) only what concerns that plan:
    its pairs with the village's other plans and its own contradictions — O(n), for the household page."""
    docs = _load(plans, year=year)
    if not docs:
        return []
    checked_plans = plans.filter(year=year) if focus is None else plans.filter(year=year, pk=focus)
    facts = household_facts(Household.objects.filter(pk__in=checked_plans.order_by().values("household_id")),
                            year=year)
    rules_for = rule_resolver(year=year, kind=RuleKind.CONTRADICT)
    by_village: dict[str, list[PlanDoc]] = {}
    for d in docs:
        by_village.setdefault(d.village_code, []).append(d)
    villages = sorted(by_village)
    policy_for = policy_resolver([rules_for(v) for v in villages], year=year)
    policy_rows = _policy_for(year)
    comparer = Comparer()
    out = []
    for v in villages:
        mine = by_village[v]
        row, min_row = policy_rows(v)
        pairs, clusters = _copies(mine, row, min_row, comparer, focus)
        checked = mine if focus is None else [d for d in mine if d.plan_id == focus]
        out.append(VillageFindings(
            village_code=v, plans=len(mine), threshold=row.explain() if row else None,
            min_measures=min_row.explain() if min_row else None, pairs=pairs,
            clusters=clusters, contradictions=_contradictions(checked, facts, rules_for, policy_for)))
    return out

"""The poverty-measures report of a region and year: FGT(0, 1, 2) against each village's poverty line
and the Alkire-Foster index, both decomposed by child region, every policy row used listed.

One document (`measures_report(...)`) feeds the page, the API and `fupin poverty_measures --json`,
so they show the same numbers. Queries: the households' year rows, the members, the policy rows
(two: per-village keys and the region's AF keys), the child regions and the names of the regions
that set a policy row — a fixed number whatever the size of the region.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from fupin.policy.selectors import PolicyMissing, resolve_many, resolver
from fupin.regions.models import Region
from fupin.regions.selectors import region_children

from . import af, fgt
from .loader import POPULATION_DEFINITION, load_households, load_members

VILLAGE_KEYS = ("poverty_line", "exit.compulsory_school_age_from", "exit.compulsory_school_age_to",
                "exit.unsafe_danger_grades")
AF_KEYS = (af.INDICATORS_KEY, af.K_KEY)
OTHER = {"code": "", "name": "未归入下级区划", "level": ""}


class MeasuresError(Exception):
    """A report that cannot be made (a policy value missing or unusable); the message is Chinese."""


def r6(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _region_ref(region: Region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level}


def _group_of(children: list[Region]) -> Callable[[str], str]:
    """village code → the code of the child region containing it ("" when none does)."""
    prefixes = {}
    for child in children:
        prefixes.setdefault(len(child.prefix), {})[child.prefix] = child.code
    lengths = sorted(prefixes, reverse=True)

    def group(village_code: str) -> str:
        for n in lengths:
            found = prefixes[n].get(village_code[:n])
            if found:
                return found
        return ""

    return group


def _policy_rows(rows: list[dict], extra: dict[tuple, dict] | None = None) -> list[dict]:
    names = dict(Region.objects.filter(code__in={r["region_code"] for r in rows}).values_list("code", "name"))
    return [{**r, "region_name": names.get(r["region_code"], ""), **(extra or {}).get(_row_key(r), {})}
            for r in rows]


def _row_key(row: dict) -> tuple:
    return row["key"], row["region_code"], row["year_from"]


def measures_report(region: Region, *, year: int, household_years: QuerySet, members: QuerySet) -> dict:
    """Raises MeasuresError when the year has no poverty line or the AF policy is unusable."""
    try:
        policy_for = resolver(VILLAGE_KEYS, year=year)
        own = policy_for(region.code)
        af_policy = resolve_many(AF_KEYS, year=year, region_code=region.code)
        indicators = af.parse_indicators(af_policy[af.INDICATORS_KEY].value)
        k = af.parse_k(af_policy[af.K_KEY].value)
        households = load_households(household_years, region=region, year=year)
        by_household = load_members(members, region=region, year=year)
        children = list(region_children(region))
        group_of = _group_of(children)
        fgt_rows, af_rows, used, lines = [], [], {}, {}
        for h in households:
            policy = policy_for(h["village_id"])
            group, weight = group_of(h["village_id"]), h["household_size"]
            line = policy["poverty_line"]
            fgt_rows.append((group, h["per_capita_income"], weight, line.value))
            tally = lines.setdefault(_row_key(line.explain()), {**line.explain(), "households": 0, "persons": 0})
            tally["households"] += 1
            tally["persons"] += weight
            deprived = af.deprivations(
                h, by_household.get(h["household_id"], []), indicators=indicators,
                school_ages=(int(policy["exit.compulsory_school_age_from"].value),
                             int(policy["exit.compulsory_school_age_to"].value)),
                unsafe_grades=policy["exit.unsafe_danger_grades"].value)
            af_rows.append((group, weight, deprived))
            for key in VILLAGE_KEYS[1:]:
                used.setdefault(_row_key(policy[key].explain()), policy[key].explain())
    except PolicyMissing as exc:
        raise MeasuresError(str(exc)) from None
    except ValidationError as exc:
        raise MeasuresError(f"多维贫困政策参数无效：{'；'.join(exc.messages)}") from None

    missing_member_data = sum(1 for h in households for m in by_household.get(h["household_id"], [])
                              if m["year"] is None)
    own_line = own["poverty_line"].explain()
    explained_lines = [lines.get(_row_key(own_line)) or {**own_line, "households": 0, "persons": 0}]
    explained_lines += [row for key, row in sorted(lines.items()) if key != _row_key(own_line)]
    fgt_decomposition = fgt.decompose(fgt_rows)
    af_total, af_groups = af.decompose(af_rows, indicators=indicators, k=k)
    for key in VILLAGE_KEYS[1:]:
        used.setdefault(_row_key(own[key].explain()), own[key].explain())
    refs = {c.code: _region_ref(c) for c in children}
    total = fgt_decomposition.total
    return {
        "region": _region_ref(region),
        "year": year,
        "population": {"definition": POPULATION_DEFINITION, "households": total.households, "persons": total.persons,
                       "zero_size_households": sum(1 for h in households if not h["household_size"]),
                       "members_missing_year_data": missing_member_data},
        "fgt": _fgt_dict(fgt_decomposition, refs, explained_lines),
        "af": _af_dict(af_total, af_groups, refs, indicators, k,
                       _policy_rows([p.explain() for p in af_policy.values()] + sorted(used.values(), key=_sort))),
    }


def _sort(row: dict) -> tuple:
    return row["key"], row["region_code"], row["year_from"]


def _ordered(groups: list, refs: dict[str, dict], empty: Callable[[str], object]) -> list[tuple[dict, object]]:
    """(region ref, group) for every child in code order (children without data get `empty`),
    then households under no child region."""
    found = {g.group: g for g in groups}
    out = [(ref, found.get(code) or empty(code)) for code, ref in sorted(refs.items())]
    if "" in found:
        out.append((OTHER, found[""]))
    return out


def _triple(values: dict[int, Fraction | None]) -> dict:
    return {f"fgt{a}": r6(values[a]) for a in fgt.ALPHAS}


def _fgt_dict(dec: fgt.Decomposition, refs: dict, lines: list[dict]) -> dict:
    total = dec.total

    def empty(code):
        return fgt.GroupShare(code, fgt.FgtSums(), Fraction(0) if total.persons else None,
                              dict.fromkeys(fgt.ALPHAS), {a: Fraction(0) if total.persons else None for a in fgt.ALPHAS})

    return {
        "definition": fgt.DEFINITION,
        "lines": _policy_rows(lines),
        "poor_households": total.poor_households,
        "poor_persons": total.poor_persons,
        "indices": [{"alpha": a, "code": f"fgt{a}", "label": fgt.LABELS[a], "value": r6(total.index(a))}
                    for a in fgt.ALPHAS],
        "decomposition": [
            {"region": ref, "households": g.sums.households, "persons": g.sums.persons,
             "poor_persons": g.sums.poor_persons, "population_share": r6(g.share),
             "indices": _triple(g.indices), "contributions": _triple(g.contributions)}
            for ref, g in _ordered(dec.groups, refs, empty)],
        "contribution_sums": _triple({a: dec.contribution_sum(a) for a in fgt.ALPHAS}),
        "adds_up": dec.adds_up(),
    }


def _af_dict(total: af.AfSums, groups: list[af.AfGroup], refs: dict, indicators: list[af.Indicator], k: Fraction,
             policy: list[dict]) -> dict:
    def empty(code):
        return af.AfGroup(code, af.AfSums(indicators, k), Fraction(0) if total.persons else None,
                          Fraction(0) if total.M0 else None)

    contributions = [total.contribution(i.code) for i in indicators]
    ordered = _ordered(groups, refs, empty)
    return {
        "definition": af.DEFINITION,
        "k": str(k),
        "k_value": r6(k),
        "households": total.households,
        "persons": total.persons,
        "poor_households": total.poor_households,
        "poor_persons": total.poor_persons,
        "H": r6(total.H),
        "A": r6(total.A),
        "M0": r6(total.M0),
        "indicators": [{**ind.as_dict(), "uncensored_headcount": r6(total.uncensored_ratio(ind.code)),
                        "censored_headcount": r6(total.censored_ratio(ind.code)), "contribution": r6(c)}
                       for ind, c in zip(indicators, contributions, strict=True)],
        "indicator_contribution_sum": r6(sum(contributions, Fraction(0))) if total.M0 else None,
        "decomposition": [
            {"region": ref, "households": g.sums.households, "persons": g.sums.persons,
             "poor_persons": g.sums.poor_persons, "population_share": r6(g.share), "H": r6(g.sums.H),
             "A": r6(g.sums.A), "M0": r6(g.sums.M0), "contribution": r6(g.contribution)}
            for ref, g in ordered],
        "region_contribution_sum": r6(sum((g.contribution for _, g in ordered), Fraction(0))) if total.M0 else None,
        "policy": policy,
    }

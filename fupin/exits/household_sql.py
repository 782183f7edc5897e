"""The household exit assessment as one query: the database decides every indicator of every household.

Policy groups: the four policy keys are resolved once (one query). A village resolves exactly like
the most specific region above it that has rows of its own, so the villages fall into a few groups —
the region's own standard (national unless a province set its own) and one per overriding region
inside it — each a code range. Each household's group is a CASE over those ranges, most specific
first; a threshold that differs between groups (a provincial poverty line) becomes a CASE too, one
that does not is a plain parameter.

Indicators: `flags` holds one bit per indicator (bit i = INDICATORS[i] passed), each a CASE whose
failing branches come first, so a missing year row fails the indicators it feeds (LEFT JOIN of the
year's row: `hy__id IS NULL`). 义务教育 and 基本医疗 read the current members (born on or before
31 December, not left by then) with their year rows: on PostgreSQL joined and counted per
household (a hash aggregate), on SQLite as EXISTS subqueries (index lookups) — the same conditions,
the plan each engine runs best. Age on 31 December is the year minus the birth year, so the
compulsory ages are a range of birth dates.

The explanation's inputs (year rows, members) are not in the streamed row: `explanation_inputs`
reads them for a chunk of households when an explanation is first wanted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from fupin.policy.selectors import PolicyMissing, Resolved, resolver
from fupin.regions.codes import NATION_CODE, ancestor_codes, level_of, prefix_of, subtree_range
from fupin.registry.choices import SchoolStatus
from fupin.registry.models import HouseholdYear, Member

from .household_explain import CODES, HOUSEHOLD_YEAR_FIELDS, MEMBER_YEAR_FIELDS, POLICY_KEYS, reference_date

BITS = {code: 1 << i for i, code in enumerate(CODES)}
ALL_PASSED = sum(BITS.values())

# The columns of one streamed household row, in this order (`assessment_rows(...).values_list`).
HOUSEHOLD_FIELDS = ("id", "household_no", "head_name", "village_id", "status")
ROW_FIELDS = (*HOUSEHOLD_FIELDS, "pgroup", "flags")


@dataclass
class PolicyGroup:
    """The villages that resolve like `region_code` (the most specific region with its own rows)."""

    index: int
    region_code: str
    low: str
    high: str
    policy: dict[str, Resolved] | None  # None when a key has no value for the year (error says which)
    error: str | None = None
    rows: list[dict] = field(default_factory=list)  # the policy rows used, explained

    def range_q(self) -> Q:
        return Q(village_id__gte=self.low, village_id__lte=self.high)

    def value(self, key: str):
        return self.policy[key].value if self.policy else None


def _depth(code: str) -> int:
    return len(prefix_of(code, level_of(code)))


def policy_groups(*, year: int, region_code: str = NATION_CODE, strict: bool = True) -> list[PolicyGroup]:
    """The policy groups of the villages under `region_code` (one query): the region's own first,
    then the overriding regions inside it, most specific first. `strict`: raise PolicyMissing when
    the region's own standard is incomplete (a group of a region inside it fails only when one of its
    households is assessed)."""
    resolve_for = resolver(POLICY_KEYS, year=year)
    if strict:
        resolve_for(region_code)
    codes = resolve_for.region_codes
    ancestors = ancestor_codes(region_code)
    own = next((c for c in reversed(ancestors) if c in codes), NATION_CODE)
    inside = subtree_range(region_code)
    specific = sorted((c for c in codes if c in inside and c not in ancestors), key=lambda c: (-_depth(c), c))
    groups = []
    for index, code in enumerate([own, *specific]):
        rng = subtree_range(code if index else region_code)
        try:
            policy = resolve_for(code if index else region_code)
        except PolicyMissing as exc:
            groups.append(PolicyGroup(index, code, rng.low, rng.high, None, str(exc)))
            continue
        groups.append(PolicyGroup(index, code, rng.low, rng.high, policy, rows=[policy[k].explain() for k in POLICY_KEYS]))
    return groups


def _contains(outer: PolicyGroup, inner: PolicyGroup) -> bool:
    return outer.low <= inner.low and inner.high <= outer.high


def by_group(groups: list[PolicyGroup], value_of: Callable[[PolicyGroup], object], make: Callable[[object], object],
             output_field) -> object:
    """`make(value)` where value is the household's group's: a plain expression when every group
    has the same value, else a CASE over the ranges of the groups whose value differs from the one
    they would otherwise fall back to (the nearest enclosing group's)."""
    default, specific = groups[0], groups[1:]
    whens = []
    for i, g in enumerate(specific):
        enclosing = next((h for h in specific[i + 1:] if _contains(h, g)), default)
        if value_of(g) != value_of(enclosing):
            whens.append(When(g.range_q(), then=make(value_of(g))))
    if not whens:
        return make(value_of(default))
    return Case(*whens, default=make(value_of(default)), output_field=output_field)


def group_index(groups: list[PolicyGroup]):
    if len(groups) == 1:
        return Value(0, output_field=IntegerField())
    return Case(*(When(g.range_q(), then=Value(g.index)) for g in groups[1:]), default=Value(0),
                output_field=IntegerField())


def _unsafe_house(grades) -> object:
    if not grades:
        return Value(False)
    return ExpressionWrapper(Q(hy__danger_grade__in=list(grades), hy__relocated=False), output_field=BooleanField())


def _flag(code: str, *failing) -> Case:
    return Case(*(When(f, then=Value(0)) for f in failing), default=Value(BITS[code]), output_field=IntegerField())


def _birth_bounds(groups: list[PolicyGroup], year: int) -> tuple[object, object]:
    """Compulsory school age on 31 December (age = year − birth year) as a range of birth dates."""
    def ages(g: PolicyGroup):
        return (int(g.value("exit.compulsory_school_age_from")), int(g.value("exit.compulsory_school_age_to"))) \
            if g.policy else None

    def day(value: date | None) -> Value:
        return Value(value, output_field=DateField())

    born_from = by_group(groups, ages, lambda a: day(date(year - a[1], 1, 1) if a else None), DateField())
    born_to = by_group(groups, ages, lambda a: day(date(year - a[0], 12, 31) if a else None), DateField())
    return born_from, born_to


def _members_joined(qs: QuerySet, *, year: int, day: date) -> tuple[QuerySet, list, list]:
    """PostgreSQL: join the current members and their year rows, count per household (hash
    aggregate; correlated EXISTS would be planned at a cost that triggers JIT compilation)."""
    qs = qs.annotate(
        cm=FilteredRelation("members", condition=(Q(members__left_on__isnull=True) | Q(members__left_on__gt=day))
                            & Q(members__birth_date__lte=day)),
        cmy=FilteredRelation("cm__years", condition=Q(cm__years__year=year)))
    qs = qs.annotate(
        members_n=Count("cm"),
        uninsured_n=Count("cm", filter=Q(cmy__id__isnull=True) | Q(cmy__resident_medical_insurance=False,
                                                                    cmy__employee_medical_insurance=False)),
        out_of_school_n=Count("cm", filter=Q(cm__birth_date__gte=F("born_from"), cm__birth_date__lte=F("born_to"))
                              & (Q(cmy__id__isnull=True) | Q(cmy__school_status=SchoolStatus.NOT_STUDENT)
                                 | Q(cmy__dropout=True))))
    return qs, [Q(out_of_school_n__gt=0)], [Q(members_n=0), Q(uninsured_n__gt=0)]


def _members_exist(qs: QuerySet, *, year: int, day: date) -> tuple[QuerySet, list, list]:
    """SQLite: EXISTS subqueries over the current members (index lookups per household; a GROUP BY
    over the join would sort every row)."""
    current = Member.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=day), household_id=OuterRef("pk"),
                                    birth_date__lte=day).annotate(
        my=FilteredRelation("years", condition=Q(years__year=year)))
    out_of_school = Exists(current.filter(birth_date__gte=OuterRef("born_from"), birth_date__lte=OuterRef("born_to"))
                           .filter(Q(my__id__isnull=True) | Q(my__school_status=SchoolStatus.NOT_STUDENT)
                                   | Q(my__dropout=True)))
    uninsured = Exists(current.filter(Q(my__id__isnull=True) | Q(my__resident_medical_insurance=False,
                                                                 my__employee_medical_insurance=False)))
    return qs, [out_of_school], [~Exists(current), uninsured]


def assessment_rows(households: QuerySet, *, year: int, groups: list[PolicyGroup]) -> QuerySet:
    """`households` annotated with `pgroup` (index into `groups`) and `flags` (bit per indicator)."""
    day = reference_date(year)
    born_from, born_to = _birth_bounds(groups, year)
    qs = households.annotate(hy=FilteredRelation("years", condition=Q(years__year=year)),
                             born_from=born_from, born_to=born_to)
    joined = connections[households.db].vendor == "postgresql"
    qs, education_fails, medical_fails = (_members_joined if joined else _members_exist)(qs, year=year, day=day)
    no_year = Q(hy__id__isnull=True)
    money = DecimalField(max_digits=14, decimal_places=2)
    line = by_group(groups, lambda g: g.value("poverty_line"),
                    lambda v: Value(None if v is None else Decimal(str(v)), output_field=money), money)
    unsafe = by_group(groups, lambda g: tuple(g.value("exit.unsafe_danger_grades") or ()) if g.policy else None,
                      _unsafe_house, BooleanField())
    year_bits = (
        _flag("income", no_year, Q(hy__per_capita_income__lte=line))
        + _flag("two_no_worries", no_year, Q(hy__food_secure=False) | Q(hy__clothing_secure=False))
        + _flag("housing", no_year, unsafe)
        + _flag("water", no_year, Q(hy__drinking_water_safe=False) | Q(hy__drinking_water_difficult=True))
    )
    pgroup = group_index(groups)
    if joined:  # grouped by the household's id alone: its year row and group are the same on every member row
        year_bits, pgroup = Max(year_bits), Max(pgroup)
    flags = year_bits + _flag("education", *education_fails) + _flag("medical", *medical_fails)
    return qs.annotate(pgroup=pgroup, flags=ExpressionWrapper(flags, output_field=IntegerField()))


def counts(rows: QuerySet, groups: list[PolicyGroup]) -> dict:
    """One aggregate over the assessed rows: households, passed, failed per indicator and
    households per policy group ({"households", "passed", "failed": {code: n}, "groups": {index: n}})."""
    rows = rows.annotate(**{f"bit_{code}": F("flags").bitand(bit) for code, bit in BITS.items()})
    aggregates = {"households": Count("id"), "passed": Count("id", filter=Q(flags=ALL_PASSED)),
                  **{f"failed_{code}": Count("id", filter=Q(**{f"bit_{code}": 0})) for code in CODES},
                  **{f"group_{g.index}": Count("id", filter=Q(pgroup=g.index)) for g in groups}}
    found = rows.order_by().aggregate(**aggregates)
    return {"households": found["households"], "passed": found["passed"],
            "failed": {code: found[f"failed_{code}"] for code in CODES},
            "groups": {g.index: found[f"group_{g.index}"] for g in groups if found[f"group_{g.index}"]}}


def explanation_inputs(household_ids: list[int], *, year: int) -> tuple[dict[int, dict], dict[int, list[dict]]]:
    """What the explanations of these households read (two queries): their year rows, and their
    current members on 31 December with their year rows."""
    day = reference_date(year)
    years = {row[0]: dict(zip(HOUSEHOLD_YEAR_FIELDS, row[1:], strict=True)) for row in
             HouseholdYear.objects.filter(household_id__in=household_ids, year=year)
             .values_list("household_id", *HOUSEHOLD_YEAR_FIELDS).order_by()}
    my_cols = [f"my__{f}" for f in MEMBER_YEAR_FIELDS]
    rows = (Member.objects.filter(household_id__in=household_ids)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=day), birth_date__lte=day)
            .annotate(my=FilteredRelation("years", condition=Q(years__year=year)))
            .values_list("id", "household_id", "name", "birth_date", *my_cols).order_by("household_id", "id"))
    members: dict[int, list[dict]] = {}
    for mid, hid, name, birth, *my in rows:
        year_row = dict(zip(MEMBER_YEAR_FIELDS, my, strict=True)) if my[0] is not None else None
        members.setdefault(hid, []).append({"id": mid, "name": name, "birth_date": birth, "year": year_row})
    return years, members

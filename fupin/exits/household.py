"""Household exit assessment (贫困户退出评估): each household against the year's exit standard.

A household may exit when, for the year assessed (DOMAIN §Exit):
- 收入: 年人均纯收入 strictly above the poverty line of its village (a province may set a higher
  line: `poverty_line` is resolved per village, most specific region first);
- 两不愁: food and clothing secure;
- 三保障: 义务教育 (every current member of compulsory school age — age on 31 December within
  `exit.compulsory_school_age_from`..`_to` — is a student and has not dropped out), 基本医疗
  (every current member has resident or employee basic medical insurance) and 住房安全 (danger
  grade not in `exit.unsafe_danger_grades`, or relocated by 易地扶贫搬迁);
- 饮水安全: drinking water safe and not difficult.

Nothing is guessed: a missing year row fails the indicators it feeds, naming what is missing.
Every indicator carries the values it used; every assessment the policy rows (with their source).

Set-based and streaming (`household_sql`): the database computes every indicator of every
household in one query, streamed in chunks, so a province costs no more memory than a village.
An assessment's explanation (values and Chinese reasons, `household_explain`) is built when first
read, from the year rows and members of its whole chunk, read at once (two queries per chunk, none
when only pass/fail is read).

Queries: policy rows (one), the households with their indicators (one, streamed), the year rows and
members of a chunk when an explanation is read (two per chunk of CHUNK_SIZE households);
`RegionAssessment.summary()` is one aggregate. Callers check scope first (`assess_household`) or
pass the user (the region functions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet

from fupin.accounts.scope import in_code_range
from fupin.policy.selectors import PolicyMissing, resolve_many
from fupin.regions.codes import NATION_CODE, subtree_range
from fupin.registry.choices import POOR_STATUSES, HouseholdStatus
from fupin.registry.models import Household

from .household_explain import (  # noqa: F401 — the assessment's vocabulary, imported from here by callers
    CODES,
    INDICATORS,
    LABELS,
    POLICY_KEYS,
    SHORT_LABELS,
    Indicator,
    age_on,
    explain,
    reference_date,
)
from .household_sql import (
    ALL_PASSED,
    BITS,
    ROW_FIELDS,
    PolicyGroup,
    assessment_rows,
    counts,
    explanation_inputs,
    policy_groups,
)

CHUNK_SIZE = 2000
STATUS_LABELS = dict(HouseholdStatus.choices)
BIT_ORDER = tuple(BITS[code] for code in CODES)
ALL_STATUSES = frozenset(HouseholdStatus.values)
ORDER = ("village_id", "household_no", "id")


class _Chunk:
    """Households streamed together: what their explanations read (year rows, members) is loaded
    once, for all of them, when the first explanation is read."""

    __slots__ = ("ids", "year", "_inputs")

    def __init__(self, ids: list[int], year: int):
        self.ids, self.year, self._inputs = ids, year, None

    def inputs(self, household_id: int) -> tuple[dict | None, list[dict]]:
        if self._inputs is None:
            self._inputs = explanation_inputs(self.ids, year=self.year)
        years, members = self._inputs
        return years.get(household_id), members.get(household_id, [])


class HouseholdAssessment:
    """One household's assessment: pass/fail per indicator from the database (`checks`, `results`,
    `passed`), the explanation (`indicators`: values and reasons) built when first read."""

    __slots__ = ("household_id", "household_no", "head_name", "village_code", "status", "year", "flags",
                 "_group", "_chunk", "_indicators")

    def __init__(self, row: tuple, *, year: int, group: PolicyGroup, chunk: _Chunk):
        self.household_id, self.household_no, self.head_name, self.village_code, self.status = row[:5]
        self.year, self.flags = year, row[-1]
        self._group, self._chunk, self._indicators = group, chunk, None

    @property
    def passed(self) -> bool:
        return self.flags == ALL_PASSED

    @property
    def checks(self) -> tuple[bool, ...]:
        """Passed or not per indicator, in the order of INDICATORS (computed by the database)."""
        flags = self.flags
        return tuple(flags & bit != 0 for bit in BIT_ORDER)

    @property
    def results(self) -> dict[str, bool]:
        """code → passed, in the order of INDICATORS (computed by the database)."""
        return dict(zip(CODES, self.checks, strict=True))

    @property
    def policy(self) -> list[dict]:
        return self._group.rows

    @property
    def indicators(self) -> list[Indicator]:
        if self._indicators is None:
            hy, members = self._chunk.inputs(self.household_id)
            self._indicators = explain(hy, members, year=self.year, policy=self._group.policy)
        return self._indicators

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def failed(self) -> list[Indicator]:
        return [i for i in self.indicators if not i.passed]

    def failed_labels(self) -> list[str]:
        return [LABELS[code] for code, ok in self.results.items() if not ok]

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def as_dict(self, *, with_policy: bool = True) -> dict:
        data = {"household_id": self.household_id, "household_no": self.household_no, "head_name": self.head_name,
                "village_code": self.village_code, "status": self.status, "status_label": self.status_label,
                "year": self.year, "passed": self.passed, "failed_labels": self.failed_labels(),
                "indicators": [i.as_dict() for i in self.indicators]}
        if with_policy:
            data["policy"] = self.policy
        return data

    def __repr__(self) -> str:
        return f"<HouseholdAssessment {self.household_no} {self.year} passed={self.passed}>"


def _assessments(rows: Iterable[tuple], *, year: int, groups: list[PolicyGroup],
                 chunk_size: int = CHUNK_SIZE) -> Iterator[HouseholdAssessment]:
    rows = iter(rows)
    while batch := list(islice(rows, chunk_size)):
        chunk = _Chunk([r[0] for r in batch], year)
        for r in batch:
            group = groups[r[5]]
            if group.error:
                raise PolicyMissing(group.error)
            yield HouseholdAssessment(r, year=year, group=group, chunk=chunk)


def _households(*, region_code: str, user, statuses) -> QuerySet:
    if user is not None:
        from fupin.registry.selectors import households_visible_to

        qs = households_visible_to(user)
    else:
        qs = Household.objects.all()
    qs = qs.filter(in_code_range("village_id", subtree_range(region_code)))
    if set(statuses) != ALL_STATUSES:  # every status: no filter (it would steer the plan)
        qs = qs.filter(status__in=list(statuses))
    return qs


def _merge_policy_rows(rows: Iterable[dict]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for row in rows:
        seen.setdefault((row["key"], row["region_code"], row["year_from"]), row)
    order = {k: i for i, k in enumerate(POLICY_KEYS)}
    return sorted(seen.values(), key=lambda r: (order.get(r["key"], 99), r["region_code"], r["year_from"]))


class RegionAssessment:
    """Every household under `region_code` whose status is in `statuses` (the poor ones by default),
    in village and household-number order; only those `user` may see when given. Lazy: `summary()`
    and `policy_rows()` come from one aggregate query, iterating streams every household, a slice
    (a page) reads only those rows. Raises PolicyMissing when the region has no standard for the year
    (at once) or a village under it lacks a value (when its households are counted or read)."""

    def __init__(self, *, year: int, region_code: str, user=None, statuses=POOR_STATUSES,
                 chunk_size: int = CHUNK_SIZE, _failed_only: bool = False, _parent: RegionAssessment | None = None):
        self.year, self.region_code, self.chunk_size, self.failed_only = year, region_code, chunk_size, _failed_only
        if _parent is None:
            self.groups = policy_groups(year=year, region_code=region_code)
            self.rows = assessment_rows(_households(region_code=region_code, user=user, statuses=statuses),
                                        year=year, groups=self.groups)
            self._counts: dict | None = None
        else:
            self.groups, self.rows, self._parent = _parent.groups, _parent.rows, _parent
        self._root = _parent or self

    def failed(self) -> RegionAssessment:
        """The households that do not meet the standard (the summary stays that of all)."""
        return RegionAssessment(year=self.year, region_code=self.region_code, chunk_size=self.chunk_size,
                                _failed_only=True, _parent=self._root)

    def _listed(self) -> QuerySet:
        rows = self.rows.filter(flags__lt=ALL_PASSED) if self.failed_only else self.rows
        return rows.values_list(*ROW_FIELDS).order_by(*ORDER)

    def counts(self) -> dict:
        """Households, passed, failed per indicator and per policy group: one aggregate query (cached)."""
        root = self._root
        if root._counts is None:
            found = counts(root.rows, root.groups)
            for group in found["groups"]:
                if root.groups[group].error:
                    raise PolicyMissing(root.groups[group].error)
            root._counts = found
        return root._counts

    def summary(self) -> dict:
        """Households assessed, passed and failed, and per indicator how many failed it (all households)."""
        found = self.counts()
        return _summary_dict(found["households"], found["passed"], found["failed"])

    def policy_rows(self) -> list[dict]:
        """The policy rows of the region itself, then those of every overriding region that has households."""
        used = sorted(self.counts()["groups"])
        return _merge_policy_rows([*self.groups[0].rows, *(r for g in used for r in self.groups[g].rows)])

    def count(self) -> int:
        total = self.summary()
        return total["failed"] if self.failed_only else total["households"]

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[HouseholdAssessment]:
        rows = self._listed().iterator(chunk_size=self.chunk_size)
        return _assessments(rows, year=self.year, groups=self.groups, chunk_size=self.chunk_size)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(_assessments(self._listed()[index], year=self.year, groups=self.groups))
        return self[index:index + 1][0]


def _summary_dict(total: int, passed: int, failed_by: dict[str, int]) -> dict:
    return {"households": total, "passed": passed, "failed": total - passed,
            "indicators": [{"code": code, "label": label, "short_label": short, "failed": failed_by[code],
                            "passed": total - failed_by[code]} for code, label, short in INDICATORS]}


def region_assessment(*, year: int, region_code: str, user=None, statuses=POOR_STATUSES,
                      chunk_size: int = CHUNK_SIZE) -> RegionAssessment:
    return RegionAssessment(year=year, region_code=region_code, user=user, statuses=statuses, chunk_size=chunk_size)


def iter_assessments(*, year: int, region_code: str, user=None, statuses=POOR_STATUSES, failed_only: bool = False,
                     chunk_size: int = CHUNK_SIZE) -> Iterator[HouseholdAssessment]:
    """Stream the assessments of every household under the region (memory: one chunk). Raises
    PolicyMissing at once when the region has no standard for the year."""
    region = region_assessment(year=year, region_code=region_code, user=user, statuses=statuses,
                               chunk_size=chunk_size)
    return iter(region.failed() if failed_only else region)


def summarize_region(*, year: int, region_code: str, user=None, statuses=POOR_STATUSES) -> dict:
    """`summarize` of every household under the region, from one aggregate query."""
    return region_assessment(year=year, region_code=region_code, user=user, statuses=statuses).summary()


def assess_household(*, household_id: int, year: int) -> HouseholdAssessment:
    """One household, whatever its status. No scope check: the caller has opened the household
    through `registry.selectors.household_access` (or is a service that has checked scope).
    Raises Household.DoesNotExist, or PolicyMissing when the year has no standard."""
    groups = policy_groups(year=year, region_code=NATION_CODE, strict=False)
    rows = assessment_rows(Household.objects.filter(pk=household_id), year=year, groups=groups)
    result = list(_assessments(rows.values_list(*ROW_FIELDS), year=year, groups=groups))
    if not result:
        raise Household.DoesNotExist(f"贫困户 {household_id} 不存在")
    return result[0]


def assess_households(*, year: int, region_code: str, user=None, statuses=POOR_STATUSES,
                      progress: Callable[[Iterable, int], Iterable] | None = None) -> list[HouseholdAssessment]:
    """Every household of `region_assessment` as a list (for a village or a page; a whole region
    should be streamed with `iter_assessments`). `progress(items, total)` may wrap the loop."""
    items = list(region_assessment(year=year, region_code=region_code, user=user, statuses=statuses))
    if progress:
        items = list(progress(items, len(items)))
    return items


def summarize(assessments: Iterable[HouseholdAssessment]) -> dict:
    """Households assessed, passed and failed, and per indicator how many failed it."""
    failed_by = dict.fromkeys(CODES, 0)
    total = passed = 0
    for a in assessments:
        total += 1
        passed += a.passed
        for code, ok in a.results.items():
            failed_by[code] += not ok
    return _summary_dict(total, passed, failed_by)


def policy_rows(assessments: Iterable[HouseholdAssessment], *, year: int | None = None,
                region_code: str | None = None) -> list[dict]:
    """The distinct policy rows the assessments used (one set per village; a province's override
    shows up beside the national row). With `year` and `region_code`, the rows that apply to the
    region itself come first (one query), so an empty region still shows its standard."""
    own = resolve_many(POLICY_KEYS, year=year, region_code=region_code) if year and region_code else {}
    return _merge_policy_rows([*(r.explain() for r in own.values()), *(row for a in assessments for row in a.policy)])

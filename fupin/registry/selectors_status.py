"""Status history reads (户状态变动): the registry as of any date, and yearly counts by kind.

Every status change is a `HouseholdStatusEvent` with its kind (新识别, 已脱贫, 返贫, 清退, 自然减少 …)
and the date it took effect. A household's status on a day is the `to_status` of its latest
event effective on or before that day (ties broken by when it was recorded, then by id); a
household with no event by then was not in the registry yet. The yearly 脱贫 and 返贫 counts are
counted from these events, never from the households' current status.

Everything is set-based: the status on a day is a correlated subquery on the (household,
effective_on) index, counts are one GROUP BY — a fixed number of queries whatever the number of
households. The public functions are scoped through `fupin.accounts.scope` (a cadre sees their
paired households only); the `*_in_region` ones see the whole region and serve the CLI, an
administrator's tool, as `check_quality` does.
"""

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear, NullIf

from fupin.accounts.scope import in_code_range, scoped
from fupin.regions.codes import subtree_range

from .choices import HouseholdStatus, StatusEventKind
from .models import Household, HouseholdStatusEvent, HouseholdYear, Member
from .selectors import households_visible_to

EVENT_SCOPE = {"region_field": "household__village_id", "cadre_field": "household__helper_id"}
# Statuses of households no longer in the registry: 清退 (wrongly filed) and 自然减少 (ceased).
OUT_OF_REGISTRY = frozenset({HouseholdStatus.REMOVED, HouseholdStatus.CANCELLED})


# --- Building blocks ----------------------------------------------------------------------------

def status_on_expr(on: date, *, household_ref: str = "pk") -> Subquery:
    """The status the outer row's household had on `on`: the latest event effective by then."""
    latest = (HouseholdStatusEvent.objects.filter(household_id=OuterRef(household_ref), effective_on__lte=on)
              .order_by("-effective_on", "-at", "-id"))
    return Subquery(latest.values("to_status")[:1])


def present_members(on: date) -> Q:
    """Members of a household on `on`: born by then and not left by then (left_on null or later)."""
    return Q(birth_date__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))


def persons_on_expr(on: date, *, household_ref: str = "pk"):
    present = (Member.objects.filter(present_members(on), household_id=OuterRef(household_ref)).order_by()
               .values("household_id").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(present[:1], output_field=IntegerField()), Value(0))


def _households_in(households: QuerySet, region_code: str) -> QuerySet[Household]:
    return households.filter(in_code_range("village_id", subtree_range(region_code)))


def _events_visible_to(user) -> QuerySet[HouseholdStatusEvent]:
    return scoped(HouseholdStatusEvent.objects.all(), user, **EVENT_SCOPE)


def _events_in(events: QuerySet, region_code: str) -> QuerySet[HouseholdStatusEvent]:
    return events.filter(in_code_range("household__village_id", subtree_range(region_code)))


# --- The registry as of a date ------------------------------------------------------------------

def _as_of(households: QuerySet, on: date) -> QuerySet[Household]:
    return (households.annotate(status_on=status_on_expr(on)).filter(status_on__isnull=False)
            .order_by("household_no"))


def registry_as_of(user, *, on: date, region_code: str, status: str | None = None) -> QuerySet[Household]:
    """Households under `region_code` the user may see that were in the registry on `on` (had an
    event effective by then), each annotated with `status_on` (its status that day) and
    `persons_on` (members present that day). Removed (已清退) and ceased (已销户) households stay
    in the history with that status. Ordered by household number; one query per page."""
    qs = _as_of(_households_in(households_visible_to(user), region_code), on)
    if status:
        qs = qs.filter(status_on=status)
    return qs.annotate(persons_on=persons_on_expr(on)).select_related("village")


def _as_of_counts(households: QuerySet, on: date) -> dict:
    rows = (_as_of(households, on).annotate(persons_on=persons_on_expr(on)).order_by()
            .values("status_on").annotate(households=Count("id"), persons=Sum("persons_on")))
    found = {r["status_on"]: r for r in rows}
    by_status = [{"status": s.value, "label": s.label,
                  "households": found.get(s.value, {}).get("households", 0),
                  "persons": found.get(s.value, {}).get("persons") or 0} for s in HouseholdStatus]
    in_registry = [r for r in by_status if r["status"] not in OUT_OF_REGISTRY]
    return {
        "on": on,
        # Households and persons still in the registry that day (not 清退, not 销户).
        "households": sum(r["households"] for r in in_registry),
        "persons": sum(r["persons"] for r in in_registry),
        "by_status": by_status,
    }


def registry_as_of_counts(user, *, on: date, region_code: str) -> dict:
    """Households and persons per status on `on` — one GROUP BY query.

    `persons` of a status counts the members present that day (born by then, not left by then:
    `left_on` null or later). The totals `households`/`persons` leave out 已清退 and 已销户, which
    are no longer in the registry; their rows in `by_status` still count them."""
    return _as_of_counts(_households_in(households_visible_to(user), region_code), on)


def registry_as_of_counts_in_region(*, on: date, region_code: str) -> dict:
    """`registry_as_of_counts` over the whole region, unscoped (CLI only)."""
    return _as_of_counts(_households_in(Household.objects.all(), region_code), on)


# --- Yearly counts of changes by kind -----------------------------------------------------------

def _event_persons():
    """Persons an event concerns: the household size of the event's year (HouseholdYear) if
    recorded and not zero, else the members present on the day it took effect (a member leaving
    that very day — the last one of a 自然减少 — still counts)."""
    size = (HouseholdYear.objects.filter(household_id=OuterRef("household_id"), year=OuterRef("year"))
            .values("household_size")[:1])
    on = OuterRef("effective_on")
    present = (Member.objects.filter(Q(left_on__isnull=True) | Q(left_on__gte=on), household_id=OuterRef("household_id"),
                                     birth_date__lte=on)
               .order_by().values("household_id").annotate(n=Count("id")).values("n")[:1])
    return Coalesce(NullIf(Subquery(size, output_field=IntegerField()), Value(0)),
                    Subquery(present, output_field=IntegerField()), Value(0))


def _change_counts(events: QuerySet, *, year_from: int | None, year_to: int | None) -> dict:
    if year_from is not None:
        events = events.filter(effective_on__gte=date(year_from, 1, 1))
    if year_to is not None:
        events = events.filter(effective_on__lte=date(year_to, 12, 31))
    rows = list(events.annotate(calendar_year=ExtractYear("effective_on"), event_persons=_event_persons())
                .order_by().values("calendar_year", "kind")
                .annotate(households=Count("household_id", distinct=True), events=Count("id"),
                          persons=Sum("event_persons"))
                .order_by("calendar_year", "kind"))
    labels = dict(StatusEventKind.choices)
    flat = [{"year": r["calendar_year"], "kind": r["kind"], "label": str(labels.get(r["kind"], r["kind"])),
             "households": r["households"], "events": r["events"], "persons": r["persons"] or 0} for r in rows]
    by_year: dict[int, dict] = {}
    for r in flat:
        by_year.setdefault(r["year"], {})[r["kind"]] = r
    empty = {"households": 0, "events": 0, "persons": 0}
    years = [{"year": y, "cells": [{"kind": k.value, **{n: cells.get(k.value, empty)[n] for n in empty}}
                                   for k in StatusEventKind]}
             for y, cells in sorted(by_year.items())]
    totals = [{"kind": k.value, "label": k.label,
               **{n: sum(r[n] for r in flat if r["kind"] == k.value) for n in empty}} for k in StatusEventKind]
    return {"year_from": year_from, "year_to": year_to,
            "kinds": [{"kind": k.value, "label": k.label} for k in StatusEventKind],
            "rows": flat, "years": years, "totals": totals}


def status_change_counts(user, *, region_code: str, year_from: int | None = None,
                         year_to: int | None = None) -> dict:
    """Status changes per calendar year of their effective date and per kind under `region_code`,
    as far as the user may see: households (distinct), events and persons — one GROUP BY query.

    Returns `rows` (one per year and kind that occurred), `years` (per year, a cell for every
    kind in StatusEventKind order) and `totals` per kind over the years asked for. The yearly
    脱贫 and 返贫 counts are the `exited` and `returned` cells."""
    return _change_counts(_events_in(_events_visible_to(user), region_code), year_from=year_from, year_to=year_to)


def status_change_counts_in_region(*, region_code: str, year_from: int | None = None,
                                   year_to: int | None = None) -> dict:
    """`status_change_counts` over the whole region, unscoped (CLI only)."""
    return _change_counts(_events_in(HouseholdStatusEvent.objects.all(), region_code),
                          year_from=year_from, year_to=year_to)


# --- One household ------------------------------------------------------------------------------

def household_status_events(user, household: Household) -> QuerySet[HouseholdStatusEvent]:
    """The status history of a household the user has opened through `household_access`, in the
    order the changes took effect."""
    return (_events_visible_to(user).filter(household_id=household.pk)
            .order_by("effective_on", "at", "id"))


def latest_status_event(household: Household) -> HouseholdStatusEvent | None:
    """The household's latest event by effective date (for services validating a new one)."""
    return (HouseholdStatusEvent.objects.filter(household_id=household.pk)
            .order_by("-effective_on", "-at", "-id").first())


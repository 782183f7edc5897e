"""A chunk's status history, as arrays: the events of fupin.demo.generator.timeline, vectorised.

建档立卡 (未脱贫) in the registration year; 脱贫退出 in the exit year; 监测户 taken into monitoring
and 返贫 households falling back in 2020; 清退 (识别不精准) in a dynamic adjustment after
registration; 自然减少: a one-person household's member dies in a data year after its first.
Moments are local times (Asia/Shanghai) in the windows the demo uses, so each event follows the
one before; `effective_on` is the local date.
"""

from __future__ import annotations

import numpy as np

from fupin.demo.generator.calibration import EXIT_YEAR_SHARES, LAST_REMOVAL_YEAR, MONITORING_YEAR
from fupin.demo.generator.timeline import DEFAULT_RISK, RISK_OF_CAUSE
from fupin.registry.choices import DEFAULT_EVENT_KIND, StatusChangeSource, StatusEventKind

from .registry_plan import CANCELLED, CAUSES, EXITED, MONITORED, NOT_EXITED, REMOVED, RETURNED, STATUSES, Plan

SOURCES = tuple(StatusChangeSource)
SOURCE = {s: i for i, s in enumerate(SOURCES)}
KINDS = tuple(StatusEventKind)
KIND_OF_STATUS = np.array([KINDS.index(DEFAULT_EVENT_KIND[s]) for s in STATUSES])
NEW_KIND = KINDS.index(StatusEventKind.NEW)
_RISKS = [RISK_OF_CAUSE.get(c, DEFAULT_RISK) for c in CAUSES]
MONITORED_REASON = np.array([f"纳入防止返贫监测（脱贫不稳定户），风险：{r}" for r in _RISKS], dtype=object)
RETURNED_REASON = np.array([f"返贫（{r}），年人均纯收入低于当年扶贫标准" for r in _RISKS], dtype=object)
UTC_OFFSET_MINUTES = 8 * 60  # Asia/Shanghai, no daylight saving since 1991


def dates(year: np.ndarray, month, day) -> np.ndarray:
    """datetime64[D] of year/month/day (arrays or scalars)."""
    months = ((np.asarray(year) - 1970) * 12 + np.asarray(month) - 1).astype("datetime64[M]")
    return months.astype("datetime64[D]") + (np.asarray(day) - 1)


def _moments(rng, year: np.ndarray, first: tuple, last: tuple) -> np.ndarray:
    """A local moment (datetime64[m]) in each year between first and last (month, day), 8:00–17:59."""
    start, end = dates(year, *first), dates(year, *last)
    day = start + rng.integers(0, (end - start).astype(np.int64) + 1)
    return day.astype("datetime64[m]") + rng.integers(8, 18, len(year)) * 60 + rng.integers(0, 60, len(year))


def _draw_years(rng, shares: dict, low: np.ndarray, high: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """A year from `shares` in (low, high] for each household; `fallback` where none is."""
    out = fallback.copy()
    for lo, hi in {(a, b) for a, b in zip(low.tolist(), high.tolist(), strict=True)}:
        at = np.flatnonzero((low == lo) & (high == hi))
        options = {y: w for y, w in shares.items() if lo < y <= hi}
        if options:
            p = np.array(list(options.values()))
            out[at] = np.array(list(options))[rng.choice(len(p), len(at), p=p / p.sum())]
    return out


class Timeline:
    """Exit, removal and cease years of the chunk's households (0: none) and their events."""

    def __init__(self, rng: np.random.Generator, plan: Plan, data_years: tuple[int, ...]):
        n, status, reg = plan.n, plan.status, plan.registered
        self.status = status
        self.registered = reg
        # 自然减少: a data year after the household's first.
        first_data = np.maximum(reg, data_years[0])
        ceasing = status == CANCELLED
        self.ceased_year = np.zeros(n, dtype=np.int64)
        if ceasing.any():
            choices = np.array(data_years)
            later = choices[None, :] > first_data[ceasing, None]
            pick = (rng.random(int(ceasing.sum())) * later.sum(1)).astype(np.int64)
            self.ceased_year[ceasing] = choices[np.argmax(np.cumsum(later, 1) > pick[:, None], axis=1)]
        # Exit: registered < year ≤ 2020 (2019 for 返贫); before the cease year for 已销户.
        exiting = np.isin(status, [EXITED, MONITORED, RETURNED])
        high = np.where(status == RETURNED, MONITORING_YEAR - 1, MONITORING_YEAR)
        high = np.where(ceasing, self.ceased_year - 1, high)
        exit_year = _draw_years(rng, EXIT_YEAR_SHARES, reg, high, np.where(exiting, high, 0))
        self.exit_year = np.where(exiting | ceasing, exit_year, 0)
        removed = status == REMOVED
        self.removal_year = np.where(removed, rng.integers(reg + 1, np.maximum(reg + 1, LAST_REMOVAL_YEAR) + 1), 0)
        self._events(rng, plan)

    def _events(self, rng, plan: Plan) -> None:
        n, status, reg = plan.n, self.status, self.registered
        everyone = np.arange(n)
        parts = []  # (household, order, year, from, to, source, kind, reason, moment)

        def add(rows, order, year, from_status, to_status, source, kind, reason, first, last):
            moment = _moments(rng, year, first, last)
            parts.append((rows, np.full(len(rows), order), year, from_status, to_status,
                          np.full(len(rows), SOURCE[source]), kind, reason, moment))

        first = (np.where(reg == 2014, 4, 9), np.where(reg == 2014, 15, 1))
        add(everyone, 0, reg, np.full(n, -1), np.full(n, NOT_EXITED), StatusChangeSource.IDENTIFICATION,
            np.full(n, NEW_KIND), np.full(n, "建档立卡", dtype=object), first, (10, 31))
        rows = np.flatnonzero(self.exit_year > 0)
        add(rows, 1, self.exit_year[rows], np.full(len(rows), NOT_EXITED), np.full(len(rows), EXITED),
            StatusChangeSource.EXIT, np.full(len(rows), KIND_OF_STATUS[EXITED]),
            np.full(len(rows), "脱贫退出", dtype=object), (11, 1), (12, 20))
        rows = np.flatnonzero(np.isin(status, [MONITORED, RETURNED]))
        late = self.exit_year[rows] == MONITORING_YEAR
        cause = plan.cause[rows]
        add(rows, 2, np.full(len(rows), MONITORING_YEAR), np.full(len(rows), EXITED), status[rows],
            StatusChangeSource.MONITORING, KIND_OF_STATUS[status[rows]],
            np.where(status[rows] == MONITORED, MONITORED_REASON[cause], RETURNED_REASON[cause]),
            (np.where(late, 12, 3), np.where(late, 21, 1)), (12, 30))
        rows = np.flatnonzero(status == REMOVED)
        add(rows, 2, self.removal_year[rows], np.full(len(rows), NOT_EXITED), np.full(len(rows), REMOVED),
            StatusChangeSource.ADJUSTMENT, np.full(len(rows), KIND_OF_STATUS[REMOVED]),
            np.full(len(rows), "动态调整：识别不精准，清退（剔除）", dtype=object), (6, 1), (12, 20))
        rows = np.flatnonzero(status == CANCELLED)
        add(rows, 2, self.ceased_year[rows], np.where(self.exit_year[rows] > 0, EXITED, NOT_EXITED),
            np.full(len(rows), CANCELLED), StatusChangeSource.ADJUSTMENT,
            np.full(len(rows), KIND_OF_STATUS[CANCELLED]),
            np.full(len(rows), "自然减少：户内唯一成员死亡，销户", dtype=object), (1, 5), (10, 31))
        cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
        order = np.lexsort((cols[1], cols[0]))
        (self.e_household, _o, self.e_year, self.e_from, self.e_to, self.e_source, self.e_kind, self.e_reason,
         self.e_moment) = (c[order] for c in cols)
        # The day the household ceased (its one member died): the 自然减少 event's local date.
        self.ceased_on = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        ceased = self.e_to == CANCELLED
        self.ceased_on[self.e_household[ceased]] = self.e_moment[ceased].astype("datetime64[D]")

    def status_in(self, year: int) -> np.ndarray:
        """Year-end status of each household (-1 before registration)."""
        s = np.where(self.registered <= year, NOT_EXITED, -1)
        s = np.where((self.exit_year > 0) & (self.exit_year <= year), EXITED, s)
        s = np.where(np.isin(self.status, [MONITORED, RETURNED]) & (year >= MONITORING_YEAR), self.status, s)
        s = np.where((self.removal_year > 0) & (self.removal_year <= year), REMOVED, s)
        return np.where((self.ceased_year > 0) & (self.ceased_year <= year), CANCELLED, s)

    def has_data(self, year: int) -> np.ndarray:
        """Households with data in `year`: registered by then and not ceased before its end."""
        return (self.registered <= year) & ((self.ceased_year == 0) | (year < self.ceased_year))

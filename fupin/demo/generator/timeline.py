"""A household's status over the years, as status events (HouseholdStatusEvent).

Every household is filed (建档立卡, 未脱贫) in its registration year. Exited households leave
poverty (脱贫退出) in their exit year; 监测户 are exited households taken into 防止返贫监测 in
2020, 返贫 households exited before 2020 and fell back in it; 已清退 households were removed in a
dynamic adjustment (识别不精准, 清退/剔除) after registration; 已销户 households ceased to exist
(自然减少): an elderly person living alone died in one of the data years after the first, most
after their exit. The status of a year is the status after the last event of that year or
before — the year-end status (年末户状态) of HouseholdYear. Each event's kind follows from it
(`Event.kind`), its effective date is the day it was recorded (`at`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from fupin.registry.choices import (
    DEFAULT_EVENT_KIND,
    HouseholdStatus,
    PovertyCause,
    StatusChangeSource,
    StatusEventKind,
)

from .calibration import EXIT_YEAR_SHARES, LAST_REMOVAL_YEAR, MONITORING_YEAR, STATUSES_WITH_EXIT
from .planning import pick

# 致贫/返贫风险 of a monitored or returned household, by its main cause (DOMAIN.md §Monitoring).
RISK_OF_CAUSE = {
    PovertyCause.ILLNESS: "因病",
    PovertyCause.DISABILITY: "因残",
    PovertyCause.SCHOOLING: "因学",
    PovertyCause.DISASTER: "因自然灾害",
    PovertyCause.LACK_LABOUR: "缺劳动力",
}
DEFAULT_RISK = "因务工就业不稳"


@dataclass(frozen=True)
class Event:
    year: int
    from_status: str
    to_status: str
    source: str
    reason: str
    at: datetime

    @property
    def kind(self) -> str:
        if not self.from_status and self.source == StatusChangeSource.IDENTIFICATION:
            return StatusEventKind.NEW
        return DEFAULT_EVENT_KIND[HouseholdStatus(self.to_status)]


@dataclass
class Timeline:
    registered_year: int
    exit_year: int | None
    events: list[Event]

    @property
    def status(self) -> str:
        return self.events[-1].to_status

    @property
    def ceased_on(self) -> date | None:
        """The day the household ceased to exist (自然减少): its last member died that day."""
        last = self.events[-1]
        return last.at.date() if last.to_status == HouseholdStatus.CANCELLED else None

    def status_in(self, year: int) -> str | None:
        """Year-end status; None before registration."""
        status = None
        for e in self.events:
            if e.year > year:
                break
            status = e.to_status
        return status


def _moment(rng: random.Random, year: int, first: tuple[int, int], last: tuple[int, int]) -> datetime:
    start, end = date(year, *first), date(year, *last)
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randrange(60),
                    tzinfo=timezone.get_default_timezone())


def natural_decrease_years(registered: int, data_years: tuple[int, ...]) -> list[int]:
    """Years a household may cease in: a data year after its first, so it has data before."""
    mine = [y for y in data_years if y >= registered]
    return mine[1:]


def build_timeline(rng: random.Random, *, status: str, registered: int, cause: str,
                   data_years: tuple[int, ...] = ()) -> Timeline:
    """The events leading to `status` (the household's status at the end of the time line).

    A 已销户 household (自然减少) ceases in one of `data_years` after its first; without such a
    year it is drawn as an exited household instead."""
    NOT_EXITED, EXITED = HouseholdStatus.NOT_EXITED, HouseholdStatus.EXITED
    events = [Event(registered, "", NOT_EXITED, StatusChangeSource.IDENTIFICATION, "建档立卡",
                    _moment(rng, registered, (4, 15) if registered == 2014 else (9, 1), (10, 31)))]
    ceased = None
    if status == HouseholdStatus.CANCELLED:
        years = natural_decrease_years(registered, data_years)
        if years:
            ceased = rng.choice(years)
        else:
            status = EXITED
    exit_year = None
    if status in STATUSES_WITH_EXIT:
        last = MONITORING_YEAR - 1 if status == HouseholdStatus.RETURNED else MONITORING_YEAR
        years = {y: w for y, w in EXIT_YEAR_SHARES.items() if registered < y <= last} or {last: 1}
        exit_year = pick(rng, years)
        events.append(Event(exit_year, NOT_EXITED, EXITED, StatusChangeSource.EXIT, "脱贫退出",
                            _moment(rng, exit_year, (11, 1), (12, 20))))
        risk = RISK_OF_CAUSE.get(cause, DEFAULT_RISK)
        window = (12, 21) if exit_year == MONITORING_YEAR else (3, 1)
        if status == HouseholdStatus.MONITORED:
            events.append(Event(MONITORING_YEAR, EXITED, status, StatusChangeSource.MONITORING,
                                f"纳入防止返贫监测（脱贫不稳定户），风险：{risk}",
                                _moment(rng, MONITORING_YEAR, window, (12, 30))))
        elif status == HouseholdStatus.RETURNED:
            events.append(Event(MONITORING_YEAR, EXITED, status, StatusChangeSource.MONITORING,
                                f"返贫（{risk}），年人均纯收入低于当年扶贫标准",
                                _moment(rng, MONITORING_YEAR, window, (12, 30))))
    elif status == HouseholdStatus.REMOVED:
        year = rng.randint(registered + 1, max(registered + 1, LAST_REMOVAL_YEAR))
        events.append(Event(year, NOT_EXITED, status, StatusChangeSource.ADJUSTMENT,
                            "动态调整：识别不精准，清退（剔除）", _moment(rng, year, (6, 1), (12, 20))))
    elif ceased is not None:
        # Most had exited before (脱贫 in an earlier year); the others died while still poor.
        years = {y: w for y, w in EXIT_YEAR_SHARES.items() if registered < y < ceased}
        if years:
            exit_year = pick(rng, years)
            events.append(Event(exit_year, NOT_EXITED, EXITED, StatusChangeSource.EXIT, "脱贫退出",
                                _moment(rng, exit_year, (11, 1), (12, 20))))
        events.append(Event(ceased, events[-1].to_status, status, StatusChangeSource.ADJUSTMENT,
                            "自然减少：户内唯一成员死亡，销户", _moment(rng, ceased, (1, 5), (10, 31))))
    return Timeline(registered_year=registered, exit_year=exit_year, events=events)

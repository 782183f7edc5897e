"""Synthetic registry (建档立卡) data for one county: calibrated, seeded, scalable.

`generate_county(county_code=…, households=N, seed=S, years="2019-2020")` fills the villages of a
county (already loaded with `fupin import_regions`) with N households, their members, one helper
cadre per ~5 households, the data of every year (HouseholdYear, MemberYear), every status a
household has had (HouseholdStatusEvent), a year-end freeze (YearFreeze) of each year but the last,
and the audit trail of all of it — in one transaction, so a failure writes nothing. Same seed and
same years ⇒ the same data, on SQLite and PostgreSQL alike (database keys and timestamps aside).

Modules, by concept:

- calibration — every share and figure the data is calibrated on, with its status ([v], [local], [demo]).
- planning — exact shares over the county, household sizes, helper loads.
- identity — names, phones, bank accounts, resident ID numbers (valid, unique), 残疾人证号.
- people — family composition and each member's lasting traits (health, schooling, support …).
- timeline — a household's status events: 建档立卡 → 脱贫退出 → 监测 / 返贫, or 清退 (剔除), or 自然减少.
- yearly — a member's data for a year (在校生状况, 文化程度, 劳动能力, insurance, support).
- income — a household's income for a year, and its members' work away (务工).
- housing — housing, living conditions and land per year.
- TableWriter (fupin.core.bulk): COPY on PostgreSQL, one executemany INSERT elsewhere.
- county — the checks, the household loop, batched writing, freezes and statistics.

Years: ages in the yearly data are ages at the end of each year; the family is drawn with ages at
31 December of the last year, so a child born in the last year has no row for the earlier one
(新增人口). A household has data from its registration year on. A few members leave during the
years (elderly relatives die, daughters marry out: Member.left_on/left_reason, ~0.4 % of members);
a member who left in a year has no data for that year or later, and household_size counts the
members present at the year's end. 已清退 households keep their yearly rows (status 已清退); an
已销户 household (自然减少: an elderly person living alone who died) has rows up to the year before,
its member left (死亡) on the day of the natural-decrease event.

Audit trail: one entry per household with its members, yearly data and status events inside
(`after["members"]`, `after["years"]`, `after["status_events"]`), one per cadre account, one per
year freeze, and one summary (`demo.dataset`, with the statistics and the poor villages).
"""

from fupin.core.bulk import TableWriter

from .calibration import (
    DEFAULT_YEARS,
    MAIN_CAUSE_SHARES,
    PERSONS_PER_HOUSEHOLD,
    POVERTY_LINE,
    REFERENCE_HOUSEHOLDS,
)
from .county import DemoError, generate_county, parse_years
from .identity import id_prefix_for
from .planning import apportion
from .yearly import age_on, is_student

__all__ = [
    "DEFAULT_YEARS",
    "MAIN_CAUSE_SHARES",
    "PERSONS_PER_HOUSEHOLD",
    "POVERTY_LINE",
    "REFERENCE_HOUSEHOLDS",
    "DemoError",
    "TableWriter",
    "age_on",
    "apportion",
    "generate_county",
    "id_prefix_for",
    "is_student",
    "parse_years",
]

"""Synthetic registries at scale: `fupin generate --region CODE --persons N --seed S`.

A calibrated registry (建档立卡) below any province, city or county — townships and villages where
a county has none, households and members with valid resident ID numbers, their data for each year,
their status history since registration, helper cadres — for millions of persons in minutes with
flat memory. The calibration is the demo's (fupin.demo.generator.calibration: the same shares,
bands and rules, met exactly in every chunk); the generation is new: whole chunks of households as
numpy arrays, written by COPY (PostgreSQL) or one executemany per table and chunk (SQLite), the
audit trail one entry per chunk and county (counts, key ranges, seed), not per household.

Modules, by concept:

- regions — the counties under a region, their share of the persons, `ensure_villages` (townships
  and villages with valid nested codes and plausible names for a county without them).
- registry_plan — a chunk's households: exact shares of causes, attributes, statuses, registration
  years; household sizes (3.04 a household) that add up to the chunk's persons.
- registry_timeline — status events since registration (建档立卡 → 脱贫 → 监测/返贫, 清退, 自然减少).
- registry_people — family composition, lasting traits, leavers.
- registry_ids — resident ID numbers valid by stdnum (the place code in force in the birth year),
  unique across counties and runs with bounded counters.
- registry_contacts — names, phones, bank accounts (unique by construction).
- registry_years, registry_housing — the yearly data: schooling, labour, work away, income, housing.
- registry_cadres — helper cadres (one per ~5 households of a township), households point at them.
- registry_write — column formatting, COPY thread, primary keys.
- registry — the region → county → chunk loop, transactions, freezes, audit, the activity hook.
"""

from .regions import ScaleError, ensure_villages, persons_per_unit, units_under
from .registry import CHUNK_PERSONS, generate_county, generate_region

__all__ = [
    "CHUNK_PERSONS",
    "ScaleError",
    "ensure_villages",
    "generate_county",
    "generate_region",
    "persons_per_unit",
    "units_under",
]

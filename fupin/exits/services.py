"""Importing the exit-evaluation data: rural population, village indicators, verification samples.

Each import is all or nothing (one transaction; any bad row → every bad row reported with its
row number, nothing written), idempotent (rows are upserted by their key: region and year, or
kind, region and household for samples; a second run of the same file changes nothing and writes
no audit rows) and audited (one entry per created or changed row with its before/after values,
plus one summary entry, appended in bulk).
"""

from __future__ import annotations

from pathlib import Path

from django.db import models, transaction
from django.utils import timezone

from fupin.audit.services import Action, Entry, diff, entry_for, record_many, snapshot

from .importing import (
    INDICATOR_COLUMNS,
    POPULATION_COLUMNS,
    SAMPLE_COLUMNS,
    ImportResult,
    Parsed,
    RegionCheck,
    check_year,
    parse_indicators,
    parse_population,
    parse_samples,
    read_rows,
)
from .models import RegionPopulation, VerificationSample, VillageIndicators

SAMPLE_KEY = ("kind", "region_code", "household_ref")


def _key_of(obj: models.Model, key_fields: tuple[str, ...]) -> tuple:
    return tuple(getattr(obj, f) for f in key_fields)


def _upsert(model: type[models.Model], *, year: int, parsed: list[Parsed], key_fields: tuple[str, ...],
            value_fields: tuple[str, ...], source: str, actor, result: ImportResult, what: str) -> None:
    """Create the new rows and update the changed ones in bulk; audit both."""
    codes = {dict(zip(key_fields, p.key, strict=True))["region_code"] for p in parsed}
    existing = {_key_of(obj, key_fields): obj
                for obj in model.objects.select_for_update().filter(year=year, region_code__in=codes)}
    now = timezone.now()
    new, changed, befores = [], [], []
    for p in parsed:
        obj = existing.get(p.key)
        if obj is None:
            new.append(model(year=year, source=source, imported_at=now, **dict(zip(key_fields, p.key, strict=True)),
                             **p.values))
            continue
        if all(getattr(obj, f) == p.values[f] for f in value_fields):
            result.unchanged += 1
            continue
        befores.append(snapshot(obj))
        for f in value_fields:
            setattr(obj, f, p.values[f])
        obj.source, obj.imported_at = source, now
        changed.append(obj)
    model.objects.bulk_create(new, batch_size=1000)
    model.objects.bulk_update(changed, fields=[*value_fields, "source", "imported_at"], batch_size=1000)
    result.created, result.updated = len(new), len(changed)
    entries = [entry_for(obj, action=Action.CREATE, region_code=obj.region_code, after=snapshot(obj)) for obj in new]
    for obj, before in zip(changed, befores, strict=True):
        old, after = diff(before, snapshot(obj))
        entries.append(entry_for(obj, action=Action.UPDATE, region_code=obj.region_code, before=old, after=after))
    if entries:
        region = min(obj.region_code for obj in [*new, *changed])
        entries.append(Entry(action=Action.IMPORT, object_type=model._meta.label_lower,
                             object_repr=f"导入{what} {source}（{year} 年）"[:200], region_code=region,
                             after={"file": source, "year": year, "created": result.created,
                                    "updated": result.updated, "unchanged": result.unchanged}))
        record_many(actor=actor, entries=entries)


def _import(path: str | Path, *, year: int, actor, what: str, columns: dict, required: tuple[str, ...],
            code_fields: tuple[str, ...], parse, model: type[models.Model], key_fields: tuple[str, ...],
            value_fields: tuple[str, ...]) -> ImportResult:
    result = ImportResult(what=what, year=year, file=Path(path).name)
    problem = check_year(year)
    if problem:
        result.error(None, [problem])
        return result
    rows = read_rows(path, columns, required, result)
    if not result.ok:
        return result
    regions = RegionCheck(rows, code_fields, actor=actor)
    parsed, bad = parse(rows, regions=regions)
    by_number = {row.number: row for row in rows}
    for number, messages in sorted(bad.items()):
        values = by_number[number].values
        result.error(number, messages, code=str(values.get("code") or values.get("county_code") or ""))
    if not result.ok:
        return result
    _upsert(model, year=year, parsed=parsed, key_fields=key_fields, value_fields=value_fields,
            source=Path(path).name, actor=actor, result=result, what=what)
    return result


@transaction.atomic
def population_import(*, path: str | Path, year: int, actor=None) -> ImportResult:
    """乡村人口 per village or county (列：区划代码, 乡村人口[, 乡村户数])."""
    return _import(path, year=year, actor=actor, what="乡村人口", columns=POPULATION_COLUMNS,
                   required=("code", "rural_population"), code_fields=("code",), parse=parse_population,
                   model=RegionPopulation, key_fields=("region_code",),
                   value_fields=("rural_population", "rural_households"))


@transaction.atomic
def village_indicators_import(*, path: str | Path, year: int, actor=None) -> ImportResult:
    """村级指标 per village (the national village table's columns; empty cells stay empty)."""
    return _import(path, year=year, actor=actor, what="村级指标", columns=INDICATOR_COLUMNS, required=("code",),
                   code_fields=("code",), parse=parse_indicators, model=VillageIndicators,
                   key_fields=("region_code",), value_fields=VillageIndicators.INDICATOR_FIELDS)


@transaction.atomic
def samples_import(*, path: str | Path, year: int, actor=None) -> ImportResult:
    """退出核查样本 (列：行政村代码或县代码, 抽查类型, 户编号或户主姓名, 人数, 问题标记或是否认可 …)."""
    return _import(path, year=year, actor=actor, what="退出核查样本", columns=SAMPLE_COLUMNS,
                   required=("kind", "household_ref", "persons"), code_fields=("code", "county_code"),
                   parse=parse_samples, model=VerificationSample, key_fields=SAMPLE_KEY,
                   value_fields=("county_code", "persons", "flagged", "note", "checked_on", "checked_by"))

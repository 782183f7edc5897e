"""Reading and checking the exit-evaluation imports (乡村人口, 村级指标, 退出核查样本).

Files are CSV/XLSX read through `core.tables.read_table` (header aliases: the national system's
Chinese column names as they are, plus short and English names). Each row is checked completely
and every problem named in Chinese with its row number; `exits.services` writes nothing unless
every row is good. Values are cleaned by the registry's shared rules (`registry.validation`):
是/否 for yes/no, non-negative integers and decimals, dates as 2020-10-01 or 2020/10/1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models

from fupin.accounts.scope import code_in_scope
from fupin.core.tables import Row, TableError, read_table
from fupin.regions.codes import InvalidCode, Level, normalize_code
from fupin.regions.models import Region
from fupin.registry.validation import clean_value

from .models import RegionPopulation, SampleKind, VerificationSample, VillageIndicators

YEAR_MIN, YEAR_MAX = 2000, 2100

CODE_ALIASES = ("区划代码", "行政村代码", "村代码", "行政区划代码", "统计用区划代码", "代码", "region_code")

POPULATION_COLUMNS = {
    "code": (*CODE_ALIASES, "县代码", "县级区划代码"),
    "name": ("名称", "区划名称", "行政村", "村", "县", "村名称"),
    "rural_population": ("乡村人口", "乡村人口数", "乡村人口（人）", "乡村总人口", "农村人口", "rural population"),
    "rural_households": ("乡村户数", "乡村户数（户）", "乡村总户数", "农村户数", "rural households"),
}

INDICATOR_COLUMNS = {
    "code": CODE_ALIASES,
    "name": ("名称", "行政村", "村", "村名称"),
    "poor_village": ("是否贫困村", "贫困村"),
    "total_households": ("总户数", "总户数（户）"),
    "total_population": ("总人口数", "总人口", "总人口数（人）"),
    "hardened_road": ("到乡镇是否通沥青（水泥）路", "到乡镇是否通沥青(水泥)路", "到乡镇通沥青（水泥）路",
                      "是否通沥青（水泥）路", "通硬化路"),
    "bus_service": ("是否通客运班车", "通客运班车"),
    "power_grid": ("是否通动力电", "通动力电"),
    "clinics": ("行政村卫生室个数", "卫生室个数", "行政村卫生室个数（个）", "卫生室"),
    "doctors": ("行政村执业（助理）医师（人）", "行政村执业(助理)医师(人)", "执业（助理）医师", "执业（助理）医师（人）",
                "执业医师"),
    "primary_schools": ("村小学（个数）", "村小学(个数)", "村小学", "村小学个数"),
    "culture_rooms": ("行政村文化（图书）室个数 （个）", "行政村文化（图书）室个数（个）", "行政村文化(图书)室个数(个)",
                      "行政村文化（图书）室个数", "文化（图书）室", "文化室"),
    "collective_income_10k": ("村级集体经济收入（万元）", "村级集体经济收入(万元)", "村集体经济收入（万元）",
                              "村级集体经济收入"),
    "unsafe_water_households": ("未实现饮水安全户数", "未实现饮水安全户数（户）"),
    "dangerous_housing_households": ("危房户数", "危房户数（户）"),
}

SAMPLE_COLUMNS = {
    "code": CODE_ALIASES,
    "county_code": ("县代码", "县级区划代码", "县级代码"),
    "kind": ("抽查类型", "类型", "样本类型", "核查类型"),
    "household_ref": ("户编号", "户主姓名", "户主", "户编号或户主姓名", "household"),
    "persons": ("人数", "家庭人口数", "户人数", "抽查人数", "persons"),
    "flagged": ("问题标记", "是否错退", "是否漏评", "是否不认可", "错退", "漏评", "不认可", "是否有问题"),
    "approved": ("是否认可", "是否满意", "认可"),
    "note": ("备注", "说明"),
    "checked_on": ("核查日期", "抽查日期", "调查日期", "日期"),
    "checked_by": ("核查人", "抽查人", "调查人", "评估人员"),
}

KIND_ALIASES = {
    **{code: code for code in SampleKind.values},
    **{str(label): code for code, label in SampleKind.choices},
    "脱贫户抽查": SampleKind.EXITED_CHECK, "错退抽查": SampleKind.EXITED_CHECK,
    "非建档立卡户抽查": SampleKind.NON_REGISTERED_CHECK, "漏评抽查": SampleKind.NON_REGISTERED_CHECK,
    "认可度调查": SampleKind.SATISFACTION, "满意度调查": SampleKind.SATISFACTION,
    "群众满意度调查": SampleKind.SATISFACTION,
}


@dataclass
class ImportResult:
    what: str
    year: int
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, messages: list[str], code: str = "") -> None:
        self.errors.append({"row": row, "code": code, "messages": messages})

    def as_dict(self) -> dict:
        return {"ok": self.ok, "what": self.what, "year": self.year, "file": self.file, "rows": self.rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "errors": self.errors}

    def error_lines(self) -> list[str]:
        return [(f"第 {e['row']} 行：" if e["row"] else "") + "；".join(e["messages"]) for e in self.errors]


@dataclass
class Parsed:
    """A good row: its key (unique within the year) and the values to store."""

    number: int
    key: tuple
    values: dict


def check_year(year: int) -> str | None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        return f"年度 {year} 无效（应在 {YEAR_MIN}–{YEAR_MAX} 之间）"
    return None


def read_rows(path: str | Path, columns: dict, required: tuple[str, ...], result: ImportResult) -> list[Row]:
    try:
        rows = list(read_table(path, columns=columns, required=required))
    except TableError as exc:
        result.error(None, [str(exc)])
        return []
    if not rows:
        result.error(None, ["文件中没有数据行"])
    result.rows = len(rows)
    return rows


def clean_field(model: type[models.Model], name: str, raw: str, errors: list[str]):
    """The field's value from a cell; an empty cell of a nullable field is None (not reported)."""
    f = model._meta.get_field(name)
    if raw is None or str(raw).strip() == "":
        if f.null:
            return None
        if f.blank:
            return ""
        errors.append(f"{f.verbose_name}不能为空")
        return None
    try:
        return clean_value(f, raw)
    except ValidationError as exc:
        errors.extend(exc.messages)
        return None


def parse_code(raw: str, errors: list[str], *, label: str = "区划代码") -> str | None:
    if not (raw or "").strip():
        errors.append(f"{label}不能为空")
        return None
    try:
        return normalize_code(raw)
    except InvalidCode as exc:
        errors.append(f"{label}：{exc}")
        return None


class RegionCheck:
    """Existence and level of the codes named in a file: one query for all rows."""

    def __init__(self, rows: list[Row], fields: tuple[str, ...], *, actor=None):
        codes = set()
        for row in rows:
            for name in fields:
                try:
                    code = normalize_code(row.values.get(name, ""))
                except InvalidCode:
                    continue
                codes |= {code, code[:6] + "000000"}
        found = list(Region.objects.filter(code__in=codes).values_list("code", "level", "name"))
        self.known = {code: level for code, level, _ in found}
        self.names = {code: name for code, _, name in found}
        self.actor = actor

    def check(self, code: str, allowed: tuple[str, ...], errors: list[str]) -> bool:
        if code not in self.known:
            errors.append(f"区划代码 {code} 不存在：请先导入该区划")
            return False
        level = self.known[code]
        if level not in allowed:
            wanted = "或".join(Level.LABELS[lv] for lv in allowed)
            errors.append(f"区划代码 {code}（{self.names.get(code, '')}）是{Level.LABELS[level]}级，此处应为{wanted}级")
            return False
        if self.actor is not None and not code_in_scope(self.actor, code):
            errors.append(f"区划代码 {code} 不在您的管辖范围内")
            return False
        return True


def parse_population(rows: list[Row], *, regions: RegionCheck) -> tuple[list[Parsed], dict[int, list[str]]]:
    good, bad, seen = [], {}, {}
    for row in rows:
        errors: list[str] = []
        v = row.values
        code = parse_code(v.get("code", ""), errors)
        if code is not None:
            regions.check(code, (Level.VILLAGE, Level.COUNTY), errors)
        population = clean_field(RegionPopulation, "rural_population", v.get("rural_population", ""), errors)
        if population == 0:
            errors.append("乡村人口必须大于 0")
        households = clean_field(RegionPopulation, "rural_households", v.get("rural_households", ""), errors)
        if code is not None and code in seen:
            errors.append(f"区划代码 {code} 在文件中重复（第 {seen[code]} 行已有）")
        if errors:
            bad[row.number] = errors
            continue
        seen[code] = row.number
        good.append(Parsed(row.number, (code,), {"rural_population": population, "rural_households": households}))
    return good, bad


INDICATOR_VALUE_FIELDS = VillageIndicators.INDICATOR_FIELDS


def parse_indicators(rows: list[Row], *, regions: RegionCheck) -> tuple[list[Parsed], dict[int, list[str]]]:
    good, bad, seen = [], {}, {}
    for row in rows:
        errors: list[str] = []
        v = row.values
        code = parse_code(v.get("code", ""), errors, label="行政村代码")
        if code is not None:
            regions.check(code, (Level.VILLAGE,), errors)
        values = {name: clean_field(VillageIndicators, name, v.get(name, ""), errors) for name in INDICATOR_VALUE_FIELDS}
        if code is not None and code in seen:
            errors.append(f"行政村代码 {code} 在文件中重复（第 {seen[code]} 行已有）")
        if errors:
            bad[row.number] = errors
            continue
        seen[code] = row.number
        good.append(Parsed(row.number, (code,), values))
    return good, bad


def _kind(raw: str, errors: list[str]) -> str | None:
    text = (raw or "").strip()
    if text in KIND_ALIASES:
        return KIND_ALIASES[text]
    allowed = "、".join(str(label) for _, label in SampleKind.choices)
    errors.append(f"抽查类型“{text}”无效（可选：{allowed}）" if text else "抽查类型不能为空")
    return None


def _yes_no(raw: str, label: str, errors: list[str]) -> bool | None:
    if not (raw or "").strip():
        return None
    try:
        return clean_value(VerificationSample._meta.get_field("flagged"), raw)
    except ValidationError:
        errors.append(f"{label}“{raw}”应为“是”或“否”")
        return None


def _flag(v: dict, kind: str | None, errors: list[str]) -> bool | None:
    """问题标记 (是 = 错退 / 漏评 / 不认可), or for the satisfaction survey 是否认可 (是 = 认可)."""
    before = len(errors)
    flagged = _yes_no(v.get("flagged", ""), "问题标记", errors)
    approved = _yes_no(v.get("approved", ""), "是否认可", errors)
    if len(errors) > before:
        return None
    if approved is not None and kind not in (None, SampleKind.SATISFACTION):
        errors.append("“是否认可”只用于群众认可度调查；其他抽查请填“问题标记”（是否错退/漏评）")
        return None
    if flagged is not None and approved is not None and flagged == approved:
        errors.append("“问题标记”与“是否认可”矛盾：不认可时问题标记应为“是”")
        return None
    if flagged is None and approved is None:
        errors.append("问题标记（是否错退/漏评/不认可）不能为空")
        return None
    return flagged if flagged is not None else not approved


def parse_samples(rows: list[Row], *, regions: RegionCheck) -> tuple[list[Parsed], dict[int, list[str]]]:
    good, bad, seen = [], {}, {}
    for row in rows:
        errors: list[str] = []
        v = row.values
        code = county = None
        if (v.get("code") or "").strip():
            code = parse_code(v["code"], errors)
            if code is not None and regions.check(code, (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY), errors):
                county = code[:6] + "000000"
        if (v.get("county_code") or "").strip():
            given = parse_code(v["county_code"], errors, label="县代码")
            if given is not None and regions.check(given, (Level.COUNTY,), errors):
                if county is not None and given != county:
                    errors.append(f"区划代码 {code} 不在县 {given} 之下")
                code = code or given
                county = county or given
        elif not (v.get("code") or "").strip():
            errors.append("区划代码（行政村代码）和县代码不能都为空")
        if county is not None and county not in regions.known:
            errors.append(f"县级区划 {county} 不存在：请先导入该区划")
        kind = _kind(v.get("kind", ""), errors)
        ref = clean_field(VerificationSample, "household_ref", v.get("household_ref", ""), errors)
        persons = clean_field(VerificationSample, "persons", v.get("persons", ""), errors)
        if persons == 0:
            errors.append("人数必须大于 0")
        flagged = _flag(v, kind, errors)
        extra = {name: clean_field(VerificationSample, name, v.get(name, ""), errors)
                 for name in ("note", "checked_on", "checked_by")}
        key = (kind, code, ref)
        if not errors and key in seen:
            errors.append(f"同一抽查类型、区划和户（{ref}）在文件中重复（第 {seen[key]} 行已有）")
        if errors:
            bad[row.number] = errors
            continue
        seen[key] = row.number
        good.append(Parsed(row.number, key, {"county_code": county, "persons": persons, "flagged": flagged, **extra}))
    return good, bad

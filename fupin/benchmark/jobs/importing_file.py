"""The file the import benchmark imports: a county's registry in the national export layout.

`write_file(ctx, fmt, target)` exports every household of ctx.county_code that has data for
ctx.year, one row per member with data for that year, to the national monitoring system's layout
(registry/importing/national.py: the columns the import recognises, national vocabulary such as
户类型 脱贫户, 与户主关系 之子, 入户道路是否硬化 是/否) as CSV (UTF-8 with BOM, header on line 1) or xlsx
(two title rows, header on row 3, like the real export; written with openpyxl's write-only mode).

The rows go into an EMPTY county (`target`, a copy of the source county's townships and villages
under a new code, the same names): the 乡(镇)/行政村 columns name the places, which the import
resolves by name inside the importing user's scope. Household numbers and ID numbers are new — the
same person may not be registered twice — : a household number is the new village's code and a
serial, an ID number keeps its birth date and gender and gets the region code of another province
(`id_prefix`) and a fresh check digit (still a valid resident ID).

Read in chunks of households (a few IN-queries per chunk), written as produced: memory stays flat.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import ric

from fupin.regions.codes import subtree_range
from fupin.regions.models import Region
from fupin.registry.exporting import _formatter
from fupin.registry.importing import national
from fupin.registry.importing.template import household_columns, member_columns
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear

CHUNK = 2000
COUNTY_HEADER, TOWNSHIP_HEADER, VILLAGE_HEADER = "县(市、区、旗)", "乡(镇)", "行政村"
TITLE_ROWS = ("全国防返贫监测信息系统 家庭成员信息表（基准测试导出）",)
# Our fields whose national column carries a translated value (national.ORIGIN, the one-to-one
# cases); the others go to a national column of the same key or are not in the national layout.
VIA_NATIONAL = ("household.status", "household.head_name", "household_year.access_road", "member.id_type",
                "member.relation", "member_year.education", "member_year.school_status",
                "member_year.on_low_income_support", "member_year.on_destitute_support", "member_year.labour_skill")
# Real region codes of provinces the benchmark does not generate, for the rewritten ID numbers.
ID_PREFIXES = ("540102", "650102", "460105", "630102")


@dataclass(frozen=True)
class Column:
    header: str
    source: str  # household, household_year, member, member_year
    name: str
    format: object


def national_columns() -> list[Column]:
    cols, taken = [], set()
    for col in household_columns() + member_columns():
        key = col.key
        if col.target == "meta" or key == "household.village":
            continue
        nat = national.ORIGIN[key] if key in VIA_NATIONAL else key if key in national.COLUMNS else None
        if nat is None or nat in taken:
            continue
        taken.add(nat)
        fmt = _formatter(col)
        if key == "household_year.access_road":
            def fmt(v):
                return None if not v else ("是" if v == "hardened" else "否")
        cols.append(Column(national.COLUMNS[nat][0], col.target, col.name, fmt))
    return cols


def header(cols: list[Column]) -> list[str]:
    return [COUNTY_HEADER, TOWNSHIP_HEADER, VILLAGE_HEADER] + [c.header for c in cols]


def id_prefix(region_code: str) -> str:
    """A region code for the new ID numbers that no member of the database uses yet."""
    for prefix in ID_PREFIXES:
        # A range, not startswith: the ID number index is a plain b-tree (no LIKE index).
        taken = Member.objects.filter(id_number__gte=prefix, id_number__lt=f"{int(prefix) + 1:06d}").exists()
        if prefix[:2] != region_code[:2] and not taken:
            return prefix
    raise RuntimeError("找不到未被使用的证件号码地区码，无法生成导入文件")


def new_id_number(number: str, prefix: str, used: set[str]) -> str:
    """`number` with `prefix` as its region code and a fresh check digit; the serial (digits 15–16)
    moves on if that number is already taken, the gender digit (17) stays."""
    if len(number) != 18:
        number = ric.to_ric(number) if len(number) == 15 else (number + "0" * 18)[:18]
    birth, serial, gender = number[6:14], int(number[14:16]), number[16]
    for step in range(100):
        body = f"{prefix}{birth}{(serial + step) % 100:02d}{gender}"
        candidate = body + ric.calc_check_digit(body + "0")
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise RuntimeError(f"证件号码 {number} 无法改写为不重复的号码")


@dataclass
class Written:
    path: Path
    households: int
    persons: int


def source_households(ctx) -> list[int]:
    codes = subtree_range(ctx.county_code)
    return list(HouseholdYear.objects.filter(year=ctx.year, household__village_id__gte=codes.low,
                                             household__village_id__lte=codes.high)
                .order_by("household_id").values_list("household_id", flat=True))


def rows(ctx, *, target_county: str, target_name: str, prefix: str):
    """Yield (household count so far, row values) per member row, in household order."""
    cols = national_columns()
    by_source = {s: [c for c in cols if c.source == s] for s in ("household", "household_year", "member",
                                                                 "member_year")}
    places = {code: (t_name, v_name) for code, t_name, v_name in Region.objects.filter(
        code__gte=subtree_range(ctx.county_code).low, code__lte=subtree_range(ctx.county_code).high,
        level="village").values_list("code", "parent__name", "name")}
    ids = source_households(ctx)
    used: set[str] = set()
    serial = 0
    h_names = ["id", "village_id"] + [c.name for c in by_source["household"]]
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        years = {r["household_id"]: r for r in HouseholdYear.objects.filter(household_id__in=chunk, year=ctx.year)
                 .values("household_id", *[c.name for c in by_source["household_year"]])}
        member_rows = list(Member.objects.filter(household_id__in=chunk, years__year=ctx.year)
                           .order_by("household_id", "id")
                           .values("id", "household_id", *[c.name for c in by_source["member"]]))
        m_years = {r["member_id"]: r for r in MemberYear.objects.filter(
            member_id__in=[m["id"] for m in member_rows], year=ctx.year)
            .values("member_id", *[c.name for c in by_source["member_year"]])}
        members: dict[int, list[dict]] = {}
        for m in member_rows:
            members.setdefault(m["household_id"], []).append(m)
        for h in Household.objects.filter(id__in=chunk).order_by("id").values(*h_names):
            ms = members.get(h["id"])
            if not ms:
                continue
            serial += 1
            township, village = places[h["village_id"]]
            h = {**h, "household_no": f"{target_county[:6]}{h['village_id'][6:]}{serial:06d}"}
            common = [target_name, township, village] + [c.format(h.get(c.name)) for c in by_source["household"]]
            hy = years.get(h["id"], {})
            common_year = [c.format(hy.get(c.name)) for c in by_source["household_year"]]
            for m in ms:
                m = {**m, "id_number": new_id_number(m["id_number"], prefix, used)}
                my = m_years.get(m["id"], {})
                values = dict(zip([c.header for c in cols if c.source in ("household", "household_year")],
                                  common[3:] + common_year, strict=True))
                values.update((c.header, c.format(m.get(c.name))) for c in by_source["member"])
                values.update((c.header, c.format(my.get(c.name))) for c in by_source["member_year"])
                yield serial, common[:3] + [values[c.header] for c in cols]


def _text(v) -> str:
    if v is None:
        return ""
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def write_file(ctx, *, fmt: str, path: Path, target_county: str, target_name: str) -> Written:
    prefix = id_prefix(ctx.region_code)
    head = header(national_columns())
    households = persons = 0

    def emit(append) -> None:
        nonlocal households, persons
        for serial, values in rows(ctx, target_county=target_county, target_name=target_name, prefix=prefix):
            append(values)
            households, persons = serial, persons + 1

    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(head)
            emit(lambda values: writer.writerow([_text(v) for v in values]))
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("家庭成员信息")
        for title in TITLE_ROWS:
            ws.append([title])
        ws.append([f"年度：{ctx.year}"])
        ws.append(head)
        emit(lambda values: ws.append([_text(v) if hasattr(v, "isoformat") else v for v in values]))
        wb.save(path)
    return Written(path=path, households=households, persons=persons)

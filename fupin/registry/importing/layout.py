"""Layouts of an import workbook: the result and problem records, and recognising our template's
two sheets or the national export's one sheet from their headers. Split from engine.py."""

from dataclasses import dataclass, field

from . import national
from .reader import (
    FileRejected,
    header_text,
    normalize_header,
    scan_sheet,
    sheet_reader,
)
from .template import (
    HOUSEHOLD_REQUIRED,
    HOUSEHOLD_SHEET,
    MEMBER_REQUIRED,
    MEMBER_SHEET,
    household_columns,
    member_columns,
)

HEADER_SEARCH_ROWS = 10
LAYOUT_LABELS = {"template": "本系统模板", "national": "国家监测系统导出格式"}


# --- results --------------------------------------------------------------------------------

@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def text(self) -> str:
        where = f"“{self.sheet}”表第 {self.row} 行" if self.row else (f"“{self.sheet}”表" if self.sheet else "")
        col = f"【{self.column}】" if self.column else ""
        return f"{where}{col}：{self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message,
                "text": self.text()}


@dataclass
class ImportResult:
    ok: bool
    file_name: str
    year: int
    dry_run: bool = False
    layout: str = ""
    counts: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    error_file: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    message: str = ""

    def as_dict(self) -> dict:
        return {"ok": self.ok, "file": self.file_name, "year": self.year, "dry_run": self.dry_run,
                "layout": self.layout, "counts": self.counts, "error_count": self.error_count,
                "errors": [p.as_dict() for p in self.problems], "error_file": self.error_file,
                "ignored_columns": self.ignored_columns, "message": self.message}


# --- sheets and headers ---------------------------------------------------------------------

@dataclass
class SheetSpec:
    title: str
    kind: str  # household | member | national
    header_row: int
    columns: dict[int, str]  # column index (0-based) → canonical key
    headers: dict[int, str]  # column index → header text as written
    width: int  # number of header cells
    has: set[str] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)
    date_keys: frozenset = frozenset()
    estimated_rows: int = 0

    def index_of(self, key: str | None) -> int | None:
        if key is None:
            return None
        for idx, k in self.columns.items():
            if k == key:
                return idx
        return None


def _alias_map(columns) -> dict[str, str]:
    out = {}
    for col in columns:
        for name in (col.header, *col.aliases):
            out[normalize_header(name)] = col.key
    return out


def _map_header(values: tuple, alias: dict[str, str], *, sheet: str) -> tuple[dict, dict, list[str]]:
    mapping, headers, unknown, seen = {}, {}, [], {}
    for idx, value in enumerate(values):
        text = normalize_header(value)
        if not text:
            continue
        key = alias.get(text)
        if key is None:
            unknown.append(header_text(value))
            continue
        if key in seen:
            raise FileRejected(f"“{sheet}”表的列“{header_text(value)}”重复出现（第 {seen[key] + 1} 列和第 {idx + 1} 列）")
        seen[key] = idx
        mapping[idx] = key
        headers[idx] = header_text(value)
    return mapping, headers, unknown


def _check_merged(wb, ws, *, first_row: int) -> int:
    """Reject merged cells from `first_row` down (title rows above the header may be merged).
    Returns the sheet's row count, for progress."""
    scan = scan_sheet(wb, ws)
    bad = sorted((lo, ref) for ref, lo, hi in scan.merges if hi >= first_row)
    if bad:
        refs = "、".join(ref for _, ref in bad[:5]) + ("等" if len(bad) > 5 else "")
        raise FileRejected(f"“{ws.title}”表第 {bad[0][0]} 行起有合并单元格（{refs}）：请取消合并，并在每一行填写完整后再导入")
    return scan.rows


def _first_row(reader) -> tuple:
    for _, values in reader.rows():
        return values
    return ()


def _template_specs(wb) -> list[SheetSpec]:
    specs = []
    for title, columns, required, kind in ((HOUSEHOLD_SHEET, household_columns(), HOUSEHOLD_REQUIRED, "household"),
                                           (MEMBER_SHEET, member_columns(), MEMBER_REQUIRED, "member")):
        if title not in wb.sheetnames:
            if kind == "household":
                raise FileRejected(f"缺少“{title}”表")
            continue
        ws = wb[title]
        rows = _check_merged(wb, ws, first_row=1)
        reader = sheet_reader(ws)
        values = _first_row(reader)
        mapping, headers, unknown = _map_header(values, _alias_map(columns), sheet=title)
        by_key = {c.key: c for c in columns}
        missing = [by_key[k].header for k in required if k not in mapping.values()]
        problems = []
        if not mapping:
            problems.append("第 1 行应为表头，但没有可识别的列名")
        elif missing:
            problems.append(f"缺少必需的列：{'、'.join(missing)}")
        if unknown:
            problems.append(f"有无法识别的列：{'、'.join(unknown)}（模板的列名不能修改，也不能增加其他列）")
        if problems:
            raise FileRejected(f"“{title}”表表头有误：" + "；".join(problems))
        specs.append(SheetSpec(title=title, kind=kind, header_row=1, columns=mapping, headers=headers,
                               width=len(values), has=set(mapping.values()),
                               date_keys=frozenset(c.key for c in columns if c.is_date),
                               estimated_rows=rows))
    return specs


def _national_spec(wb) -> SheetSpec:
    ws = wb.worksheets[0]
    reader = sheet_reader(ws)
    alias = national.header_map()
    best = (0, None, None)
    for number, values in reader.rows():
        if number > HEADER_SEARCH_ROWS:
            break
        mapping, headers, unknown = _map_header(values, alias, sheet=ws.title)
        keys = set(mapping.values())
        if all(k in keys for k in national.REQUIRED):
            rows = _check_merged(wb, ws, first_row=number)
            return SheetSpec(title=ws.title, kind="national", header_row=number, columns=mapping, headers=headers,
                             width=len(values), has=keys, ignored=unknown,
                             date_keys=frozenset(national.DATE_KEYS), estimated_rows=rows)
        if len(keys) > best[0]:
            best = (len(keys), number, keys)
    if best[1] is None:
        raise FileRejected(f"无法识别文件格式：既不是本系统模板（没有“{HOUSEHOLD_SHEET}”表），"
                           f"也不是国家监测系统导出格式（“{ws.title}”表前 {HEADER_SEARCH_ROWS} 行中找不到"
                           "“户编号”“证件号码”“姓名”等表头）")
    names = {"household.household_no": "户编号", "member.id_number": "证件号码", "member.name": "姓名",
             "nat.relation": "与户主关系", "nat.township": "乡（或 乡(镇)）", "nat.village": "村（或 行政村）"}
    missing = "、".join(names[k] for k in national.REQUIRED if k not in best[2])
    raise FileRejected(f"“{ws.title}”表表头有误：第 {best[1]} 行缺少必需的列：{missing}")

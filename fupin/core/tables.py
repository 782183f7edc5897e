"""Reading CSV and XLSX files as rows of named columns, for every import in the system.

Headers are matched through an alias table (Chinese and English names), so a file may say
`区划代码` or `code`. Row numbers are the ones a person sees in the spreadsheet (header = 1).
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class TableError(ValueError):
    pass


@dataclass
class Row:
    number: int  # the spreadsheet row number, for error messages
    values: dict[str, object]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(path: Path) -> Iterator[list]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        except Exception as exc:  # calamine raises its own error types for damaged files
            raise TableError(f"无法读取 Excel 文件“{path.name}”：{exc}") from exc
        yield from sheet.iter_rows()
    elif suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise TableError(f"文件“{path.name}”的编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV")
        yield from csv.reader(io.StringIO(text))
    else:
        raise TableError(f"不支持的文件类型“{path.suffix}”：请使用 .csv 或 .xlsx")


def read_table(path: str | Path, *, columns: dict[str, tuple[str, ...]], required: tuple[str, ...],
               header_row: int | None = None) -> Iterator[Row]:
    """Yield rows keyed by canonical column name.

    `columns` maps a canonical name to the header texts accepted for it. The header is the first
    row that names all required columns within the first 10 rows (national exports have title rows
    above it), unless `header_row` (1-based) is given.
    """
    path = Path(path)
    if not path.exists():
        raise TableError(f"文件“{path}”不存在")
    alias = {}
    for canonical, names in columns.items():
        for name in (canonical, *names):
            alias[name.strip().lower()] = canonical
    rows = _raw_rows(path)
    header: dict[int, str] | None = None
    number = 0
    for number, raw in enumerate(rows, start=1):
        if header_row is not None and number < header_row:
            continue
        mapped = {i: alias.get(_cell_text(c).lower()) for i, c in enumerate(raw)}
        found = {v for v in mapped.values() if v}
        if all(r in found for r in required):
            header = {i: name for i, name in mapped.items() if name}
            break
        if header_row is not None or number >= 10:
            break
    if header is None:
        wanted = "、".join(f"{r}（或 {'/'.join(columns[r])}）" for r in required)
        raise TableError(f"文件“{path.name}”中找不到表头：需要列 {wanted}")
    for row_number, raw in enumerate(rows, start=number + 1):
        values = {name: _cell_text(raw[i]) if i < len(raw) else "" for i, name in header.items()}
        if not any(values.values()):
            continue
        yield Row(number=row_number, values=values)

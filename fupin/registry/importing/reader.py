"""Reading an uploaded workbook safely and as a stream.

- `check_file` rejects a file before any parsing: too large (policy "import.max_file_mb"), not a
  zip container at all (a PDF or random bytes renamed .xlsx), an old binary .xls, or a zip whose
  content would expand to an absurd size (a "zip bomb").
- `open_workbook` opens it with openpyxl in read-only mode with data_only=False: rows are parsed
  from the sheet XML as they are iterated, never held as a whole workbook, and a formula comes back
  as its text ("=SUM(…)"), which `cell_value` rejects — nothing is ever evaluated.
- `scan_sheet` counts the rows and reads the <mergeCell> list in one fast byte pass (read-only
  mode exposes neither without parsing everything).
- `cell_value` turns a cell into str / bool / date / None, or raises CellProblem with a message.
- A .csv file (by its name) is opened as a one-sheet workbook by csvbook.py and read the same way.
"""

import contextlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from . import csvbook

MB = 1024 * 1024
# Uncompressed content may be this many times the allowed file size (xlsx compresses ~5–10×).
MAX_EXPANSION = 40


class FileRejected(ValueError):
    """A problem with the file as a whole (Chinese message); nothing was read or written."""


class CellProblem(ValueError):
    pass


def check_file(path: str | Path, *, max_mb: int | float, name: str | None = None) -> None:
    path = Path(path)
    name = name or path.name
    if not path.exists():
        raise FileRejected(f"文件“{name}”不存在")
    size = path.stat().st_size
    if size > max_mb * MB:
        raise FileRejected(f"文件“{name}”大小为 {size / MB:.1f} MB，超过上限 {max_mb} MB；请分批导入")
    if size == 0:
        raise FileRejected(f"文件“{name}”是空文件")
    with path.open("rb") as f:
        head = f.read(8)
    if csvbook.is_csv(path, name):
        csvbook.check_csv(path, head, name=name)
        return
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(f"文件“{name}”是旧版 Excel（.xls）或加密的工作簿：请在 Excel 中另存为 .xlsx 后再导入")
    if not head.startswith(b"PK"):
        raise FileRejected(f"文件“{name}”不是有效的 Excel 工作簿（.xlsx）：请确认文件类型，不要只修改扩展名")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            expanded = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected(f"文件“{name}”已损坏或不是有效的 Excel 工作簿（.xlsx）") from None
    if "xl/workbook.xml" not in names:
        raise FileRejected(f"文件“{name}”不是 Excel 工作簿（.xlsx）：缺少工作簿内容")
    if expanded > max_mb * MB * MAX_EXPANSION:
        raise FileRejected(f"文件“{name}”解压后过大（{expanded / MB:.0f} MB），拒绝处理")


def _fast_get_size(self) -> None:
    """ReadOnlyWorksheet._get_size without the full pass: openpyxl looks for <dimension> with an
    XML parser and, when a file has none (openpyxl's own write-only files, ours among them), reads
    the whole sheet before finding out. <dimension> always precedes <sheetData>, so the head of the
    sheet is enough."""
    from openpyxl.utils.cell import range_boundaries

    with self._get_source() as src:
        head = src.read(65536)
    data_at = head.find(b"sheetData")
    match = _DIMENSION.search(head, 0, data_at if data_at >= 0 else len(head))
    if match:
        with contextlib.suppress(TypeError, ValueError):
            self._min_column, self._min_row, self._max_column, self._max_row = \
                range_boundaries(match.group(1).decode("ascii"))


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)\"")


def open_workbook(path: str | Path, *, name: str | None = None):
    name = name or Path(path).name
    if csvbook.is_csv(path, name):
        return csvbook.CsvWorkbook(path, name=name)  # without openpyxl (and numpy): ~1 s less to start
    from unittest import mock

    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        with mock.patch.object(ReadOnlyWorksheet, "_get_size", _fast_get_size):
            return load_workbook(str(path), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types (KeyError, InvalidFileException, XML errors …)
        raise FileRejected(f"无法打开 Excel 文件“{name}”：文件已损坏或格式不受支持（{type(exc).__name__}）") from None


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Za-z0-9:$]+)\"")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")


@dataclass
class SheetScan:
    rows: int  # <row> elements (for progress)
    merges: list[tuple[str, int, int]]  # (ref, first row, last row)


def scan_sheet(workbook, worksheet) -> SheetScan:
    """One fast pass over the sheet's raw XML: how many rows, and its merged ranges (read-only
    mode does not expose them). Byte matching, no XML parsing."""
    if isinstance(worksheet, csvbook.CsvSheet):
        return SheetScan(csvbook.count_rows(worksheet), [])
    from openpyxl.utils.cell import range_boundaries

    path = getattr(worksheet, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if not path or archive is None:
        return SheetScan(0, [])
    rows, tail, merge_text = 0, b"", b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            block = tail + chunk
            cut = max(len(block) - 16, 0)
            rows += len(_ROW.findall(block, 0, cut))
            start = block.find(b"mergeCell", 0)
            if start >= 0 or merge_text:
                merge_text += block[:cut] if merge_text else block[start:cut]
            tail = block[cut:]
        rows += len(_ROW.findall(tail))
        merge_text += tail if merge_text or b"mergeCell" in tail else b""
    merges = []
    for match in _MERGE.finditer(merge_text):
        ref = match.group(1).decode("ascii").replace("$", "")
        try:
            _, lo, _, hi = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        merges.append((ref, lo, hi))
    return SheetScan(rows, merges)


NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW_TAG, _CELL_TAG, _DATA_TAG = f"{NS}row", f"{NS}c", f"{NS}sheetData"
_V, _F, _IS, _T, _R = f"{NS}v", f"{NS}f", f"{NS}is", f"{NS}t", f"{NS}r"


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _inline_text(node) -> str:
    """An inline string's text: plain <t> and rich-text runs <r><t>, without phonetic runs."""
    parts = []
    for child in node:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            parts.extend(t.text or "" for t in child if t.tag == _T)
    return "".join(parts)


def _number(text: str):
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


@dataclass
class SheetReader:
    """Rows of one sheet as (row number, tuple of raw values), streamed from the sheet's XML.

    Equivalent to openpyxl's read-only `iter_rows(values_only=True)` with data_only=False —
    shared and inline strings, numbers, booleans, error codes, date-formatted numbers as datetime,
    and a formula as its text "=…" (never its cached result) — but reads the XML with the C parser
    directly, several times faster than openpyxl's per-cell objects (a 100,000-row file is read in
    seconds). openpyxl still opens the workbook: sheet paths, shared strings, date styles."""

    workbook: object
    worksheet: object

    def rows(self) -> Iterator[tuple[int, tuple]]:
        import zlib
        from xml.etree.ElementTree import ParseError

        number = 0
        try:
            for number, values in self._rows():
                yield number, values
        except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError, IndexError, ValueError,
                KeyError) as exc:
            raise FileRejected(f"文件内容已损坏，无法读取“{self.worksheet.title}”表第 {number + 1} 行附近的内容"
                               f"（{type(exc).__name__}）") from None

    def _rows(self) -> Iterator[tuple[int, tuple]]:
        from xml.etree.ElementTree import iterparse

        from openpyxl.utils.datetime import from_excel

        wb = self.workbook
        shared = self.worksheet._shared_strings
        date_styles = wb._date_formats
        timedelta_styles = wb._timedelta_formats
        epoch = wb.epoch
        columns: dict[str, int] = {}
        expected = 1
        with wb._archive.open(self.worksheet._worksheet_path) as source:
            context = iterparse(source, events=("start", "end"))
            sheet_data = None
            for event, element in context:
                if event == "start":
                    if element.tag == _DATA_TAG:
                        sheet_data = element
                    continue
                if element.tag != _ROW_TAG:
                    continue
                r = element.get("r")
                number = int(r) if r else expected
                while expected < number:  # rows the file leaves out are empty
                    yield expected, ()
                    expected += 1
                values: list = []
                column = 0
                for cell in element:
                    if cell.tag != _CELL_TAG:
                        continue
                    ref = cell.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        column = columns.get(letters) or columns.setdefault(letters, _column_index(letters))
                    else:
                        column += 1
                    kind = cell.get("t", "n")
                    text = formula = inline = None
                    for child in cell:
                        tag = child.tag
                        if tag == _V:
                            text = child.text
                        elif tag == _F:
                            formula = child
                        elif tag == _IS:
                            inline = child
                    if formula is not None:
                        value = "=" + (formula.text or "")
                    elif kind == "inlineStr":
                        if inline is None:
                            value = None
                        elif len(inline) == 1 and inline[0].tag == _T:
                            value = inline[0].text or ""
                        else:
                            value = _inline_text(inline)
                    elif text is None or text == "":
                        value = None
                    elif kind == "n":
                        value = _number(text)
                        style = cell.get("s")
                        if style and int(style) in date_styles:
                            style = int(style)
                            try:
                                value = from_excel(value, epoch, timedelta=style in timedelta_styles)
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                    elif kind == "s":
                        value = shared[int(text)]
                    elif kind == "b":
                        value = bool(int(text))
                    elif kind == "d":
                        from openpyxl.utils.datetime import from_ISO8601

                        value = from_ISO8601(text)
                    else:  # "str" (a formula's text result), "e" (an error code such as #N/A)
                        value = text
                    if len(values) < column - 1:
                        values.extend([None] * (column - 1 - len(values)))
                    if len(values) == column - 1:
                        values.append(value)
                    else:
                        values[column - 1] = value
                yield number, tuple(values)
                expected = number + 1
                element.clear()
                if sheet_data is not None:
                    sheet_data.clear()


def sheet_reader(worksheet) -> SheetReader:
    if isinstance(worksheet, csvbook.CsvSheet):
        return csvbook.CsvSheetReader(worksheet)
    return SheetReader(workbook=worksheet.parent, worksheet=worksheet)


_SPACES = re.compile(r"[\s\u3000]+")
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "、": "、"})


def normalize_header(value) -> str:
    """Header text for matching: no spaces or line breaks, half-width brackets, lower case."""
    if value is None:
        return ""
    return _SPACES.sub("", str(value)).translate(_FULLWIDTH).lower()


def header_text(value) -> str:
    return "" if value is None else _SPACES.sub(" ", str(value)).strip()


LARGEST_EXACT = 10**15


def cell_value(value, *, date_field: bool = False):
    """A raw cell as the cleaning functions take it: str, bool, date or None.

    Formulas (and any text starting with "=") are refused, not evaluated. A number that Excel has
    stored as a float with 16 or more digits (an ID number typed into a number cell) has already
    lost its last digits and is refused. A date is only accepted in a date column."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("="):
            shown = text if len(text) <= 30 else text[:30] + "…"
            raise CellProblem(f"单元格含公式“{shown}”：不计算公式，请复制后“粘贴为数值”再导入")
        return text or None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        if not date_field:
            raise CellProblem("单元格为日期格式，此列应填写文本或数字")
        if value.time() != time(0, 0):
            raise CellProblem(f"出生日期等日期不应带时间（{value:%Y-%m-%d %H:%M}）")
        return value.date()
    if isinstance(value, date):
        if not date_field:
            raise CellProblem("单元格为日期格式，此列应填写文本或数字")
        return value
    if isinstance(value, time):
        raise CellProblem("单元格为时间格式，不是有效值")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellProblem("单元格不是有效数字")
        if value.is_integer():
            if abs(value) >= LARGEST_EXACT:
                raise CellProblem(f"数字“{value:.0f}”位数过多，已被 Excel 按数值保存而丢失末几位："
                                  "请将该列设为文本格式后重新填写（证件号码、银行账号尤其如此）")
            return str(int(value))
        return repr(value)
    return str(value).strip() or None

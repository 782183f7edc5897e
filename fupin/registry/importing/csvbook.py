"""A CSV file seen as a one-sheet workbook, so the import reads it exactly like an xlsx.

The national monitoring system's export (one row per member, header below title rows) is often
passed around as CSV. `reader.open_workbook` returns a `CsvWorkbook` for a .csv file: one sheet
named after the file, rows streamed with the csv module (never the whole file in memory), blank
cells as None, every value text — so numbers such as ID numbers keep all their digits, and the
same cleaning (registry.validation), checks and error workbook apply as for xlsx.

Encoding: UTF-8 (with or without BOM, as Excel writes "CSV UTF-8") or GBK/GB18030 (what Excel
writes as plain "CSV" on a Chinese Windows). The whole file is checked once as UTF-8 when opened
(a byte pass, fast); if it is not valid UTF-8 it is read as GB18030 (a superset of GBK).
"""

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

SUFFIXES = (".csv",)
CHUNK = 1 << 20


def is_csv(path: str | Path, name: str | None = None) -> bool:
    return Path(name or path).suffix.lower() in SUFFIXES


def check_csv(path: Path, head: bytes, *, name: str) -> None:
    """A .csv that is really a workbook (or another binary file) is refused before reading."""
    from .reader import FileRejected

    if head.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        raise FileRejected(f"文件“{name}”是 Excel 工作簿，但扩展名为 .csv：请改回 .xlsx 后导入，或在 Excel 中另存为 CSV")
    if b"\x00" in head:
        raise FileRejected(f"文件“{name}”不是文本格式的 CSV 文件（含二进制内容）：请在 Excel 中另存为“CSV UTF-8”")


def detect_encoding(path: Path, *, name: str) -> str:
    from .reader import FileRejected

    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileRejected(f"文件“{name}”是 UTF-16 编码（Excel 的“Unicode 文本”）：请另存为“CSV UTF-8”后导入")
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"


class CsvSheet:
    def __init__(self, book: "CsvWorkbook"):
        self.parent = book
        self.title = book.title


class CsvWorkbook:
    """The subset of openpyxl's read-only Workbook the import uses: sheetnames, [title],
    worksheets, close()."""

    def __init__(self, path: str | Path, *, name: str | None = None):
        self.path = Path(path)
        self.name = name or self.path.name
        self.title = Path(self.name).stem[:31] or "CSV"
        self.encoding = detect_encoding(self.path, name=self.name)
        self.sheet = CsvSheet(self)

    @property
    def sheetnames(self) -> list[str]:
        return [self.title]

    @property
    def worksheets(self) -> list[CsvSheet]:
        return [self.sheet]

    def __getitem__(self, title: str) -> CsvSheet:
        if title != self.title:
            raise KeyError(title)
        return self.sheet

    def close(self) -> None:
        pass


class CsvSheetReader:
    """Rows as (row number, tuple of str-or-None) like reader.SheetReader: the row number is the
    record's position (a quoted line break stays inside its cell, as in Excel)."""

    def __init__(self, sheet: CsvSheet):
        self.sheet = sheet

    def rows(self) -> Iterator[tuple[int, tuple]]:
        from .reader import FileRejected

        book = self.sheet.parent
        number = 0
        try:
            with book.path.open(encoding=book.encoding, newline="") as f:
                for number, record in enumerate(csv.reader(f), start=1):
                    yield number, tuple(v if v != "" else None for v in record)
        except UnicodeDecodeError:
            raise FileRejected(f"文件“{book.name}”第 {number + 1} 行附近的编码无法识别："
                               "请保存为 UTF-8 或 GBK 编码的 CSV") from None
        except csv.Error as exc:
            raise FileRejected(f"文件“{book.name}”第 {number + 1} 行附近不是有效的 CSV 内容（{exc}）") from None


def count_rows(sheet: CsvSheet) -> int:
    """Line breaks in the file (for progress; a quoted line break counts too)."""
    lines, last = 0, b"\n"
    with sheet.parent.path.open("rb") as f:
        while chunk := f.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")

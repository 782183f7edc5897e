"""Reading a department roster (CSV or XLSX, or rows pushed through the API) into RosterRow.

- The type comes from the first bytes: a zip container is an XLSX workbook (checked like registry
  imports: size, zip bomb, real workbook), an old .xls is refused, anything with NUL bytes is not a
  text file, everything else is CSV — UTF-8 (with or without BOM) or GBK/GB18030, detected from the
  first bytes.
- The header row is the first row (of the first sheet that has one) naming an ID column (证件号码,
  身份证号 … id_number); 姓名/name is the name; every other non-empty header is kept as the
  department's own field in `RosterRow.data` (text; dates as YYYY-MM-DD).
- Each ID number is normalised (15 → 18 digits, upper-case X) and validated (GB 11643 check digit,
  birth date, region). Any invalid row refuses the whole file with the row numbers (the first 50
  and the total), and nothing is written. Fully empty rows are skipped and counted.
- The kind's key field is parsed into `event_date` (死亡日期 of a death roster, required) or
  `category` (车辆类型, 救助类型 低保/特困, 享受残疾人补贴 是/否), so the rules compare columns, not JSON.
- Rows are written in batches (PostgreSQL: COPY), inside the caller's transaction.
"""

import codecs
import csv
import hashlib
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import connection
from stdnum.cn import ric

from fupin.accounts.masking import mask_id_number
from fupin.core.fields import to_json
from fupin.registry.idnumbers import InvalidIdNumber, normalize, validate

from .choices import DatasetKind
from .models import RosterRow

ID_ALIASES = ("证件号码", "身份证号", "身份证号码", "公民身份号码", "id_number", "id_no", "idcard")
NAME_ALIASES = ("姓名", "name")
DEATH_DATE_ALIASES = ("死亡日期", "死亡时间", "death_date")
VEHICLE_TYPE_ALIASES = ("车辆类型", "vehicle_type")
SUPPORT_TYPE_ALIASES = ("救助类型", "type")
SUBSIDY_ALIASES = ("享受残疾人补贴", "两项补贴", "subsidy")
YES = frozenset({"是", "有", "享受", "y", "yes", "true", "1"})
NO = frozenset({"否", "无", "未享受", "n", "no", "false", "0"})
LOW_INCOME, DESTITUTE = "低保", "特困"

BATCH = 5000
ANALYZE_AFTER = 50_000
MAX_LISTED = 50
HEADER_SCAN_ROWS = 20
MB = 1024 * 1024
Progress = Callable[[int], None]


class RosterRefused(ValueError):
    """The file (or pushed rows) cannot be loaded; a Chinese message, nothing was written."""


def _key(header) -> str:
    return re.sub(r"[\s_\-（）()]", "", str(header or "")).lower()


def _find(headers: list[str], aliases) -> int | None:
    wanted = {_key(a) for a in aliases}
    for i, h in enumerate(headers):
        if h and _key(h) in wanted:
            return i
    return None


def key_field(kind: str):
    """(aliases, what) of the kind's key field, or None."""
    return {DatasetKind.DEATH: (DEATH_DATE_ALIASES, "date"), DatasetKind.VEHICLE: (VEHICLE_TYPE_ALIASES, "text"),
            DatasetKind.LOW_INCOME: (SUPPORT_TYPE_ALIASES, "support"),
            DatasetKind.DISABILITY: (SUBSIDY_ALIASES, "yesno")}.get(kind)


def text_of(value) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(text: str) -> date | None:
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    m = _DATE.match(text.split(" ")[0])
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


# Whether a 6-digit region code is accepted by `validate` (it does not depend on the rest of the
# number once the birth date is a real date): validated once per code per process.
_REGION_PROBLEM: dict[str, str | None] = {}


class IdChecker:
    """`validate` with the slow part cached: the check digit and birth date are computed for every
    number, the region table is consulted once per region code (validate costs ~0.1 ms a number)."""

    def __call__(self, raw) -> str:
        number = normalize(raw)
        body, last = number[:17], number[17]
        if not body.isdigit() or last not in "0123456789X":
            raise InvalidIdNumber(f"证件号码“{number}”格式无效")
        if ric.calc_check_digit(number) != last:
            raise InvalidIdNumber(f"证件号码“{number}”校验位错误")
        try:
            date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            raise InvalidIdNumber(f"证件号码“{number}”中的出生日期无效") from None
        region = number[:6]
        if region not in _REGION_PROBLEM:
            try:
                validate(number)
                _REGION_PROBLEM[region] = None
            except InvalidIdNumber as exc:
                _REGION_PROBLEM[region] = str(exc).replace(number, "{n}")
        problem = _REGION_PROBLEM[region]
        if problem:
            raise InvalidIdNumber(problem.replace("{n}", number))
        return number


@dataclass
class LoadResult:
    rows: int = 0
    empty_rows: int = 0
    columns: list[str] = field(default_factory=list)
    file_name: str = ""
    sha256: str = ""
    notes: list[str] = field(default_factory=list)


class _Hashing(io.RawIOBase):
    """A binary stream that hashes what is read through it."""

    def __init__(self, raw):
        self.raw, self.digest, self.count = raw, hashlib.sha256(), 0

    def readable(self):
        return True

    def readinto(self, b):
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.digest.update(data)
        self.count += n
        return n


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _csv_rows(stream, encoding: str, name: str) -> Iterator[tuple[int, list]]:
    text = io.TextIOWrapper(io.BufferedReader(stream, buffer_size=1 << 20), encoding=encoding, newline="")
    number = 0
    try:
        for number, row in enumerate(csv.reader(text), start=1):
            yield number, row
    except UnicodeDecodeError:
        raise RosterRefused(f"文件“{name}”第 {number + 1} 行附近的文字编码无法识别（支持 UTF-8 和 GBK）") from None
    except csv.Error as exc:
        raise RosterRefused(f"文件“{name}”第 {number + 1} 行不是有效的 CSV（{exc}）") from None


def _xlsx_rows(path: Path, name: str, max_mb: float) -> Iterator[tuple[int, list]]:
    from fupin.registry.importing.reader import FileRejected, SheetReader, check_file, open_workbook

    try:
        check_file(path, max_mb=max_mb, name=name)
        wb = open_workbook(path, name=name)
    except FileRejected as exc:
        raise RosterRefused(str(exc)) from None
    try:
        for ws in wb.worksheets:
            rows = SheetReader(wb, ws).rows()
            probe = []
            for number, values in rows:
                probe.append((number, list(values)))
                if _find([text_of(v) for v in values], ID_ALIASES) is not None or len(probe) >= HEADER_SCAN_ROWS:
                    break
            if any(_find([text_of(v) for v in vals], ID_ALIASES) is not None for _, vals in probe):
                yield from probe
                for number, values in rows:
                    yield number, list(values)
                return
        yield from ()
    except FileRejected as exc:
        raise RosterRefused(str(exc)) from None
    finally:
        wb.close()


class Loader:
    """Validates rows and writes them for one roster. Use `load_file` or `load_rows`."""

    def __init__(self, *, roster, kind: str, progress: Progress | None = None):
        self.roster, self.kind, self.progress = roster, kind, progress
        self.result = LoadResult()
        self.check = IdChecker()
        self.errors: list[tuple[int, str]] = []
        self.error_count = 0
        self.batch: list[tuple] = []
        self.written = 0

    # --- rows --------------------------------------------------------------------------------------
    def consume(self, rows: Iterable[tuple[int, list]], *, source: str) -> LoadResult:
        header = None
        for number, values in rows:
            cells = [text_of(v) for v in values]
            if header is None:
                if _find(cells, ID_ALIASES) is not None:
                    header = self._header(cells, source)
                elif number >= HEADER_SCAN_ROWS:
                    break
                continue
            if not any(cells):
                self.result.empty_rows += 1
                continue
            self._row(number, cells, header)
        if header is None:
            raise RosterRefused(f"{source}中没有证件号码列：表头应有“证件号码”（或 身份证号、身份证号码、公民身份号码、"
                                f"id_number）一列（在前 {HEADER_SCAN_ROWS} 行内）")
        self._flush()
        if self.error_count:
            listed = "；".join(f"第 {n} 行：{m}" for n, m in self.errors)
            more = f"；等共 {self.error_count} 行" if self.error_count > len(self.errors) else ""
            raise RosterRefused(f"{source}有 {self.error_count} 行数据有误，整个文件未导入。{listed}{more}")
        if self.result.rows == 0:
            raise RosterRefused(f"{source}没有数据行")
        if connection.vendor == "postgresql" and self.written >= ANALYZE_AFTER:
            # Fresh statistics, so the matching queries are planned for the table as it now is.
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {RosterRow._meta.db_table}")
        return self.result

    def _header(self, cells: list[str], source: str) -> dict:
        id_at = _find(cells, ID_ALIASES)
        name_at = _find(cells, NAME_ALIASES)
        own = [(i, h) for i, h in enumerate(cells) if h and i not in (id_at, name_at)]
        names = [h for _, h in own]
        dupes = sorted({h for h in names if names.count(h) > 1})
        if dupes:
            raise RosterRefused(f"{source}的表头有重复的列：{'、'.join(dupes)}")
        key_at, what = None, None
        spec = key_field(self.kind)
        if spec:
            key_at, what = _find(cells, spec[0]), spec[1]
            if key_at is None and what == "date":
                raise RosterRefused(f"{source}缺少“死亡日期”列（死亡人员数据必须有死亡日期）")
            if key_at is None and what == "text":
                self.result.notes.append("数据中没有“车辆类型”列：所有车辆均计入四有户")
            if key_at is None and what == "support":
                self.result.notes.append("数据中没有“救助类型”列：全部按低保对象比对")
        self.result.columns = names
        return {"id": id_at, "name": name_at, "own": own, "key": key_at, "what": what,
                "key_name": cells[key_at] if key_at is not None else ""}

    def _error(self, number: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append((number, message))

    def _row(self, number: int, cells: list[str], h: dict) -> None:
        raw_id = cells[h["id"]] if h["id"] < len(cells) else ""
        if not raw_id:
            self._error(number, "证件号码为空")
            return
        try:
            id_number = self.check(raw_id)
        except InvalidIdNumber as exc:
            self._error(number, _masked(str(exc), raw_id))
            return
        name = cells[h["name"]][:50] if h["name"] is not None and h["name"] < len(cells) else ""
        data = {col: cells[i] for i, col in h["own"] if i < len(cells) and cells[i]}
        event_date, category = None, ""
        if h["key"] is not None:
            value = cells[h["key"]] if h["key"] < len(cells) else ""
            column = h["key_name"]
            if h["what"] == "date":
                event_date = parse_date(value)
                if event_date is None:
                    self._error(number, f"{column}“{value}”不是有效日期" if value else f"{column}为空")
                    return
                data[column] = event_date.isoformat()
            elif h["what"] == "support":
                if value and LOW_INCOME not in value and DESTITUTE not in value:
                    self._error(number, f"{column}“{value}”无效（应为 低保 或 特困）")
                    return
                category = DESTITUTE if DESTITUTE in value else LOW_INCOME
            elif h["what"] == "yesno":
                if value and value.lower() not in YES | NO:
                    self._error(number, f"{column}“{value}”无效（应为 是 或 否）")
                    return
                category = "" if not value else ("是" if value.lower() in YES else "否")
            else:
                category = value[:50]
        elif self.kind == DatasetKind.LOW_INCOME:
            category = LOW_INCOME
        if self.error_count:
            return  # the file will be refused: stop writing
        self.batch.append((number, id_number, name, data, event_date, category))
        self.result.rows += 1
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self.batch or self.error_count:
            self.batch = []
            return
        roster_id = self.roster.pk
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                raw = cur.cursor
                with raw.copy(f"COPY {RosterRow._meta.db_table} (roster_id, row_no, id_number, name, data, event_date, "
                              "category) FROM STDIN") as copy:
                    for n, idn, name, data, day, cat in self.batch:
                        copy.write_row((roster_id, n, idn, name, to_json(data), day, cat))
        else:  # executemany: several times faster than bulk_create for plain rows
            with connection.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {RosterRow._meta.db_table} (roster_id, row_no, id_number, name, data, event_date, "
                    "category) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [(roster_id, n, idn, name, to_json(data), day.isoformat() if day else None,
                      cat) for n, idn, name, data, day, cat in self.batch])
        self.written += len(self.batch)
        self.batch = []
        if self.progress:
            self.progress(self.written)


def _masked(message: str, raw: str) -> str:
    """The validator's message with the ID number masked (messages are shown and may be logged)."""
    for text in {str(raw).strip(), str(raw).strip().upper()}:
        for candidate in (text, _safe_normalize(text)):
            if candidate and len(candidate) > 8:
                message = message.replace(candidate, mask_id_number(candidate))
    return message


def _safe_normalize(text: str) -> str:
    try:
        return normalize(text)
    except InvalidIdNumber:
        return ""


def sniff(head: bytes, name: str) -> str:
    """'xlsx' or 'csv' from the first bytes; refuses other binary files."""
    if head.startswith(b"PK"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterRefused(f"文件“{name}”是旧版 Excel（.xls）：请另存为 .xlsx 或 CSV 后再上传")
    if b"\x00" in head:
        raise RosterRefused(f"文件“{name}”不是 CSV 文本文件或 Excel 工作簿（.xlsx）")
    if not head.strip():
        raise RosterRefused(f"文件“{name}”是空文件")
    return "csv"


def load_file(f, *, loader: Loader, max_mb: float, name: str | None = None) -> LoadResult:
    """A path or an open binary file (e.g. a Django UploadedFile)."""
    path = Path(f) if isinstance(f, str | Path) else None
    name = name or (path.name if path else Path(str(getattr(f, "name", "") or "上传文件")).name)
    size = path.stat().st_size if path and path.exists() else getattr(f, "size", None)
    if path and not path.exists():
        raise RosterRefused(f"文件“{name}”不存在")
    if size is not None and size > max_mb * MB:
        raise RosterRefused(f"文件“{name}”大小为 {size / MB:.1f} MB，超过上限 {max_mb} MB（crosscheck.max_file_mb）")
    handle = path.open("rb") if path else f
    try:
        if hasattr(handle, "seek"):
            handle.seek(0)
        head = handle.read(65536)
        kind = sniff(head, name)
        if hasattr(handle, "seek"):
            handle.seek(0)
        loader.result.file_name = name
        if kind == "xlsx":
            return _load_xlsx(handle, path, loader=loader, name=name, max_mb=max_mb)
        stream = _Hashing(handle)
        result = loader.consume(_csv_rows(stream, _detect_encoding(head), name), source=f"文件“{name}”")
        if stream.count > max_mb * MB:
            raise RosterRefused(f"文件“{name}”超过上限 {max_mb} MB（crosscheck.max_file_mb）")
        result.sha256 = stream.digest.hexdigest()
        return result
    finally:
        if path:
            handle.close()


def _load_xlsx(handle, path: Path | None, *, loader: Loader, name: str, max_mb: float) -> LoadResult:
    digest = hashlib.sha256()
    tmp = None
    if path is None:  # openpyxl needs a seekable file; an upload is copied to a temporary file
        tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            tmp.write(chunk)
            digest.update(chunk)
        tmp.flush()
        path = Path(tmp.name)
    else:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    try:
        result = loader.consume(_xlsx_rows(path, name, max_mb), source=f"文件“{name}”")
    finally:
        if tmp is not None:
            tmp.close()
    result.sha256 = digest.hexdigest()
    return result


def load_rows(rows: list, *, loader: Loader) -> LoadResult:
    """Rows pushed as JSON objects: the keys of the first rows are the header (row 1), rows are
    numbered from 2 as if they followed a header line."""
    if not isinstance(rows, list) or not rows:
        raise RosterRefused("rows 应为非空的数组，每一项是一行数据（对象）")
    id_keys, name_keys = {_key(a) for a in ID_ALIASES}, {_key(a) for a in NAME_ALIASES}

    seen: dict = {}

    def canonical(k) -> str:
        if k not in seen:
            text = str(k)
            seen[k] = "证件号码" if _key(text) in id_keys else "姓名" if _key(text) in name_keys else text
        return seen[k]

    headers: list[str] = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise RosterRefused(f"rows 第 {i} 项不是对象")
        for k in row:
            if canonical(k) not in headers:
                headers.append(canonical(k))
    rows = [{canonical(k): v for k, v in row.items()} for row in rows]

    def gen():
        yield 1, headers
        for i, row in enumerate(rows, start=2):
            yield i, [row.get(h) for h in headers]

    loader.result.file_name = ""
    result = loader.consume(gen(), source="推送的数据")
    result.sha256 = hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str)
                                   .encode()).hexdigest()
    return result

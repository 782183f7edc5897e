"""Export of a filtered household list (导出) in the import template's layout, xlsx or csv.

- xlsx: the 户信息 and 成员信息 sheets of the template, written with openpyxl's write-only mode
  (rows go to temporary files as they are produced), so an export re-imports as it is.
- csv: one file, one row per member with the household's columns repeated (a household without
  members has one row with the member columns blank); UTF-8 with BOM so Excel opens it.

Rows are read in chunks of households with a few IN-queries per chunk (households, their yearly
row, members, members' yearly rows) — never a query per row. Who may export: capability "export";
what: the same filters as the household list (region, status, q, main cause, attribute), inside
the user's scope. ID numbers, phones and bank accounts are masked unless the role may see them
in lists (accounts.masking.may_see_personal(user, in_list=True)). Each export is audited.
"""

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db import models

from fupin.accounts.masking import mask_value, may_see_personal
from fupin.accounts.roles import Cap
from fupin.accounts.scope import require

from .importing.template import HOUSEHOLD_SHEET, MEMBER_SHEET, household_columns, member_columns

CHUNK = 1000
EXPORT_ACTION = "export"


@dataclass(frozen=True)
class ExportFilters:
    region_code: str | None = None
    status: str | None = None
    q: str | None = None
    main_cause: str | None = None
    attribute: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


def export_queryset(user, filters: ExportFilters):
    """The households to export, in list order. Same filters as `selectors.household_list`."""
    from .selectors import household_list

    require(user, Cap.EXPORT)
    qs = household_list(user, region_code=filters.region_code, status=filters.status, q=filters.q)
    if filters.main_cause:
        qs = qs.filter(main_cause=filters.main_cause)
    if filters.attribute:
        qs = qs.filter(attribute=filters.attribute)
    return qs


def latest_year(user, filters: ExportFilters) -> int | None:
    """The newest year with yearly data among the households to export (the default year)."""
    from django.db.models import Max

    from .models import HouseholdYear

    ids = export_queryset(user, filters).order_by().values("pk")
    return HouseholdYear.objects.filter(household_id__in=ids).aggregate(y=Max("year"))["y"]


def _formatter(column):
    f = column.field
    if f is None:
        return lambda v: v
    if column.name == "other_causes":
        labels = {str(c): str(label) for c, label in f.model._meta.get_field("main_cause").choices}
        return lambda v: "、".join(labels.get(c, c) for c in v or []) or None
    if isinstance(f, models.BooleanField):
        return lambda v: None if v is None else ("是" if v else "否")
    if f.choices:
        labels = {str(c): str(label) for c, label in f.choices}
        return lambda v: labels.get(v, v) if v not in (None, "") else None
    return lambda v: None if v == "" else v


class Rows:
    """Export rows in the template layout for one user, filters and year."""

    def __init__(self, user, filters: ExportFilters, year: int, progress=None):
        self.user = user
        self.progress = progress or (lambda done, total: None)
        self.filters = filters
        self.year = year
        self.masked = not may_see_personal(user, in_list=True)
        self.h_cols = household_columns()
        self.m_cols = member_columns()
        self.h_fmt = [_formatter(c) for c in self.h_cols]
        self.m_fmt = [_formatter(c) for c in self.m_cols]
        self.ids = list(export_queryset(user, filters).values_list("pk", flat=True))

    @property
    def household_header(self) -> list[str]:
        return [c.header for c in self.h_cols]

    @property
    def member_header(self) -> list[str]:
        return [c.header for c in self.m_cols]

    def _mask(self, name: str, value):
        return mask_value(name, value, user=self.user, in_list=True) if self.masked else value

    def chunks(self) -> Iterator[list[tuple[list, list[list]]]]:
        """Per chunk of households: [(household row, [member rows])]."""
        from .models import Household, HouseholdYear, Member, MemberYear

        for i in range(0, len(self.ids), CHUNK):
            ids = self.ids[i:i + CHUNK]
            households = Household.objects.in_bulk(ids)
            years = {hy.household_id: hy for hy in HouseholdYear.objects.filter(household_id__in=ids, year=self.year)}
            members: dict[int, list] = {}
            for m in Member.objects.filter(household_id__in=ids).order_by("household_id", "id"):
                members.setdefault(m.household_id, []).append(m)
            mids = [m.pk for ms in members.values() for m in ms]
            m_years = {my.member_id: my for my in MemberYear.objects.filter(member_id__in=mids, year=self.year)}
            out = []
            for pk in ids:
                h = households.get(pk)
                if h is None:
                    continue
                out.append((self._household_row(h, years.get(pk)),
                            [self._member_row(h, m, m_years.get(m.pk)) for m in members.get(pk, [])]))
            yield out
            self.progress(min(i + CHUNK, len(self.ids)), len(self.ids))

    def _household_row(self, h, hy) -> list:
        row = []
        for col, fmt in zip(self.h_cols, self.h_fmt, strict=True):
            if col.key == "meta.year":
                value = self.year if hy is not None else None
            elif col.target == "household":
                value = h.village_id if col.name == "village" else getattr(h, col.name)
                value = self._mask(col.name, value)
            else:
                value = getattr(hy, col.name) if hy is not None else None
            row.append(fmt(value))
        return row

    def _member_row(self, h, m, my) -> list:
        row = []
        for col, fmt in zip(self.m_cols, self.m_fmt, strict=True):
            if col.key == "meta.household_no":
                value = h.household_no
            elif col.target == "member":
                value = self._mask(col.name, getattr(m, col.name))
            else:
                value = getattr(my, col.name) if my is not None else None
            row.append(fmt(value))
        return row


def _audit(user, filters: ExportFilters, *, fmt: str, year: int, count: int, masked: bool) -> None:
    from fupin.audit.services import Entry, record

    record(actor=user, entry=Entry(
        action=EXPORT_ACTION, object_type="registry.household", object_repr=f"导出贫困户 {count} 户（{fmt}）",
        region_code=filters.region_code or user.region_id,
        after={"format": fmt, "year": year, "households": count, "masked": masked, **filters.as_dict()}))


def write_xlsx(target, rows: Rows) -> int:
    """Write the two sheets to `target` (a path or binary file). Returns the number of households."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    hs = wb.create_sheet(HOUSEHOLD_SHEET)
    ms = wb.create_sheet(MEMBER_SHEET)
    bold = Font(bold=True)

    def header(ws, names):
        cells = []
        for name in names:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)

    def cells(ws, values):
        out = []
        for v in values:
            if isinstance(v, date) or (isinstance(v, str) and v.startswith("=")):
                cell = WriteOnlyCell(ws, value=v)
                if isinstance(v, date):
                    cell.number_format = "yyyy-mm-dd"
                else:
                    cell.data_type = "s"
                out.append(cell)
            else:
                out.append(v)
        return out

    header(hs, rows.household_header)
    header(ms, rows.member_header)
    count = 0
    for chunk in rows.chunks():
        for h_row, m_rows in chunk:
            hs.append(cells(hs, h_row))
            for m_row in m_rows:
                ms.append(cells(ms, m_row))
            count += 1
    wb.save(target)
    return count


def csv_lines(rows: Rows) -> Iterator[str]:
    """The CSV text, line by line (flat: household columns then member columns)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    blank_member = [None] * (len(rows.m_cols) - 1)
    writer.writerow(rows.household_header + rows.member_header[1:])
    yield "\ufeff" + flush()
    for chunk in rows.chunks():
        for h_row, m_rows in chunk:
            for m_row in m_rows or [None]:
                values = h_row + (m_row[1:] if m_row is not None else blank_member)
                writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in values])
        yield flush()


def export_households(user, filters: ExportFilters, *, year: int, fmt: str, target=None, progress=None):
    """Export to `target` (path or binary file object) for xlsx, or return an iterator of CSV text
    for csv. Returns (households, iterator-or-None). Raises PermissionDenied without "export".
    `progress(done, total)` is called after each chunk of households."""
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"不支持的导出格式“{fmt}”：应为 xlsx 或 csv")
    rows = Rows(user, filters, year, progress=progress)
    _audit(user, filters, fmt=fmt, year=year, count=len(rows.ids), masked=rows.masked)
    if fmt == "xlsx":
        return write_xlsx(target, rows), None
    return len(rows.ids), csv_lines(rows)


def xlsx_tempfile(user, filters: ExportFilters, *, year: int):
    """The export written to an anonymous temporary file, rewound (for a streamed download)."""
    handle = tempfile.TemporaryFile(prefix="fupin-export-", suffix=".xlsx")  # noqa: SIM115 -- the caller closes it
    count, _ = export_households(user, filters, year=year, fmt="xlsx", target=handle)
    handle.seek(0)
    return handle, count

"""The error workbook (错误标注文件): a copy of the input's data sheets in which every bad cell is
filled red with a comment giving the reason, and each bad row has a 错误原因 column after the last
header column (cells to the right of the header, which are never imported, are not copied).

Streams: the input is read again row by row (read-only) and written with a write-only workbook.
"""

from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from ..reader import sheet_reader

RED = PatternFill("solid", fgColor="FFC7CE")
REASON_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
REASON = "错误原因"
# Comments are kept in memory until the workbook is saved: past this many, bad cells are only
# filled red (the 错误原因 column still gives every reason).
MAX_COMMENTS = 5000


def _cell(ws, value, *, fill=None, comment=None, bold=False):
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # copy a formula as text, never as a formula
    elif isinstance(value, datetime | date):
        cell.number_format = "yyyy-mm-dd"
    if fill is not None:
        cell.fill = fill
    if comment:
        cell.comment = Comment(comment[:2000], "fupin")
    if bold:
        cell.font = BOLD
    return cell


def write_error_workbook(path, workbook, specs, problems: dict) -> None:
    out = Workbook(write_only=True)
    comments = 0
    for spec in specs:
        ws = out.create_sheet(spec.title)
        reason_col = spec.width
        for number, values in sheet_reader(workbook[spec.title]).rows():
            values = list(values)
            if number == spec.header_row:
                row = [_cell(ws, v, bold=True) for v in values[:reason_col]]
                row += [None] * (reason_col - len(row))
                row.append(_cell(ws, REASON, bold=True, fill=REASON_FILL))
                ws.append(row)
                continue
            items = problems.get((spec.title, number))
            if not items:
                ws.append([_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v
                           for v in values[:reason_col]])
                continue
            by_col: dict[int, list[str]] = {}
            reasons = []
            for idx, message in items:
                if idx is not None:
                    by_col.setdefault(idx, []).append(message)
                    header = spec.headers.get(idx, "")
                    reasons.append(f"【{header}】{message}" if header else message)
                else:
                    reasons.append(message)
            values = (values + [None] * reason_col)[:reason_col]
            with_comments = comments < MAX_COMMENTS
            comments += len(by_col)
            row = [_cell(ws, v, fill=RED if i in by_col else None,
                         comment="；".join(by_col.get(i, [])) if with_comments else None)
                   for i, v in enumerate(values)]
            row.append(_cell(ws, "；".join(reasons), fill=REASON_FILL))
            ws.append(row)
    out.save(str(path))

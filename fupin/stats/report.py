"""The printable report (统计报告) of a region and year as PDF, drawn with reportlab.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1, no font file: the PDF
reader supplies the glyphs). Contents: title, refresh time, headline numbers, the dashboard's
tables (the same `dashboard_tables.tables` as the page and the xlsx), the children table and
the definitions of the metrics."""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from .dashboard_tables import Table as DataTable
from .dashboard_tables import definitions, is_pct, pct_text

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
H1 = ParagraphStyle("h1", parent=BODY, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=BODY, fontSize=11, leading=16, spaceBefore=8, spaceAfter=3)
MUTED = ParagraphStyle("muted", parent=BODY, textColor=colors.HexColor("#555555"), alignment=TA_CENTER)

GRID = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8),
    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
])


def _cell(t: DataTable, i: int, j: int, value):
    if is_pct(t, i, j):
        return pct_text(value)
    if value is None:
        return "—"
    text = str(value)
    return Paragraph(escape(text), CELL) if len(text) > 14 else text


def _table(t: DataTable, width: float) -> list[Flowable]:
    if not t.rows:
        return [Paragraph(escape(t.title), H2), Paragraph("无数据。", BODY)]
    data = [[Paragraph(escape(h), CELL) for h in t.headers]]
    data += [[_cell(t, i, j, v) for j, v in enumerate(row)] for i, row in enumerate(t.rows)]
    table = Table(data, repeatRows=1, hAlign="LEFT", colWidths=_widths(t, width))
    style = TableStyle(GRID.getCommands())
    for j in range(len(t.headers)):
        if all(isinstance(row[j], int | float) or row[j] is None for row in t.rows) or j in t.pct:
            style.add("ALIGN", (j, 1), (j, -1), "RIGHT")
    table.setStyle(style)
    return [KeepTogether([Paragraph(escape(t.title), H2), table])] if len(t.rows) < 25 else \
        [Paragraph(escape(t.title), H2), table]


def _widths(t: DataTable, width: float) -> list[float] | None:
    if t.key == "metrics":
        return [width * 0.2, width * 0.16, width * 0.44, width * 0.2]
    if t.key == "summary":
        return [width * 0.3, width * 0.25, width * 0.45]
    return None


def _footer(canvas, doc):
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"第 {doc.page} 页")
    canvas.drawString(15 * mm, 10 * mm, doc.footer_text)
    canvas.restoreState()


def report_pdf(doc: dict, found: list[DataTable], *, compress: bool = True) -> bytes:
    """The report as PDF bytes. `compress=False` leaves the page streams readable (tests)."""
    out = BytesIO()
    region, year = doc["region"], doc["year"]
    title = f"{region['name']} {year} 年脱贫攻坚统计报告"
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=title, author="fupin", subject=region["code"],
                            pageCompression=1 if compress else 0)
    pdf.footer_text = f"{region['name']}（{region['code']}）{year} 年 · 数据更新于 {doc['refreshed_at']}"
    width = A4[0] - 30 * mm
    story: list[Flowable] = [
        Paragraph(escape(title), H1),
        Paragraph(escape(f"区划代码 {region['code']} · 数据更新于 {doc['refreshed_at']}（预汇总数据，由 fupin "
                         "refresh_stats 生成）"), MUTED),
        Spacer(1, 4 * mm),
    ]
    for t in found:
        story += _table(t, width)
    story.append(Paragraph(escape(f"乡村人口来源：{doc['population_source']['village']} 个县用村级数据，"
                                  f"{doc['population_source']['county']} 个县用县级数据。贫困发生率 = 剩余贫困人口 ÷ "
                                  "乡村人口。"), BODY))
    story += _table(definitions(), width)
    pdf.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()

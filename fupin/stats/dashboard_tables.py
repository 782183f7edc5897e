"""The dashboard's tables, defined once: the page shows them, the xlsx has one sheet per table and
the PDF report prints them. Each table: key, title, headers, rows, and which columns are ratios
(shown as percentages)."""

from dataclasses import dataclass, field

from openpyxl import Workbook

from .metrics import METRICS


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    pct: frozenset = frozenset()  # indexes of ratio columns
    pct_rows: frozenset = frozenset()  # indexes of rows whose second column is a ratio (the summary)
    codes: list[str] = field(default_factory=list)  # region code of each row, when rows are regions


def pct_text(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def headline(doc: dict) -> Table:
    t = Table("summary", "主要指标", ["指标", "数值", "说明"])
    inc, cov, visit = doc["incidence"], doc["helper_coverage"], doc["visit_rate"]
    t.rows = [
        ["在册户数", doc["households"], f"{doc['persons']} 人"],
        ["剩余贫困户数", doc["poor_households"], ""],
        ["剩余贫困人口", doc["poor_persons"], ""],
        ["当年新识别户数", doc["new_households"], ""],
        ["当年脱贫户数", doc["exited_households"], f"{doc['exited_persons']} 人"],
        ["当年返贫户数", doc["returned_households"], f"{doc['returned_persons']} 人"],
        ["年末监测户数", doc["monitored_households"], ""],
        ["资金拨付（元）", doc["disbursed_yuan"], ""],
    ]
    ratios = [
        ["贫困发生率", inc["ratio"], f"{inc['numerator']} ÷ {inc['denominator'] or '无乡村人口数据'}"],
        ["帮扶覆盖率", cov["ratio"], f"{cov['numerator']} / {cov['denominator']} 户"],
        ["走访率", visit["ratio"], f"{visit['numerator']} / {visit['denominator']} 户"],
        ["项目完成率", doc["projects"]["ratio"], f"{doc['projects']['completed']} / {doc['projects']['count']} 个"],
        ["问题整改率", doc["ledger"]["ratio"], f"{doc['ledger']['closed']} / {doc['ledger']['found']} 个"],
    ]
    # Numbers and ratios share a column; only the ratio rows are percentages.
    t.pct_rows = frozenset(range(len(t.rows), len(t.rows) + len(ratios)))
    t.rows += ratios
    return t


def breakdown(key: str, title: str, first: str, rows: list[dict], a: str = "households", b: str = "persons",
              heads: tuple[str, str] = ("户数", "人数")) -> Table:
    return Table(key, title, [first, *heads], [[r["label"], r[a], r[b]] for r in rows])


def tables(doc: dict, counties: list[dict] | None = None) -> list[Table]:
    trend = Table("trend", "历年趋势", ["年度", "在册户数", "剩余贫困户数", "剩余贫困人口", "当年脱贫户数", "当年返贫户数",
                                      "乡村人口", "贫困发生率"], pct=frozenset({7}))
    trend.rows = [[y["year"], y["households"], y["poor_households"], y["poor_persons"], y["exited_households"],
                   y["returned_households"], y["incidence"]["denominator"] or None, y["incidence"]["ratio"]]
                  for y in doc.get("trend", [])]
    children = Table("children", "下级区划", ["区划代码", "名称", "在册户数", "在册人数", "剩余贫困户数", "剩余贫困人口",
                                          "当年脱贫户数", "当年返贫户数", "年末监测户数", "乡村人口", "贫困发生率"],
                     pct=frozenset({10}))
    for c in doc["children"]:
        children.rows.append([c["code"], c["name"], c["households"], c["persons"], c["poor_households"],
                              c["poor_persons"], c["exited_households"], c["returned_households"],
                              c["monitored_households"], c["incidence"]["denominator"] or None, c["incidence"]["ratio"]])
        children.codes.append(c["code"])
    found = [
        headline(doc), trend,
        breakdown("funnel", "状态漏斗（年末）", "环节", doc.get("funnel", [])),
        breakdown("status", "年末状态", "状态", doc["by_status"]),
        breakdown("changes", "当年状态变动", "变动类型", doc["changes"]),
        breakdown("causes", "主要致贫原因", "原因", [r for r in doc["by_cause"] if r["households"]]),
        breakdown("attributes", "贫困户属性", "属性", doc["by_attribute"]),
        breakdown("measures", "帮扶措施", "措施类型", [r for r in doc["by_measure_type"] if r["measures"]],
                  "measures", "completed", ("措施数", "已完成")),
        children,
    ]
    if counties is not None:
        county = Table("counties", "各县贫困发生率（地图数据）", ["区划代码", "县", "剩余贫困人口", "乡村人口", "贫困发生率"],
                       pct=frozenset({4}))
        for c in counties:
            county.rows.append([c["code"], c["name"], c["poor_persons"], c["rural_population"] or None, c["incidence"]])
            county.codes.append(c["code"] if c.get("in_registry") else None)
        found.append(county)
    return found


def definitions() -> Table:
    return Table("metrics", "指标说明", ["代码", "指标", "口径", "来源"],
                 [[m.code, m.label, m.definition, m.source] for m in METRICS])


def is_pct(t: Table, row: int, col: int) -> bool:
    return col in t.pct or (col == 1 and row in t.pct_rows)


def workbook(doc: dict, found: list[Table]) -> Workbook:
    """One sheet per table, a title line with the region, year and refresh time above each."""
    wb = Workbook()
    wb.remove(wb.active)
    for t in [*found, definitions()]:
        ws = wb.create_sheet(t.title[:31])
        ws.append([f"{doc['region']['name']}（{doc['region']['code']}）{doc['year']} 年 {t.title}，数据更新于 "
                   f"{doc['refreshed_at']}"])
        ws.append(t.headers)
        for i, row in enumerate(t.rows):
            ws.append(row)
            for j in range(len(row)):
                if is_pct(t, i, j) and row[j] is not None:
                    ws.cell(row=ws.max_row, column=j + 1).number_format = "0.00%"
    return wb


def display(t: Table) -> list[dict]:
    """Per row, for the page: the region code to link (None: no link) and (header, text) cells."""
    out = []
    for i, row in enumerate(t.rows):
        cells = [(t.headers[j], pct_text(v) if is_pct(t, i, j) else ("—" if v is None else str(v)))
                 for j, v in enumerate(row)]
        out.append({"code": t.codes[i] if i < len(t.codes) else None, "cells": cells})
    return out

"""The children table of a region's statistics as an xlsx workbook (openpyxl)."""

from io import BytesIO

from openpyxl import Workbook

HEADERS = ["区划代码", "名称", "在册户数", "在册人数", "剩余贫困户数", "剩余贫困人口", "当年新识别户数", "当年脱贫户数",
           "当年脱贫人数", "当年返贫户数", "当年返贫人数", "年末监测户数", "乡村人口", "贫困发生率"]


def child_row(c: dict) -> list:
    inc = c["incidence"]
    return [c["code"], c["name"], c["households"], c["persons"], c["poor_households"], c["poor_persons"],
            c["new_households"], c["exited_households"], c["exited_persons"], c["returned_households"],
            c["returned_persons"], c["monitored_households"], inc["denominator"] or None, inc["ratio"]]


def children_xlsx(doc: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{doc['year']}年下级统计"
    ws.append([f"{doc['region']['name']}（{doc['region']['code']}）{doc['year']} 年下级统计，数据更新于 "
               f"{doc['refreshed_at']}"])
    ws.append(HEADERS)
    for c in doc["children"]:
        ws.append(child_row(c))
    ws.append(child_row({**doc, "code": doc["region"]["code"], "name": f"{doc['region']['name']}（合计）"}))
    for row in ws.iter_rows(min_row=3, min_col=len(HEADERS), max_col=len(HEADERS)):
        row[0].number_format = "0.00%"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()

"""Building workbooks for the import tests (our template and the national layout)."""

from datetime import date

from openpyxl import Workbook

from fupin.conftest import make_id_number
from fupin.registry.importing.template import HOUSEHOLD_SHEET, MEMBER_SHEET

HEAD_ID = make_id_number(date(1975, 5, 6), 11, "M")
SPOUSE_ID = make_id_number(date(1978, 7, 8), 12, "F")
CHILD_ID = make_id_number(date(2008, 9, 10), 13, "M")
OTHER_HEAD_ID = make_id_number(date(1960, 1, 2), 14, "F")

HOUSEHOLDS = [
    {"户编号": "610926100001101", "行政村代码": "610926100001", "村民小组": "一组", "住址": "龙头村一组 12 号",
     "户主姓名": "赵大", "户联系电话": "13912345678", "开户银行": "平利县农商银行", "银行账号": "6228480000000000123",
     "识别标准": "国家标准", "贫困户属性": "一般贫困户", "户状态": "未脱贫", "主要致贫原因": "因病",
     "其他致贫原因": "缺资金、缺技术", "识别年度": 2014, "年度": 2020, "工资性收入": 12000, "生产经营性收入": "3000.50",
     "生产经营费用": 500, "转移性收入": 1800, "其中：政策性补贴": 800, "住房面积（平方米）": 85, "有卫生厕所": "是",
     "耕地面积（亩）": 2.5},
    {"户编号": "610926100002101", "行政村代码": "610926100002", "户主姓名": "钱二", "主要致贫原因": "因残",
     "识别年度": "2015", "户状态": "已脱贫", "年度": None, "工资性收入": 9000, "危房等级": "C级"},
]
MEMBERS = [
    {"户编号": "610926100001101", "姓名": "赵大", "证件号码": HEAD_ID, "与户主关系": "户主", "民族": "汉族",
     "文化程度": "初中", "健康状况": "患有大病", "劳动能力": "普通劳动力", "是否已务工": "是", "务工时间（月）": 6,
     "务工所在地": "县外省内", "务工月收入": 3000},
    {"户编号": "610926100001101", "姓名": "孙妻", "证件号码": SPOUSE_ID.lower(), "与户主关系": "配偶",
     "性别": "女", "出生日期": "1978/7/8", "健康状况": "健康"},
    {"户编号": "610926100001101", "姓名": "赵小", "证件号码": CHILD_ID, "与户主关系": "之子", "在校生状况": "七年级至九年级"},
    {"户编号": "610926100002101", "姓名": "钱二", "证件号码": OTHER_HEAD_ID, "与户主关系": "户主", "健康状况": "残疾",
     "残疾等级": "二级"},
]


def template_workbook(path, households=HOUSEHOLDS, members=MEMBERS, *, extra=None):
    """Our template with the given rows (dicts keyed by header; headers = union of keys)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in ((HOUSEHOLD_SHEET, households), (MEMBER_SHEET, members)):
        ws = wb.create_sheet(title)
        headers = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(headers)
        for r in rows:
            ws.append([r.get(h) for h in headers])
    if extra:
        extra(wb)
    wb.save(path)
    return path


NATIONAL_HEADER = [
    "县(市、区、旗)", "乡(镇)", "行政村", "户编号", "证件号码", "证件类型", "姓名", "性别", "出生日期", "民族", "与户主关系",
    "户类型", "监测对象类别", "致贫/返贫风险1", "致贫/返贫风险2", "文化程度", "在校生状况", "健康状况", "劳动技能",
    "是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险", "是否参加大病保险", "是否参加城乡居民基本养老保险",
    "享受低保政策情况", "享受特困供养政策情况", "是否已务工", "务工所在地", "务工月收入", "家庭成员联系电话", "户联系电话",
    "人均纯收入（元）", "工资性收入", "生产经营性收入", "转移性收入", "合规自付支出", "是否危房户", "是否解决安全饮用水",
    "有无卫生厕所", "入户道路是否硬化", "与村主干路距离", "住房面积", "耕地面积（亩）", "林地面积（亩）", "产业帮扶",
]


def national_row(**kw):
    base = {
        "县(市、区、旗)": "平利县", "乡(镇)": "城关镇", "行政村": "龙头村", "户编号": "610926100001201",
        "证件类型": "居民身份证", "民族": "汉族", "户类型": "脱贫户", "致贫/返贫风险1": "因病", "文化程度": "小学",
        "在校生状况": "非在校生", "健康状况": "健康", "劳动技能": "普通劳动力", "是否参加城乡居民基本医疗保险": "是",
        "是否参加城镇职工基本医疗保险": "否", "是否参加大病保险": "是", "是否参加城乡居民基本养老保险": "是",
        "享受低保政策情况": "否", "享受特困供养政策情况": "否", "是否已务工": "否", "户联系电话": "13800001111",
        "人均纯收入（元）": 6500, "工资性收入": 15000, "生产经营性收入": 2000, "转移性收入": 2500, "合规自付支出": 0,
        "是否危房户": "否", "是否解决安全饮用水": "是", "有无卫生厕所": "有", "入户道路是否硬化": "是", "与村主干路距离": 0.5,
        "住房面积": 90, "耕地面积（亩）": 3, "林地面积（亩）": 10, "产业帮扶": "是",
    }
    base.update(kw)
    return base


def national_workbook(path, rows, *, header=NATIONAL_HEADER, merge_title=True):
    wb = Workbook()
    ws = wb.active
    ws.title = "监测对象信息"
    ws.append(["全国防返贫监测信息系统 家庭成员信息"])
    ws.append(["导出时间：2021-03-01"])
    if merge_title:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=10)
    ws.append(header)
    for r in rows:
        ws.append([r.get(h) for h in header])
    wb.save(path)
    return path


def to_shared_strings(src, dst):
    """Rewrite an openpyxl-written workbook (inline strings) the way Excel stores text: a shared
    string table and `t="s"` cells, with a dimension element — to test the reader on real files."""
    import re
    import zipfile
    from xml.sax.saxutils import escape

    table: dict[str, int] = {}

    def shared(match):
        text = match.group(3)
        index = table.setdefault(text, len(table))
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                text = re.sub(r'<c r="([A-Z]+[0-9]+)"([^>]*?) t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>',
                              shared, text)
                text = text.replace("<sheetViews>", '<dimension ref="A1:BZ5000"/><sheetViews>', 1)
                data = text.encode("utf-8")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.'
                                    b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            zout.writestr(item, data)
        strings = "".join(f"<si><t xml:space=\"preserve\">{s}</t></si>" for s in table)
        zout.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                      f'openxmlformats.org/spreadsheetml/2006/main" count="{len(table)}" uniqueCount="{len(table)}">'
                      f"{strings}</sst>")
    del escape
    return dst

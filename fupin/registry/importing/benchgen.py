"""Generate a large national-layout workbook for measuring the import (a developer tool).

    python -m fupin.registry.importing.benchgen OUT.xlsx PERSONS [--county 610926]

Writes a file like the national monitoring system's export (two title rows, header on row 3, one
row per member) over the villages of a synthetic county 测试县 under the given county code:
10 townships × 10 villages; `--regions-sql` prints the Region rows to create first (or use
`setup_regions`). About three members per household; valid resident ID numbers.
"""

import argparse
import random
from datetime import date, timedelta

from stdnum.cn import ric

HEADER = [
    "县(市、区、旗)", "乡(镇)", "行政村", "户编号", "证件号码", "证件类型", "姓名", "性别", "出生日期", "民族", "与户主关系",
    "户类型", "监测对象类别", "致贫/返贫风险1", "致贫/返贫风险2", "文化程度", "在校生状况", "健康状况", "劳动技能",
    "是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险", "是否参加大病保险", "是否参加城乡居民基本养老保险",
    "享受低保政策情况", "享受特困供养政策情况", "是否已务工", "务工所在地", "务工月收入", "家庭成员联系电话", "户联系电话",
    "人均纯收入（元）", "工资性收入", "生产经营性收入", "转移性收入", "合规自付支出", "是否危房户", "是否解决安全饮用水",
    "有无卫生厕所", "入户道路是否硬化", "与村主干路距离", "住房面积", "耕地面积（亩）", "林地面积（亩）", "产业帮扶",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰文志红海燕春梅金凤"
COUNTY_NAME = "测试县"


def regions(county: str):
    """(code, name, level, parent) rows of the synthetic county."""
    code = county.ljust(12, "0")
    rows = [(code, COUNTY_NAME, "county", None)]
    for t in range(10):
        tcode = f"{county}{100 + t:03d}000"
        rows.append((tcode, f"测试{t + 1}镇", "township", code))
        for v in range(10):
            rows.append((f"{county}{100 + t:03d}{v + 1:03d}", f"第{v + 1}村", "village", tcode))
    return rows


def setup_regions(county: str, parent: str | None = None) -> None:
    from fupin.regions.models import Region

    rows = regions(county)
    if parent:
        rows[0] = (*rows[0][:3], parent)
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p, source="bench") for c, n, lv, p in rows],
                               ignore_conflicts=True)


def _id(region: str, birth: date, seq: int, male: bool) -> str:
    last = (seq % 5) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{(seq // 5) % 100:02d}{last}"
    return body + ric.calc_check_digit(body + "0")


def generate(out: str, persons: int, county: str = "610926", seed: int = 1) -> int:
    from openpyxl import Workbook

    rnd = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("家庭成员信息")
    ws.append(["全国防返贫监测信息系统 家庭成员信息表"])
    ws.append([f"导出时间：2021-12-31  共 {persons} 人"])
    ws.append(HEADER)
    villages = [(t, v) for t in range(10) for v in range(10)]
    written = 0
    household = 0
    used: set[str] = set()
    while written < persons:
        household += 1
        t, v = villages[household % len(villages)]
        hno = f"{county}{100 + t:03d}{v + 1:03d}{household:05d}"
        size = min(rnd.choice((1, 2, 3, 3, 4, 5)), persons - written)
        surname = rnd.choice(SURNAMES)
        wage = rnd.randrange(0, 40000, 100)
        business = rnd.randrange(0, 10000, 50)
        transfer = rnd.randrange(0, 6000, 10)
        phone = f"13{rnd.randrange(10**8, 10**9)}"
        htype = rnd.choice(("脱贫户", "脱贫户", "脱贫户", "监测户"))
        common = {
            "县(市、区、旗)": COUNTY_NAME, "乡(镇)": f"测试{t + 1}镇", "行政村": f"第{v + 1}村", "户编号": hno,
            "户类型": htype, "监测对象类别": "脱贫不稳定户" if htype == "监测户" else None,
            "致贫/返贫风险1": rnd.choice(("因病", "因残", "因学", "缺劳动力", "因自然灾害")), "户联系电话": phone,
            "人均纯收入（元）": round((wage + business + transfer) / size, 2), "工资性收入": wage, "生产经营性收入": business,
            "转移性收入": transfer, "合规自付支出": rnd.randrange(0, 3000, 10), "是否危房户": "否",
            "是否解决安全饮用水": "是", "有无卫生厕所": rnd.choice(("有", "无")), "入户道路是否硬化": rnd.choice(("是", "否")),
            "与村主干路距离": rnd.randrange(0, 500) / 100, "住房面积": rnd.randrange(40, 200), "耕地面积（亩）": rnd.randrange(0, 80) / 10,
            "林地面积（亩）": rnd.randrange(0, 200) / 10, "产业帮扶": "是",
        }
        for i in range(size):
            male = (i == 0) or rnd.random() < 0.5
            if i == 0:
                birth, relation = date(1950, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 35)), "户主"
            elif i == 1:
                birth, relation = date(1952, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 35)), "配偶"
                male = False
            else:
                birth = date(1995, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 20))
                relation = "之子" if male else "之女"
            while True:
                number = _id(county, birth, rnd.randrange(0, 500), male)
                if number not in used:
                    used.add(number)
                    break
            student = relation in ("之子", "之女") and birth.year >= 2006
            row = {**common, "证件号码": number, "证件类型": "居民身份证",
                   "姓名": surname + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2)))),
                   "性别": "男" if male else "女", "出生日期": birth.isoformat(), "民族": "汉族", "与户主关系": relation,
                   "文化程度": "小学" if student else rnd.choice(("小学", "初中", "高中", "文盲或半文盲")),
                   "在校生状况": "八年级" if student else "非在校生",
                   "健康状况": rnd.choice(("健康", "健康", "健康", "长期慢性病", "患有大病", "残疾")),
                   "劳动技能": "无劳动力" if student else rnd.choice(("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")),
                   "是否参加城乡居民基本医疗保险": "是", "是否参加城镇职工基本医疗保险": "否", "是否参加大病保险": "是",
                   "是否参加城乡居民基本养老保险": "否" if student else "是", "享受低保政策情况": rnd.choice(("是", "否", "否")),
                   "享受特困供养政策情况": "否", "是否已务工": "否" if student else rnd.choice(("是", "否")),
                   "家庭成员联系电话": None}
            if row["是否已务工"] == "是":
                row["务工所在地"] = rnd.choice(("县内", "县外省内", "省外"))
                row["务工月收入"] = rnd.randrange(1500, 6000, 100)
            ws.append([row.get(h) for h in HEADER])
            written += 1
    wb.save(out)
    return household


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("persons", type=int)
    parser.add_argument("--county", default="610926")
    args = parser.parse_args()
    households = generate(args.out, args.persons, args.county)
    print(f"{args.out}: {args.persons} persons, {households} households")


if __name__ == "__main__":
    main()

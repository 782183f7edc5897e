"""Imports of rural population, village indicators and verification samples: Chinese column names,
every bad row named (nothing written), idempotent re-import, audit rows, the CLI."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from fupin.audit.models import AuditEvent
from fupin.exits.models import RegionPopulation, SampleKind, VerificationSample, VillageIndicators
from fupin.exits.services import population_import, samples_import, village_indicators_import

from .region_fixtures import WEST_VILLAGE, WEST_VILLAGE_2, WEST_VILLAGE_B

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def audit_count() -> int:
    return AuditEvent.objects.filter(object_type__startswith="exits.").count()


def test_population_import_and_idempotent_reimport(regions, tmp_path):
    path = write_csv(tmp_path, "pop.csv", ["区划代码,名称,乡村人口,乡村户数",
                                           f"{WEST_VILLAGE},龙头村,1200,400",
                                           f"{WEST_VILLAGE_2},三里垭村,800,",
                                           "610926,平利县,203700,65000"])
    result = population_import(path=path, year=2020)
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0)
    rows = {r.region_code: r for r in RegionPopulation.objects.all()}
    assert rows[WEST_VILLAGE].rural_population == 1200 and rows[WEST_VILLAGE].rural_households == 400
    assert rows[WEST_VILLAGE_2].rural_households is None
    assert rows["610926000000"].source == "pop.csv"
    events = AuditEvent.objects.filter(object_type="exits.regionpopulation")
    assert events.filter(action="create").count() == 3 and events.filter(action="import").count() == 1
    assert events.filter(action="create", region_code=WEST_VILLAGE).get().after["rural_population"] == 1200

    before = audit_count()
    again = population_import(path=path, year=2020)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert audit_count() == before and RegionPopulation.objects.count() == 3

    changed = write_csv(tmp_path, "pop2.csv", ["区划代码,乡村人口", f"{WEST_VILLAGE},1250"])
    third = population_import(path=changed, year=2020)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 0)
    update = AuditEvent.objects.filter(object_type="exits.regionpopulation", action="update").get()
    assert update.before["rural_population"] == 1200 and update.after["rural_population"] == 1250
    assert update.before["rural_households"] == 400 and update.after["rural_households"] is None
    # Another year is another row.
    assert population_import(path=path, year=2019).created == 3


def test_bad_population_rows_are_all_named_and_nothing_is_written(regions, tmp_path):
    path = write_csv(tmp_path, "bad.csv", ["区划代码,乡村人口",
                                           f"{WEST_VILLAGE},1200",            # row 2: good
                                           "610926100099,500",                 # row 3: unknown village
                                           "610926100000,900",                 # row 4: a township
                                           f"{WEST_VILLAGE_2},-5",             # row 5: negative
                                           f"{WEST_VILLAGE_B},很多",            # row 6: not a number
                                           f"{WEST_VILLAGE},1300",             # row 7: duplicate of row 2
                                           "abc,10",                           # row 8: malformed code
                                           f"{WEST_VILLAGE_B},0"])             # row 9: zero
    result = population_import(path=path, year=2020)
    assert not result.ok
    by_row = {e["row"]: "；".join(e["messages"]) for e in result.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert "区划代码 610926100099 不存在" in by_row[3]
    assert "是乡镇级，此处应为村或县级" in by_row[4]
    assert "乡村人口“-5”应为非负整数" in by_row[5]
    assert "乡村人口“很多”应为非负整数" in by_row[6]
    assert "在文件中重复（第 2 行已有）" in by_row[7]
    assert "区划代码“abc”无效" in by_row[8]
    assert "乡村人口必须大于 0" in by_row[9]
    assert RegionPopulation.objects.count() == 0 and audit_count() == 0
    lines = result.error_lines()
    assert lines[0].startswith("第 3 行：")


def test_missing_columns_and_bad_year(regions, tmp_path):
    path = write_csv(tmp_path, "x.csv", ["代码,人口", f"{WEST_VILLAGE},10"])
    result = population_import(path=path, year=2020)
    assert not result.ok and "找不到表头" in result.errors[0]["messages"][0]
    good = write_csv(tmp_path, "y.csv", ["区划代码,乡村人口", f"{WEST_VILLAGE},10"])
    assert "年度 1899 无效" in population_import(path=good, year=1899).errors[0]["messages"][0]


def test_village_indicators_from_the_national_village_table_xlsx(regions, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["行政村信息表（2020年）"])
    ws.append(["填报单位：平利县"])
    ws.append(["行政村代码", "行政村", "是否出列", "总户数", "总人口数", "危房户数", "未实现饮水安全户数",
               "村级集体经济收入（万元）", "是否通客运班车", "到乡镇是否通沥青（水泥）路", "行政村卫生室个数",
               "行政村执业（助理）医师（人）", "村小学（个数）", "行政村文化（图书）室个数 （个）"])
    ws.append([int(WEST_VILLAGE), "龙头村", "是", 320, 1010, 0, 0, 12.5, "是", "是", 1, 2, 1, 1])
    ws.append([WEST_VILLAGE_2, "三里垭村", "否", 280, 900, 2, 3, None, "否", "是", 1, None, 0, 1])
    path = tmp_path / "villages.xlsx"
    wb.save(path)
    result = village_indicators_import(path=path, year=2020)
    assert result.ok, result.errors
    assert result.created == 2
    a = VillageIndicators.objects.get(region_code=WEST_VILLAGE)
    assert (a.bus_service, a.hardened_road, a.clinics, a.doctors, a.collective_income_10k) == (
        True, True, 1, 2, Decimal("12.50"))
    assert a.power_grid is None and a.poor_village is None  # columns absent: not reported
    b = VillageIndicators.objects.get(region_code=WEST_VILLAGE_2)
    assert b.bus_service is False and b.doctors is None and b.collective_income_10k is None
    assert b.unsafe_water_households == 3 and b.dangerous_housing_households == 2
    assert village_indicators_import(path=path, year=2020).unchanged == 2


def test_bad_village_indicator_rows(regions, tmp_path):
    path = write_csv(tmp_path, "v.csv", ["行政村代码,是否通客运班车,行政村卫生室个数,村级集体经济收入（万元）",
                                         f"{WEST_VILLAGE},也许,1,3",
                                         "610926000000,是,1,3",
                                         f"{WEST_VILLAGE_2},是,-1,-2.5"])
    result = village_indicators_import(path=path, year=2020)
    by_row = {e["row"]: "；".join(e["messages"]) for e in result.errors}
    assert "通客运班车“也许”应为“是”或“否”" in by_row[2]
    assert "是县级，此处应为村级" in by_row[3]
    assert "卫生室个数“-1”应为非负整数" in by_row[4] and "村级集体经济收入（万元）不能为负数" in by_row[4]
    assert VillageIndicators.objects.count() == 0


def test_samples_import_with_kinds_and_satisfaction(regions, tmp_path):
    path = write_csv(tmp_path, "s.csv", [
        "行政村代码,抽查类型,户编号,人数,问题标记,是否认可,核查日期,核查人,备注",
        f"{WEST_VILLAGE},脱贫人口抽查,610926100001001,3,否,,2020-10-12,评估组一,",
        f"{WEST_VILLAGE},脱贫人口抽查,610926100001002,2,是,,2020/10/12,评估组一,收入不达标",
        f"{WEST_VILLAGE_2},非建档立卡人口抽查,张某某,4,否,,,,",
        f"{WEST_VILLAGE_2},群众认可度调查,李某某,3,,否,,,",
        f"{WEST_VILLAGE_B},satisfaction,王某某,2,,是,,,",
    ])
    result = samples_import(path=path, year=2020)
    assert result.ok, result.errors
    rows = {(s.kind, s.household_ref): s for s in VerificationSample.objects.all()}
    wrong = rows[(SampleKind.EXITED_CHECK, "610926100001002")]
    assert wrong.flagged and wrong.persons == 2 and wrong.note == "收入不达标" and wrong.county_code == "610926000000"
    assert str(wrong.checked_on) == "2020-10-12"
    assert rows[(SampleKind.SATISFACTION, "李某某")].flagged is True  # 不认可
    assert rows[(SampleKind.SATISFACTION, "王某某")].flagged is False
    assert samples_import(path=path, year=2020).unchanged == 5


def test_bad_sample_rows(regions, tmp_path):
    path = write_csv(tmp_path, "s.csv", [
        "行政村代码,县代码,抽查类型,户编号,人数,问题标记,是否认可",
        f"{WEST_VILLAGE},620100,脱贫人口抽查,A1,3,否,",         # 2: village not in that county (兰州 is a city)
        f"{WEST_VILLAGE},,抽样,A2,3,否,",                      # 3: unknown kind
        f"{WEST_VILLAGE},,脱贫人口抽查,A3,0,否,",              # 4: zero persons
        f"{WEST_VILLAGE},,脱贫人口抽查,A4,2,,是",              # 5: 是否认可 on an exit check
        f"{WEST_VILLAGE},,群众认可度调查,A5,2,是,是",           # 6: contradictory
        f"{WEST_VILLAGE},,群众认可度调查,A6,2,,",              # 7: no flag at all
        f"{WEST_VILLAGE},,脱贫人口抽查,A7,2,否,",              # 8: good
        f"{WEST_VILLAGE},,脱贫人口抽查,A7,2,是,",              # 9: duplicate of 8
        ",,脱贫人口抽查,A9,2,否,",                             # 10: no region
    ])
    result = samples_import(path=path, year=2020)
    by_row = {e["row"]: "；".join(e["messages"]) for e in result.errors}
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7, 9, 10]
    assert "是市级，此处应为县级" in by_row[2]
    assert "抽查类型“抽样”无效" in by_row[3]
    assert "人数必须大于 0" in by_row[4]
    assert "“是否认可”只用于群众认可度调查" in by_row[5]
    assert "矛盾" in by_row[6]
    assert "问题标记（是否错退/漏评/不认可）不能为空" in by_row[7]
    assert "重复（第 8 行已有）" in by_row[9]
    assert "区划代码（行政村代码）和县代码不能都为空" in by_row[10]
    assert VerificationSample.objects.count() == 0


def test_import_commands(regions, tmp_path):
    good = write_csv(tmp_path, "pop.csv", ["区划代码,乡村人口", f"{WEST_VILLAGE},1000"])
    out = StringIO()
    call_command("import_population", str(good), "--year", "2020", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["created"] == 1 and data["what"] == "乡村人口"
    out = StringIO()
    call_command("import_population", str(good), "--year", "2020", stdout=out)
    assert "新增 0，更新 0，未变 1" in out.getvalue()
    bad = write_csv(tmp_path, "bad.csv", ["区划代码,乡村人口", "610926100099,10"])
    with pytest.raises(CommandError, match="第 2 行：区划代码 610926100099 不存在"):
        call_command("import_population", str(bad), "--year", "2020")
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_village_indicators", str(bad), "--year", "2020", "--json", stdout=out)
    assert exc.value.code == 1
    assert json.loads(out.getvalue())["ok"] is False
    samples = write_csv(tmp_path, "s.csv", ["县代码,抽查类型,户主姓名,人数,是否认可", "610926,群众认可度调查,张三,3,是"])
    out = StringIO()
    call_command("import_samples", str(samples), "--year", "2020", "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1
    assert VerificationSample.objects.get().region_code == "610926000000"

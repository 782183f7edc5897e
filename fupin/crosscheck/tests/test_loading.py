"""Files: encodings, XLSX, refused files (nothing written), empty rows, pushed rows, the CLI."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import Workbook

from fupin.audit.models import AuditEvent
from fupin.crosscheck.choices import DatasetKind
from fupin.crosscheck.models import Roster, RosterRow, Suspect
from fupin.crosscheck.services import roster_load

from .helpers import AS_OF, COUNTY, head, load, outsider, write_csv


def nothing_written():
    return Roster.objects.count() == 0 and RosterRow.objects.count() == 0 and Suspect.objects.count() == 0


def test_bad_checksum_rows_refuse_the_file_naming_rows(users, households, tmp_path):
    good = head(households["a1"]).id_number
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [[good, "a"], [bad, "b"], [good, "c"], ["12345", "d"], ["", "e"]] + [[bad, "f"]] * 60
    with pytest.raises(ValidationError) as exc:
        load(users, tmp_path, DatasetKind.PAYROLL, ["证件号码", "姓名"], rows)
    message = exc.value.message_dict["file"][0]
    assert "有 63 行数据有误" in message and "第 3 行" in message and "第 5 行" in message and "第 6 行：证件号码为空" in message
    assert "校验位错误" in message and "应为 18 位" in message and "等共 63 行" in message
    assert "第 53 行" in message and "第 54 行" not in message  # the first 50 listed
    assert bad not in message  # ID numbers masked in the message
    assert nothing_written()


def test_no_id_column_and_other_bad_files(users, households, tmp_path):
    with pytest.raises(ValidationError, match="没有证件号码列"):
        load(users, tmp_path, DatasetKind.PAYROLL, ["姓名", "单位"], [["王一", "x"]])
    (tmp_path / "x.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ValidationError, match="旧版 Excel"):
        roster_load(actor=users["county"], kind="payroll", region_code=COUNTY, file=tmp_path / "x.xls", as_of=AS_OF)
    (tmp_path / "x.bin").write_bytes(b"\x01\x00\x02" * 10)
    with pytest.raises(ValidationError, match="不是 CSV"):
        roster_load(actor=users["county"], kind="payroll", region_code=COUNTY, file=tmp_path / "x.bin", as_of=AS_OF)
    with pytest.raises(ValidationError, match="缺少“死亡日期”列"):
        load(users, tmp_path, DatasetKind.DEATH, ["证件号码"], [[outsider(1)]])
    with pytest.raises(ValidationError, match="第 2 行：死亡日期“昨天”不是有效日期"):
        load(users, tmp_path, DatasetKind.DEATH, ["证件号码", "死亡日期"], [[outsider(1), "昨天"]])
    with pytest.raises(ValidationError) as exc:
        load(users, tmp_path, "boats", ["证件号码"], [[outsider(1)]])
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError, match="不能晚于今天"):
        load(users, tmp_path, DatasetKind.PAYROLL, ["证件号码"], [[outsider(1)]], as_of=date(2030, 1, 1))
    assert nothing_written()


def test_gbk_csv_with_preamble_and_empty_rows(users, households, tmp_path):
    path = tmp_path / "gbk.csv"
    a1 = head(households["a1"])
    text = f"财政供养人员名单（2020年）\r\n序号,公民身份号码,姓名,工作单位\r\n1,{a1.id_number},王一,平利县财政局\r\n,,,\r\n2,{outsider(1)},路人,城关镇政府\r\n"
    path.write_bytes(text.encode("gbk"))
    roster = roster_load(actor=users["county"], kind="payroll", region_code=COUNTY, file=path, as_of=AS_OF)
    assert roster.row_count == 2 and roster.match_summary["load"]["empty_rows"] == 1
    assert roster.columns == ["序号", "工作单位"]
    row = RosterRow.objects.get(roster=roster, row_no=3)
    assert row.name == "王一" and row.data == {"序号": "1", "工作单位": "平利县财政局"}
    assert {s.member_id for s in Suspect.objects.filter(roster=roster)} == {a1.pk}
    # One audit row for the whole load.
    assert AuditEvent.objects.filter(object_type="crosscheck.roster", object_id=str(roster.pk)).count() == 1


def test_utf8_bom_csv(users, households, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeffid_number,name\n{},王一\n".format(head(households["a1"]).id_number)).encode("utf-8"))
    roster = roster_load(actor=users["county"], kind="housing", region_code=COUNTY, file=path, as_of=AS_OF)
    assert Suspect.objects.filter(roster=roster).count() == 1


def test_xlsx_with_dates_and_header_after_title(users, households, tmp_path):
    a1 = head(households["a1"])
    wb = Workbook()
    ws = wb.active
    ws.append(["死亡人员名单"])
    ws.append(["姓名", "身份证号", "死亡日期", "登记日期"])
    ws.append(["王一", a1.id_number, date(2020, 5, 1), date(2020, 5, 3)])
    ws.append([None, None, None, None])
    ws.append(["路人", int(outsider(1)[:17] + "0") if False else outsider(1), "2020-01-02", None])
    wb.save(tmp_path / "d.xlsx")
    roster = roster_load(actor=users["county"], kind="death", region_code=COUNTY, file=tmp_path / "d.xlsx",
                         as_of=AS_OF)
    assert roster.row_count == 2 and roster.match_summary["load"]["empty_rows"] == 1
    row = RosterRow.objects.get(roster=roster, row_no=3)
    assert row.data == {"死亡日期": "2020-05-01", "登记日期": "2020-05-03"} and row.event_date == date(2020, 5, 1)
    assert {(s.rule, s.member_id) for s in Suspect.objects.filter(roster=roster)} == {("death_registered", a1.pk)}


def test_pushed_rows(users, households):
    a1 = head(households["a1"])
    roster = roster_load(actor=users["county"], kind="business", region_code=COUNTY, as_of=AS_OF,
                         rows=[{"证件号码": a1.id_number.lower(), "姓名": "王一", "企业名称": "平利茶叶公司"},
                               {"证件号码": outsider(2), "企业名称": "某公司"}])
    assert roster.row_count == 2 and roster.columns == ["企业名称"]
    assert Suspect.objects.get(roster=roster).member_id == a1.pk


def test_clerk_may_not_load_and_region_must_be_in_scope(users, households, tmp_path):
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        load(users, tmp_path, DatasetKind.PAYROLL, ["证件号码"], [[outsider(1)]], who="clerk_a")
    with pytest.raises(PermissionDenied):
        load(users, tmp_path, DatasetKind.PAYROLL, ["证件号码"], [[outsider(1)]], region="620000000000")
    assert nothing_written()


def run(*args):
    out = StringIO()
    try:
        call_command("crosscheck", *args, "--json", stdout=out)
    except SystemExit as exc:
        assert exc.code == 1
    return json.loads(out.getvalue())


def test_cli_json(users, households, tmp_path):
    a1 = head(households["a1"])
    path = write_csv(tmp_path / "v.csv", ["证件号码", "车辆类型"], [[a1.id_number, "小型轿车"], [outsider(1), "货车"]])
    data = run("--dataset", "vehicle", str(path), "--region", "610926", "--as-of", "2020-12-31")
    assert data["ok"] and data["roster"]["row_count"] == 2
    assert data["counts"]["four_have_vehicle"]["found"] == 1
    (s,) = data["suspects"]
    assert s["member_id"] == a1.pk and a1.id_number not in json.dumps(data, ensure_ascii=False)
    again = run("--rerun", str(data["roster"]["id"]))
    assert again["ok"] and len(again["suspects"]) == 1 and again["roster"]["match_summary"]["new"] == 0
    bad = run("--dataset", "vehicle", str(tmp_path / "missing.csv"))
    assert bad == {"ok": False, "error": "文件“missing.csv”不存在", "fields": {"file": ["文件“missing.csv”不存在"]}}
    assert run("--dataset", "vehicle", str(path), "--user", "clerk_a")["ok"] is False

"""The `fupin import_households`, `fupin export_households` and `fupin template` commands."""

import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from fupin.registry.importing.template import HOUSEHOLD_SHEET
from fupin.registry.models import Household

from .importing_helpers import HOUSEHOLDS, MEMBERS, template_workbook


def run(*args, capsys):
    call_command(*args)
    return capsys.readouterr().out


def test_import_dry_run_then_import_then_export(users, tmp_path, capsys):
    path = template_workbook(tmp_path / "a.xlsx")
    out = json.loads(run("import_households", str(path), "--user", "county", "--year", "2020", "--dry-run",
                         "--json", capsys=capsys))
    assert out["ok"] and out["dry_run"] and out["counts"]["households_new"] == 2
    assert not Household.objects.exists()
    out = run("import_households", str(path), "--user", "county", "--year", "2020", capsys=capsys)
    assert "导入完成：户 新增 2" in out
    out = json.loads(run("export_households", str(tmp_path / "e.xlsx"), "--user", "auditor", "--region", "610926",
                         "--year", "2020", "--json", capsys=capsys))
    assert out == {"ok": True, "file": str(tmp_path / "e.xlsx"), "households": 2, "region": "610926000000",
                   "year": 2020, "format": "xlsx"}
    assert len(list(load_workbook(tmp_path / "e.xlsx")[HOUSEHOLD_SHEET].values)) == 3
    run("export_households", str(tmp_path / "e.csv"), "--user", "county", "--year", "2020", "--status", "exited",
        capsys=capsys)
    assert (tmp_path / "e.csv").read_text(encoding="utf-8-sig").count("\n") == 2


def test_import_failure_writes_the_error_workbook_next_to_the_input(users, tmp_path, capsys):
    members = [dict(MEMBERS[0], 证件号码="abc")]
    path = template_workbook(tmp_path / "bad.xlsx", households=HOUSEHOLDS[:1], members=members)
    with pytest.raises(CommandError) as exc:
        call_command("import_households", str(path), "--user", "county", "--year", "2020")
    message = str(exc.value)
    assert "未写入任何数据" in message and "“成员信息”表第 2 行【证件号码】" in message
    assert str(tmp_path / "bad.errors.xlsx") in message and (tmp_path / "bad.errors.xlsx").exists()
    assert not Household.objects.exists()


def test_import_failure_as_json(users, tmp_path, capsys):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook at all")
    with pytest.raises(SystemExit):
        call_command("import_households", str(path), "--user", "county", "--year", "2020", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and "不是有效的 Excel 工作簿" in out["errors"][0]["message"]


def test_unknown_user_and_bad_region(users, tmp_path):
    with pytest.raises(CommandError, match="不存在或已停用"):
        call_command("import_households", str(tmp_path / "a.xlsx"), "--user", "nobody", "--year", "2020")
    with pytest.raises(CommandError):
        call_command("export_households", str(tmp_path / "e.xlsx"), "--user", "township_b", "--region", "610926100",
                     "--year", "2020")
    with pytest.raises(CommandError, match="无权"):
        call_command("export_households", str(tmp_path / "e.xlsx"), "--user", "clerk_a", "--year", "2020")

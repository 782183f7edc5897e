"""Hostile and broken files: each gets a clear Chinese message and the database stays unchanged."""

import zipfile
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fupin.audit.models import AuditEvent
from fupin.conftest import make_id_number
from fupin.policy.models import PolicyValue
from fupin.registry.idnumbers import normalize
from fupin.registry.importing.engine import import_households
from fupin.registry.importing.reader import CellProblem, cell_value
from fupin.registry.importing.template import HOUSEHOLD_SHEET, MEMBER_SHEET
from fupin.registry.models import Household, HouseholdStatusEvent, HouseholdYear, Member, MemberYear

from .importing_helpers import HOUSEHOLDS, MEMBERS, national_row, national_workbook, template_workbook

YEAR = 2020


def db_state() -> tuple:
    return (Household.objects.count(), Member.objects.count(), HouseholdYear.objects.count(),
            MemberYear.objects.count(), HouseholdStatusEvent.objects.count(), AuditEvent.objects.count())


@pytest.fixture
def attempt(users, tmp_path):
    """attempt(path) → result, asserting that the import failed and wrote nothing."""

    def _attempt(path, *, user="county", **kw):
        before = db_state()
        result = import_households(path, actor=users[user], year=kw.pop("year", YEAR),
                                   error_path=tmp_path / "errors.xlsx", **kw)
        assert not result.ok, result.message
        assert db_state() == before
        text = "\n".join(p.text() for p in result.problems)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
        result.text = text
        return result

    return _attempt


def _members_with(**changes_by_index):
    rows = [dict(m) for m in MEMBERS]
    for index, changes in changes_by_index.items():
        rows[int(index[1:])].update(changes)
    return rows


# --- not a workbook --------------------------------------------------------------------------

def test_pdf_renamed_xlsx(attempt, tmp_path):
    path = tmp_path / "scan.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" * 20)
    result = attempt(path)
    assert "不是有效的 Excel 工作簿" in result.text


def test_random_bytes(attempt, tmp_path):
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    assert "不是有效的 Excel 工作簿" in attempt(path).text


def test_zip_that_is_not_a_workbook(attempt, tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert "不是 Excel 工作簿" in attempt(path).text


def test_truncated_workbook(attempt, tmp_path):
    good = template_workbook(tmp_path / "good.xlsx")
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:1500])
    assert "损坏" in attempt(path).text


def test_old_xls(attempt, tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    assert ".xls" in attempt(path).text


def test_file_over_the_size_limit_is_rejected_before_parsing(attempt, tmp_path, monkeypatch):
    PolicyValue.objects.create(key="import.max_file_mb", region_code="610000000000", year_from=2014, value=0.001)
    import fupin.registry.importing.engine as engine

    def boom(*a, **k):  # the file must never be opened
        raise AssertionError("parsed")

    monkeypatch.setattr(engine, "_open_workbook", boom)
    result = attempt(template_workbook(tmp_path / "a.xlsx"))
    assert "超过上限" in result.text


# --- headers and structure -------------------------------------------------------------------

def test_renamed_template_column(attempt, tmp_path):
    rows = [{("户主名字" if k == "户主姓名" else k): v for k, v in h.items()} for h in HOUSEHOLDS]
    result = attempt(template_workbook(tmp_path / "a.xlsx", households=rows))
    assert "缺少必需的列：户主姓名" in result.text and "无法识别的列：户主名字" in result.text


def test_repeated_column(attempt, tmp_path):
    def dup(wb):
        ws = wb[HOUSEHOLD_SHEET]
        ws.cell(row=1, column=ws.max_column + 1, value="户主姓名")

    assert "重复出现" in attempt(template_workbook(tmp_path / "a.xlsx", extra=dup)).text


def test_sheet_without_any_header(attempt, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["随便写的", "一些内容"])
    wb.active.append([1, 2])
    wb.save(tmp_path / "other.xlsx")
    assert "无法识别文件格式" in attempt(tmp_path / "other.xlsx").text


def test_national_missing_required_column(attempt, tmp_path):
    header = ["县", "乡", "村", "户编号", "姓名", "与户主关系"]
    result = attempt(national_workbook(tmp_path / "n.xlsx", [national_row()], header=header))
    assert "缺少必需的列：证件号码" in result.text


def test_merged_cells_in_data_area(attempt, tmp_path):
    def merge(wb):
        wb[MEMBER_SHEET].merge_cells("A2:A4")

    assert "合并单元格" in attempt(template_workbook(tmp_path / "a.xlsx", extra=merge)).text


def test_merged_title_rows_of_national_file_are_fine_but_data_merges_are_not(attempt, users, tmp_path):
    rows = [national_row(证件号码=make_id_number(date(1970, 1, 1), 41), 姓名="甲", 与户主关系="户主"),
            national_row(证件号码=make_id_number(date(1971, 1, 1), 42, "F"), 姓名="乙", 与户主关系="配偶")]
    path = national_workbook(tmp_path / "n.xlsx", rows)  # title row 1 is merged
    wb = load_workbook(path)
    wb.active.merge_cells("D4:D5")  # 户编号 merged over the two member rows
    wb.save(path)
    assert "第 4 行起有合并单元格（D4:D5）" in attempt(path, year=2021, registered_year=2016).text


# --- cells -----------------------------------------------------------------------------------

def test_formula_is_rejected_not_evaluated(attempt, tmp_path):
    rows = [dict(HOUSEHOLDS[0], 工资性收入="=1000*12"), HOUSEHOLDS[1]]
    result = attempt(template_workbook(tmp_path / "a.xlsx", households=rows))
    assert "第 2 行【工资性收入】" in result.text and "公式" in result.text


def test_text_in_a_number_cell(attempt, tmp_path):
    rows = [dict(HOUSEHOLDS[0], 工资性收入="一万二"), dict(HOUSEHOLDS[1], 识别年度="二〇一五")]
    result = attempt(template_workbook(tmp_path / "a.xlsx", households=rows))
    assert "工资性收入“一万二”不是数字" in result.text
    assert "第 3 行【识别年度】" in result.text


def test_bad_choice_bad_phone_and_too_long_text(attempt, tmp_path):
    rows = [dict(HOUSEHOLDS[0], 主要致贫原因="懒", 户联系电话="12345", 住址="长" * 201), HOUSEHOLDS[1]]
    result = attempt(template_workbook(tmp_path / "a.xlsx", households=rows))
    assert "主要致贫原因“懒”不是有效选项" in result.text
    assert "户联系电话“12345”无效" in result.text
    assert "住址不能超过 200 个字" in result.text


def test_id_number_typed_as_a_number_lost_its_digits(attempt, tmp_path):
    members = _members_with(m0={"证件号码": 6.10926197505061e17})
    assert "位数过多" in attempt(template_workbook(tmp_path / "a.xlsx", members=members)).text


@pytest.mark.parametrize("typed", ["1978-07-08", "1978/7/8", "19780708", "1978.07.08", date(1978, 7, 8)])
def test_dates_in_several_formats_are_accepted(users, tmp_path, typed):
    members = _members_with(m1={"出生日期": typed})
    result = import_households(template_workbook(tmp_path / "a.xlsx", members=members), actor=users["county"],
                               year=YEAR)
    assert result.ok, [p.text() for p in result.problems]


@pytest.mark.parametrize("typed", ["1978-13-08", "七八年", "0708", "1978-07-09"])
def test_garbage_or_contradicting_dates_are_rejected(attempt, tmp_path, typed):
    members = _members_with(m1={"出生日期": typed})
    result = attempt(template_workbook(tmp_path / "a.xlsx", members=members))
    assert "第 3 行【出生日期】" in result.text


def test_fifteen_digit_ids_are_converted_and_lowercase_x_upper_cased(users, tmp_path):
    old = "610926750506113"  # 15 digits: 1975-05-06, sequence 113
    eighteen = normalize(old)
    members = _members_with(m0={"证件号码": old})
    result = import_households(template_workbook(tmp_path / "a.xlsx", members=members), actor=users["county"],
                               year=YEAR)
    assert result.ok, [p.text() for p in result.problems]
    head = Member.objects.get(name="赵大")
    assert head.id_number == eighteen and len(eighteen) == 18 and head.birth_date == date(1975, 5, 6)
    spouse = Member.objects.get(name="孙妻")
    assert spouse.id_number == spouse.id_number.upper()


def test_empty_rows_are_skipped(users, tmp_path):
    def gaps(wb):
        ws = wb[MEMBER_SHEET]
        ws.insert_rows(3, amount=2)
        ws.append([None, "  ", None])

    result = import_households(template_workbook(tmp_path / "a.xlsx", extra=gaps), actor=users["county"], year=YEAR)
    assert result.ok, [p.text() for p in result.problems]
    assert result.counts["empty_rows"] == 3 and Member.objects.count() == 4


def test_duplicate_household_numbers_with_conflicting_data(attempt, tmp_path):
    rows = [HOUSEHOLDS[0], dict(HOUSEHOLDS[0], 户主姓名="另一个人"), HOUSEHOLDS[1]]
    result = attempt(template_workbook(tmp_path / "a.xlsx", households=rows))
    assert "第 3 行【户编号】" in result.text and "重复（第 2 行已有此户）" in result.text


def test_member_without_household_row(attempt, tmp_path):
    members = [*MEMBERS, dict(MEMBERS[0], 户编号="610926100001999", 证件号码=make_id_number(date(1990, 2, 2), 51))]
    result = attempt(template_workbook(tmp_path / "a.xlsx", members=members))
    assert "第 6 行【户编号】" in result.text and "没有对应的行" in result.text


def test_same_person_twice(attempt, tmp_path):
    members = [*MEMBERS, dict(MEMBERS[0], 户编号="610926100002101", 与户主关系="之子")]
    result = attempt(template_workbook(tmp_path / "a.xlsx", members=members))
    assert "同时出现在户编号" in result.text


def test_two_heads_and_head_name_mismatch(attempt, tmp_path):
    members = _members_with(m1={"与户主关系": "户主"})
    assert "一户只能有一名户主" in attempt(template_workbook(tmp_path / "a.xlsx", members=members)).text
    members = _members_with(m0={"姓名": "赵老大"})
    assert "与“户信息”表第 2 行的户主姓名“赵大”不一致" in \
        attempt(template_workbook(tmp_path / "b.xlsx", members=members)).text


def test_gender_contradicting_the_id_number(attempt, tmp_path):
    members = _members_with(m0={"性别": "女"})
    assert "与证件号码不符" in attempt(template_workbook(tmp_path / "a.xlsx", members=members)).text


def test_year_column_must_match_the_import_year(attempt, tmp_path):
    rows = [dict(HOUSEHOLDS[0], 年度=2019), HOUSEHOLDS[1]]
    assert "与本次导入的年度 2020 不一致" in attempt(template_workbook(tmp_path / "a.xlsx", households=rows)).text


def test_one_bad_row_among_many_writes_nothing_and_marks_the_cell(attempt, tmp_path):
    members = _members_with(m2={"证件号码": "610926200809101234"})  # wrong check digit
    result = attempt(template_workbook(tmp_path / "a.xlsx", members=members))
    assert "校验位错误" in result.text
    wb = load_workbook(tmp_path / "errors.xlsx")
    ws = wb[MEMBER_SHEET]
    header = [c.value for c in ws[1]]
    assert header[-1] == "错误原因"
    id_col = header.index("证件号码") + 1
    bad = ws.cell(row=4, column=id_col)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and "校验位错误" in bad.comment.text
    assert "校验位错误" in ws.cell(row=4, column=len(header)).value
    assert ws.cell(row=2, column=id_col).fill.fgColor.rgb in (None, "00000000")  # good rows copied unmarked
    assert ws.max_row == 5


def test_error_workbook_keeps_formulas_as_text(attempt, tmp_path):
    rows = [dict(HOUSEHOLDS[0], 工资性收入="=SUM(A1:A3)"), HOUSEHOLDS[1]]
    attempt(template_workbook(tmp_path / "a.xlsx", households=rows))
    ws = load_workbook(tmp_path / "errors.xlsx")[HOUSEHOLD_SHEET]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("工资性收入") + 1)
    assert cell.value == "=SUM(A1:A3)" and cell.data_type == "s"


# --- properties ------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_cell_text_is_stripped_or_refused_when_a_formula(text):
    if text.strip().startswith("="):
        with pytest.raises(CellProblem):
            cell_value(text)
    else:
        assert cell_value(text) == (text.strip() or None)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), st.integers(0, 999))
def test_fifteen_digit_ids_gain_the_century_and_a_valid_check_digit(birth, seq):
    from fupin.registry.idnumbers import validate

    old = f"610926{birth:%y%m%d}{seq:03d}"
    new = normalize(old)
    assert new[:6] == "610926" and new[6:14] == f"{birth:%Y%m%d}" and new[14:17] == f"{seq:03d}"
    facts = validate(new)  # check digit and birth date valid (the region code may postdate the birth)
    assert facts.birth_date == birth and facts.gender == ("M" if seq % 2 else "F")
    assert normalize(new.lower()) == new  # idempotent, and a lower-case x is upper-cased


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=10**15, max_value=10**19))
def test_big_numbers_typed_as_floats_are_refused(n):
    with pytest.raises(CellProblem):
        cell_value(float(n))


# --- the streaming reader equals openpyxl's ----------------------------------------------------

def test_streaming_reader_matches_openpyxl_values(tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    from fupin.registry.importing.reader import open_workbook, sheet_reader

    wb = Workbook()
    ws = wb.active
    ws.append(["标题"])
    ws.append([])
    ws.append(["文本", 12, 3.5, True, False, datetime(1980, 1, 2),  # noqa: DTZ001 -- a naive Excel date
               "=SUM(B3:C3)", None, "6109", "#N/A"])
    ws.cell(row=6, column=4, value="隔行")
    ws.cell(row=7, column=2, value=date(2001, 2, 3))
    ws["E7"] = "=A3&\"x\""
    ws.cell(row=8, column=1, value=610926198001011234)
    wb.save(tmp_path / "w.xlsx")
    rb = open_workbook(tmp_path / "w.xlsx")
    ours = list(sheet_reader(rb.worksheets[0]).rows())
    theirs = list(enumerate(rb.worksheets[0].iter_rows(min_row=1, values_only=True), start=1))

    def trim(row):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        return tuple(row)

    assert [(n, trim(v)) for n, v in ours] == [(n, trim(v)) for n, v in theirs]
    assert ours[2][1][6] == "=SUM(B3:C3)" and ours[6][1][1] == datetime(2001, 2, 3)  # noqa: DTZ001


def test_excel_style_workbook_with_shared_strings_imports(users, tmp_path):
    from fupin.registry.importing.reader import open_workbook, sheet_reader

    from .importing_helpers import to_shared_strings

    path = to_shared_strings(template_workbook(tmp_path / "inline.xlsx"), tmp_path / "shared.xlsx")
    rb = open_workbook(path)
    ws = rb[MEMBER_SHEET]
    ours = [tuple(v) for _, v in sheet_reader(ws).rows()]
    theirs = [tuple(v) for v in ws.iter_rows(min_row=1, values_only=True)]
    assert ours == [t[:len(o)] for o, t in zip(ours, theirs, strict=True)] and ours[1][1] == "赵大"
    result = import_households(path, actor=users["county"], year=YEAR)
    assert result.ok, [p.text() for p in result.problems]
    assert Member.objects.count() == 4


def test_sheet_xml_broken_in_the_middle(attempt, tmp_path):
    good = template_workbook(tmp_path / "good.xlsx", members=MEMBERS * 1)
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) * 2 // 3] + b"<row><c><v>1</c>"
            zout.writestr(item, data)
    assert "已损坏" in attempt(path).text

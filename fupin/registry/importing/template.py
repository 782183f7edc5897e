"""Our own import template (导入模板) and the layout of our exports.

Two data sheets, headers = the model fields' verbose names:
- 户信息: one row per household — household fields, 户状态, 年度 and the household's yearly data.
- 成员信息: one row per member — 户编号, member fields and the member's data for that 年度.
A 说明 sheet explains the rules; choice columns carry drop-down lists (data validation) whose
options live on a hidden 选项 sheet. Exports write exactly these columns, so an export re-imports.
"""

from dataclasses import dataclass

from django.db import models

HOUSEHOLD_SHEET = "户信息"
MEMBER_SHEET = "成员信息"
NOTES_SHEET = "说明"
OPTIONS_SHEET = "选项"


@dataclass(frozen=True)
class Column:
    key: str  # "<target>.<field>" — target: household, household_year, member, member_year, meta
    header: str
    field: models.Field | None = None
    aliases: tuple[str, ...] = ()
    text: bool = False  # format the column as text in the template (IDs, phones, accounts)
    width: int = 12

    @property
    def target(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def choices(self) -> list[str]:
        """Labels offered in the drop-down (blank choices left out)."""
        if self.field is None:
            return []
        if isinstance(self.field, models.BooleanField):
            return ["是", "否"]
        if self.field.choices and self.name != "other_causes":
            return [str(label) for code, label in self.field.choices if code != ""]
        return []

    @property
    def is_date(self) -> bool:
        return isinstance(self.field, models.DateField)


def _col(model, name: str, target: str, *, header: str | None = None, aliases=(), text=False, width=12) -> Column:
    field = model._meta.get_field(name)
    return Column(key=f"{target}.{name}", header=header or str(field.verbose_name), field=field,
                  aliases=(name, *aliases), text=text, width=width)


TEXT_FIELDS = {"household_no", "phone", "bank_account", "id_number", "disability_cert_no", "village"}


def household_columns() -> list[Column]:
    from ..models import Household, HouseholdYear
    from ..validation import household_year_input_fields

    cols = [
        _col(Household, "household_no", "household", text=True, width=18),
        _col(Household, "village", "household", header="行政村代码", aliases=("行政村", "村代码"), text=True, width=15),
        _col(Household, "group_name", "household"),
        _col(Household, "address", "household", width=24),
        _col(Household, "head_name", "household"),
        _col(Household, "phone", "household", text=True, width=14),
        _col(Household, "bank_name", "household", width=16),
        _col(Household, "bank_account", "household", text=True, width=22),
        _col(Household, "identification_standard", "household"),
        _col(Household, "attribute", "household", width=16),
        _col(Household, "status", "household"),
        _col(Household, "main_cause", "household", width=14),
        _col(Household, "other_causes", "household", width=18),
        _col(Household, "registered_year", "household"),
        _col(Household, "exit_year", "household"),
        Column(key="meta.year", header="年度", aliases=("year",)),
    ]
    cols += [_col(HouseholdYear, name, "household_year") for name in household_year_input_fields()]
    return cols


def member_columns() -> list[Column]:
    from ..models import Household, Member, MemberYear
    from ..validation import MEMBER_INPUT, member_year_input_fields

    hh_no = Household._meta.get_field("household_no")
    cols = [Column(key="meta.household_no", header=str(hh_no.verbose_name), field=hh_no,
                   aliases=("household_no",), text=True, width=18)]
    cols += [_col(Member, name, "member", text=name in TEXT_FIELDS, width=20 if name == "id_number" else 12)
             for name in MEMBER_INPUT]
    cols += [_col(Member, "left_on", "member"), _col(Member, "left_reason", "member")]
    cols += [_col(MemberYear, name, "member_year") for name in member_year_input_fields()]
    return cols


# Columns a sheet must have (the rest may be left out; a left-out column leaves the stored value as
# it is, and gives the field's default to a new record).
HOUSEHOLD_REQUIRED = ("household.household_no", "household.village", "household.head_name",
                      "household.main_cause", "household.registered_year")
MEMBER_REQUIRED = ("meta.household_no", "member.name", "member.id_number", "member.relation")

NOTES = [
    "精准扶贫信息管理系统 · 建档立卡数据导入模板",
    "",
    "1. “户信息”表每户一行，“成员信息”表每人一行，两表以“户编号”关联；成员的户编号必须在“户信息”表中出现。",
    "2. 表头请勿修改；可以删去不需要的列（删去的列不会修改已有数据），不能添加其他列。",
    "3. 选项列可直接从下拉列表选择，也可填写代码；是/否列填写“是”或“否”。",
    "4. 证件号码、户联系电话、银行账号请按文本填写（本模板已设为文本格式），否则 Excel 会丢失末几位。",
    "   15 位旧身份证号自动升为 18 位，末位小写 x 自动改为大写；性别和出生日期可以不填（按证件号码推算），填写时须与证件号码一致。",
    "5. 日期可写作 1980-01-01、1980/1/1 或 19800101。不能使用公式（以“=”开头的单元格会被拒绝）。",
    "6. 其他致贫原因最多两项，用顿号分隔，如“缺资金、缺技术”。",
    "7. “年度”填写本次导入的年度（可留空，即为导入时指定的年度）；收入、住房、生活条件、土地等为该年度数据。"
    "家庭纯收入和年人均纯收入由系统按分项计算，不需填写。",
    "8. 按户编号更新已有的户，按“户编号 + 证件号码”更新已有成员；重复导入同一文件不会产生重复数据。",
    "9. 任何一行有错误时，整份文件都不会写入；系统会返回一份标出错误单元格（红色）并说明原因的文件。",
    "10. 只能导入本人管辖范围内的行政村的户；行政村代码为 12 位统计用区划代码。",
]


def write_template(path) -> None:
    """Write the empty template workbook to `path`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    sheets = {HOUSEHOLD_SHEET: wb.active}
    sheets[HOUSEHOLD_SHEET].title = HOUSEHOLD_SHEET
    sheets[MEMBER_SHEET] = wb.create_sheet(MEMBER_SHEET)
    notes = wb.create_sheet(NOTES_SHEET)
    for line in NOTES:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 120
    options = wb.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"
    option_col = 0
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    rows = 2000
    for title, columns, required in ((HOUSEHOLD_SHEET, household_columns(), HOUSEHOLD_REQUIRED),
                                     (MEMBER_SHEET, member_columns(), MEMBER_REQUIRED)):
        ws = sheets[title]
        ws.append([c.header for c in columns])
        ws.freeze_panes = "B2"
        for index, col in enumerate(columns, start=1):
            letter = get_column_letter(index)
            cell = ws.cell(row=1, column=index)
            cell.font = Font(bold=True)
            cell.fill = required_fill if col.key in required else header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            ws.column_dimensions[letter].width = max(col.width, len(col.header) * 2 + 2)
            if col.text:
                # The column's own style: cells typed into it are text, so Excel keeps every digit.
                ws.column_dimensions[letter].number_format = "@"
            labels = col.choices
            if labels:
                option_col += 1
                opt_letter = get_column_letter(option_col)
                options.cell(row=1, column=option_col, value=col.header)
                for i, label in enumerate(labels, start=2):
                    options.cell(row=i, column=option_col, value=label)
                ref = f"{quote_sheetname(OPTIONS_SHEET)}!${opt_letter}$2:${opt_letter}${len(labels) + 1}"
                dv = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=True,
                                    errorTitle="无效选项", error=f"请从下拉列表选择{col.header}")
                dv.add(f"{letter}2:{letter}{rows + 1}")
                ws.add_data_validation(dv)
    wb.active = 0
    wb.save(path)

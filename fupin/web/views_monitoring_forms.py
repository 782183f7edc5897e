"""Forms of the 防止返贫监测 pages (values go to `fupin.monitoring.services`, which validates them again)."""

from django import forms

from fupin.monitoring.choices import Discovery, ObjectType, RiskType
from fupin.plans.choices import MeasureType
from fupin.registry.choices import PovertyCause

DATE = forms.DateInput(attrs={"type": "date"})
YES_NO = [("", "—"), ("true", "是"), ("false", "否")]
NOTICE_HELP = "村内公示期（含首尾两天），不少于规定天数"


def _notice_fields(*, required: bool, before: str) -> tuple[forms.DateField, forms.DateField]:
    """公示开始/结束日期, empty by default: the clerk enters the real period."""
    return (forms.DateField(label="公示开始日期", required=required, widget=DATE, help_text=NOTICE_HELP,
                            error_messages={"required": "公示开始日期不能为空", "invalid": "公示开始日期格式无效"}),
            forms.DateField(label="公示结束日期", required=required, widget=DATE, help_text=f"不能晚于{before}",
                            error_messages={"required": "公示结束日期不能为空", "invalid": "公示结束日期格式无效"}))


def form_data(form) -> dict:
    """The cleaned values that were given (False kept, empty left out, dates as they are)."""
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}


class _IdentificationFields(forms.Form):
    object_type = forms.ChoiceField(label="监测对象类别", choices=ObjectType.choices)
    risk_types = forms.MultipleChoiceField(label="致贫返贫风险", choices=RiskType.choices,
                                           widget=forms.CheckboxSelectMultiple, help_text="第一项为主要风险，最多 5 项")
    discovery = forms.ChoiceField(label="发现方式", choices=Discovery.choices)
    discovered_on = forms.DateField(label="发现日期", widget=DATE)
    identified_on = forms.DateField(label="识别监测时间", required=False, widget=DATE, help_text="默认今天")
    notice_from, notice_to = _notice_fields(required=True, before="识别监测时间")
    note = forms.CharField(label="说明", max_length=300, required=False)


class IdentifyForm(_IdentificationFields):
    household_id = forms.IntegerField(widget=forms.HiddenInput)
    field_order = ["household_id", "object_type", "risk_types", "discovery", "discovered_on", "notice_from",
                   "notice_to", "identified_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].help_text = "已按排查结果建议"


class MarginalForm(_IdentificationFields):
    household_no = forms.CharField(label="户编号", max_length=30)
    village = forms.CharField(label="行政村代码", max_length=12, help_text="12 位区划代码")
    head_name = forms.CharField(label="户主姓名", max_length=50)
    id_number = forms.CharField(label="户主身份证号", max_length=20)
    main_cause = forms.ChoiceField(label="主要致贫风险原因", choices=PovertyCause.choices)
    address = forms.CharField(label="住址", max_length=200, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    field_order = ["household_no", "village", "head_name", "id_number", "main_cause", "address", "phone",
                   "object_type", "risk_types", "discovery", "discovered_on", "notice_from", "notice_to",
                   "identified_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [c for c in ObjectType.choices if c[0] != ObjectType.UNSTABLE]


class MeasureForm(forms.Form):
    measure_type = forms.ChoiceField(label="措施类型", choices=MeasureType.choices)
    description = forms.CharField(label="措施内容", max_length=300)
    started_on = forms.DateField(label="落实日期", required=False, widget=DATE, help_text="默认今天")
    amount = forms.DecimalField(label="金额（元）", required=False, min_value=0, max_digits=12, decimal_places=2)


class EliminateForm(forms.Form):
    on = forms.DateField(label="消除日期", required=False, widget=DATE, help_text="默认今天")
    verified_income = forms.DecimalField(label="近12个月人均纯收入（元）", required=False, min_value=0, max_digits=12,
                                         decimal_places=2, help_text="入户核实的数")
    expenditure_solved = forms.TypedChoiceField(label="刚性支出问题已解决", choices=YES_NO, required=False,
                                                coerce=lambda v: v == "true", empty_value=None)
    # not required here: the same form drives the dry run; the service requires both to eliminate
    notice_from, notice_to = _notice_fields(required=False, before="消除日期")
    note = forms.CharField(label="说明", max_length=300, required=False, help_text="民主评议情况")


class NaturalForm(forms.Form):
    on = forms.DateField(label="消除日期", required=False, widget=DATE, help_text="默认今天")
    reason = forms.CharField(label="原因", max_length=300, help_text="如：户内成员全部死亡")

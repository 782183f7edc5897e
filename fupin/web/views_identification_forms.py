"""Forms of the identification and exit pages. They shape input only: the services in
fupin.identification clean and check every value again (with Chinese messages per field)."""

from django import forms

from fupin.core.clock import today
from fupin.identification.application import INCOME_FIELDS
from fupin.identification.choices import Decision, ObjectionOutcome
from fupin.registry.choices import Health, HouseholdAttribute, PovertyCause, Relation, SchoolStatus

INCOME_LABELS = {"wage_income": "工资性收入", "business_income": "生产经营性收入", "business_cost": "生产经营费用",
                 "property_income": "财产性收入", "transfer_income": "转移性收入（含政策性补贴）"}
MEMBER_ROWS = 8
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, *, required=False, max_length=None, **attrs):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.TextInput(attrs={"autocomplete": "off", **attrs}))


def _date(label="办理日期", **kwargs):
    return forms.DateField(label=label, required=False, widget=DATE_WIDGET, input_formats=["%Y-%m-%d"],
                           help_text=kwargs.get("help_text", "不填为今天；不能晚于今天"))


def _year_field():
    return forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              initial=lambda: today().year)


class ApplicationForm(forms.Form):
    """农户申请: the applicant household and its income for the round."""

    year = _year_field()
    on = _date("申请日期")
    head_name = _text("户主姓名", required=True, max_length=50)
    id_number = _text("户主身份证号码", required=True, max_length=20, inputmode="text")
    group_name = _text("村民小组", max_length=30)
    address = _text("住址", max_length=200)
    phone = _text("联系电话", max_length=20, inputmode="tel")
    main_cause = forms.ChoiceField(label="主要致贫原因", choices=[("", "请选择"), *PovertyCause.choices])
    other_causes = forms.MultipleChoiceField(label="其他致贫原因（最多两项）", choices=PovertyCause.choices,
                                             required=False, widget=forms.CheckboxSelectMultiple)
    attribute = forms.ChoiceField(label="贫困户属性", choices=HouseholdAttribute.choices,
                                  initial=HouseholdAttribute.GENERAL)
    note = forms.CharField(label="申请理由", required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in INCOME_FIELDS:
            self.fields[name] = _text(f"{INCOME_LABELS[name]}（元/年）", inputmode="decimal")

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("year", "on")}
        return data


class MemberRowForm(forms.Form):
    """A member other than the head (the head is taken from the applicant fields)."""

    name = _text("姓名", max_length=50)
    id_number = _text("身份证号码", max_length=20)
    relation = forms.ChoiceField(label="与户主关系", required=False,
                                 choices=[("", "—"), *[c for c in Relation.choices if c[0] != Relation.HEAD]])
    health = forms.ChoiceField(label="健康状况", required=False, choices=[("", "—"), *Health.choices])
    school_status = forms.ChoiceField(label="在校生状况", required=False, choices=[("", "—"), *SchoolStatus.choices])

    def row(self) -> dict | None:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return data or None


MemberFormSet = forms.formset_factory(MemberRowForm, extra=MEMBER_ROWS, max_num=20)


class ExitCaseForm(forms.Form):
    year = _year_field()
    on = _date("提出日期")
    note = forms.CharField(label="提出说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="如：人均纯收入稳定超过标准，两不愁三保障已实现")


class ActForm(forms.Form):
    decision = forms.ChoiceField(label="办理结论", required=False,
                                 choices=[(Decision.APPROVED, "同意"), (Decision.REJECTED, "不同意（终止案件）")])
    votes_for = forms.IntegerField(label="赞成票", required=False, min_value=0)
    votes_against = forms.IntegerField(label="反对票", required=False, min_value=0)
    votes_abstain = forms.IntegerField(label="弃权票", required=False, min_value=0)
    comment = forms.CharField(label="意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="不同意时必须填写理由")
    on = _date()


class NoticeForm(forms.Form):
    case_ids = forms.MultipleChoiceField(label="列入的户", choices=(), widget=forms.CheckboxSelectMultiple)
    title = _text("标题", max_length=200)
    issuer = _text("发布单位", max_length=100)
    on = _date("发布日期")
    starts_on = _date("公示开始日期", help_text="不填为发布当日")
    objection_contact = forms.CharField(label="异议受理方式", required=False, max_length=500,
                                        widget=forms.Textarea(attrs={"rows": 2}),
                                        help_text="受理人、联系电话、受理地点，将印在公示上")
    note = forms.CharField(label="说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, cases=(), is_notice=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_ids"].choices = [(str(c.pk), c.head_name) for c in cases]
        if not is_notice:
            for name in ("starts_on", "objection_contact"):
                del self.fields[name]


class ObjectionForm(forms.Form):
    case = forms.ChoiceField(label="异议针对的户", choices=())
    filer_name = _text("异议人", max_length=50, placeholder="不填为匿名")
    phone = _text("联系电话", max_length=20, inputmode="tel")
    content = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    on = _date("提出日期")

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(str(e.case_id), e.head_name) for e in entries]


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结论", choices=ObjectionOutcome.choices)
    resolution = forms.CharField(label="核查处理意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    on = _date("处理日期")

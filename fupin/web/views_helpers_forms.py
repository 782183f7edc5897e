"""Forms of the 结对帮扶 pages. They parse and shape input only; the helpers services check every
rule again (dates ordered, one first secretary, load limit, not a registered poor person …)."""

from django import forms

from fupin.helpers.models import TeamRole, UnitKind

DATE = {"type": "date"}
ID_ATTRS = {"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters"}
PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "off"}


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, widget=forms.DateInput(attrs=DATE),
                           error_messages={"required": f"{label}不能为空", "invalid": f"{label}不是有效日期"})


def _reason(label: str = "原因", *, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, max_length=200, required=required,
                           error_messages={"required": f"{label}不能为空"})


class PoorVillageForm(forms.Form):
    identified_year = forms.IntegerField(label="认定年度", min_value=2000, max_value=2100,
                                         widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    exited_year = forms.IntegerField(label="出列年度", required=False, min_value=2000, max_value=2100,
                                     help_text="未出列的留空", widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    source = forms.CharField(label="依据", max_length=200, required=False)


class UnitForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=100)
    kind = forms.ChoiceField(label="单位类别", choices=[("", "请选择")] + UnitKind.choices)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False,
                                    widget=forms.TextInput(attrs=PHONE_ATTRS))
    note = forms.CharField(label="备注", max_length=200, required=False)


class PairVillageForm(forms.Form):
    """On a unit's page: which village it helps, from when."""

    village = forms.ChoiceField(label="行政村")
    start = _date("开始日期")

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "请选择行政村")] + [(v.code, f"{v.name}（{v.code}）") for v in villages]


class PairUnitForm(forms.Form):
    """On a village's page: which unit helps it, from when."""

    unit = forms.ChoiceField(label="帮扶单位")
    start = _date("开始日期")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "请选择帮扶单位")] + [(str(u.pk), f"{u.name}（{u.get_kind_display()}）")
                                                                 for u in units]


class EndForm(forms.Form):
    end = _date("结束日期", help_text="当日起不再有效")
    reason = _reason("结束原因")


class PersonFields(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号码", max_length=20, widget=forms.TextInput(attrs=ID_ATTRS))
    phone = forms.CharField(label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs=PHONE_ATTRS))
    work_unit = forms.CharField(label="工作单位及职务", max_length=100, required=False)


class TeamForm(PersonFields):
    """A new team with its first secretary (the person fields are the secretary's)."""

    field_order = ["start", "unit", "name", "id_number", "phone", "work_unit"]
    start = _date("进驻日期")
    unit = forms.ChoiceField(label="派出单位", required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "（不填）")] + [(str(u.pk), u.name) for u in units]
        self.fields["name"].label = "第一书记姓名"
        self.fields["id_number"].label = "第一书记身份证号码"


class MemberForm(PersonFields):
    field_order = ["role", "name", "id_number", "phone", "work_unit", "start", "replace", "reason"]
    role = forms.ChoiceField(label="职务", choices=TeamRole.choices)
    start = _date("开始日期")
    replace = forms.BooleanField(label="更换现任（第一书记、队长）", required=False,
                                 help_text="现任者的任职在新任开始之日结束")
    reason = _reason("更换原因", required=False)


class AssignForm(forms.Form):
    cadre = forms.ChoiceField(label="帮扶责任人")
    on = _date("结对日期", help_text="不能晚于今天；原帮扶责任人的结对在当日结束")
    reason = _reason("原因", required=False)

    def __init__(self, *args, candidates=(), limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        cap = f"/{limit['value']}" if limit else ""
        choices = [("", "请选择帮扶责任人")]
        for c in candidates:
            notes = []
            if not c.has_profile:
                notes.append("未登记档案")
            if c.full:
                notes.append("已满")
            suffix = f"，{'，'.join(notes)}" if notes else ""
            choices.append((str(c.pk), f"{c.display_name}（{c.region.name}，已结对 {c.load}{cap} 户{suffix}）"))
        self.fields["cadre"].choices = choices
        self.fields["reason"].help_text = "更换帮扶责任人时必填"


class EndHelperForm(forms.Form):
    on = _date("结束日期")
    reason = _reason("原因")


class ProfileForm(forms.Form):
    id_number = forms.CharField(label="身份证号码", max_length=20, widget=forms.TextInput(attrs=ID_ATTRS))
    unit = forms.ChoiceField(label="工作单位", required=False)
    position = forms.CharField(label="职务", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs=PHONE_ATTRS))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "（不填）")] + [(str(u.pk), u.name) for u in units]


class ReassignForm(forms.Form):
    to_cadre = forms.ChoiceField(label="新帮扶责任人")
    on = _date("调整日期", help_text="不能晚于今天")
    reason = _reason("调整原因")

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cadre"].choices = [("", "请选择")] + [
            (str(c.pk), f"{c.display_name}（{c.region.name}，已结对 {c.load} 户）") for c in cadres]

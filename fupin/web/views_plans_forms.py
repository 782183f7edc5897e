"""Forms of the plan pages. They parse and shape input only; every rule is checked by plans.services."""

import json

from django import forms

from fupin.plans.choices import Batch, MeasureStatus, MeasureType, RuleKind, batch_of
from fupin.plans.services import INPUT_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _measure_type_choices():
    """Measure types grouped by their 五个一批 batch."""
    groups = [(b.label, [(m.value, m.label) for m in MeasureType if batch_of(m) == b]) for b in Batch]
    return [("", "请选择措施类型"), *groups]


class MeasureForm(forms.Form):
    measure_type = forms.ChoiceField(label="措施类型", choices=_measure_type_choices, required=False)
    content = forms.CharField(label="措施内容和目标", required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))
    amount = forms.CharField(label="金额（元，可空）", required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    responsible = forms.CharField(label="责任单位或责任人", required=False, widget=forms.TextInput(attrs={"maxlength": 100}))
    status = forms.ChoiceField(label="实施状态", required=False,
                               choices=[(s.value, s.label) for s in MeasureStatus if s != MeasureStatus.CANCELLED])
    due_on = forms.CharField(label="计划完成日期", required=False, widget=DATE)
    completed_on = forms.CharField(label="完成日期（已完成时必填）", required=False, widget=DATE)
    note = forms.CharField(label="备注", required=False, widget=forms.TextInput(attrs={"maxlength": 300}))

    def data_for_service(self) -> dict:
        return {n: self.cleaned_data.get(n) or "" for n in INPUT_FIELDS}


def measure_initial(m) -> dict:
    return {"measure_type": m.measure_type, "content": m.content, "amount": "" if m.amount is None else m.amount,
            "responsible": m.responsible, "status": m.status,
            "due_on": m.due_on.isoformat() if m.due_on else "",
            "completed_on": m.completed_on.isoformat() if m.completed_on else "", "note": m.note}


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200, required=False)


class RuleForm(forms.Form):
    code = forms.CharField(label="规则代码", max_length=40, help_text="与已有规则同代码即覆盖该规则在本区划的设定")
    kind = forms.ChoiceField(label="规则类别", choices=RuleKind.choices)
    name = forms.CharField(label="规则名称", max_length=100)
    measure_type = forms.ChoiceField(label="措施类型", choices=_measure_type_choices)
    condition = forms.CharField(label="条件（JSON）", widget=forms.Textarea(attrs={"rows": 4, "class": "code"}),
                                help_text='例：[{"fact": "labour_count", "op": "gte", "value": 1}]；'
                                          "也可用 {\"any\": [...]}、{\"not\": {...}}")
    explanation = forms.CharField(label="说明和依据", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    year_from = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    year_to = forms.IntegerField(label="截止年度（可空）", min_value=2000, max_value=2100, required=False)
    position = forms.IntegerField(label="排序（可空）", min_value=0, max_value=30000, required=False)
    active = forms.BooleanField(label="启用（不勾选即在本区划停用该规则）", required=False, initial=True)


def rule_initial(row, year: int) -> dict:
    return {"code": row.code, "kind": row.kind, "name": row.name, "measure_type": row.measure_type,
            "condition": json.dumps(row.condition, ensure_ascii=False), "explanation": row.explanation,
            "year_from": year, "position": row.position, "active": row.active}

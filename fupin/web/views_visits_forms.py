"""Forms of the visit log (走访记录), built for a phone: the date defaults to today, the kind is
preselected, common phrases are one tap each, problems and follow-up are folded away, and the
photo input opens the camera. The services do the real checks; these only shape the input."""

from django import forms

from fupin.core.clock import today
from fupin.visits.choices import QUICK_PHRASES, VisitKind
from fupin.visits.rules import ON_BEHALF

TEXTAREA = {"rows": 3}


def _date_widget():
    return forms.DateInput(attrs={"type": "date", "max": today().isoformat()}, format="%Y-%m-%d")


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", error_messages={
        "required": "走访日期不能为空", "invalid": "走访日期不是有效日期"})
    kind = forms.ChoiceField(label="走访方式", choices=VisitKind.choices, initial=VisitKind.HOME,
                             widget=forms.RadioSelect)
    phrases = forms.MultipleChoiceField(label="常用内容（点选）", required=False,
                                        choices=[(p, p) for p in QUICK_PHRASES],
                                        widget=forms.CheckboxSelectMultiple)
    content = forms.CharField(label="走访内容", required=False, max_length=1000,
                              widget=forms.Textarea(attrs={**TEXTAREA, "placeholder": "可补充说明；已点选的常用内容会放在前面"}))
    problems = forms.CharField(label="发现的问题", required=False, max_length=1000,
                               widget=forms.Textarea(attrs={**TEXTAREA, "placeholder": "如：房屋漏雨、孩子辍学"}))
    follow_up = forms.CharField(label="措施和跟进事项", required=False, max_length=500,
                                widget=forms.Textarea(attrs={**TEXTAREA, "placeholder": "如：联系危房改造、代办医保报销"}))
    follow_up_due = forms.DateField(label="跟进期限", required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    error_messages={"invalid": "跟进期限不是有效日期"})
    photo = forms.FileField(label="照片（可选）", required=False,
                            widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}))
    on_behalf_note = forms.CharField(label="代录说明", max_length=200, required=False,
                                     help_text="代帮扶责任人录入时必填，如：帮扶责任人电话告知、纸质记录补录")

    def __init__(self, *args, mode: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = today()
        self.fields["visited_on"].widget = _date_widget()
        if mode != ON_BEHALF:
            del self.fields["on_behalf_note"]

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("phrases") and not (data.get("content") or "").strip():
            self.add_error("content", "请点选常用内容或填写走访内容")
        return data

    def service_data(self) -> dict:
        d = self.cleaned_data
        content = "；".join([*d.get("phrases", []), *([d["content"].strip()] if d.get("content", "").strip() else [])])
        data = {"visited_on": d["visited_on"], "kind": d["kind"], "content": content, "problems": d["problems"],
                "follow_up": d["follow_up"], "follow_up_due": d["follow_up_due"]}
        if "on_behalf_note" in self.fields:
            data["on_behalf_note"] = d["on_behalf_note"]
        return data


class VisitEditForm(VisitForm):
    follow_up_done = forms.BooleanField(label="跟进事项已办结", required=False)
    remove_photo = forms.BooleanField(label="删除照片", required=False)

    def __init__(self, *args, mode: str, has_photo: bool, **kwargs):
        super().__init__(*args, mode=mode, **kwargs)
        del self.fields["phrases"]
        self.fields["content"].required = True
        self.fields["content"].error_messages["required"] = "走访内容不能为空"
        self.fields["photo"].label = "更换照片" if has_photo else "照片（可选）"
        if not has_photo:
            del self.fields["remove_photo"]

    def clean(self):
        return forms.Form.clean(self)

    def service_data(self) -> dict:
        data = super().service_data()
        data["follow_up_done"] = self.cleaned_data["follow_up_done"]
        return data


class FollowUpCloseForm(forms.Form):
    done_on = forms.DateField(label="办结日期", required=False, error_messages={"invalid": "办结日期不是有效日期"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].widget = _date_widget()

"""Forms of the 问题台账 pages and the page registering an inspection, audit or other finding
(/r/<code>/ledger/new/): source, region (the user's region or a township/village in scope), optional
household by 户编号, title, description, found on, deadline, responsible person."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fupin.accounts.roles import Cap, role_has
from fupin.ledger.choices import Source
from fupin.ledger.selectors import household_by_no, regions_for_items, responsible_candidates
from fupin.ledger.services import item_create
from fupin.policy.selectors import PolicyMissing
from fupin.regions.selectors import breadcrumb_for, region_access

from .views import _service_errors_to_form

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


def _person_choices(candidates) -> list:
    return [("", "（不指定）")] + [(u.pk, f"{u.display_name}（{u.region.name}，{u.get_role_display()}）")
                                  for u in candidates]


class AssignForm(forms.Form):
    responsible = forms.TypedChoiceField(label="整改责任人", required=False, coerce=int, empty_value=None)
    responsible_name = forms.CharField(label="责任人（单位）", max_length=100, required=False)
    deadline = forms.DateField(label="整改时限", required=False, widget=DATE)
    measures = forms.CharField(label="整改措施", required=False, widget=TEXT)
    note = forms.CharField(label="说明", max_length=200, required=False)
    on = forms.DateField(label="日期", required=False, widget=DATE, help_text="默认今天")

    def __init__(self, *args, candidates=(), item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = _person_choices(candidates)
        if item is not None:
            self.fields["responsible"].initial = item.responsible_id
            self.fields["responsible_name"].initial = item.responsible_name
            self.fields["deadline"].initial = item.deadline
            self.fields["measures"].initial = item.measures


class ActionForm(forms.Form):
    """start (measures), submit (measures may be edited), return/reopen (reason), verify/close (note)."""

    measures = forms.CharField(label="整改措施", required=False, widget=TEXT)
    reason = forms.CharField(label="原因", max_length=300, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)
    on = forms.DateField(label="日期", required=False, widget=DATE, help_text="默认今天")

    def __init__(self, *args, item=None, action="", **kwargs):
        super().__init__(*args, **kwargs)
        if action in ("start", "submit"):
            del self.fields["reason"]
            self.fields["measures"].required = action == "start"
            if item is not None:
                self.fields["measures"].initial = item.measures
        elif action in ("return", "reopen"):
            del self.fields["measures"], self.fields["note"]
            self.fields["reason"].required = True
            self.fields["reason"].label = "退回原因" if action == "return" else "重新打开的原因"
        else:
            del self.fields["measures"], self.fields["reason"]
            if action == "verify":
                self.fields["note"].label = "核验意见"


class EvidenceForm(forms.Form):
    note = forms.CharField(label="说明", max_length=200, required=False)
    on = forms.DateField(label="日期", required=False, widget=DATE, help_text="默认今天")


ACTION_FORMS = {"assign": AssignForm, "start": ActionForm, "evidence": EvidenceForm, "submit": ActionForm,
                "return": ActionForm, "verify": ActionForm, "close": ActionForm, "reopen": ActionForm}


class NewItemForm(forms.Form):
    source = forms.ChoiceField(label="问题来源", choices=[(Source.INSPECTION, "巡视督查"), (Source.AUDIT, "审计"),
                                                        (Source.OTHER, "其他")])
    region_code = forms.ChoiceField(label="所属区划", help_text="指定涉及户时以该户所在村为准")
    household_no = forms.CharField(label="涉及户（户编号）", max_length=30, required=False)
    title = forms.CharField(label="问题", max_length=200)
    description = forms.CharField(label="问题描述", required=False, widget=TEXT)
    source_ref = forms.CharField(label="来源编号", max_length=120, required=False, help_text="如巡视反馈意见文号及序号")
    found_on = forms.DateField(label="发现日期", required=False, widget=DATE, help_text="默认今天")
    deadline = forms.DateField(label="整改时限", required=False, widget=DATE, help_text="默认按政策参数天数")
    responsible = forms.TypedChoiceField(label="整改责任人", required=False, coerce=int, empty_value=None)
    responsible_name = forms.CharField(label="责任人（单位）", max_length=100, required=False)

    def __init__(self, *args, regions=(), candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [(r.code, f"{r.name}（{r.code}）") for r in regions]
        self.fields["responsible"].choices = _person_choices(candidates)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ledger_new_view(request, code):
    """登记问题: an inspection (巡视督查), audit (审计) or other finding."""
    user = request.user
    region = region_access(user, code)
    if not role_has(user.role, Cap.MANAGE_LEDGER):
        raise PermissionDenied("您的角色无权登记问题")
    regions = regions_for_items(user)
    form = NewItemForm(request.POST if request.method == "POST" else None, regions=regions,
                       candidates=responsible_candidates(user), initial={"region_code": region.code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        household_id = None
        if d["household_no"]:
            household = household_by_no(user, d["household_no"])
            if household is None:
                form.add_error("household_no", f"户编号“{d['household_no']}”不存在或不在您的管辖范围内")
            else:
                household_id = household.pk
        if not form.errors:
            try:
                item = item_create(actor=user, source=d["source"], region_code=d["region_code"],
                                   household_id=household_id, title=d["title"], description=d["description"],
                                   source_ref=d["source_ref"], found_on=d["found_on"], deadline=d["deadline"],
                                   responsible_id=d["responsible"], responsible_name=d["responsible_name"])
            except ValidationError as exc:
                _service_errors_to_form(form, exc, field_map={"responsible_id": "responsible"})
            except PolicyMissing as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已登记问题（编号 {item.pk}），整改时限 {item.deadline:%Y-%m-%d}")
                return redirect("web:ledger_item", pk=item.pk)
    return render(request, "web/ledger/new.html", {"region": region, "crumbs": breadcrumb_for(user, region),
                                                   "form": form})

"""扶贫小额信贷 on the web: a region's credit page (rates per village, reminders due, overdue loans)
and a household's credit page (rating, loans with schedule and repayments, and the forms to record a
rating, a loan, a repayment and a renewal).

Who records: the village clerk, township reviewer and county approver in scope (`credit.rules`);
everybody who sees the household reads. Thin: reads through `fupin.credit.selectors`, writes
through `fupin.credit.services` (per-field Chinese errors shown next to the fields; a refused loan
lists every failed rule with its values).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from fupin.core.clock import today
from fupin.credit.choices import UseCategory
from fupin.credit.report import RULE_TEXT
from fupin.credit.rules import may_record
from fupin.credit.selectors import credit_report, household_credit_context, loan_reminders
from fupin.credit.services import loan_create, loan_renew, loan_repay, rating_create
from fupin.policy.selectors import PolicyMissing
from fupin.regions.selectors import breadcrumb_for, region_access
from fupin.registry.selectors import household_access

from .params import date_param
from .views import _service_errors_to_form

ROWS_PER_PAGE = 50
DATE = forms.DateInput(attrs={"type": "date"})


class CreditRatingForm(forms.Form):
    rated_on = forms.DateField(label="评级日期", required=False, widget=DATE, help_text="默认今天")
    rating = forms.CharField(label="信用等级", max_length=10, help_text="如 AAA、AA、A（按评级授信表定额度）")
    valid_until = forms.DateField(label="授信有效期至", required=False, widget=DATE, help_text="默认按政策参数")
    note = forms.CharField(label="说明", max_length=300, required=False)


class LoanForm(forms.Form):
    borrower = forms.ChoiceField(label="借款人")
    bank = forms.CharField(label="放款银行", max_length=60)
    contract_no = forms.CharField(label="借款合同号", max_length=60)
    amount = forms.DecimalField(label="贷款金额（元）", min_value=0, decimal_places=2, max_digits=12)
    term_months = forms.IntegerField(label="期限（月）", min_value=1, max_value=600)
    start_date = forms.DateField(label="放款日期", required=False, widget=DATE, help_text="默认今天")
    annual_rate = forms.DecimalField(label="年利率（%）", min_value=0, decimal_places=4, max_digits=7, initial="4.35")
    subsidised = forms.BooleanField(label="财政贴息（全额）", required=False, initial=True)
    use_category = forms.ChoiceField(label="贷款用途类别", choices=UseCategory.choices,
                                     help_text="只有生产性用途可贷（种植、养殖、加工、经营、旅游、入股带动）")
    declared_use = forms.CharField(label="贷款用途说明", max_length=300)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].choices = [(m.pk, f"{m.name}（{m.get_relation_display()}，{m.birth_date:%Y}年生）")
                                           for m in members]


class LoanRepaymentForm(forms.Form):
    loan = forms.IntegerField(widget=forms.HiddenInput)
    paid_on = forms.DateField(label="还款日期", required=False, widget=DATE, help_text="默认今天")
    principal = forms.DecimalField(label="归还本金（元）", required=False, min_value=0, decimal_places=2, max_digits=12)
    interest = forms.DecimalField(label="支付利息（元）", required=False, min_value=0, decimal_places=2, max_digits=12)
    note = forms.CharField(label="说明", max_length=200, required=False)


class LoanRenewalForm(forms.Form):
    loan = forms.IntegerField(widget=forms.HiddenInput)
    contract_no = forms.CharField(label="续贷合同号", max_length=60)
    term_months = forms.IntegerField(label="期限（月）", min_value=1, max_value=600)
    start_date = forms.DateField(label="续贷日期", required=False, widget=DATE, help_text="默认原贷款到期日")
    amount = forms.DecimalField(label="续贷金额（元）", required=False, min_value=0, decimal_places=2, max_digits=12,
                                help_text="默认原贷款余额")


def _posted_loan(request, action) -> int | None:
    """The loan a failed repayment or renewal form was about (its form is shown open, with errors)."""
    if action not in ("repay", "renew"):
        return None
    try:
        return int(request.POST.get(f"{action}-loan", ""))
    except ValueError:
        return None


def _data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "") and k != "loan"}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def household_credit_view(request, pk):
    """一户的扶贫小额信贷: rating, loans (standing, schedule, repayments) and the recording forms."""
    user = request.user
    household = household_access(user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not may_record(user):
        raise PermissionDenied("您的角色无权录入扶贫小额信贷信息")
    section = household_credit_context(user, household)["credit_section"]
    post = request.POST if action else None
    forms_ = {
        "rating": CreditRatingForm(post if action == "rating" else None, prefix="rating"),
        "loan": LoanForm(post if action == "loan" else None, prefix="loan", members=section["members"]),
        "repay": LoanRepaymentForm(post if action == "repay" else None, prefix="repay"),
        "renew": LoanRenewalForm(post if action == "renew" else None, prefix="renew"),
    }
    if action in forms_ and forms_[action].is_valid():
        form = forms_[action]
        data = _data(form)
        try:
            if action == "rating":
                r = rating_create(actor=user, household_id=household.pk, data=data)
                done = f"已评级授信：{r.rating} 级，授信额度 {r.credit_line} 元，有效期至 {r.valid_until:%Y-%m-%d}"
            elif action == "loan":
                loan = loan_create(actor=user, household_id=household.pk, data=data)
                done = f"已登记贷款 {loan.contract_no}：{loan.amount} 元，{loan.maturity_date:%Y-%m-%d} 到期"
            elif action == "repay":
                r = loan_repay(actor=user, loan_id=form.cleaned_data["loan"], data=data)
                done = f"已登记还款：本金 {r.principal} 元，利息 {r.interest} 元"
            else:
                loan = loan_renew(actor=user, loan_id=form.cleaned_data["loan"], data=data)
                done = f"已展期/续贷：新合同 {loan.contract_no}，{loan.amount} 元，{loan.maturity_date:%Y-%m-%d} 到期"
        except ValidationError as exc:
            _service_errors_to_form(form, exc)
        except PolicyMissing as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("web:household_credit", pk=household.pk)
    return render(request, "web/credit/household_credit.html", {
        "household": household, "s": section, "forms": forms_, "action": action,
        "error_loan": _posted_loan(request, action),
        "blank": {"repay": LoanRepaymentForm(prefix="repay"), "renew": LoanRenewalForm(prefix="renew")},
        "crumbs": breadcrumb_for(user, household.village)})


@login_required
@require_safe
def region_credit_view(request, code):
    """扶贫小额信贷 over a region: rates per village, reminders due on the day, overdue loans."""
    user = request.user
    region = region_access(user, code)
    on = date_param(request, "on", fallback="已按今天统计")
    report = credit_report(user, region_code=region.code, on=on)
    reminders = loan_reminders(user, region_code=region.code, on=on)
    return render(request, "web/credit/region_credit.html", {
        "region": region, "crumbs": breadcrumb_for(user, region), "on": on, "today": today(), "report": report,
        "reminders": reminders, "rule_text": RULE_TEXT,
        "villages": Paginator(report.by_village, ROWS_PER_PAGE).get_page(request.GET.get("vpage")),
        "overdue": Paginator(report.overdue, ROWS_PER_PAGE).get_page(request.GET.get("page")),
        "due": Paginator(reminders.due, ROWS_PER_PAGE).get_page(request.GET.get("rpage")),
        "upcoming": Paginator(reminders.upcoming, ROWS_PER_PAGE).get_page(request.GET.get("upage")),
    })

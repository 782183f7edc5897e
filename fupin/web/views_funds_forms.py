"""Forms of the funds pages: a project's next step and a payment. The services check the values."""

from django import forms

from fupin.funds.choices import PayeeKind


class TransitionForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    on = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", required=False, max_length=500)


class DisbursementForm(forms.Form):
    funding = forms.ChoiceField(label="资金安排")
    paid_on = forms.DateField(label="拨付日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label="金额（元）", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    payee_kind = forms.ChoiceField(label="收款方类别", choices=PayeeKind.choices)
    payee_name = forms.CharField(label="收款方", max_length=200)
    payee_id_number = forms.CharField(label="收款人身份证号（拨付到户）", max_length=20, required=False)
    household = forms.ChoiceField(label="收款户（拨付到户）", required=False)
    item = forms.CharField(label="拨付事项", max_length=200)
    voucher_no = forms.CharField(label="凭证号", max_length=100, required=False)

    def __init__(self, *args, fundings=(), households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding"].choices = [
            (f.pk, f"{f.source.name}：安排 {f.amount:,.2f} 元，余额 {f.amount - f.paid:,.2f} 元") for f in fundings]
        self.fields["household"].choices = [("", "—")] + [(h.pk, f"{h.head_name}（{h.household_no}）")
                                                          for h in households]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("household"):
            data.pop("household", None)
        return data

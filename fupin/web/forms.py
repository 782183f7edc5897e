"""Forms parse and shape input only; every rule is checked again by the services they feed."""

from django import forms

from fupin.accounts.roles import Role
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.registry.services import HOUSEHOLD_EDITABLE

# Phone keyboards for digits; 16px text so mobile browsers do not zoom into the field.
_FIELD_ATTRS = {
    "phone": {"inputmode": "tel", "autocomplete": "off"},
    "bank_account": {"inputmode": "numeric", "autocomplete": "off"},
}


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True,
                                                             "autocapitalize": "none"}))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class HouseholdEditForm(forms.Form):
    """One text field per entry of registry.services.HOUSEHOLD_EDITABLE, so the form follows the
    service's list of editable fields; validation (phone, account, length) is the service's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in HOUSEHOLD_EDITABLE.items():
            self.fields[name] = forms.CharField(label=label, required=False,
                                                widget=forms.TextInput(attrs=_FIELD_ATTRS.get(name, {})))


class UserCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    full_name = forms.CharField(label="姓名", max_length=50, required=False)
    role = forms.ChoiceField(label="角色", choices=[("", "请选择角色")] + Role.CHOICES)
    region_code = forms.CharField(label="区划代码", max_length=12, help_text="6、9 或 12 位数字",
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    phone = forms.CharField(label="手机号", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    password = forms.CharField(label="初始密码", strip=False, help_text="至少 8 位，不能是纯数字或常见密码",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_region_code(self) -> str:
        try:
            return normalize_code(self.cleaned_data["region_code"])
        except InvalidCode as exc:
            raise forms.ValidationError(str(exc)) from None

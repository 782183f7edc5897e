"""Forms of the household page, search and year freeze. They shape input only: the registry
services clean and check every value again (with Chinese messages per field)."""

from django import forms
from django.db import models

from fupin.regions.codes import InvalidCode, normalize_code
from fupin.registry.choices import HouseholdAttribute, HouseholdStatus, PovertyCause
from fupin.registry.models import HouseholdYear, MemberYear
from fupin.registry.validation import household_year_input_fields, member_year_input_fields

YES, NO = "1", "0"
BOOLEAN_CHOICES = [(YES, "是"), (NO, "否")]

# The 扶贫手册's groups of yearly household data. `declared_per_capita_income` is what an
# imported file stated and is compared by the quality rules; it is not typed on the web.
HOUSEHOLD_YEAR_FIELDSETS = [
    ("收入（元）", ("wage_income", "business_income", "business_cost", "property_income", "transfer_income",
                  "policy_subsidy", "compliant_out_of_pocket")),
    ("住房", ("housing_area", "housing_structure", "housing_year_built", "danger_grade", "relocated")),
    ("两不愁", ("food_secure", "clothing_secure")),
    ("生活条件", ("living_electricity", "production_electricity", "road_distance_km", "access_road",
              "drinking_water_difficult", "drinking_water_safe", "fuel", "sanitary_toilet", "cooperative_member")),
    ("土地（亩）", ("arable_mu", "forest_mu", "grain_for_green_mu", "orchard_mu", "pasture_mu", "water_surface_mu")),
]
HOUSEHOLD_YEAR_WEB_EXCLUDED = ("declared_per_capita_income",)
INCOME_FIELDS = HOUSEHOLD_YEAR_FIELDSETS[0][1]

MEMBER_YEAR_FIELDSETS = [
    ("教育", ("education", "school_status", "dropout", "dropout_reason")),
    ("健康与劳动能力", ("health", "disability_grade", "labour_capacity", "labour_skill")),
    ("务工", ("migrant_worker", "work_months", "work_place", "work_monthly_income")),
    ("社会保障", ("on_low_income_support", "on_destitute_support", "resident_medical_insurance",
              "employee_medical_insurance", "critical_illness_insurance", "resident_pension_insurance")),
    ("备注", ("note",)),
]


def _form_field(field: models.Field) -> forms.Field:
    """A plain form field for a model field: text for numbers (the service parses them and names
    the field in its message), a select for choices and yes/no."""
    label = str(field.verbose_name)
    if isinstance(field, models.BooleanField):
        return forms.ChoiceField(label=label, choices=BOOLEAN_CHOICES, required=False)
    if field.choices:
        choices = [(str(c), str(lbl)) for c, lbl in field.choices]
        if field.blank and "" not in dict(choices):
            choices = [("", "未填写"), *choices]
        return forms.ChoiceField(label=label, choices=choices, required=False)
    if isinstance(field, models.DecimalField):
        return forms.CharField(label=label, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    if isinstance(field, models.IntegerField):
        return forms.CharField(label=label, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))


def initial_from(obj, names) -> dict:
    """Form values from a yearly row (None for a year without data)."""
    if obj is None:
        return {}
    values = {}
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, bool):
            value = YES if value else NO
        values[name] = "" if value is None else str(value)
    return values


def model_defaults(model, names) -> dict:
    """Initial values of a new yearly row: the model's defaults."""
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        if field.has_default():
            default = field.get_default()
            values[name] = (YES if default else NO) if isinstance(default, bool) else str(default)
    return values


class _YearDataForm(forms.Form):
    model: type[models.Model]
    fieldsets: list[tuple[str, tuple[str, ...]]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for _, names in self.fieldsets:
            for name in names:
                self.fields[name] = _form_field(self.model._meta.get_field(name))

    def grouped(self):
        """[(legend, [bound fields])] for the template."""
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def service_data(self) -> dict:
        """Raw strings for the service, which parses and checks them."""
        return {name: self.cleaned_data.get(name, "") for _, names in self.fieldsets for name in names}


class HouseholdYearForm(_YearDataForm):
    model = HouseholdYear
    fieldsets = HOUSEHOLD_YEAR_FIELDSETS


class MemberYearForm(_YearDataForm):
    model = MemberYear
    fieldsets = MEMBER_YEAR_FIELDSETS


def check_fieldsets_cover_inputs() -> None:
    """The fieldsets must list every input field the services accept (tests call this)."""
    hh = {n for _, names in HOUSEHOLD_YEAR_FIELDSETS for n in names}
    assert hh == set(household_year_input_fields()) - set(HOUSEHOLD_YEAR_WEB_EXCLUDED), hh
    my = {n for _, names in MEMBER_YEAR_FIELDSETS for n in names}
    assert my == set(member_year_input_fields()), my


def village_choices(villages) -> list:
    """Villages grouped by township; each group starts with the whole township. The value is
    still a region code, so a code typed into the URL works the same."""
    groups: dict[str, tuple[str, list]] = {}
    for v in villages:
        parent = v.parent
        key = parent.code if parent else ""
        if key not in groups:
            head = [(parent.code, f"{parent.name}（全部村）")] if parent else []
            groups[key] = (parent.name if parent else "其他", head)
        groups[key][1].append((v.code, f"{parent.name} {v.name}" if parent else v.name))
    return [("", "全部"), *groups.values()]


class SearchForm(forms.Form):
    """Search criteria; every one is optional and they combine with AND."""

    name = forms.CharField(label="姓名", required=False, max_length=50,
                           widget=forms.TextInput(attrs={"type": "search", "placeholder": "户主或成员姓名（包含）",
                                                         "autocomplete": "off"}))
    id_number = forms.CharField(label="证件号码", required=False, max_length=30,
                                widget=forms.TextInput(attrs={"placeholder": "完整号码，18 位或 15 位",
                                                              "autocomplete": "off", "autocapitalize": "characters",
                                                              "spellcheck": "false"}))
    region = forms.CharField(label="区划代码", required=False, max_length=12,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                           "placeholder": "村、乡镇或县代码"}))
    status = forms.ChoiceField(label="户状态", required=False, choices=[("", "全部"), *HouseholdStatus.choices])
    main_cause = forms.ChoiceField(label="主要致贫原因", required=False, choices=[("", "全部"), *PovertyCause.choices])
    attribute = forms.ChoiceField(label="贫困户属性", required=False,
                                  choices=[("", "全部"), *HouseholdAttribute.choices])

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if villages is not None:  # few enough to choose from: a select instead of typing a code
            self.fields["region"].label = "乡镇 / 行政村"
            self.fields["region"].widget = forms.Select(choices=village_choices(villages))

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().replace(" ", "")

    def clean_region(self) -> str:
        raw = self.cleaned_data["region"].strip()
        if not raw:
            return ""
        try:
            return normalize_code(raw)
        except InvalidCode as exc:
            raise forms.ValidationError(str(exc)) from None

    def has_criteria(self) -> bool:
        return any(self.cleaned_data.get(n) for n in self.fields)


class FreezeForm(forms.Form):
    year = forms.IntegerField(label="固化年度", min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    confirm = forms.BooleanField(label="我已核对该年度数据，确认固化", required=True,
                                 error_messages={"required": "请勾选确认后再固化"})

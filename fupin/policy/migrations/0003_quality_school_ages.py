"""Install the data-quality thresholds for school levels (the ones missing; edited values are kept).

The rows are written out here, not read from defaults.py, so this migration stays what it was
when it was written; `fupin load_policy` installs the same rows from NATIONAL_DEFAULTS.
"""

from django.db import migrations

NATION_CODE = "000000000000"

ROWS = [
    ("quality.senior_min_age", 2014, 14, "岁", "[cfg] 不满此年龄而文化程度或在读为高中、中专视为矛盾"),
    ("quality.college_min_age", 2014, 16, "岁", "[cfg] 不满此年龄而文化程度或在读为大专、本科视为矛盾"),
]


def forward(apps, schema_editor):
    PolicyValue = apps.get_model("policy", "PolicyValue")
    have = set(PolicyValue.objects.filter(region_code=NATION_CODE).values_list("key", "year_from"))
    PolicyValue.objects.bulk_create([
        PolicyValue(key=key, region_code=NATION_CODE, year_from=year_from, value=value, unit=unit, source=source)
        for key, year_from, value, unit, source in ROWS if (key, year_from) not in have
    ])


class Migration(migrations.Migration):
    dependencies = [("policy", "0002_national_defaults")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

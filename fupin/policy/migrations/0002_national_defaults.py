"""Install the national default policy values (the ones missing; edited values are kept).

Later defaults are added by `fupin load_policy`, which also writes them to the audit trail.
"""

from django.db import migrations

NATION_CODE = "000000000000"


def forward(apps, schema_editor):
    from fupin.policy.defaults import NATIONAL_DEFAULTS

    PolicyValue = apps.get_model("policy", "PolicyValue")
    have = set(PolicyValue.objects.filter(region_code=NATION_CODE).values_list("key", "year_from"))
    PolicyValue.objects.bulk_create([
        PolicyValue(key=key, region_code=NATION_CODE, year_from=year_from, value=value, unit=unit, source=source)
        for key, year_from, value, unit, source in NATIONAL_DEFAULTS if (key, year_from) not in have
    ])


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

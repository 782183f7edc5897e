"""Install poverty lines, exit thresholds and procedure steps (the missing rows; edited values kept).

Reads the defaults module: a fresh database gets exactly what `fupin load_policy` would install.
"""

from django.db import migrations

NATION_CODE = "000000000000"


def forward(apps, schema_editor):
    from fupin.policy.defaults import NATIONAL_DEFAULTS, REGIONAL_DEFAULTS

    PolicyValue = apps.get_model("policy", "PolicyValue")
    have = set(PolicyValue.objects.values_list("key", "region_code", "year_from"))
    rows = [(key, NATION_CODE, year_from, value, unit, source)
            for key, year_from, value, unit, source in NATIONAL_DEFAULTS] + list(REGIONAL_DEFAULTS)
    PolicyValue.objects.bulk_create([
        PolicyValue(key=key, region_code=region_code, year_from=year_from, value=value, unit=unit, source=source)
        for key, region_code, year_from, value, unit, source in rows if (key, region_code, year_from) not in have
    ])


class Migration(migrations.Migration):
    dependencies = [("policy", "0003_quality_school_ages")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

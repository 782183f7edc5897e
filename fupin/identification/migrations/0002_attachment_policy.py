"""Install the attachment limits of procedure steps (attachment.max_mb, attachment.allowed_types,
attachment.max_files) and any other national default still missing; edited values are kept.

Reads the defaults module, like policy/0004: a fresh database gets what `fupin load_policy` would.
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
    dependencies = [("identification", "0001_initial"), ("policy", "0004_standards_and_procedures")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""Install the defaults for helpers, visits and plans (and any other missing default row)."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.policy.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("policy", "0004_standards_and_procedures")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

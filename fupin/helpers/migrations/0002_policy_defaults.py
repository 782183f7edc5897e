"""Install the policy defaults this app reads (helpers.village_support_years_after_exit, and any
other missing default row)."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.policy.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("helpers", "0001_initial"), ("policy", "0005_helpers_visits_plans")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

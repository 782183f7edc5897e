"""Install the national default plan rules (suggestion S01–S12, contradiction C01–C09); rows a
database already has — edited or overridden — are kept."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.plans.rules.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial"), ("policy", "0005_helpers_visits_plans")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

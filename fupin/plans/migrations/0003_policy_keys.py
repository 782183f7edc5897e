"""Install the policy key the plans app added (plans.copy_min_measures) and any other missing default
row; values a region already edited are kept."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.policy.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_default_rules"), ("policy", "0005_helpers_visits_plans")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

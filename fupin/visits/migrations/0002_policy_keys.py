"""Install the policy keys the visits app added (visits.due_soon_days, visits.counted_kinds) and any
other missing default row; values a region already edited are kept."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.policy.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial"), ("policy", "0005_helpers_visits_plans")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""Install the crosscheck.* policy keys and any other missing default row; values a region already edited
are kept."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.policy.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("crosscheck", "0001_initial"), ("policy", "0005_helpers_visits_plans")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

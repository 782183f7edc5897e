"""Install the measures.* policy keys (Alkire-Foster indicators, weights and k) and any other missing
default row; values a region already edited are kept. The app has no tables of its own."""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.policy.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("policy", "0005_helpers_visits_plans")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""Install poverty lines, exit thresholds and procedure steps (the missing rows; edited values kept).

Reads the defaults module: a fresh database gets exactly what `fupin load_policy` would install.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.policy.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("policy", "0003_quality_school_ages")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

"""Install the attachment limits of procedure steps (attachment.max_mb, attachment.allowed_types,
attachment.max_files) and any other national default still missing; edited values are kept.

Reads the defaults module, like policy/0004: a fresh database gets what `fupin load_policy` would.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from fupin.policy.defaults import install_missing

    install_missing(apps)


class Migration(migrations.Migration):
    dependencies = [("identification", "0001_initial"), ("policy", "0004_standards_and_procedures")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

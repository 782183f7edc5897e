"""Status events get a kind (变动类型) and the date they take effect (生效日期).

Existing events are backfilled: the kind from the status they changed to (a first event filed by
identification is 新识别), the date from when they were recorded.
"""

from django.db import migrations, models

KIND_OF_STATUS = {"not_exited": "confirmed", "exited": "exited", "returned": "returned",
                  "monitored": "monitored", "removed": "removed", "cancelled": "natural_decrease"}


def backfill(apps, schema_editor):
    Event = apps.get_model("registry", "HouseholdStatusEvent")
    for to_status, kind in KIND_OF_STATUS.items():
        Event.objects.filter(to_status=to_status, kind__isnull=True).update(kind=kind)
    Event.objects.filter(from_status="", to_status="not_exited", source="identification").update(kind="new")
    # One UPDATE per distinct day would be set-based too, but dates of `at` need a DB function;
    # TruncDate works on both SQLite and PostgreSQL.
    from django.db.models.functions import TruncDate

    Event.objects.filter(effective_on__isnull=True).update(effective_on=TruncDate("at"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_importjob")]

    operations = [
        migrations.AddField(
            model_name="householdstatusevent", name="kind",
            field=models.CharField(max_length=20, null=True, verbose_name="变动类型", choices=[
                ("new", "新识别"), ("confirmed", "未脱贫"), ("exited", "已脱贫"), ("returned", "返贫"),
                ("monitored", "纳入监测"), ("removed", "清退/剔除"), ("natural_decrease", "自然减少"),
                ("correction", "数据纠错")]),
        ),
        migrations.AddField(
            model_name="householdstatusevent", name="effective_on",
            field=models.DateField(null=True, db_index=True, verbose_name="生效日期"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]

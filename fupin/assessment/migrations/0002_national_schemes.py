"""Installs the national default schemes (county, township) unless a row already exists."""

from django.db import migrations


def install(apps, schema_editor):
    from fupin.assessment.defaults import NATIONAL_YEAR_FROM, national_scheme
    from fupin.assessment.services import validate_scheme
    from fupin.regions.codes import NATION_CODE

    Scheme = apps.get_model("assessment", "AssessmentScheme")
    Indicator = apps.get_model("assessment", "AssessmentIndicator")
    Veto = apps.get_model("assessment", "AssessmentVeto")
    for level in ("county", "township"):
        if Scheme.objects.filter(region_code=NATION_CODE, level=level, year_from=NATIONAL_YEAR_FROM).exists():
            continue
        clean = validate_scheme(national_scheme(level))
        scheme = Scheme.objects.create(region_code=NATION_CODE, level=level, year_from=NATIONAL_YEAR_FROM,
                                       name=clean["name"], source=clean["source"], created_by_name="系统")
        Indicator.objects.bulk_create([Indicator(scheme=scheme, **r) for r in clean["indicators"]])
        Veto.objects.bulk_create([Veto(scheme=scheme, **r) for r in clean["vetoes"]])


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

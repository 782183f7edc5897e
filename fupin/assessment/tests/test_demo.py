"""Demo reduction tasks follow the registry's actual reduction within the demo factor."""

from datetime import date

import pytest

from fupin.assessment.demo import FACTOR, _poor, generate_assessment_demo
from fupin.assessment.models import AssessmentTarget
from fupin.demo.generator import DemoError, generate_county
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.regions.models import Region
from fupin.regions.services import import_regions

pytestmark = pytest.mark.django_db


def test_tasks_follow_actual_reduction():
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=300, seed=7, years="2019-2020")
    out = generate_assessment_demo(county_code="610926", years=[2019, 2020], seed=7)
    targets = list(AssessmentTarget.objects.all())
    assert out["targets"] == len(targets) > 0
    assert {t.region_code for t in targets} >= {"610926000000"}
    for t in targets:
        actual = _poor(t.region_code, date(t.year - 1, 12, 31)) - _poor(t.region_code, date(t.year, 12, 31))
        assert actual > 0
        assert round(actual * FACTOR[0]) - 1 <= t.reduction_task <= round(actual * FACTOR[1]) + 1
    with pytest.raises(DemoError):
        generate_assessment_demo(county_code="610926", years=[2020], seed=7)

from pathlib import Path

import pytest

from fupin.regions.codes import NATION_CODE, Level
from fupin.regions.models import Region
from fupin.regions.services import import_regions

CSV = Path(__file__).resolve().parent.parent / "data" / "610926_regions.csv"

ABOVE_COUNTY = [
    (NATION_CODE, "全国", Level.NATION, None),
    ("610000000000", "陕西省", Level.PROVINCE, NATION_CODE),
    ("610900000000", "安康市", Level.CITY, "610000000000"),
    ("610926000000", "平利县", Level.COUNTY, "610900000000"),
]


@pytest.fixture
def county(db):
    """平利县 with its province and city, and the demo CSV's 11 towns and 137 villages."""
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    result = import_regions(CSV)
    assert result.ok, result.errors
    return Region.objects.get(code="610926000000")

"""Demo poverty-reduction tasks (减贫任务) for the county and its townships.

`generate_assessment_demo(county_code=..., years=[...], seed=...)` runs inside `generate_demo`
after the registry exists: for each year, a region's task is the reduction of poor persons
(未脱贫 + 返贫 on 31 Dec of the year before minus on 31 Dec of the year) its registry actually
shows, scaled by a factor drawn from 0.9–1.15 [demo] — so some units beat their task and some fall
short, and the 减贫任务完成率 indicator has something to score. Two GROUP BY queries per year and
township; deterministic by seed; refuses a county that already has tasks.
"""

import random
from datetime import date

from fupin.demo.generator import DemoError
from fupin.demo.generator.county import demo_county
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.registry.choices import POOR_STATUSES
from fupin.registry.selectors_status import registry_as_of_counts_in_region

from .models import AssessmentTarget

FACTOR = (0.9, 1.15)  # [demo] task ÷ actual reduction


def _poor(region_code: str, on: date) -> int:
    counts = registry_as_of_counts_in_region(on=on, region_code=region_code)
    return sum(r["persons"] for r in counts["by_status"] if r["status"] in POOR_STATUSES)


def generate_assessment_demo(*, county_code: str, years: list[int], seed: int) -> dict:
    county = demo_county(county_code)
    low, high = county.code_range.as_tuple()
    if AssessmentTarget.objects.filter(region_code__range=(low, high)).exists():
        raise DemoError(f"{county.name}已有减贫任务，请使用新的空数据库")
    regions = [county, *Region.objects.filter(code__range=(low, high), level=Level.TOWNSHIP).order_by("code")]
    rng = random.Random(f"{seed}:assessment")
    rows = []
    for year in years:
        for region in regions:
            reduction = _poor(region.code, date(year - 1, 12, 31)) - _poor(region.code, date(year, 12, 31))
            if reduction <= 0:
                continue  # no task where the registry shows no reduction
            rows.append(AssessmentTarget(region_code=region.code, year=year,
                                         reduction_task=max(1, round(reduction * rng.uniform(*FACTOR))),
                                         source="演示数据：按实际减贫人数上下浮动"))
    AssessmentTarget.objects.bulk_create(rows)
    return {"targets": len(rows), "years": list(years)}

"""Benchmark of the statistics rollup on PostgreSQL: refresh a generated county, then read it.

    createdb -h 127.0.0.1 -U postgres fupin_bench_stats
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin_bench_stats
    .venv/bin/python manage.py migrate && .venv/bin/fupin load_regions
    .venv/bin/fupin import_regions fupin/demo/data/610926_regions.csv
    .venv/bin/fupin generate_demo --county 610926 --households 23035 --registry-only
    .venv/bin/python bench/stats_rollup.py [--county 610926] [--year 2019] [--reads 50]

Times: the refresh of the county for one year and for every year (compute + roll up + replace,
one transaction), and reading the numbers (region + children, the selector the web, API and CLI
use) of the province, the county and a township — median and worst of `--reads` reads, with the
number of queries. Not part of pytest.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from fupin.regions.models import Region  # noqa: E402
from fupin.registry.models import Household, Member  # noqa: E402
from fupin.stats.models import RegionYearFact  # noqa: E402
from fupin.stats.selectors import region_stats_unscoped  # noqa: E402
from fupin.stats.services import default_years, refresh_stats  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", default="610926")
    parser.add_argument("--year", type=int, default=None, help="年度（默认：有数据的最后一年）")
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    county = args.county.ljust(12, "0")
    households = Household.objects.filter(village__code__startswith=args.county).count()
    persons = Member.objects.filter(household__village__code__startswith=args.county).count()
    years = default_years()
    year = args.year or years[-1]
    print(f"县 {county}：{households} 户，{persons} 名成员；年度 {years[0]}–{years[-1]}；"
          f"PostgreSQL {connection.pg_version if connection.vendor == 'postgresql' else connection.vendor}")

    t = time.perf_counter()
    run = refresh_stats(region_code=county, years=[year])
    print(f"refresh {year}（一年）：{time.perf_counter() - t:.2f} s，写入 {run.rows_written} 行")
    t = time.perf_counter()
    run = refresh_stats(region_code=county, years=years)
    print(f"refresh {years[0]}–{years[-1]}（{len(years)} 年）：{time.perf_counter() - t:.2f} s，写入 {run.rows_written} 行；"
          f"统计表共 {RegionYearFact.objects.count()} 行")

    township = Region.objects.filter(code__startswith=args.county, level="township").order_by("code").first()
    for code in (county[:2].ljust(12, "0"), county, township.code):
        region = Region.objects.get(code=code)
        times = []
        for _ in range(args.reads):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                doc = region_stats_unscoped(region, year)
                times.append((time.perf_counter() - t) * 1000)
        print(f"read {region.name}（{code}，{len(doc['children'])} 个下级）：中位 {statistics.median(times):.1f} ms，"
              f"最慢 {max(times):.1f} ms，{len(queries)} 次查询；在册 {doc['households']} 户 {doc['persons']} 人")


if __name__ == "__main__":
    main()

"""Browser test of the dashboard (数据看板): Playwright drives Debian's chromium (/usr/bin/chromium,
never a downloaded browser) against the live server, on the demo data of 平利县 (generate_demo,
small), after `refresh_stats`. Checks through ECharts itself that every chart exists and has
non-empty series data and that the county map has regions with values.

Skipped (with the reason) when the playwright package or the chromium binary is missing."""

import os
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from fupin.accounts.roles import Role
from fupin.accounts.services import user_create
from fupin.conftest import PASSWORD
from fupin.demo.tests.conftest import ABOVE_COUNTY, CSV
from fupin.policy.services import load_national_defaults
from fupin.regions.models import Region
from fupin.regions.services import import_regions

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="playwright 未安装（pip install -r requirements-dev.txt）"),
    pytest.mark.skipif(CHROMIUM is None, reason="没有 chromium（Debian: apt-get install chromium）"),
]

COUNTY, CITY = "610926000000", "610900000000"
YEAR = 2020

# What the page's charts hold, read from the ECharts instances themselves.
PROBE = """() => {
  const out = {};
  for (const el of document.querySelectorAll('[data-chart]')) {
    const chart = window.echarts.getInstanceByDom(el);
    if (!chart) { out[el.dataset.chart] = null; continue; }
    const option = chart.getOption();
    const has = d => d !== null && d !== undefined && Number.isFinite(typeof d === 'object' ? d.value : d);
    out[el.dataset.chart] = option.series.map(s => ({
      type: s.type,
      points: (s.data || []).filter(has).length,
      values: s.type === 'map' ? s.data.filter(has).map(d => [d.name, d.value]) : null,
      width: el.clientWidth,
      svg: el.querySelectorAll('svg path').length,
    }));
  }
  return out;
}"""


@pytest.fixture
def demo(transactional_db, settings):
    settings.FUPIN_TODAY = "2020-12-15"
    # A transactional test elsewhere (registry import) flushes the tables at its end, taking the
    # policy rows the migrations installed with them: put the defaults back (idempotent).
    load_national_defaults()
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    assert import_regions(CSV).ok
    call_command("generate_demo", "--county", "610926", "--households", "120", "--seed", "7", stdout=StringIO())
    call_command("refresh_stats", stdout=StringIO())
    return user_create(actor=None, username="city_viewer", password=PASSWORD, role=Role.CITY_VIEWER,
                       region_code=CITY, full_name="市级查看")


def test_dashboard_renders_charts_and_map_in_chromium(demo, live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            failed = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("pageerror", lambda e: failed.append(str(e)))
            page.route(lambda url: not url.startswith(live_server.url), lambda route: (failed.append(route.request.url),
                                                                                       route.abort()))
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "city_viewer")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()

            page.goto(f"{live_server.url}/r/{COUNTY}/dashboard/?year={YEAR}")
            assert "平利县 2020 年数据看板" in page.title()
            page.wait_for_function("() => window.fupinDashboard && (window.fupinDashboard.mapReady || "
                                   "window.fupinDashboard.mapError)", timeout=20000)
            assert page.evaluate("() => window.fupinDashboard.mapError") is None
            charts = page.evaluate(PROBE)
            assert set(charts) == {"trend", "causes", "funnel", "children", "map"}
            for name, series in charts.items():
                assert series, f"{name}: no ECharts instance"
                assert all(s["points"] > 0 for s in series), (name, series)
                assert all(s["svg"] > 0 for s in series), (name, "nothing drawn")
            assert charts["children"][0]["points"] == 11  # the demo county's 11 towns
            (the_map,) = charts["map"]
            assert the_map["type"] == "map" and the_map["values"][0][0] == COUNTY and the_map["values"][0][1] > 0
            assert failed == []
            if os.environ.get("FUPIN_SCREENSHOTS"):  # a directory to look at the pages in
                page.screenshot(path=os.path.join(os.environ["FUPIN_SCREENSHOTS"], "dashboard_county.png"), full_page=True)

            # The city's dashboard: its counties' map (only 平利县 has data) and drill down by clicking.
            page.goto(f"{live_server.url}/r/{CITY}/dashboard/?year={YEAR}")
            page.wait_for_function("() => window.fupinDashboard && window.fupinDashboard.mapReady", timeout=20000)
            if os.environ.get("FUPIN_SCREENSHOTS"):
                page.screenshot(path=os.path.join(os.environ["FUPIN_SCREENSHOTS"], "dashboard_city.png"), full_page=True)
            (the_map,) = page.evaluate(PROBE)["map"]
            assert [name for name, value in the_map["values"]] == [COUNTY] and the_map["values"][0][1] > 0
            regions = page.evaluate("() => window.echarts.getInstanceByDom(document.querySelector('[data-chart=map]'))"
                                    ".getModel().getSeriesByIndex(0).getData().count()")
            assert regions == 10  # every county of 安康市 is drawn, 9 of them grey
            page.click(f"#table-children a[href^='/r/{COUNTY}/dashboard/']")
            page.wait_for_url(f"**/r/{COUNTY}/dashboard/?year={YEAR}")
            assert failed == []
        finally:
            browser.close()

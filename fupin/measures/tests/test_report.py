"""The report from the registry: hand-computed numbers, policy overrides, scope, CLI = API, page."""

import json
from decimal import Decimal
from fractions import Fraction as F
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fupin.conftest import make_household
from fupin.measures.report import r6
from fupin.policy.models import PolicyValue
from fupin.policy.services import policy_override, policy_set
from fupin.registry.models import HouseholdYear, MemberYear

pytestmark = pytest.mark.django_db
COUNTY, YEAR = "610926000000", 2020
URL = "/api/v1/measures"


@pytest.fixture
def data(users):
    """make_household: head born 1980 (患有大病, 初中, insured), sons in school; no sanitary toilet.

    a1 龙头村 (城关镇)   2 persons, 3000 元 → g = 1/4;  health + sanitation: c = 1/6 + 1/12 = 1/4 (not AF-poor)
    a2 三里垭村 (城关镇) 2 persons, 2000 元 → g = 1/2;  + C-grade house:  c = 1/4 + 1/12 = 1/3 (AF-poor)
    b1 兴隆村 (兴隆镇)   3 persons, 5000 元 → not poor; healthy, toilet:  c = 0
    x  兴隆村            removed (已清退) at year end: not counted
    """
    a1 = make_household("610926100001001", "610926100001", head="王一", income=Decimal("3000"))
    a2 = make_household("610926100002001", "610926100002", head="王二", income=Decimal("2000"))
    b1 = make_household("610926101001001", "610926101001", head="李三", members=3, income=Decimal("5000"))
    x = make_household("610926101001002", "610926101001", head="赵四", members=5, income=Decimal("100"),
                       status="removed")
    HouseholdYear.objects.filter(household=a2).update(danger_grade="C")
    HouseholdYear.objects.filter(household=b1).update(sanitary_toilet=True)
    MemberYear.objects.filter(member__household=b1).update(health="healthy")
    return {"a1": a1, "a2": a2, "b1": b1, "x": x}


def cli(*args) -> tuple[int, dict]:
    out = StringIO()
    try:
        call_command("poverty_measures", *args, "--json", stdout=out)
    except SystemExit as exc:
        return exc.code, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_county_numbers(data, api):
    doc = api("county").get(URL, {"region": "610926", "year": YEAR}).json()
    assert doc["region"] == {"code": COUNTY, "name": "平利县", "level": "county"} and doc["year"] == YEAR
    assert {k: doc["population"][k] for k in ("households", "persons", "zero_size_households")} == {
        "households": 3, "persons": 7, "zero_size_households": 0}
    f = doc["fgt"]
    # FGT0 = 4/7; FGT1 = (2·1/4 + 2·1/2)/7 = 3/14; FGT2 = (2·1/16 + 2·1/4)/7 = 5/56
    assert [i["value"] for i in f["indices"]] == [r6(F(4, 7)), r6(F(3, 14)), r6(F(5, 56))]
    assert (f["poor_households"], f["poor_persons"]) == (2, 4)
    assert [(ln["key"], ln["value"], ln["region_code"], ln["households"], ln["persons"]) for ln in f["lines"]] == [
        ("poverty_line", 4000, "000000000000", 3, 7)]
    towns = {d["region"]["name"]: d for d in f["decomposition"]}
    assert list(towns) == ["城关镇", "兴隆镇"]
    # 城关镇: N=4, FGT0 = 1, share 4/7 → contribution 4/7; 兴隆镇: N=3, nobody poor
    assert towns["城关镇"]["population_share"] == r6(F(4, 7)) and towns["城关镇"]["indices"]["fgt0"] == 1.0
    assert towns["城关镇"]["contributions"] == {"fgt0": r6(F(4, 7)), "fgt1": r6(F(3, 14)), "fgt2": r6(F(5, 56))}
    assert towns["兴隆镇"]["contributions"] == {"fgt0": 0.0, "fgt1": 0.0, "fgt2": 0.0}
    assert f["adds_up"] is True and f["contribution_sums"] == {"fgt0": r6(F(4, 7)), "fgt1": r6(F(3, 14)),
                                                               "fgt2": r6(F(5, 56))}
    a = doc["af"]
    # AF-poor: a2 only (2 of 7 persons, c = 1/3): H = 2/7, A = 1/3, M0 = 2/21
    assert (a["k"], a["H"], a["A"], a["M0"]) == ("1/3", r6(F(2, 7)), r6(F(1, 3)), r6(F(2, 21)))
    by_code = {i["code"]: i for i in a["indicators"]}
    assert by_code["health"]["uncensored_headcount"] == r6(F(4, 7))
    assert by_code["health"]["censored_headcount"] == r6(F(2, 7))
    # contributions: health (1/6·2/7)/(2/21) = 1/2, housing and sanitation (1/12·2/7)/(2/21) = 1/4 each
    assert {c: i["contribution"] for c, i in by_code.items() if i["contribution"]} == {
        "health": 0.5, "housing": 0.25, "sanitation": 0.25}
    assert a["indicator_contribution_sum"] == 1.0 and a["region_contribution_sum"] == 1.0
    assert [(d["region"]["name"], d["M0"], d["contribution"]) for d in a["decomposition"]] == [
        ("城关镇", r6(F(1, 6)), 1.0), ("兴隆镇", 0.0, 0.0)]
    assert {p["key"] for p in a["policy"]} == {"measures.af.indicators", "measures.af.k",
                                              "exit.compulsory_school_age_from", "exit.compulsory_school_age_to",
                                              "exit.unsafe_danger_grades"}


def test_cli_json_equals_api(data, api):
    code, doc = cli("--region", "610926", "--year", str(YEAR))
    assert code == 0
    assert doc == {"ok": True, **api("county").get(URL, {"region": "610926", "year": YEAR}).json()}
    out = StringIO()
    call_command("poverty_measures", "--region", "610926100", "--year", str(YEAR), stdout=out)
    assert "城关镇（610926100000）2020 年贫困测度" in out.getvalue() and "龙头村" in out.getvalue()


def test_cli_errors(data):
    assert cli("--region", "610926199", "--year", "2020") == (1, {"ok": False, "error": "区划“610926199000”不存在"})
    code, doc = cli("--region", "610926", "--year", "2010")  # no poverty line before 2011
    assert code == 1 and "缺少政策参数" in doc["error"] and "poverty_line" in doc["error"]


def test_provincial_line_changes_fgt(data, api, users):
    policy_set(actor=users["root"], key="poverty_line", region_code="610000000000", year_from=YEAR, value=5000,
               source="陕西省标准（测试）")
    f = api("county").get(URL, {"region": "610926", "year": YEAR}).json()["fgt"]
    # b1 at exactly 5000 is still not poor; gaps a1 2000/5000 = 2/5, a2 3/5: FGT1 = (2·2/5 + 2·3/5)/7 = 2/7
    assert [i["value"] for i in f["indices"]] == [r6(F(4, 7)), r6(F(2, 7)), r6(F(2 * F(4, 25) + 2 * F(9, 25), 7))]
    assert [(ln["value"], ln["region_code"], ln["region_name"], ln["persons"]) for ln in f["lines"]] == [
        (5000, "610000000000", "陕西省", 7)]


def test_k_and_weights_overrides_change_af(data, api, users):
    policy_set(actor=users["root"], key="measures.af.k", region_code=COUNTY, year_from=YEAR, value="1/4", source="t")
    a = api("county").get(URL, {"region": "610926", "year": YEAR}).json()["af"]
    # a1 (c = 1/4) is now poor too: H = 4/7, A = (2·1/4 + 2·1/3)/4 = 7/24, M0 = 1/6
    assert (a["k"], a["H"], a["A"], a["M0"]) == ("1/4", r6(F(4, 7)), r6(F(7, 24)), r6(F(1, 6)))
    two = [{"code": "health", "label": "大病", "dimension": "健康", "weight": 0.5},
           {"code": "sanitation", "label": "卫生厕所", "dimension": "生活水平", "weight": "1/2"}]
    policy_set(actor=users["root"], key="measures.af.indicators", region_code=COUNTY, year_from=YEAR, value=two,
               source="t")
    a = api("county").get(URL, {"region": "610926", "year": YEAR}).json()["af"]
    # a1 and a2 both deprived in health and sanitation: c = 1 ≥ 1/4; b1 c = 0 → H = 4/7, A = 1, M0 = 4/7
    assert [i["code"] for i in a["indicators"]] == ["health", "sanitation"]
    assert (a["H"], a["A"], a["M0"]) == (r6(F(4, 7)), 1.0, r6(F(4, 7)))


@pytest.mark.parametrize("key, raw, message", [
    ("measures.af.k", '"0"', "临界值 k 应大于 0"),
    ("measures.af.k", '"1.5"', "临界值 k 应大于 0 且不超过 1"),
    ("measures.af.indicators", json.dumps([{"code": "health", "label": "大病", "dimension": "健康", "weight": 0.9}]),
     "权重之和应为 1"),
    ("measures.af.indicators", json.dumps([{"code": "car", "label": "车", "dimension": "x", "weight": 1}]),
     "指标代码“car”无效"),
])
def test_bad_policy_values_refused(users, key, raw, message):
    before = PolicyValue.objects.count()
    with pytest.raises(ValidationError, match=message):
        policy_override(actor=users["admin"], key=key, region_code=COUNTY, year_from=YEAR, raw_value=raw, source="t")
    assert PolicyValue.objects.count() == before


def test_scope(data, api, login, users, client):
    # Outside the user's province: 404 on the page and the API.
    assert login(users["stranger"]).get(reverse("web:region_measures", args=[COUNTY])).status_code == 404
    r = api("stranger").get(URL, {"region": "610926", "year": YEAR})
    assert r.status_code == 404 and r.json()["error"]["code"]
    # A township sees its own township only; above it 404.
    assert api("township_a").get(URL, {"region": "610926", "year": YEAR}).status_code == 404
    doc = api("township_a").get(URL, {"year": YEAR}).json()
    assert doc["region"]["code"] == "610926100000" and doc["population"]["persons"] == 4
    assert [d["region"]["name"] for d in doc["fgt"]["decomposition"]] == ["龙头村", "三里垭村"]
    # A cadre sees paired households only: refused (403), not shown indices over a few households.
    assert api("cadre").get(URL, {"region": "610926100", "year": YEAR}).status_code == 403
    client.logout()
    assert login(users["cadre"]).get(reverse("web:region_measures", args=["610926100000"])).status_code == 403
    assert api("county").get(URL, {"region": "610926", "year": 1999}).status_code == 400
    assert api("county").get(URL, {"region": "12345", "year": YEAR}).status_code == 404


def test_page(data, login, users, django_assert_max_num_queries):
    c = login(users["county"])
    with django_assert_max_num_queries(25):
        r = c.get(reverse("web:region_measures", args=[COUNTY]), {"year": YEAR})
    assert r.status_code == 200
    html = r.content.decode()
    assert "平利县 2020 年贫困测度" in html and "57.14%" in html  # FGT0 = 4/7
    assert "28.57%" in html  # H = 2/7
    assert "受教育年限" in html and "1/12" in html and "城关镇" in html
    # The default year is the latest with data.
    assert "平利县 2020 年贫困测度" in c.get(reverse("web:region_measures", args=[COUNTY])).content.decode()
    r = c.get(reverse("web:region_measures", args=[COUNTY]), {"year": 2010})
    assert "缺少政策参数" in r.content.decode()


def test_queries_do_not_grow_with_households(data, login, users):
    c = login(users["county"])
    url = reverse("web:region_measures", args=[COUNTY])
    with CaptureQueriesContext(connection) as before:
        c.get(url, {"year": YEAR})
    for n in range(5):
        make_household(f"61092610100190{n}", "610926101001", head=f"钱{n}", members=3)
    with CaptureQueriesContext(connection) as after:
        r = c.get(url, {"year": YEAR})
    assert r.context["population"]["households"] == 8
    assert len(after) == len(before)

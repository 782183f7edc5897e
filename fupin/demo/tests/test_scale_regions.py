"""fupin generate: regions, the split over counties, the command, refusals and reruns."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.demo.scale import ScaleError, ensure_villages, generate_region, persons_per_unit, units_under
from fupin.demo.scale.regions import SOURCE, VILLAGE_PERSONS, village_count
from fupin.regions.codes import NATION_CODE, Level
from fupin.regions.models import Region
from fupin.registry.models import Household, Member, MemberYear

# Real codes, so the ID numbers' place codes are ones stdnum knows.
REGIONS = [
    (NATION_CODE, "全国", Level.NATION, None),
    ("610000000000", "陕西省", Level.PROVINCE, NATION_CODE),
    ("610900000000", "安康市", Level.CITY, "610000000000"),
    ("610902000000", "汉滨区", Level.COUNTY, "610900000000"),
    ("610921000000", "汉阴县", Level.COUNTY, "610900000000"),
    ("610926000000", "平利县", Level.COUNTY, "610900000000"),
    ("610800000000", "榆林市", Level.CITY, "610000000000"),
    ("610828000000", "佳县", Level.COUNTY, "610800000000"),
    ("611000000000", "商洛市", Level.CITY, "610000000000"),  # no county loaded under it
    ("440000000000", "广东省", Level.PROVINCE, NATION_CODE),
    ("441900000000", "东莞市", Level.CITY, "440000000000"),
    ("710000000000", "台湾省", Level.PROVINCE, NATION_CODE),
]


@pytest.fixture
def regions(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in REGIONS])


def run(region="610926", persons=300, **kwargs):
    kwargs.setdefault("registry_only", True)
    return generate_region(region_code=region, persons=persons, seed=kwargs.pop("seed", 7), **kwargs)


def test_units_and_the_split_over_counties(regions):
    region, units = units_under("610000")
    assert region.name == "陕西省"
    assert [u.code[:6] for u in units] == ["610828", "610902", "610921", "610926"]
    assert {u.city_name for u in units} == {"榆林市", "安康市"} and units[1].province_name == "陕西省"
    shares = persons_per_unit(units, persons=10_001, seed=7)
    assert sum(shares) == 10_001 and min(shares) > 0
    # A district (…区) weighs less; the weights come from (seed, county) only.
    assert persons_per_unit(units, persons=10_001, seed=7) == shares != persons_per_unit(units, persons=10_001, seed=8)
    _r, city_units = units_under("610900")
    assert persons_per_unit(units[1:], persons=999, seed=7) == persons_per_unit(city_units, persons=999, seed=7)
    assert [u.code[:6] for u in units_under("441900")[1]] == ["441900"]  # a city without counties
    assert [u.code[:6] for u in units_under("440000")[1]] == ["441900"]


def test_city_run_spreads_over_its_counties_with_the_exact_total(regions):
    stats = run("610900", persons=1_234)
    counties = {c["county"][:6]: c for c in stats["counties"]}
    assert set(counties) == {"610902", "610921", "610926"}
    assert stats["persons"] == Member.objects.count() == sum(c["persons"] for c in counties.values()) == 1_234
    assert stats["households"] == Household.objects.count()
    for code, c in counties.items():
        low, high = f"{code}000000", f"{code}999999"
        assert Member.objects.filter(household__village_id__gte=low, household__village_id__lte=high).count() \
            == c["persons"] > 0
        assert c["villages_created"] == village_count(c["persons"]) and c["townships_created"] >= 1
    assert stats["member_years"] == MemberYear.objects.count()
    assert verify_chain().ok


def test_villages_are_created_with_valid_nested_codes(regions):
    codes = ensure_villages("610921", seed=3, persons=30_000)
    assert len(codes) == village_count(30_000) == 30_000 // VILLAGE_PERSONS
    assert ensure_villages("610921", seed=3, persons=30_000) == codes  # there now: used as they are
    townships = {r.code: r for r in Region.objects.filter(level=Level.TOWNSHIP, code__startswith="610921")}
    villages = list(Region.objects.filter(level=Level.VILLAGE, code__startswith="610921"))
    assert sorted(v.code for v in villages) == codes and 5 <= len(townships) <= 7
    for t in townships.values():
        assert t.parent_id == "610921000000" and t.code[9:] == "000" and 100 <= int(t.code[6:9]) <= 399
        assert t.name.endswith("镇" if int(t.code[6:9]) < 200 else "乡") and t.source == SOURCE
    names = set()
    for v in villages:
        assert v.parent_id == v.code[:9] + "000" and v.parent_id in townships and 200 <= int(v.code[9:]) <= 399
        assert v.name.endswith("村") and (v.parent_id, v.name) not in names
        names.add((v.parent_id, v.name))
    assert len({t.name for t in townships.values()}) == len(townships)
    entry = AuditEvent.objects.get(object_type="regions.region")
    assert entry.after["villages_created"] == len(codes) and entry.after["townships_created"] == len(townships)


def test_a_county_with_villages_keeps_them(regions):
    Region.objects.bulk_create([Region(code="610926100000", name="城关镇", level=Level.TOWNSHIP, parent_id="610926000000"),
                                Region(code="610926100001", name="龙头村", level=Level.VILLAGE,
                                       parent_id="610926100000")])
    stats = run("610926", persons=200)
    assert stats["villages_created"] == stats["townships_created"] == 0
    assert set(Household.objects.values_list("village_id", flat=True)) == {"610926100001"}
    assert Household.objects.order_by("household_no").first().household_no == "610926100001001"


def test_a_city_without_counties_is_generated_like_a_county(regions):
    stats = run("441900", persons=150)
    assert stats["counties"][0]["county"] == "441900000000" and stats["persons"] == 150
    township = Region.objects.filter(level=Level.TOWNSHIP).get(code__startswith="4419")
    assert township.parent_id == "441900000000" and township.code.startswith("441900")


def test_rerun_skips_counties_with_households(regions):
    first = run("610900", persons=600)
    counts = (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count())
    again = run("610900", persons=600)
    assert [c["skipped"] for c in again["counties"]] == [True, True, True]
    assert "已有" in again["counties"][0]["reason"] and again["persons"] == 0 and again["counties_skipped"] == 3
    assert (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count()) == counts
    assert first["counties_generated"] == 3


def test_a_failing_county_writes_nothing(regions, monkeypatch):
    from fupin.demo.scale import registry

    def failing(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry, "record_many", failing)
    with pytest.raises(RuntimeError):
        run("610926", persons=300)
    assert not Household.objects.exists() and not Member.objects.exists() and not MemberYear.objects.exists()
    assert not Region.objects.filter(level=Level.VILLAGE).exists()


@pytest.mark.parametrize(("region", "persons", "years", "message"), [
    ("61092", 10, "2019-2020", "6、9 或 12 位数字"),
    ("620102", 10, "2019-2020", "不存在"),
    ("610926100000", 10, "2019-2020", "请指定省、市或县级"),
    ("611000", 10, "2019-2020", "没有县级区划"),
    ("710000", 10, "2019-2020", "不在建档立卡范围"),
    ("610926", 0, "2019-2020", "正整数"),
    ("610926", 10, "2019-2021", "2014–2020"),
    ("610926", 10, "2019—20", "格式"),
])
def test_bad_input_is_refused_in_chinese(regions, region, persons, years, message):
    with pytest.raises(ScaleError, match=message):
        run(region, persons=persons, years=years)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("generate", "--region", region, "--persons", str(persons), "--years", years, "--json",
                     stdout=out)
    assert message in json.loads(out.getvalue())["error"]
    with pytest.raises(CommandError, match="未生成"):
        call_command("generate", "--region", region, "--persons", str(persons), "--years", years, stdout=StringIO())
    assert not Household.objects.exists()


def test_command_reports_counts(regions):
    out = StringIO()
    call_command("generate", "--region", "610900", "--persons", "900", "--seed", "5", "--registry-only", "--json",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["persons"] == 900 == Member.objects.count() and data["counties_generated"] == 3
    assert data["households"] == Household.objects.count() and data["persons_per_second"] > 0
    assert {"households", "persons", "member_years", "household_years", "status_events", "cadres",
            "villages_created", "elapsed_seconds"} <= set(data["counties"][0])
    text = StringIO()
    call_command("generate", "--region", "610900", "--persons", "900", "--seed", "5", "--registry-only", stdout=text)
    assert "跳过 3 个已有数据的县" in text.getvalue()


def test_a_stopped_run_keeps_finished_counties_and_resumes(regions, monkeypatch):
    from fupin.demo.scale import registry

    real = registry.generate_county

    def second_fails(unit, **kwargs):
        if unit.code.startswith("610921"):
            raise ScaleError("模拟故障")
        return real(unit, **kwargs)

    monkeypatch.setattr(registry, "generate_county", second_fails)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("generate", "--region", "610900", "--persons", "900", "--registry-only", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert "汉阴县（610921）：模拟故障" in data["error"] and "此前 1 个县已生成" in data["error"]
    assert data["counties_generated"] == 1
    assert set(Household.objects.values_list("village_id", flat=True)) and all(
        v.startswith("610902") for v in Household.objects.values_list("village_id", flat=True))
    monkeypatch.setattr(registry, "generate_county", real)
    again = run("610900", persons=900, seed=2014)
    assert [c.get("skipped", False) for c in again["counties"]] == [True, False, False]
    assert Member.objects.count() == 900

"""The cross-check benchmark's reference (DuckDB: the CSV roster, IDs normalised in SQL, joined with
the members in Parquet) finds exactly the members the app's payroll rule finds, on a small
generated county and a small roster with 15-digit and lower-case-x IDs."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from fupin.benchmark.context import JobContext
from fupin.benchmark.jobs.crosscheck import app_crosscheck, crosscheck, normalised_sql, roster, write_roster
from fupin.crosscheck.models import Roster, RosterRow, Suspect
from fupin.demo.generator import generate_county
from fupin.regions.codes import NATION_CODE, Level
from fupin.regions.models import Region
from fupin.regions.services import import_regions
from fupin.registry.choices import HouseholdStatus
from fupin.registry.idnumbers import normalize
from fupin.registry.models import Household, Member

CSV = Path(__file__).resolve().parents[2] / "demo" / "data" / "610926_regions.csv"
PROVINCE, COUNTY = "610000000000", "610926000000"
YEAR = 2020


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.FUPIN_TODAY = "2021-06-30"


@pytest.fixture
def registry(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in [
        (NATION_CODE, "全国", Level.NATION, None), (PROVINCE, "陕西省", Level.PROVINCE, NATION_CODE),
        ("610900000000", "安康市", Level.CITY, PROVINCE), (COUNTY, "平利县", Level.COUNTY, "610900000000")]])
    assert import_regions(CSV).ok
    generate_county(county_code="610926", households=200, seed=5)


def test_normalised_sql_is_normalize():
    samples = ["610926198001011234", "610926800101123", " 61092619800101123x ", "61092619800101123X",
               "610926 19800101 1234", "110101200001010011.0", "430102560101002", "430102560101002.0"]
    with duckdb.connect() as db:
        for raw in samples:
            sql = normalised_sql("(SELECT $raw AS c)", "c")
            assert db.execute(sql, {"raw": raw}).fetchone()[0] == normalize(raw), raw
        # What normalize refuses is left as it is (and matches no member).
        assert db.execute(normalised_sql("(SELECT $raw AS c)", "c"), {"raw": "6109261980"}).fetchone()[0] == "6109261980"


def test_roster_has_members_in_every_spelling(registry, tmp_path):
    path = tmp_path / "r.csv"
    info = write_roster(path, region_code=PROVINCE, rows=3000, share=0.05, seed=3)
    assert info["registry_rows"] == 150 and info["members"] == Member.objects.count()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3001
    ids = [line.split(",")[0] for line in lines[1:]]
    members = set(Member.objects.values_list("id_number", flat=True))
    written = [i for i in ids if normalize(i) in members]
    assert len(written) == 150
    assert any(len(i) == 15 for i in written) and any(i.endswith("x") for i in written)
    # Same seed, same file; reused when present.
    again = tmp_path / "again.csv"
    write_roster(again, region_code=PROVINCE, rows=3000, share=0.05, seed=3)
    assert again.read_bytes() == path.read_bytes()
    first, info = roster(tmp_path, region_code=PROVINCE, seed=3, rows=3000, share=0.05)
    second, info2 = roster(tmp_path, region_code=PROVINCE, seed=3, rows=3000, share=0.05)
    assert first == second and not info["reused"] and info2["reused"]
    # Another registry (the ID of a member in the roster changed): written again.
    assert Member.objects.filter(id_number=normalize(written[0])).update(id_number="610926199001010013") == 1
    _, info3 = roster(tmp_path, region_code=PROVINCE, seed=3, rows=3000, share=0.05)
    assert not info3["reused"]


def test_duckdb_join_equals_the_payroll_rule(registry, tmp_path):
    # Some sampled members must be filtered out by the rule: left before the date, or a status not checked.
    members = list(Member.objects.order_by("pk"))
    Member.objects.filter(pk__in=[m.pk for m in members[::7]]).update(left_on=date(YEAR, 6, 1))
    Household.objects.filter(pk__in=[m.household_id for m in members[1::9]]).update(status=HouseholdStatus.REMOVED)
    ctx = JobContext(vendor="", persons=0, scale=1, region_code=PROVINCE, county_code=COUNTY, year=YEAR, seed=4,
                     workdir=tmp_path)
    result = crosscheck(ctx=ctx, rows=4000, share=0.1)
    detail = result["detail"]
    assert result["checked"] is True, (detail["only_ours"], detail["only_reference"])
    assert result["rows"] == 4000
    in_roster = detail["roster"]["registry_rows"]
    assert in_roster == 400 and 0 < detail["suspects"] < in_roster
    # Rolled back: the dataset is as it was.
    assert not Roster.objects.exists() and not RosterRow.objects.exists() and not Suspect.objects.exists()


def test_app_side_finds_the_members_written_as_15_digits(registry, tmp_path):
    path = tmp_path / "r.csv"
    write_roster(path, region_code=PROVINCE, rows=2000, share=0.1, seed=9)
    ours = app_crosscheck(path, region_code=PROVINCE, as_of=date(YEAR, 12, 31))
    fifteen = {normalize(line.split(",")[0]) for line in path.read_text(encoding="utf-8").splitlines()[1:]
               if len(line.split(",")[0]) == 15}
    found = set(Member.objects.filter(pk__in=ours["member_ids"]).values_list("id_number", flat=True))
    assert fifteen & found
    assert ours["rows"] == 2000 and ours["found"] == len(ours["member_ids"])

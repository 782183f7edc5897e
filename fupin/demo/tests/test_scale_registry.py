"""fupin generate: the registry it writes — consistent, calibrated, valid IDs, deterministic."""

import hashlib
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, transaction
from stdnum import luhn
from stdnum.cn import ric

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.demo.generator.calibration import MAIN_CAUSE_SHARES, REGISTERED_YEAR_SHARES, STATUS_SHARES
from fupin.demo.scale.registry_ids import PER_SEX, IdAllocator, prefix_by_year, slice_of
from fupin.demo.scale.registry_plan import PERSONS_PER_HOUSEHOLD
from fupin.regions.models import Region
from fupin.registry.choices import HouseholdStatus, PovertyCause
from fupin.registry.income import derive
from fupin.registry.models import (
    Household,
    HouseholdStatusEvent,
    HouseholdYear,
    Member,
    MemberYear,
    YearFreeze,
)

from .test_generator import INCOME_FIELDS, check_registry
from .test_scale_regions import REGIONS, run


@pytest.fixture
def regions(db):
    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in REGIONS])


def digest() -> str:
    """Everything generated but database keys, timestamps and password salts."""
    h = hashlib.sha256()
    for query in (
        Household.objects.order_by("household_no").values_list(
            "household_no", "village_id", "group_name", "address", "head_name", "phone", "bank_account", "attribute",
            "status", "main_cause", "other_causes", "registered_year", "exit_year", "helper__username",
            "helper__full_name"),
        Member.objects.order_by("household__household_no", "id").values_list(
            "name", "id_number", "gender", "birth_date", "relation", "phone", "disability_cert_no", "left_on"),
        MemberYear.objects.order_by("member__id_number", "year").values_list(
            "year", "education", "school_status", "health", "labour_capacity", "work_months", "work_monthly_income",
            "on_low_income_support", "resident_pension_insurance"),
        HouseholdYear.objects.order_by("household__household_no", "year").values_list(
            "year", "status", *INCOME_FIELDS, "policy_subsidy", "net_income", "per_capita_income", "housing_area",
            "arable_mu"),
        HouseholdStatusEvent.objects.order_by("household__household_no", "effective_on", "at").values_list(
            "year", "to_status", "kind", "effective_on", "source", "reason", "at"),
        Region.objects.filter(source="fupin generate").order_by("code").values_list("code", "name", "parent_id"),
    ):
        for row in query:
            h.update(repr(row).encode())
    return h.hexdigest()


def orphans() -> int:
    """Rows whose foreign keys point nowhere (PostgreSQL skips the checks for a superuser's COPY)."""
    checks = [("registry_member", "household_id", "registry_household"),
              ("registry_memberyear", "member_id", "registry_member"),
              ("registry_householdyear", "household_id", "registry_household"),
              ("registry_householdstatusevent", "household_id", "registry_household"),
              ("registry_household", "helper_id", "accounts_user")]
    total = 0
    with connection.cursor() as cur:
        for table, column, target in checks:
            cur.execute(f"SELECT COUNT(*) FROM {table} t LEFT JOIN {target} x ON x.id = t.{column} "  # noqa: S608
                        f"WHERE t.{column} IS NOT NULL AND x.id IS NULL")
            total += cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM registry_household h LEFT JOIN regions_region r ON r.code = h.village_id "
                    "WHERE r.code IS NULL")
        total += cur.fetchone()[0]
    return total


def test_every_rule_of_the_demo_holds(regions):
    stats = run("610926", persons=3_000, years="2018-2020")
    counts = check_registry(years=(2018, 2019, 2020))
    assert counts["members"] == stats["persons"] == 3_000 and counts["households"] == stats["households"]
    assert counts["household_years"] == stats["household_years"] and counts["member_years"] == stats["member_years"]
    assert counts["ceased"] >= 1 and counts["left"] >= 1 and counts["migrants"] > 0
    assert orphans() == 0
    assert sorted(YearFreeze.objects.values_list("year", flat=True)) == [2018, 2019]
    for hy in HouseholdYear.objects.all():  # per-capita income = net ÷ size, half up to the fen
        assert (hy.net_income, hy.per_capita_income) == derive({f: getattr(hy, f) for f in INCOME_FIELDS},
                                                             hy.household_size)
    assert verify_chain().ok


def test_resident_ids_are_valid_unique_and_match_the_member(regions):
    run("610900", persons=2_500)
    members = list(Member.objects.select_related("household"))
    assert len({m.id_number for m in members}) == len(members) == 2_500
    for m in members:
        county6 = m.household.village_id[:6]
        assert ric.validate(m.id_number) == m.id_number
        assert ric.get_birth_date(m.id_number) == m.birth_date
        assert m.id_number[:6] == prefix_by_year(county6)[m.birth_date.year - 1900]
        assert (int(m.id_number[16]) % 2 == 1) == (m.gender == "M")
        if m.disability_cert_no:
            assert m.disability_cert_no.startswith(m.id_number) and len(m.disability_cert_no) == 20
    # 平利县 was 612427 until 2000: the elderly carry the old code.
    assert prefix_by_year("610926")[1960 - 1900] == "612427" and prefix_by_year("610926")[2005 - 1900] == "610926"
    households = list(Household.objects.all())
    assert len({h.bank_account for h in households}) == len(households)
    assert all(luhn.is_valid(h.bank_account) and len(h.bank_account) == 19 for h in households)


def test_counties_sharing_a_place_code_get_apart_slices():
    # 西安's districts got their codes after 1950: people born then carry the city's 610100.
    year = 1950
    assert prefix_by_year("610102")[year - 1900] == prefix_by_year("610103")[year - 1900] == "610100"
    a, b = slice_of("610102", "610100", year), slice_of("610103", "610100", year)
    assert a[1] > 0 and b[1] > 0 and (a[0] + a[1] <= b[0] or b[0] + b[1] <= a[0])
    assert slice_of("610926", "610926", 2010) == (0, PER_SEX)


def test_a_full_day_moves_the_birth_date_within_the_year():
    import numpy as np

    ids = IdAllocator("610926", salt=1)
    birth = np.array(["2010-03-01"] * (PER_SEX + 3), dtype="datetime64[D]")
    numbers, births = ids.allocate(birth, np.ones(len(birth), dtype=bool))
    assert len(set(numbers)) == len(numbers)
    assert (births == np.datetime64("2010-03-01")).sum() == PER_SEX
    assert all(str(b)[:4] == "2010" for b in births) and all(ric.is_valid(n) for n in numbers)


def test_shares_are_calibrated(regions):
    stats = run("610926", persons=20_000, chunk_persons=20_000)  # one chunk: exact shares
    n = stats["households"]
    assert n == Household.objects.count() == round(20_000 / PERSONS_PER_HOUSEHOLD)
    assert abs(Member.objects.count() / n - 3.04) < 0.01
    causes = Counter(Household.objects.values_list("main_cause", flat=True))
    for cause, share in MAIN_CAUSE_SHARES.items():  # exact per chunk (largest remainder)
        assert abs(causes[cause] - share * n) < 1
    statuses = Counter(Household.objects.values_list("status", flat=True))
    assert abs(statuses[HouseholdStatus.EXITED] - STATUS_SHARES[HouseholdStatus.EXITED] * n) <= 2
    assert abs(statuses[HouseholdStatus.MONITORED] - STATUS_SHARES[HouseholdStatus.MONITORED] * n) < 1
    assert statuses[HouseholdStatus.CANCELLED] > 0.5 * STATUS_SHARES[HouseholdStatus.CANCELLED] * n
    years = Counter(Household.objects.values_list("registered_year", flat=True))
    assert all(abs(years[y] - s * n) < 1 for y, s in REGISTERED_YEAR_SHARES.items())
    assert stats["by_cause"] == {str(c.value): causes[c] for c in PovertyCause if causes[c]}
    sizes = Counter(HouseholdYear.objects.filter(year=2019).values_list("household_size", flat=True))
    assert 0.1 < sizes[1] / sum(sizes.values()) < 0.2 and max(sizes) <= 7
    line = Decimal(3747)  # 2019 line (policy table)
    exited = sorted(HouseholdYear.objects.filter(year=2019, status=HouseholdStatus.EXITED)
                    .values_list("per_capita_income", flat=True))
    assert 1.6 <= exited[len(exited) // 2] / line <= 2.6
    students = MemberYear.objects.filter(year=2020, school_status__in=["primary", "junior"]).count()
    assert 0.05 < students / MemberYear.objects.filter(year=2020).count() < 0.25
    migrants = MemberYear.objects.filter(year=2020, migrant_worker=True).count()
    assert 0.1 < migrants / MemberYear.objects.filter(year=2020).count() < 0.4


def test_cadres_help_about_five_households_of_their_township(regions):
    stats = run("610921", persons=3_000)
    loads = Counter(Household.objects.values_list("helper_id", flat=True))
    cadres = {u.pk: u for u in User.objects.filter(role=Role.CADRE)}
    assert stats["cadres"] == len(cadres) == len(loads) and max(loads.values()) <= 10
    assert 3.5 < stats["households"] / len(cadres) < 6.5
    for h in Household.objects.all():
        u = cadres[h.helper_id]
        assert u.region_id == h.village_id[:9] + "000" and u.username.startswith(f"cadre_{h.village_id[:9]}_")
        assert not u.has_usable_password() and u.full_name
    assert len({u.username for u in cadres.values()}) == len(cadres)


def test_chunks_and_counties_are_audited_not_households(regions):
    stats = run("610926", persons=2_000, chunk_persons=700)
    chunks = list(AuditEvent.objects.filter(object_type="demo.scale.chunk").order_by("seq"))
    assert len(chunks) == 3 and sum(e.after["persons"] for e in chunks) == 2_000
    assert sum(e.after["households"] for e in chunks) == stats["households"]
    first, last = chunks[0].after["household_ids"][0], chunks[-1].after["household_ids"][1]
    assert Household.objects.filter(id__gte=first, id__lte=last).count() == stats["households"]
    county = AuditEvent.objects.get(object_type="demo.scale.county")
    assert county.after["persons"] == 2_000 and county.after["seed"] == 7
    assert not AuditEvent.objects.filter(object_type="registry.household").exists()
    check_registry()


class Rollback(Exception):
    pass


def test_same_seed_same_data(regions):
    def generated(seed, **kwargs):
        try:
            with transaction.atomic():
                run("610900", persons=1_500, seed=seed, **kwargs)
                raise Rollback(digest())
        except Rollback as done:
            return done.args[0]

    first = generated(11)
    assert not Household.objects.exists()
    assert generated(11) == first
    assert generated(11, chunk_persons=20_000) == first  # one chunk (1,500 persons) either way
    assert generated(12) != first
    # A county gets the same data alone as in its city when it gets as many persons.
    with transaction.atomic():
        stats = run("610900", persons=1_500, seed=11)
        share = next(c["persons"] for c in stats["counties"] if c["county"].startswith("610926"))
        alone = [(h.household_no, h.head_name) for h in Household.objects.filter(
            village_id__gte="610926000000", village_id__lte="610926999999").order_by("household_no")]
        transaction.set_rollback(True)
    run("610926", persons=share, seed=11)
    assert [(h.household_no, h.head_name) for h in Household.objects.order_by("household_no")] == alone


@pytest.mark.parametrize("persons", [1, 2, 7])
def test_tiny_runs(regions, persons):
    stats = run("610926", persons=persons)
    assert Member.objects.count() == persons and stats["households"] == Household.objects.count() >= 1
    check_registry()

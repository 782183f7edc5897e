import csv
import hashlib
import json
from collections import Counter, defaultdict
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from stdnum import luhn
from stdnum.cn import ric

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.demo import generator
from fupin.demo.generator import (
    MAIN_CAUSE_SHARES,
    PERSONS_PER_HOUSEHOLD,
    DemoError,
    age_on,
    apportion,
    generate_county,
    id_prefix_for,
    is_student,
)
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.registry.choices import HouseholdAttribute, HouseholdStatus, PovertyCause
from fupin.registry.models import Household, Member
from fupin.registry.validators import MOBILE_RE

from .conftest import CSV

AS_OF = date(2026, 1, 1)
MALE_RELATIONS = {"son", "grandson", "father", "son_in_law"}
FEMALE_RELATIONS = {"daughter", "granddaughter", "mother", "daughter_in_law"}


def generate(n, **kwargs):
    return generate_county(county_code="610926", households=n, as_of=AS_OF, **kwargs)


def digest() -> str:
    """Everything generated except database keys, timestamps and password salts."""
    h = hashlib.sha256()
    for row in Household.objects.order_by("household_no").values_list(
            "household_no", "village_id", "group_name", "head_name", "phone", "bank_account", "attribute", "status",
            "main_cause", "other_causes", "registered_year", "exit_year", "helper__username", "helper__full_name"):
        h.update(repr(row).encode())
    for row in Member.objects.order_by("household__household_no", "id").values_list(
            "name", "id_number", "gender", "birth_date", "relation", "education", "health", "labour_capacity",
            "phone", "on_low_income_support", "on_destitute_support"):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_csv_has_the_eleven_real_towns_and_137_villages():
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    towns = [r for r in rows if r["区划代码"].endswith("000")]
    assert [t["名称"] for t in towns] == ["城关镇", "兴隆镇", "老县镇", "大贵镇", "三阳镇", "洛河镇", "广佛镇", "八仙镇",
                                        "长安镇", "西河镇", "正阳镇"]
    assert [t["区划代码"] for t in towns] == [f"610926{100 + i}000" for i in range(11)]
    villages = [r for r in rows if not r["区划代码"].endswith("000")]
    assert len(villages) == 137
    per_town = Counter(v["上级代码"] for v in villages)
    assert all(8 <= n <= 18 for n in per_town.values()) and len(per_town) == 11
    names = defaultdict(set)
    for v in villages:
        assert v["区划代码"][:9] + "000" == v["上级代码"] and v["名称"].endswith("村")
        assert v["名称"] not in names[v["上级代码"]]
        names[v["上级代码"]].add(v["名称"])


def test_apportion_is_exact_and_ids_use_the_code_valid_in_the_birth_year():
    counts = apportion(MAIN_CAUSE_SHARES, 2000)
    assert sum(counts.values()) == 2000 and counts[PovertyCause.ILLNESS] == 848
    # 平利县 was 612427 (安康地区) until 2000 and is 610926 since; stdnum checks which was in force.
    assert id_prefix_for("610926", 1960) == "612427"
    assert id_prefix_for("610926", 2000) == "610926"
    assert id_prefix_for("610926", 2015) == "610926"


def test_small_county_is_consistent(county):
    stats = generate(300)
    households = {h.pk: h for h in Household.objects.select_related("helper")}
    members = list(Member.objects.all())
    assert len(households) == stats["households"] == 300
    assert len(members) == stats["persons"] == round(300 * PERSONS_PER_HOUSEHOLD)
    assert 2.3 <= len(members) / len(households) <= 2.7
    assert stats["villages"] == 137 and stats["poor_villages"] == 90 and len(stats["poor_village_codes"]) == 90
    assert stats["poor_village_households"] > 0.7 * 300  # poor villages weigh much more

    # Resident IDs: valid (checksum, date, place in the birth year), unique, matching the member.
    ids = [m.id_number for m in members]
    assert len(set(ids)) == len(ids)
    by_household = defaultdict(list)
    for m in members:
        assert ric.validate(m.id_number) == m.id_number
        assert ric.get_birth_date(m.id_number) == m.birth_date
        assert (int(m.id_number[16]) % 2 == 1) == (m.gender == "M")
        age = age_on(m.birth_date, AS_OF)
        if age < 16:
            assert m.labour_capacity == "none"
        assert (m.education == "preschool") == (age < 6)
        if m.relation in MALE_RELATIONS:
            assert m.gender == "M"
        if m.relation in FEMALE_RELATIONS:
            assert m.gender == "F"
        by_household[m.household_id].append(m)

    township_of = dict(Region.objects.filter(level=Level.VILLAGE).values_list("code", "parent_id"))
    loads = Counter(h.helper_id for h in households.values())
    for pk, h in households.items():
        ms = by_household[pk]
        heads = [m for m in ms if m.relation == "head"]
        spouses = [m for m in ms if m.relation == "spouse"]
        assert len(heads) == 1 and heads[0].name == h.head_name and len(spouses) <= 1
        assert all(s.gender != heads[0].gender for s in spouses)
        if h.main_cause == PovertyCause.ILLNESS:
            assert any(m.health in ("chronic", "serious") for m in ms)
        if h.main_cause == PovertyCause.DISABILITY:
            assert any(m.health == "disabled" for m in ms)
        if h.main_cause == PovertyCause.SCHOOLING:
            assert any(is_student(m, as_of=AS_OF) for m in ms)
        assert h.main_cause not in h.other_causes and len(h.other_causes) <= 2
        assert any(m.on_low_income_support for m in ms) == (h.attribute == HouseholdAttribute.LOW_INCOME)
        if h.attribute == HouseholdAttribute.DESTITUTE:
            assert all(m.on_destitute_support for m in ms)
        assert h.household_no.startswith(h.village_id) and MOBILE_RE.match(h.phone)
        assert len(h.bank_account) == 19 and h.bank_account.startswith("62") and luhn.is_valid(h.bank_account)
        assert 2014 <= h.registered_year <= 2016
        if h.status in (HouseholdStatus.NOT_EXITED, HouseholdStatus.CANCELLED):
            assert h.exit_year is None
        else:
            assert h.registered_year < h.exit_year <= 2020
        # Helper: a cadre of the household's township who cannot log in, with at most 10 households.
        assert h.helper.role == Role.CADRE and h.helper.region_id == township_of[h.village_id]
        assert not h.helper.has_usable_password() and loads[h.helper_id] <= 10
    assert stats["cadres"] == User.objects.filter(role=Role.CADRE).count() == len(loads)

    # The audit trail: one entry per household (members inside), per cadre, and a summary.
    assert AuditEvent.objects.filter(object_type="registry.household", action="create").count() == 300
    entry = AuditEvent.objects.filter(object_type="registry.household").order_by("seq").first()
    assert len(entry.after["members"]) == len(by_household[int(entry.object_id)])
    assert AuditEvent.objects.filter(object_type="demo.dataset").count() == 1
    assert verify_chain().ok


def test_shares_at_larger_size(county):
    stats = generate(2000)
    causes = Counter(Household.objects.values_list("main_cause", flat=True))
    assert abs(causes[PovertyCause.ILLNESS] / 2000 - 0.424) < 0.005
    attributes = Counter(Household.objects.values_list("attribute", flat=True))
    assert abs(attributes[HouseholdAttribute.LOW_INCOME] / 2000 - 0.25) < 0.01
    statuses = Counter(Household.objects.values_list("status", flat=True))
    assert statuses[HouseholdStatus.EXITED] / 2000 > 0.9
    assert stats["persons"] == Member.objects.count() == round(2000 * PERSONS_PER_HOUSEHOLD)
    assert 0.18 <= stats["cadres"] / 2000 <= 0.23  # about one cadre per five households


def test_same_seed_same_data_other_seed_other_data(county):
    generate(120, seed=7)
    first = digest()

    def wipe():
        Member.objects.all().delete()
        Household.objects.all().delete()
        User.objects.filter(role=Role.CADRE).delete()

    wipe()
    generate(120, seed=7)
    assert digest() == first
    wipe()
    generate(120, seed=8)
    assert digest() != first


def test_refusals_write_nothing(db, county):
    generate(50)
    households, audit = Household.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DemoError, match="已有 50 户"):
        generate(50)
    with pytest.raises(CommandError, match="不能重复生成"):
        call_command("generate_demo", "--county", "610926", "--households", "10", stdout=StringIO())
    with pytest.raises(DemoError, match="load_regions"):
        generate_county(county_code="620102", households=10)
    with pytest.raises(DemoError, match="县级"):
        generate_county(county_code="610900", households=10)
    assert (Household.objects.count(), AuditEvent.objects.count()) == (households, audit)


def test_county_without_villages_is_refused(db):
    from .conftest import ABOVE_COUNTY

    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    with pytest.raises(DemoError, match="import_regions"):
        generate(10)


def test_failure_midway_rolls_everything_back(county, monkeypatch):
    calls = []
    real = generator.record_many

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(generator, "record_many", failing)
    with pytest.raises(RuntimeError):
        generate(100)
    assert Household.objects.count() == Member.objects.count() == 0
    assert not User.objects.filter(role=Role.CADRE).exists()
    assert not AuditEvent.objects.filter(object_type__in=["registry.household", "accounts.user"]).exists()


def test_generate_demo_command(county):
    out = StringIO()
    call_command("generate_demo", "--county", "610926", "--households", "80", "--seed", "3", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["households"] == 80 and data["persons"] == Member.objects.count()
    assert sum(r["households"] for r in data["by_cause"]) == 80
    assert {r["label"] for r in data["by_status"]} <= {s.label for s in HouseholdStatus}

import csv
import hashlib
import json
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from stdnum import luhn
from stdnum.cn import ric

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.audit.models import AuditEvent
from fupin.audit.selectors import verify_chain
from fupin.demo.generator import (
    MAIN_CAUSE_SHARES,
    PERSONS_PER_HOUSEHOLD,
    POVERTY_LINE,
    DemoError,
    apportion,
    generate_county,
    id_prefix_for,
    is_student,
    parse_years,
)
from fupin.demo.generator import county as county_module
from fupin.demo.management.commands.generate_demo import summary_text
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.registry.choices import (
    STUDENT_STATUSES,
    HouseholdAttribute,
    HouseholdStatus,
    PovertyCause,
    SchoolStatus,
    StatusChangeSource,
    StatusEventKind,
)
from fupin.registry.income import derive
from fupin.registry.models import (
    Household,
    HouseholdStatusEvent,
    HouseholdYear,
    Member,
    MemberYear,
    YearFreeze,
)
from fupin.registry.selectors import frozen_years
from fupin.registry.selectors_status import status_change_counts_in_region
from fupin.registry.validators import MOBILE_RE

from .conftest import CSV

MALE_RELATIONS = {"son", "grandson", "father", "son_in_law"}
FEMALE_RELATIONS = {"daughter", "granddaughter", "mother", "daughter_in_law"}
INCOME_FIELDS = ("wage_income", "business_income", "business_cost", "property_income", "transfer_income")
SCHOOL_LEVELS = STUDENT_STATUSES - {SchoolStatus.PRESCHOOL}
# The kind of every event after the first (新识别), by the status it leads to.
EVENT_KIND = {HouseholdStatus.EXITED: StatusEventKind.EXITED, HouseholdStatus.MONITORED: StatusEventKind.MONITORED,
              HouseholdStatus.RETURNED: StatusEventKind.RETURNED, HouseholdStatus.REMOVED: StatusEventKind.REMOVED,
              HouseholdStatus.CANCELLED: StatusEventKind.NATURAL_DECREASE}


def generate(n, **kwargs):
    return generate_county(county_code="610926", households=n, **kwargs)


def present(member, year) -> bool:
    return member.birth_date.year <= year and (member.left_on is None or member.left_on.year > year)


def digest() -> str:
    """Everything generated except database keys, timestamps and password salts."""
    h = hashlib.sha256()
    for row in Household.objects.order_by("household_no").values_list(
            "household_no", "village_id", "group_name", "head_name", "phone", "bank_account", "attribute", "status",
            "main_cause", "other_causes", "registered_year", "exit_year", "helper__username", "helper__full_name"):
        h.update(repr(row).encode())
    for row in Member.objects.order_by("household__household_no", "id").values_list(
            "name", "id_number", "gender", "birth_date", "relation", "phone", "disability_cert_no", "left_on"):
        h.update(repr(row).encode())
    for row in MemberYear.objects.order_by("member__household__household_no", "member_id", "year").values_list(
            "year", "education", "school_status", "health", "labour_capacity", "migrant_worker", "work_months",
            "work_monthly_income", "on_low_income_support", "on_destitute_support"):
        h.update(repr(row).encode())
    for row in HouseholdYear.objects.order_by("household__household_no", "year").values_list(
            "year", "status", *INCOME_FIELDS, "policy_subsidy", "per_capita_income", "danger_grade", "arable_mu"):
        h.update(repr(row).encode())
    for row in HouseholdStatusEvent.objects.order_by("household__household_no", "id").values_list(
            "year", "to_status", "kind", "effective_on", "source", "reason", "at"):
        h.update(repr(row).encode())
    return h.hexdigest()


def check_registry(years=(2019, 2020)) -> dict:
    """Every consistency rule the demo data promises, over the whole database. Returns counts."""
    households = {h.pk: h for h in Household.objects.select_related("helper")}
    members = {m.pk: m for m in Member.objects.all()}
    by_household = defaultdict(list)
    for m in members.values():
        by_household[m.household_id].append(m)
    member_years = defaultdict(list)  # (household, year) → MemberYear
    for my in MemberYear.objects.all():
        m = members[my.member_id]
        assert my.year in years and present(m, my.year), (m.name, my.year)
        member_years[m.household_id, my.year].append((m, my))
    expected = sum(1 for m in members.values() for y in years
                   if y >= households[m.household_id].registered_year and present(m, y))
    assert sum(len(v) for v in member_years.values()) == expected

    events = defaultdict(list)
    for e in HouseholdStatusEvent.objects.order_by("household_id", "at", "id"):
        events[e.household_id].append(e)
    # 自然减少: a household that ceased has no data from the year it ceased on.
    ceased = {pk: es[-1].effective_on for pk, es in events.items() if es[-1].kind == StatusEventKind.NATURAL_DECREASE}
    household_years = list(HouseholdYear.objects.all())
    assert len(household_years) == sum(1 for h in households.values() for y in years if y >= h.registered_year
                                       and (h.pk not in ceased or y < ceased[h.pk].year))
    last_year_status = {}
    migrants = 0
    for hy in household_years:
        h = households[hy.household_id]
        line = Decimal(POVERTY_LINE[hy.year])
        ms = member_years[h.pk, hy.year]
        # Size and income are derived: the members present at the year's end, derive() of the components.
        assert hy.household_size == len(ms) >= 1
        assert (hy.net_income, hy.per_capita_income) == derive(
            {f: getattr(hy, f) for f in INCOME_FIELDS}, hy.household_size)
        assert Decimal(0) <= hy.policy_subsidy <= hy.transfer_income
        assert hy.business_cost <= hy.business_income
        # The year's status follows the events; income lies on the right side of the year's line.
        status = [e.to_status for e in events[h.pk] if e.year <= hy.year][-1]
        assert hy.status == status
        if status in (HouseholdStatus.EXITED, HouseholdStatus.REMOVED):
            assert hy.per_capita_income > line
        elif status == HouseholdStatus.MONITORED:
            assert line < hy.per_capita_income < Decimal("1.5") * line
        else:
            assert hy.per_capita_income < line
        if hy.danger_grade in ("C", "D"):
            assert status == HouseholdStatus.NOT_EXITED and hy.year < 2020
        if hy.year == years[-1]:
            last_year_status[h.pk] = hy.status
        # Consistency rules of every year.
        causes = {h.main_cause, *h.other_causes}
        if PovertyCause.ILLNESS in causes:
            assert any(my.health in ("chronic", "serious") for _m, my in ms)
        if PovertyCause.DISABILITY in causes:
            assert any(my.health == "disabled" for _m, my in ms)
        if PovertyCause.SCHOOLING in causes:
            assert any(my.school_status in SCHOOL_LEVELS for _m, my in ms)
        assert any(my.on_low_income_support for _m, my in ms) == (h.attribute == HouseholdAttribute.LOW_INCOME)
        assert all(my.on_destitute_support for _m, my in ms) == (h.attribute == HouseholdAttribute.DESTITUTE)
        assert sum(my.work_months * my.work_monthly_income for _m, my in ms) <= hy.wage_income
        for m, my in ms:
            age = hy.year - m.birth_date.year
            assert my.resident_medical_insurance != my.employee_medical_insurance
            assert (my.education == "preschool") == (age < 6)
            if age < 16:
                assert my.labour_capacity == "none"
                assert (my.school_status in SCHOOL_LEVELS) == (age >= 6)
            if is_student(my) and age >= 6:
                assert my.labour_capacity == "none" and age <= 22
            assert (my.health == "disabled") == bool(my.disability_grade)
            if my.health == "disabled":
                cert = m.disability_cert_no
                assert len(cert) == 20 and cert.startswith(m.id_number) and cert[-1] == my.disability_grade
            if my.migrant_worker:
                migrants += 1
                assert 1 <= my.work_months <= 12 and my.work_place and my.work_monthly_income >= 800
                assert my.labour_capacity in ("ordinary", "skilled", "weak") and 16 <= age <= 59
            else:
                assert my.work_months == 0 and my.work_monthly_income == 0
    # Status events: 建档立卡, 脱贫退出, then 监测/返贫, or 清退, or 自然减少; the last is the household's
    # status. Each carries its kind and the date it took effect (the day it was recorded).
    for pk, h in households.items():
        es = events[pk]
        assert (es[0].year, es[0].from_status, es[0].to_status, es[0].source, es[0].kind) == (
            h.registered_year, "", HouseholdStatus.NOT_EXITED, StatusChangeSource.IDENTIFICATION, StatusEventKind.NEW)
        assert all(a.to_status == b.from_status and a.year <= b.year and a.at < b.at for a, b in zip(es, es[1:], strict=False))
        assert all(e.kind == EVENT_KIND[e.to_status] for e in es[1:])
        assert all(e.effective_on == timezone.localtime(e.at).date() for e in es)
        assert es[-1].to_status == h.status and {e.actor_name for e in es} == {"demo"}
        if h.status == HouseholdStatus.REMOVED:
            assert es[-1].source == StatusChangeSource.ADJUSTMENT and "识别不精准" in es[-1].reason
        if h.status == HouseholdStatus.CANCELLED:  # 自然减少: the one member died that day
            (m,) = by_household[pk]
            assert (m.relation, m.left_reason, m.left_on) == ("head", "deceased", ceased[pk])
            assert ceased[pk].year in years[1:] and ceased[pk].year - m.birth_date.year >= 77
        if years[-1] >= 2020 and pk not in ceased:  # every event lies before the end of 2020
            assert last_year_status[pk] == h.status
        exits = [e for e in es if e.source == StatusChangeSource.EXIT]
        if h.exit_year is None:
            assert not exits
        else:
            assert [(e.year, e.reason) for e in exits] == [(h.exit_year, "脱贫退出")]
            assert h.registered_year < h.exit_year <= 2020
    # Members who left: a date and a reason, no data from that year on.
    left = [m for m in members.values() if m.left_on]
    assert all(m.left_reason in ("deceased", "married_out") for m in left)
    assert all(m.relation != "head" for m in left if m.household_id not in ceased)
    return {"households": len(households), "members": len(members), "left": len(left), "migrants": migrants,
            "household_years": len(household_years), "member_years": expected, "ceased": len(ceased)}


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


def test_apportion_ids_and_years():
    counts = apportion(MAIN_CAUSE_SHARES, 2000)
    assert sum(counts.values()) == 2000 and counts[PovertyCause.ILLNESS] == 848
    # 平利县 was 612427 (安康地区) until 2000 and is 610926 since; stdnum checks which was in force.
    assert id_prefix_for("610926", 1960) == "612427"
    assert id_prefix_for("610926", 2000) == "610926"
    assert id_prefix_for("610926", 2015) == "610926"
    assert parse_years("2019-2020") == (2019, 2020) and parse_years("2020") == (2020,)
    assert parse_years([2018, 2019, 2020]) == (2018, 2019, 2020)
    for bad, message in (("2019-2021", "2014–2020"), ("2020-2019", "起始年"), ("2019—20", "格式"),
                         ("2014-2015", "2016"), ([2018, 2020], "连续")):
        with pytest.raises(DemoError, match=message):
            parse_years(bad)


def test_small_county_is_consistent(county):
    stats = generate(300)
    households = {h.pk: h for h in Household.objects.select_related("helper")}
    members = list(Member.objects.all())
    assert len(households) == stats["households"] == 300
    assert len(members) == stats["persons"] == round(300 * PERSONS_PER_HOUSEHOLD)
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
        assert h.main_cause not in h.other_causes and len(h.other_causes) <= 2
        assert h.household_no.startswith(h.village_id) and MOBILE_RE.match(h.phone)
        assert len(h.bank_account) == 19 and h.bank_account.startswith("62") and luhn.is_valid(h.bank_account)
        assert 2014 <= h.registered_year <= 2016
        # Helper: a cadre of the household's township who cannot log in, with at most 10 households.
        assert h.helper.role == Role.CADRE and h.helper.region_id == township_of[h.village_id]
        assert not h.helper.has_usable_password() and loads[h.helper_id] <= 10
    assert stats["cadres"] == User.objects.filter(role=Role.CADRE).count() == len(loads)

    # Yearly data: one row per household and year, one per member present at the year's end.
    counts = check_registry()
    statuses = Counter(h.status for h in households.values())
    # 清退 and 自然减少 households are there in the shares planned (0.5 % and 0.4 %, at least one).
    assert statuses[HouseholdStatus.REMOVED] >= 1 and statuses[HouseholdStatus.CANCELLED] == counts["ceased"] >= 1
    assert counts["household_years"] == stats["household_years"] == 300 * 2 - counts["ceased"]
    assert counts["member_years"] == stats["member_years"] == MemberYear.objects.count()
    assert 0.97 * len(members) * 2 <= counts["member_years"] <= len(members) * 2  # births and leavers only
    # The earlier year is frozen for the county, the current one is not.
    freeze = YearFreeze.objects.get()
    assert (freeze.region_code, freeze.year, freeze.frozen_by_name) == ("610926000000", 2019, "demo")
    assert stats["frozen_years"] == [2019] and frozen_years(next(iter(households.values())).village_id) == {2019}
    assert [y["frozen"] for y in stats["by_year"]] == [True, False]

    # The audit trail: one entry per household (members, years and events inside), per cadre, per
    # frozen year, and a summary.
    assert AuditEvent.objects.filter(object_type="registry.household", action="create").count() == 300
    entry = AuditEvent.objects.filter(object_type="registry.household").order_by("seq").first()
    h = households[int(entry.object_id)]
    assert len(entry.after["members"]) == len(by_household[h.pk])
    # Every field of the yearly tables is in the trail (but what only an import states).
    assert set(entry.after["year_fields"]) == {f.attname for f in HouseholdYear._meta.concrete_fields} - {
        "id", "household_id", "updated_at", "declared_per_capita_income"}
    assert set(entry.after["member_year_fields"]) == {f.attname for f in MemberYear._meta.concrete_fields} - {
        "id", "updated_at"}
    years = [dict(zip(entry.after["year_fields"], y, strict=True)) for y in entry.after["years"]]
    assert [y["year"] for y in years] == [2019, 2020]
    hy = HouseholdYear.objects.get(household=h, year=2020)
    assert years[1]["per_capita_income"] == str(hy.per_capita_income) and years[1]["status"] == hy.status
    member_years = [dict(zip(entry.after["member_year_fields"], y, strict=True)) for y in entry.after["member_years"]]
    assert len(member_years) == MemberYear.objects.filter(member__household=h).count()
    my = MemberYear.objects.get(member_id=member_years[-1]["member_id"], year=member_years[-1]["year"])
    assert (my.school_status, str(my.work_monthly_income)) == (member_years[-1]["school_status"],
                                                               member_years[-1]["work_monthly_income"])
    assert len(entry.after["status_events"]) == h.status_events.count()
    assert AuditEvent.objects.filter(object_type="registry.yearfreeze").count() == 1
    assert AuditEvent.objects.filter(object_type="demo.dataset").count() == 1
    assert verify_chain().ok


def test_shares_and_income_at_larger_size(county):
    stats = generate(2000)
    causes = Counter(Household.objects.values_list("main_cause", flat=True))
    assert abs(causes[PovertyCause.ILLNESS] / 2000 - 0.424) < 0.005
    attributes = Counter(Household.objects.values_list("attribute", flat=True))
    assert abs(attributes[HouseholdAttribute.LOW_INCOME] / 2000 - 0.25) < 0.01
    statuses = Counter(Household.objects.values_list("status", flat=True))
    assert statuses[HouseholdStatus.EXITED] / 2000 > 0.9
    # Every status change is an event of its kind: 清退 0.5 %, 自然减少 0.4 % of the households.
    kinds = Counter(HouseholdStatusEvent.objects.values_list("kind", flat=True))
    assert kinds[StatusEventKind.NEW] == 2000
    assert kinds[StatusEventKind.REMOVED] == statuses[HouseholdStatus.REMOVED] == 10
    assert kinds[StatusEventKind.NATURAL_DECREASE] == statuses[HouseholdStatus.CANCELLED] == 8
    # The yearly exit counts come from the events, and agree with the households' exit years.
    report = status_change_counts_in_region(region_code="610926000000")
    exits = {r["year"]: r["households"] for r in report["rows"] if r["kind"] == StatusEventKind.EXITED}
    assert exits == dict(Counter(Household.objects.filter(exit_year__isnull=False).values_list("exit_year", flat=True)))
    ceased = {r["year"]: (r["households"], r["persons"]) for r in report["rows"]
              if r["kind"] == StatusEventKind.NATURAL_DECREASE}
    assert ceased == {2020: (8, 8)}  # one person each, who died that year
    assert stats["persons"] == Member.objects.count() == round(2000 * PERSONS_PER_HOUSEHOLD)
    assert 0.18 <= stats["cadres"] / 2000 <= 0.23  # about one cadre per five households
    assert 0 < stats["left_members"] < 0.01 * stats["persons"]

    rows = list(HouseholdYear.objects.filter(year=2020).select_related("household"))
    line = POVERTY_LINE[2020]
    exited = sorted(float(r.per_capita_income) / line for r in rows if r.status == HouseholdStatus.EXITED)
    assert 1.6 <= exited[len(exited) // 2] <= 2.6  # median multiple of the line
    with_migrants = set(MemberYear.objects.filter(year=2020, migrant_worker=True)
                        .values_list("member__household_id", flat=True))

    def share(rs, field):
        return sum(float(getattr(r, field) / r.net_income) for r in rs) / len(rs)

    general_migrant = [r for r in rows if r.household_id in with_migrants
                       and r.household.attribute == HouseholdAttribute.GENERAL]
    supported = [r for r in rows if r.household.attribute != HouseholdAttribute.GENERAL]
    assert share(general_migrant, "wage_income") > 0.5
    assert share(supported, "transfer_income") > 0.45
    assert all(r.policy_subsidy >= Decimal("0.8") * r.transfer_income for r in supported)
    by_year = {y["year"]: y for y in stats["by_year"]}
    assert by_year[2019]["below_line"] > by_year[2020]["below_line"] > 0  # the 2020 exits
    assert by_year[2019]["dangerous_housing"] > 0 == by_year[2020]["dangerous_housing"]
    assert 0 < by_year[2020]["relocated"] < 0.1 * 2000


def test_same_seed_same_data_other_seed_other_data(county):
    generate(120, seed=7)
    first = digest()

    def wipe():
        HouseholdStatusEvent.objects.all().delete()
        MemberYear.objects.all().delete()
        HouseholdYear.objects.all().delete()
        YearFreeze.objects.all().delete()
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
    counts = (Household.objects.count(), HouseholdYear.objects.count(), YearFreeze.objects.count(),
              AuditEvent.objects.count())
    with pytest.raises(DemoError, match="已有 50 户"):
        generate(50)
    with pytest.raises(CommandError, match="不能重复生成"):
        call_command("generate_demo", "--county", "610926", "--households", "10", stdout=StringIO())
    with pytest.raises(DemoError, match="load_regions"):
        generate_county(county_code="620102", households=10)
    with pytest.raises(DemoError, match="县级"):
        generate_county(county_code="610900", households=10)
    with pytest.raises(DemoError, match="2014–2020"):
        generate(10, years="2021-2022")
    assert (Household.objects.count(), HouseholdYear.objects.count(), YearFreeze.objects.count(),
            AuditEvent.objects.count()) == counts


def test_county_without_villages_is_refused(db):
    from .conftest import ABOVE_COUNTY

    Region.objects.bulk_create([Region(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in ABOVE_COUNTY])
    with pytest.raises(DemoError, match="import_regions"):
        generate(10)


def test_failure_midway_rolls_everything_back(county, monkeypatch):
    calls = []
    real = county_module.record_many

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(county_module, "record_many", failing)
    with pytest.raises(RuntimeError):
        generate(100)
    assert Household.objects.count() == Member.objects.count() == 0
    assert HouseholdYear.objects.count() == MemberYear.objects.count() == HouseholdStatusEvent.objects.count() == 0
    assert not User.objects.filter(role=Role.CADRE).exists()
    assert not AuditEvent.objects.filter(object_type__in=["registry.household", "accounts.user"]).exists()


def test_generate_demo_command_with_three_years(county):
    out = StringIO()
    call_command("generate_demo", "--county", "610926", "--households", "80", "--seed", "3", "--years", "2018-2020",
                 "--registry-only", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["households"] == 80 and data["persons"] == Member.objects.count()
    assert "procedures" not in data
    assert sum(r["households"] for r in data["by_cause"]) == 80
    assert {r["label"] for r in data["by_status"]} <= {s.label for s in HouseholdStatus}
    assert data["years"] == [2018, 2019, 2020] and data["frozen_years"] == [2018, 2019]
    assert HouseholdYear.objects.count() == 80 * 3 == data["household_years"]
    assert sorted(YearFreeze.objects.values_list("year", flat=True)) == [2018, 2019]
    check_registry(years=(2018, 2019, 2020))
    text = summary_text(data)
    assert "2018  3,535" in text and "已固化" in text and "可编辑" in text


def test_generate_demo_command_adds_what_is_done_around_the_registry(county, settings):
    settings.FUPIN_TODAY = "2020-12-15"
    out = StringIO()
    call_command("generate_demo", "--county", "610926", "--households", "300", "--seed", "5", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and [e["year"] for e in data["exit_evidence"]] == [2019, 2020]
    assert data["procedures"]["identification"]["cases"] > 0 and data["procedures"]["on"] == "2020-12-15"
    assert data["helpers"] and data["visits"]
    assert "退出评估数据" in summary_text(data)

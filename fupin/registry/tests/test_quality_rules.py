"""Each data-quality rule: one case that fires and one (a near miss) that does not."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from fupin.conftest import YEAR, make_household, make_id_number
from fupin.policy.services import policy_set
from fupin.registry.models import Household, HouseholdYear, Member, MemberYear
from fupin.registry.quality import ERROR, RULES, WARNING, check_household, ordered_rules, run_rules
from fupin.registry.selectors import households_visible_to

VILLAGE = "610926100001"


@pytest.fixture
def clean(users):
    """Head (male, 1980, 患有大病, 普通劳动力) and two sons (2006, 2007; 初中在读, 无劳动力); passes every rule."""
    return make_household("610926100001050", VILLAGE, helper=users["cadre"], head="周一", members=3)


def head(h) -> Member:
    return h.members.get(relation="head")


def son(h) -> Member:
    return h.members.filter(relation="son").order_by("birth_date").first()


def year_of(m: Member) -> MemberYear:
    return m.years.get(year=YEAR)


def update(obj, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def fired(h, code, **kw) -> list:
    found = check_household(h, year=YEAR, rules=[code], **kw)
    assert all(f.code == code for f in found)
    return found


def add_member(h, *, name, birth, gender="M", relation="son", year=True, id_number=None, **year_data):
    m = Member.objects.create(household=h, name=name, gender=gender, birth_date=birth, relation=relation,
                              id_number=id_number or make_id_number(birth, 70 + h.members.count(), gender))
    if year:
        MemberYear.objects.create(member=m, year=YEAR, **year_data)
    return m


def test_a_clean_household_passes_every_rule(clean):
    assert check_household(clean, year=YEAR) == []


def test_rule_table_is_complete_and_explained():
    assert [r.code for r in ordered_rules()] == [f"R{i:02d}" for i in range(1, 22)]
    for r in ordered_rules():
        assert r.severity in (ERROR, WARNING)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.title + r.description)
        assert r.fields


# --- R01 / R02: duplicates across the registry ------------------------------------------------

def test_r01_same_number_other_name_outside_scope_names_only_the_region(users, households, clean):
    number = head(clean).id_number
    other = households["b1"].members.get(relation="head")  # 兴隆镇: not township_a's
    update(other, id_number=number)
    township = users["township_a"]
    report = run_rules(households_visible_to(township), year=YEAR,
                       region_code="610926100000", rules=["R01"], visible=households_visible_to(township))
    [f] = report.findings
    assert f.household_id == clean.pk and f.member_id == head(clean).pk and f.severity == ERROR
    assert "区划 610926101001 的另一户" in f.message and "至少有一个证件号码有误" in f.message
    assert households["b1"].household_no not in f.message and other.name not in f.message
    assert number not in f.message  # masked in the message
    assert f.values["id_number"] == number
    assert f.values["duplicates"] == [{"village_code": "610926101001", "household_id": None,
                                       "household_no": None, "member_id": None}]
    assert fired(clean, "R02") == []


def test_r01_does_not_count_a_member_who_left(households, clean):
    other = households["b1"].members.get(relation="head")
    update(other, id_number=head(clean).id_number, left_on=date(2019, 5, 1), left_reason="deceased")
    assert fired(clean, "R01") == [] and fired(clean, "R02") == []


def test_r02_same_person_in_two_visible_households(users, households, clean):
    me = head(clean)
    twin = households["a2"].members.get(relation="head")
    update(twin, id_number=me.id_number, name=me.name)
    [f] = fired(clean, "R02", visible=households_visible_to(users["county"]))
    assert f"户 {households['a2'].household_no}（区划 610926100002）" in f.message
    assert f.values["duplicates"][0]["household_id"] == households["a2"].pk
    # without `visible`, the other household is not named
    [f] = fired(clean, "R02")
    assert households["a2"].household_no not in f.message and "区划 610926100002 的另一户" in f.message
    assert fired(clean, "R01") == []


def test_r02_twice_in_the_same_household(clean):
    me = head(clean)
    add_member(clean, name=me.name, birth=me.birth_date, relation="other", id_number=me.id_number)
    found = fired(clean, "R02")
    assert len(found) == 2 and all("本户" in f.message for f in found)


# --- R03: ID number ----------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    ({"id_number": "61092619800101051X"}, "校验位错误"),
    ({"id_number": "6109261980010105"}, "应为 18 位"),
    ({"gender": "F"}, "性别“女”与证件号码不符"),
    ({"birth_date": date(1980, 1, 2)}, "出生日期 1980-01-02 与证件号码不符"),
    ({"id_number": make_id_number(date(1980, 1, 1), 5, region="610999")}, "地区码 610999 不存在"),
    ({"id_number": make_id_number(date(1980, 1, 1), 5, region="999999")}, "地区码 999999 不存在"),
])
def test_r03_fires_on_an_invalid_or_contradicting_id(clean, change, expected):
    m = update(head(clean), **change)
    [f] = fired(clean, "R03")
    assert expected in f.message and f.member_id == m.pk
    assert m.id_number not in f.message


def test_id_validator_names_an_unknown_county_of_a_known_province():
    from fupin.registry.idnumbers import InvalidIdNumber, validate

    with pytest.raises(InvalidIdNumber, match="地区码 610999 不存在"):  # was a KeyError from stdnum
        validate(make_id_number(date(1980, 1, 1), 5, region="610999"))
    with pytest.raises(InvalidIdNumber, match="地区码 610999 不存在"):  # not valid in any year
        validate(make_id_number(date(2010, 1, 1), 5, region="610999"))


def test_r03_sql_agrees_with_the_validator_on_many_numbers(clean):
    """Mutated numbers (one digit changed, swapped, check char replaced): the rule reports exactly
    those the input validator rejects or whose gender / birth date it contradicts."""
    import random

    from fupin.registry.idnumbers import InvalidIdNumber, validate

    rnd = random.Random(11643)
    expected = set()
    for i in range(60):
        birth = date(rnd.randint(1940, 2015), rnd.randint(1, 12), rnd.randint(1, 28))
        gender = rnd.choice("MF")
        number = list(make_id_number(birth, i, gender, region=rnd.choice(["610926", "612427", "110105", "632127"])))
        pos = rnd.randrange(18)
        if i % 3 == 0:
            number[pos] = rnd.choice("0123456789X")
        elif i % 3 == 1:
            number[pos], number[17 - pos] = number[17 - pos], number[pos]
        m = add_member(clean, name=f"测{i}", birth=birth, gender=gender, relation="other", id_number="".join(number))
        try:
            facts = validate(m.id_number)
        except InvalidIdNumber:
            expected.add(m.pk)
        else:
            if (facts.number, facts.gender, facts.birth_date) != (m.id_number, gender, birth):
                expected.add(m.pk)
    assert 10 < len(expected) < 60
    assert {f.member_id for f in fired(clean, "R03")} == expected


def test_r03_skips_other_document_types_and_accepts_valid_numbers(clean):
    update(head(clean), id_type="other", id_number="ABC-123")
    update(son(clean), id_number=make_id_number(date(2006, 3, 1), 9, region="612427"))  # 平利县 before 2000
    assert fired(clean, "R03") == []


# --- R04, R05, R20: relations -------------------------------------------------------------------

def test_r04_head_and_spouse_of_the_same_sex(clean):
    add_member(clean, name="孙二", birth=date(1982, 5, 5), gender="M", relation="spouse")
    [f] = fired(clean, "R04")
    assert "户主周一与配偶孙二性别均为“男”" in f.message


def test_r04_not_for_a_spouse_of_the_other_sex(clean):
    add_member(clean, name="孙二", birth=date(1982, 5, 5), gender="F", relation="spouse")
    assert fired(clean, "R04") == []


def test_r05_relation_contradicts_gender(clean):
    add_member(clean, name="周女", birth=date(2010, 1, 1), gender="M", relation="daughter")
    add_member(clean, name="周母", birth=date(1950, 1, 1), gender="F", relation="father")
    messages = sorted(f.message for f in fired(clean, "R05"))
    assert messages == ["周女与户主关系为“之女”，性别却为“男”", "周母与户主关系为“之父”，性别却为“女”"]


def test_r05_not_for_relations_without_gender(clean):
    add_member(clean, name="周姐", birth=date(1978, 1, 1), gender="F", relation="sibling")
    add_member(clean, name="周儿媳", birth=date(1985, 1, 1), gender="F", relation="daughter_in_law")
    assert fired(clean, "R05") == []


def test_r20_household_without_a_current_head(clean):
    update(head(clean), left_on=date(2020, 3, 1), left_reason="deceased")
    [f] = fired(clean, "R20")
    assert f.member_id is None and "没有户主" in f.message


def test_r20_a_head_who_left_does_not_count_as_a_second_head(clean):
    add_member(clean, name="周老", birth=date(1950, 1, 1), relation="head").__class__.objects.filter(
        name="周老").update(left_on=date(2015, 1, 1), left_reason="deceased")
    assert fired(clean, "R20") == []
    add_member(clean, name="周二", birth=date(1982, 1, 1), relation="head")
    assert "有 2 名户主" in fired(clean, "R20")[0].message


# --- R06–R08: age against labour, school, education -----------------------------------------------

def test_r06_under_labour_age_marked_as_labour_force(clean):
    update(son(clean), birth_date=date(2005, 1, 1))
    update(year_of(son(clean)), labour_capacity="ordinary")
    [f] = fired(clean, "R06")
    assert "15 岁" in f.message and "未满 16 周岁" in f.message and "普通劳动力" in f.message
    assert f.inputs["quality.labour_min_age"]["value"] == 16


def test_r06_not_on_the_sixteenth_birthday_year(clean):
    update(son(clean), birth_date=date(2004, 12, 31))  # 16 on 2020-12-31
    update(year_of(son(clean)), labour_capacity="ordinary")
    assert fired(clean, "R06") == []


def test_r06_threshold_comes_from_the_policy_table(clean):
    update(year_of(son(clean)), labour_capacity="weak")  # son is 14
    assert len(fired(clean, "R06")) == 1
    policy_set(actor=None, key="quality.labour_min_age", region_code="610926000000", year_from=2014, value=14)
    assert fired(clean, "R06") == []


def test_r07_adult_in_primary_school_without_note(clean):
    update(year_of(head(clean)), school_status="primary")
    [f] = fired(clean, "R07")
    assert "已满 18 周岁" in f.message and f.severity == WARNING


def test_r07_not_with_a_note(clean):
    update(year_of(head(clean)), school_status="primary", note="参加扫盲班")
    assert fired(clean, "R07") == []


def test_r08_age_contradicts_education_or_school(clean):
    update(year_of(son(clean)), education="preschool")  # 14 years old
    younger = son(clean).__class__.objects.filter(household=clean, relation="son").order_by("-birth_date").first()
    update(year_of(younger), education="college")  # 13 years old
    found = {f.member_id: f.message for f in fired(clean, "R08")}
    assert "超过 6 岁，文化程度为“学龄前儿童”" in found[son(clean).pk]
    assert "13 岁）：不满 16 岁，文化程度为“大专及以上”" in found[younger.pk]


def test_r08_not_for_plausible_ages(clean):
    update(year_of(son(clean)), school_status="senior")  # 14: not below quality.senior_min_age
    add_member(clean, name="周小", birth=date(2014, 6, 1), education="preschool", school_status="preschool")
    assert fired(clean, "R08") == []


# --- R09–R12: causes and attribute against the members ---------------------------------------

def test_r09_illness_cause_but_everybody_healthy(clean):
    update(year_of(head(clean)), health="healthy")
    [f] = fired(clean, "R09")
    assert "因病" in f.message and "3 名在册成员" in f.message


def test_r09_also_for_illness_among_other_causes_and_not_with_a_chronic_patient(clean):
    update(clean, main_cause="lack_funds", other_causes=["illness"])
    update(year_of(head(clean)), health="healthy")
    assert len(fired(clean, "R09")) == 1
    update(year_of(son(clean)), health="chronic")
    assert fired(clean, "R09") == []


def test_r10_schooling_cause_without_student(clean):
    update(clean, main_cause="schooling")
    assert fired(clean, "R10") == []  # sons are at school
    MemberYear.objects.filter(member__household=clean).update(school_status="not_student")
    [f] = fired(clean, "R10")
    assert "没有在校生" in f.message


def test_r11_disability_cause_without_disabled_member(clean):
    update(clean, main_cause="disability")
    [f] = fired(clean, "R11")
    assert "没有残疾人" in f.message
    update(year_of(son(clean)), disability_grade="2")
    assert fired(clean, "R11") == []


def test_r12_low_income_household_without_member_on_support(clean):
    update(clean, attribute="low_income")
    [f] = fired(clean, "R12")
    assert "低保贫困户" in f.message and "享受低保" in f.message
    update(year_of(head(clean)), on_low_income_support=True)
    assert fired(clean, "R12") == []


def test_r09_to_r12_ignore_a_household_without_member_data_for_the_year(clean):
    update(clean, main_cause="disability", attribute="low_income")
    assert check_household(clean, year=YEAR - 1, rules=["R09", "R10", "R11", "R12"]) == []


# --- R13, R14: medical insurance ---------------------------------------------------------------

def test_r13_both_medical_insurances(clean):
    update(year_of(head(clean)), employee_medical_insurance=True)
    [f] = fired(clean, "R13")
    assert f.member_id == head(clean).pk and f.severity == ERROR


def test_r13_r14_not_for_exactly_one_insurance(clean):
    update(year_of(head(clean)), employee_medical_insurance=True, resident_medical_insurance=False)
    assert fired(clean, "R13") == [] and fired(clean, "R14") == []


def test_r14_no_medical_insurance(clean):
    update(year_of(son(clean)), resident_medical_insurance=False)
    [f] = fired(clean, "R14")
    assert "既未参加" in f.message


# --- R15, R16: income ----------------------------------------------------------------------------

def hy(h) -> HouseholdYear:
    return h.years.get(year=YEAR)


def test_r15_declared_per_capita_differs_from_components(clean):
    update(hy(clean), declared_per_capita_income=Decimal("3001.01"))
    [f] = fired(clean, "R15")
    assert "申报人均纯收入 3001.01 元与按各项收入算出的 3000.00 元相差 1.01 元" in f.message
    assert f.inputs["quality.income_tolerance"]["value"] == 1
    assert f.values["derived_per_capita_income"] == Decimal("3000.00")


def test_r15_not_within_tolerance(clean):
    update(hy(clean), declared_per_capita_income=Decimal("3001.00"))
    assert fired(clean, "R15") == []


def test_r15_net_income_not_the_sum_of_components(clean):
    update(hy(clean), transfer_income=Decimal("500.00"))  # net and per-capita not recomputed
    [f] = fired(clean, "R15")
    assert "家庭纯收入 9000.00 元 ≠" in f.message and "= 9500.00 元" in f.message


def test_r15_per_capita_not_net_divided_by_size(clean):
    h = update(hy(clean), wage_income=Decimal("10000"), net_income=Decimal("10000"), per_capita_income=Decimal("3333.33"))
    assert fired(clean, "R15") == []
    update(h, per_capita_income=Decimal("3333.34"))
    assert "年人均纯收入 3333.34 元 ≠ 家庭纯收入 10000.00 ÷ 家庭人口数 3 = 3333.33 元" in fired(clean, "R15")[0].message


def test_r16_per_capita_income_out_of_range(users):
    poor = make_household("610926100001051", VILLAGE, helper=users["cadre"], income=Decimal("0"))
    rich = make_household("610926100001052", VILLAGE, helper=users["cadre"], income=Decimal("100000.01"))
    fine = make_household("610926100001053", VILLAGE, helper=users["cadre"], income=Decimal("0.01"))
    assert "不高于下限 0 元" in fired(poor, "R16")[0].message
    assert "高于上限 100000 元" in fired(rich, "R16")[0].message
    assert fired(fine, "R16") == []


# --- R17, R18: phones; R19: helper; R21: yearly data -------------------------------------------------

def test_r17_invalid_household_phone(clean):
    update(clean, phone="1380013800")
    [f] = fired(clean, "R17")
    assert "（10 位）无效" in f.message and "1380013800" not in f.message and f.values["phone"] == "1380013800"


def test_r17_accepts_landlines_and_blank(clean):
    update(clean, phone="0915-8421234")
    assert fired(clean, "R17") == []
    update(clean, phone="")
    assert fired(clean, "R17") == []


def test_r18_invalid_member_phone(clean):
    update(son(clean), phone="12345678901")
    update(head(clean), phone="139 1234 5678")  # spaces are allowed by the validator
    [f] = fired(clean, "R18")
    assert f.member_id == son(clean).pk


def test_r19_household_without_helper(clean):
    update(clean, helper=None)
    assert "尚未确定帮扶责任人" in fired(clean, "R19")[0].message
    update(clean, status="cancelled")
    assert fired(clean, "R19") == []


def test_r21_member_without_yearly_data(clean):
    m = add_member(clean, name="周新", birth=date(2019, 2, 2), year=False)
    add_member(clean, name="周小新", birth=date(2021, 2, 2), year=False)  # not born in the year checked
    [f] = fired(clean, "R21")
    assert f.member_id == m.pk
    update(m, left_on=date(2020, 6, 1), left_reason="other")
    assert fired(clean, "R21") == []


def test_every_rule_is_covered_here():
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{code}"' in source for code in RULES)


def test_findings_of_left_members_never_count(clean):
    m = son(clean)
    update(year_of(m), labour_capacity="ordinary", resident_medical_insurance=False, education="preschool")
    update(m, gender="F", phone="123", left_on=date(2020, 9, 1), left_reason="married_out")
    assert check_household(clean, year=YEAR) == []
    assert Household.objects.filter(pk=clean.pk).exists()

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from fupin.conftest import make_id_number
from fupin.registry.idnumbers import InvalidIdNumber, normalize, validate
from fupin.registry.income import derive
from fupin.registry.validation import clean_household, clean_household_year, clean_member, clean_member_year

VALID = make_id_number(date(1980, 5, 17), 12, "F")


def test_validate_derives_gender_and_birth():
    facts = validate(VALID)
    assert facts.birth_date == date(1980, 5, 17) and facts.gender == "F"


def test_fifteen_digit_and_lowercase_x():
    body15 = "610926800517123"  # 1980-05-17, sequence 123 (odd → male)
    eighteen = normalize(body15)
    assert eighteen.startswith("61092619800517123") and len(eighteen) == 18
    assert validate(body15).gender == "M"
    x_number = next(n for n in (make_id_number(date(1990, 1, 1), s) for s in range(200)) if n.endswith("X"))
    assert validate(x_number.lower()).number == x_number


@pytest.mark.parametrize(("raw", "message"), [
    ("12345", "18 位"),
    (VALID[:-1] + ("0" if VALID[-1] != "0" else "1"), "校验位"),
    ("610926198002301234", "校验位"),
])
def test_invalid_numbers(raw, message):
    with pytest.raises(InvalidIdNumber, match=message):
        validate(raw)


def _with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_bad_birth_date_and_unknown_region():
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        validate(_with_check("61092619800230123"))
    with pytest.raises(InvalidIdNumber, match="地区码"):
        validate(_with_check("99999919800101123"))


def test_code_assigned_after_birth_is_accepted():
    # 610926 replaced 612427 in 2000; a number issued later to someone born in 1980 is real.
    assert validate(_with_check("61092619800101123")).birth_date == date(1980, 1, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)), st.integers(0, 999),
       st.sampled_from(["M", "F"]))
def test_generated_numbers_round_trip(birth, seq, gender):
    number = make_id_number(birth, seq, gender)
    assert ric.compact(number) == number and ric.calc_check_digit(number) == number[-1]
    facts = validate(number.lower())
    assert (facts.birth_date, facts.gender, facts.number) == (birth, gender, number)


def test_member_contradicting_gender_and_birth_rejected():
    with pytest.raises(ValidationError) as exc:
        clean_member({"name": "王芳", "id_number": VALID, "gender": "男", "birth_date": "1981-01-01",
                      "relation": "之女"})
    errors = exc.value.message_dict
    assert "与证件号码不符" in errors["gender"][0] and "与证件号码不符" in errors["birth_date"][0]


def test_member_labels_and_derived_values():
    cleaned = clean_member({"name": "王芳", "id_number": VALID.lower(), "relation": "之女", "phone": ""})
    assert cleaned["relation"] == "daughter" and cleaned["gender"] == "F"
    assert cleaned["birth_date"] == date(1980, 5, 17)


def test_member_bad_values_name_their_fields():
    with pytest.raises(ValidationError) as exc:
        clean_member({"name": "", "id_number": "abc", "relation": "表哥", "phone": "12"})
    errors = exc.value.message_dict
    assert set(errors) >= {"name", "id_number", "relation", "phone"}
    assert "与户主关系" in errors["relation"][0]


def test_household_causes():
    with pytest.raises(ValidationError) as exc:
        clean_household({"main_cause": "因病", "other_causes": "因病、缺技术、缺资金"}, max_other_causes=2)
    msgs = exc.value.message_dict["other_causes"]
    assert any("最多 2 项" in m for m in msgs) and any("相同" in m for m in msgs)
    ok = clean_household({"main_cause": "因病", "other_causes": ["缺技术"]}, max_other_causes=2)
    assert ok == {"main_cause": "illness", "other_causes": ["lack_skills"]}


def test_year_values_parse_and_reject():
    cleaned = clean_household_year({"wage_income": "12,000.5", "danger_grade": "C级", "sanitary_toilet": "是"})
    assert cleaned == {"wage_income": Decimal("12000.50"), "danger_grade": "C", "sanitary_toilet": True}
    with pytest.raises(ValidationError) as exc:
        clean_household_year({"wage_income": "一万", "transfer_income": "-5", "arable_mu": "1.234",
                              "net_income": "100"})
    errors = exc.value.message_dict
    assert "不是数字" in errors["wage_income"][0]
    assert "负数" in errors["transfer_income"][0]
    assert "小数" in errors["arable_mu"][0]
    assert "不能在此填写" in errors["net_income"][0]  # derived, never typed
    with pytest.raises(ValidationError, match="政策性补贴"):
        clean_household_year({"transfer_income": "100", "policy_subsidy": "200"})
    assert clean_member_year({"school_status": "小学", "health": "患有大病"}) == {"school_status": "primary",
                                                                                  "health": "serious"}


def test_income_derivation():
    net, per_capita = derive({"wage_income": 10000, "business_income": 5000, "business_cost": 2000,
                              "property_income": 300, "transfer_income": 1700}, 3)
    assert net == Decimal("15000.00") and per_capita == Decimal("5000.00")
    assert derive({}, 0) == (Decimal("0.00"), Decimal("0.00"))


def _stdnum_verdict(number: str) -> bool:
    """The rule `validate` caches: stdnum's check, a region code valid at any time accepted."""
    from stdnum import exceptions

    from fupin.registry.idnumbers import _region_known

    try:
        ric.validate(number)
        return True
    except exceptions.InvalidComponent:
        try:
            ric.get_birth_date(number)
        except exceptions.ValidationError:
            return False
        return _region_known(number)
    except (exceptions.ValidationError, KeyError):
        return False


REGIONS = ("610926", "612427", "610999", "110101", "990000", "640521", "440300", "650102")


@given(region=st.sampled_from(REGIONS), born=st.dates(date(1900, 1, 1), date(2030, 12, 31)),
       seq=st.integers(0, 999), check=st.sampled_from("0123456789X"), bad_month=st.booleans())
def test_cached_validation_agrees_with_stdnum(region, born, seq, check, bad_month):
    body = f"{region}{born:%Y}{'13' if bad_month else f'{born:%m}'}{born:%d}{seq:03d}"
    number = body + check
    try:
        validate(number)
        ours = True
    except InvalidIdNumber:
        ours = False
    assert ours == _stdnum_verdict(number)

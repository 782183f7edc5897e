"""Alkire-Foster on hand-computed cases (exact fractions), the deprivation rules and the policy checks."""

from fractions import Fraction as F

import pytest
from django.core.exceptions import ValidationError

from fupin.measures.af import af_sums, decompose, deprivations, parse_indicators, parse_k, score
from fupin.policy.defaults import NATIONAL_DEFAULTS

DEFAULT = next(v for k, _, v, *_ in NATIONAL_DEFAULTS if k == "measures.af.indicators")
INDICATORS = parse_indicators(DEFAULT)
# weights: education, school_attendance, health, medical_insurance 1/6 each;
#          housing, drinking_water, sanitation, electricity 1/12 each
H1 = (4, {"education", "sanitation"})  # c = 1/6 + 1/12 = 1/4 < 1/3: not poor
H2 = (2, {"health", "medical_insurance"})  # c = 1/6 + 1/6 = 1/3 ≥ 1/3: poor (boundary)
H3 = (3, {"education", "school_attendance", "housing", "drinking_water", "sanitation"})  # c = 1/3 + 3/12 = 7/12
H4 = (1, set())  # c = 0
ROWS = [H1, H2, H3, H4]  # N = 10


def test_default_policy_weights_sum_to_one():
    assert [i.weight for i in INDICATORS] == [F(1, 6)] * 4 + [F(1, 12)] * 4
    assert sum(i.weight for i in INDICATORS) == 1


def test_scores():
    assert [score(d, INDICATORS) for _, d in ROWS] == [F(1, 4), F(1, 3), F(7, 12), 0]


def test_headcount_intensity_and_m0():
    s = af_sums(ROWS, indicators=INDICATORS, k="1/3")
    # poor: H2 (2 persons) and H3 (3 persons) → q = 5 of N = 10: H = 1/2
    assert (s.poor_households, s.poor_persons, s.persons) == (2, 5, 10)
    assert F(1, 2) == s.H
    # A = (2·1/3 + 3·7/12) / 5 = (8/12 + 21/12) / 5 = 29/60
    assert F(29, 60) == s.A
    # M0 = H × A = 29/120
    assert s.M0 == F(29, 120) == s.H * s.A


def test_censored_headcounts_and_contributions():
    s = af_sums(ROWS, indicators=INDICATORS, k=F(1, 3))
    censored = {i.code: s.censored_ratio(i.code) for i in INDICATORS}
    # H1 is not poor, so its education and sanitation deprivations are censored out.
    assert censored == {"education": F(3, 10), "school_attendance": F(3, 10), "health": F(2, 10),
                        "medical_insurance": F(2, 10), "housing": F(3, 10), "drinking_water": F(3, 10),
                        "sanitation": F(3, 10), "electricity": 0}
    assert s.uncensored_ratio("education") == F(7, 10) and s.uncensored_ratio("sanitation") == F(7, 10)
    # M0 = Σ w_j·CH_j = 1/6·(3+3+2+2)/10 + 1/12·(3+3+3)/10 = 1/6 + 3/40 = 29/120
    assert sum(i.weight * censored[i.code] for i in INDICATORS) == s.M0
    # contribution = w_j·CH_j / M0: education (1/6·3/10)/(29/120) = 6/29, health (1/6·2/10)/(29/120) = 4/29,
    # housing (1/12·3/10)/(29/120) = 3/29
    contributions = {i.code: s.contribution(i.code) for i in INDICATORS}
    assert contributions == {"education": F(6, 29), "school_attendance": F(6, 29), "health": F(4, 29),
                             "medical_insurance": F(4, 29), "housing": F(3, 29), "drinking_water": F(3, 29),
                             "sanitation": F(3, 29), "electricity": 0}
    assert sum(contributions.values()) == 1


def test_higher_k_drops_the_boundary_household():
    s = af_sums(ROWS, indicators=INDICATORS, k="1/2")
    # only H3 (3 persons, c = 7/12): H = 3/10, A = 7/12, M0 = 7/40
    assert (F(3, 10), F(7, 12), F(7, 40)) == (s.H, s.A, s.M0)


def test_nobody_poor():
    s = af_sums([H4], indicators=INDICATORS, k="1/3")
    assert (s.H, s.A, s.M0) == (0, None, 0)
    assert s.contribution("education") is None


def test_decomposition_by_region():
    total, groups = decompose([("R1", *H1), ("R1", *H2), ("R2", *H3), ("R2", *H4)], indicators=INDICATORS, k="1/3")
    r1, r2 = groups
    # R1: N = 6, M0 = 2·1/3 / 6 = 1/9, share 6/10 → 1/15 of the population-weighted total
    # R2: N = 4, M0 = 3·7/12 / 4 = 7/16, share 4/10 → 7/40;   1/15 + 7/40 = 8/120 + 21/120 = 29/120 = M0
    assert (r1.share, r1.sums.M0, r2.share, r2.sums.M0) == (F(6, 10), F(1, 9), F(4, 10), F(7, 16))
    assert r1.share * r1.sums.M0 + r2.share * r2.sums.M0 == total.M0 == F(29, 120)
    assert (r1.contribution, r2.contribution) == (F(8, 29), F(21, 29))


def member(age, **year):
    base = {"education": "primary", "school_status": "not_student", "dropout": False, "health": "healthy",
            "resident_medical_insurance": True, "employee_medical_insurance": False}
    return {"age": age, "year": None if year.get("missing") else {**base, **year}}


HY_OK = {"danger_grade": "", "relocated": False, "drinking_water_safe": True, "drinking_water_difficult": False,
         "sanitary_toilet": True, "living_electricity": True}


def dep(members, hy=None):
    return deprivations(hy or HY_OK, members, indicators=INDICATORS, school_ages=(6, 15), unsafe_grades=["C", "D"])


def test_deprivation_rules():
    assert dep([member(40, education="junior")]) == frozenset()
    # No adult (16+) with junior education or above; a 15-year-old does not count as adult.
    assert dep([member(40, education="primary"), member(15, education="junior", school_status="junior")]) == {"education"}
    # An adult without year data is not counted; no adult with data → not deprived.
    assert dep([member(40, missing=True)]) == frozenset()
    # A compulsory-age child out of school or dropped out; a 16-year-old is outside 6–15.
    assert dep([member(40, education="junior"), member(10)]) == {"school_attendance"}
    assert dep([member(40, education="junior"), member(10, school_status="primary", dropout=True)]) == {"school_attendance"}
    assert dep([member(40, education="junior"), member(16)]) == frozenset()
    assert dep([member(40, education="junior", health="serious")]) == {"health"}
    assert dep([member(40, education="junior", health="chronic")]) == frozenset()
    assert dep([member(40, education="junior", resident_medical_insurance=False)]) == {"medical_insurance"}
    assert dep([member(40, education="junior", resident_medical_insurance=False,
                       employee_medical_insurance=True)]) == frozenset()
    adult = [member(40, education="junior")]
    assert dep(adult, {**HY_OK, "danger_grade": "C"}) == {"housing"}
    assert dep(adult, {**HY_OK, "danger_grade": "D", "relocated": True}) == frozenset()
    assert dep(adult, {**HY_OK, "danger_grade": "B"}) == frozenset()
    assert dep(adult, {**HY_OK, "drinking_water_difficult": True}) == {"drinking_water"}
    assert dep(adult, {**HY_OK, "drinking_water_safe": False}) == {"drinking_water"}
    assert dep(adult, {**HY_OK, "sanitary_toilet": False}) == {"sanitation"}
    assert dep(adult, {**HY_OK, "living_electricity": False}) == {"electricity"}


def test_min_age_parameter():
    custom = [{**i, "min_age": 15} if i["code"] == "education" else i for i in DEFAULT]
    ind = parse_indicators(custom)
    members = [member(40, education="primary"), member(15, education="junior", school_status="junior")]
    assert deprivations(HY_OK, members, indicators=ind, school_ages=(6, 15), unsafe_grades=["C"]) == frozenset()


@pytest.mark.parametrize("value, message", [
    ([], "非空列表"),
    ("x", "非空列表"),
    ([{**DEFAULT[0], "code": "income"}] + DEFAULT[1:], "指标代码“income”无效"),
    (DEFAULT + [DEFAULT[0]], "重复"),
    ([{**DEFAULT[0], "weight": "1/3"}] + DEFAULT[1:], "权重之和应为 1，现为 7/6"),
    ([{**i, "weight": 0.125} for i in DEFAULT][:7], "权重之和应为 1，现为 7/8"),
    ([{**DEFAULT[0], "weight": -0.1}] + DEFAULT[1:], "权重应大于 0"),
    ([{**DEFAULT[0], "weight": "abc"}] + DEFAULT[1:], "不是数值"),
    ([{k: v for k, v in DEFAULT[0].items() if k != "weight"}] + DEFAULT[1:], "缺少 weight"),
    ([{**DEFAULT[0], "label": ""}] + DEFAULT[1:], "缺少 label"),
    ([{**DEFAULT[0], "min_age": "16"}] + DEFAULT[1:], "min_age"),
    (["education"] + DEFAULT[1:], "第 1 项指标应为对象"),
])
def test_bad_indicators_refused(value, message):
    with pytest.raises(ValidationError, match=message):
        parse_indicators(value)


def test_weights_as_numbers_and_fractions():
    equal = [{**i, "weight": 0.125} for i in DEFAULT]
    assert sum(i.weight for i in parse_indicators(equal)) == 1
    assert parse_k("1/3") == F(1, 3) and parse_k(0.4) == F(2, 5) and parse_k("0.25") == F(1, 4) and parse_k(1) == 1
    for bad in (0, "0", -0.1, 1.5, "abc", None, True, [1]):
        with pytest.raises(ValidationError):
            parse_k(bad)

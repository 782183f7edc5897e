"""Copy-paste detection (措施雷同) on crafted villages and each contradiction rule."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from fupin.conftest import YEAR
from fupin.plans.detection import detect
from fupin.plans.detection.similarity import Comparer, causes_differ, item_of, normalize_text
from fupin.plans.models import HouseholdPlan
from fupin.plans.rules.defaults import DEFAULT_RULES
from fupin.policy.models import PolicyValue

from .factories import crafted, person, plan_with

pytestmark = pytest.mark.django_db

V1, V2 = "610926100001", "610926100002"
TEMPLATE = [
    ("industry", "发展生猪养殖 5 头，落实产业奖补", 2000),
    ("health", "资助参加城乡居民医保，家庭医生签约", 280),
    ("skills_training", "参加县人社局组织的电焊技能培训", None),
]


def village(code: str = V1):
    [found] = detect(HouseholdPlan.objects.filter(village_id=code), year=YEAR)
    return found


def test_copied_plan_across_different_causes_is_flagged(regions):
    a = crafted(main_cause="illness")
    b = crafted(main_cause="lack_funds", other_causes=["lack_skills"])
    c = crafted(main_cause="schooling", members=[person(), person(17, "none", school="vocational")])
    for h in (a, b, c):
        plan_with(h, TEMPLATE)
    found = village()
    assert found.plans == 3 and len(found.pairs) == 3
    pair = found.pairs[0]
    assert pair["identical"] and pair["score"] == 1.0 and pair["threshold"] == 0.9
    assert {pair["a"]["household_id"], pair["b"]["household_id"]} <= {a.pk, b.pk, c.pk}
    assert len(pair["a"]["measures"]) == 3 and len(pair["matched"]) == 3  # both plans side by side
    assert "完全相同" in pair["why"] and "因病" in pair["why"]
    [cluster] = found.clusters
    assert cluster["size"] == 3 and cluster["identical"]
    assert cluster["cause_labels"] == sorted(["因病", "缺资金", "因学"])
    assert found.threshold["key"] == "plans.copy_similarity" and found.threshold["value"] == 0.9


def test_similar_plan_for_the_same_cause_is_not_flagged(regions):
    for _ in range(3):
        plan_with(crafted(main_cause="illness"), TEMPLATE)
    # Main cause of one among the other's causes: the same need, not a copy.
    plan_with(crafted(main_cause="lack_skills", other_causes=["illness"]), TEMPLATE)
    found = village()
    assert found.pairs == [] and found.clusters == []


def test_causes_differ_definition():
    assert not causes_differ("illness", ["illness"], "illness", ["illness", "lack_funds"])
    assert not causes_differ("illness", ["illness"], "lack_skills", ["lack_skills", "illness"])
    assert not causes_differ("lack_skills", ["lack_skills", "illness"], "illness", ["illness"])
    # Sharing another cause: both plans answer it (e.g. 健康帮扶 for 因病) — not copying.
    assert not causes_differ("transport", ["transport", "illness"], "lack_funds", ["lack_funds", "illness"])
    assert causes_differ("illness", ["illness", "lack_skills"], "lack_funds", ["lack_funds", "transport"])


def test_shared_other_cause_is_not_flagged(regions):
    plan_with(crafted(main_cause="transport", other_causes=["illness"]), TEMPLATE)
    plan_with(crafted(main_cause="lack_funds", other_causes=["illness"]), TEMPLATE)
    assert village().pairs == []


def test_small_plans_are_not_compared(regions):
    small = [("basic_security", "纳入农村低保，按月发放低保金", 3600), ("health", "医保参保资助", 250)]
    plan_with(crafted(main_cause="lack_labour", members=[person(80, "none")]), small)
    plan_with(crafted(main_cause="disability", members=[person(70, "none")]), small)
    found = village()
    assert found.pairs == [] and found.min_measures["value"] == 3
    PolicyValue.objects.create(key="plans.copy_min_measures", region_code="610926000000", year_from=2014, value=2,
                               unit="项", source="县定")
    [pair] = village().pairs
    assert pair["identical"]


def test_near_copy_is_flagged_with_its_score(regions):
    plan_with(crafted(main_cause="illness"), TEMPLATE)
    edited = [("industry", "发展生猪养殖5头；落实产业奖补。", 2000),  # re-punctuated only
              ("health", "资助参加城乡居民医保，家庭医生签约服务", 280),  # two characters more
              ("skills_training", "参加县人社局组织的电焊技能培训", None)]
    plan_with(crafted(main_cause="disability"), edited)
    [pair] = village().pairs
    assert not pair["identical"] and 0.9 <= pair["score"] < 1
    ratios = sorted(m["ratio"] for m in pair["matched"])
    assert ratios[1:] == [1.0, 1.0] and ratios[0] < 1  # re-punctuation does not count


def _plans_sharing(n_same: int, total: int = 10):
    """Two plans of `total` measures with `n_same` identical and the rest of different types."""
    same = [("industry", f"产业项目{i}", 1000 + i) for i in range(n_same)]
    left = same + [("health", f"健康{i}", None) for i in range(total - n_same)]
    right = same + [("water", f"饮水{i}", None) for i in range(total - n_same)]
    plan_with(crafted(main_cause="illness"), left)
    plan_with(crafted(main_cause="lack_funds"), right)


def test_threshold_boundary(regions):
    _plans_sharing(9)  # 2·9 / 20 = 0.9 exactly: at the threshold → flagged
    [pair] = village().pairs
    assert pair["score"] == 0.9


def test_below_threshold_is_not_flagged(regions):
    _plans_sharing(8)  # 0.8
    assert village().pairs == []


def test_province_raises_the_threshold(regions):
    _plans_sharing(9)
    PolicyValue.objects.create(key="plans.copy_similarity", region_code="610000000000", year_from=2014, value=0.95,
                               unit="比例", source="省定")
    found = village()
    assert found.pairs == [] and found.threshold["region_code"] == "610000000000"


def test_cancelled_measures_and_other_villages_are_left_out(regions):
    a = plan_with(crafted(main_cause="illness"), TEMPLATE)
    plan_with(crafted(V2, main_cause="lack_funds"), TEMPLATE)  # another village: not compared
    plan_with(crafted(main_cause="lack_funds"), [*TEMPLATE, ("water", "饮水改造", None, "cancelled")])
    found = village()
    assert len(found.pairs) == 1 and found.pairs[0]["identical"]
    assert a.pk in (found.pairs[0]["a"]["plan_id"], found.pairs[0]["b"]["plan_id"])


def test_similarity_is_order_free_and_typed():
    cmp = Comparer()
    a = [item_of(t, c, m) for t, c, m in TEMPLATE]
    score, _ = cmp.similarity(a, list(reversed(a)))
    assert score == 1.0
    other_type = [item_of("employment", c, m) for _, c, m in TEMPLATE]
    assert cmp.similarity(a, other_type)[0] == 0.0
    assert normalize_text(" 发展，生猪 养殖！") == "发展生猪养殖"


# --- Contradictions: each rule, with a household it flags and one it does not --------------------

CONTRA = {
    "C01": ("skills_training", {"members": [person(70, "weak")]}, {"members": [person(40)]}),
    "C02": ("employment", {"members": [person(70, "none")]}, {"members": [person(40, "skilled")]}),
    "C03": ("education_aid", {"members": [person(40)]}, {"members": [person(40), person(5, "none", school="preschool")]}),
    "C04": ("rain_dew", {"members": [person(40), person(16, "none", school="senior")]},
            {"members": [person(40), person(17, "none", school="college")]}),
    "C05": ("housing", {"danger_grade": "B"}, {"danger_grade": "C"}),
    "C06": ("disability_allowance", {"members": [person(40)]}, {"members": [person(40, health="disabled")]}),
    "C07": ("microcredit", {"members": [person(70), person(15, "none")]}, {"members": [person(64)]}),
    "C08": ("water", {"water_safe": True}, {"water_difficult": True}),
    "C09": ("public_job", {"members": [person(80, "lost")]}, {"members": [person(60, "weak")]}),
}


def test_every_default_contradiction_rule_has_a_case():
    assert set(CONTRA) == {code for code, kind, *_ in DEFAULT_RULES if kind == "contradict"}


@pytest.mark.parametrize("code", sorted(CONTRA))
def test_contradiction_rule(regions, code):
    mtype, bad, good = CONTRA[code]
    flagged = crafted(**bad)
    plan_with(flagged, [(mtype, "措施内容", None)])
    fine = crafted(**good)
    plan_with(fine, [(mtype, "措施内容", None)])
    found = village().contradictions
    mine = [c for c in found if c["rule"]["code"] == code]
    assert [c["household_id"] for c in mine] == [flagged.pk]
    assert mine[0]["measure"]["measure_type"] == mtype and mine[0]["facts"]
    assert all(c["household_id"] != fine.pk for c in found)


def test_relocated_household_with_housing_renovation(regions):
    h = crafted(danger_grade="D", relocated=True)
    plan_with(h, [("housing", "危房改造", 20000)])
    [c] = village().contradictions
    assert c["rule"]["code"] == "C05"
    assert {f["fact"]: f["text"] for f in c["facts"]} == {"danger_grade": "D级", "relocated": "是"}


def test_check_plans_command(regions):
    plan_with(crafted(main_cause="illness"), TEMPLATE)
    plan_with(crafted(main_cause="lack_funds"), TEMPLATE)
    plan_with(crafted(members=[person(75, "none")]), [("skills_training", "培训", None)])
    out = StringIO()
    call_command("check_plans", "--region", "610926", "--year", str(YEAR), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and data["summary"]["pairs"] == 1 and data["summary"]["contradictions"] == 1
    [v] = data["villages"]
    assert v["village_code"] == V1 and v["village_name"] == "龙头村"
    text = StringIO()
    call_command("check_plans", "--region", "610926", "--year", str(YEAR), stdout=text)
    assert "措施雷同" in text.getvalue() and "C01" in text.getvalue()


def test_detection_queries_do_not_grow(regions, django_assert_max_num_queries):
    for cause in ("illness", "lack_funds", "disability", "schooling") * 5:
        plan_with(crafted(main_cause=cause), TEMPLATE)
    with django_assert_max_num_queries(8):
        [found] = detect(HouseholdPlan.objects.all(), year=YEAR)
    assert len(found.clusters) == 1 and found.clusters[0]["size"] == 20


def test_policy_values_are_checked_on_save(users):
    from django.core.exceptions import ValidationError

    from fupin.policy.services import policy_override

    admin = users["admin"]
    with pytest.raises(ValidationError, match="雷同阈值"):
        policy_override(actor=admin, key="plans.copy_similarity", region_code="610926000000", year_from=2020,
                        raw_value="1.5", source="县定")
    with pytest.raises(ValidationError, match="最少措施数"):
        policy_override(actor=admin, key="plans.copy_min_measures", region_code="610926000000", year_from=2020,
                        raw_value="0", source="县定")
    row = policy_override(actor=admin, key="plans.copy_similarity", region_code="610926000000", year_from=2020,
                          raw_value="0.85", source="县定")
    assert row.value == 0.85

"""Every default suggestion rule fires on a crafted household and not on its counter-example; missing
data fires nothing; a province overrides or disables a rule for itself; queries do not grow."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.conftest import YEAR
from fupin.plans.facts import household_facts
from fupin.plans.models import PlanRule
from fupin.plans.rules.defaults import DEFAULT_RULES
from fupin.plans.services_rules import rule_save
from fupin.plans.suggestions import suggest, suggest_many
from fupin.regions.codes import Level
from fupin.regions.models import Region
from fupin.registry.models import Household

from .factories import crafted, person, plan_with

pytestmark = pytest.mark.django_db

OLD_NONE = person(72, "none")
CHILD = person(10, "none", school="primary")

# code → (facts for a household where it fires, facts for one where it does not)
CASES = {
    "S01": ({"members": [OLD_NONE, person(75, "lost")]}, {"members": [OLD_NONE, person(66, "weak")]}),
    "S02": ({"members": [person(), CHILD]}, {"members": [person(), person(16, "none", school="senior")]}),
    "S03": ({"members": [person(), person(17, "none", school="vocational")]},
            {"members": [person(), person(17, "none", school="senior")]}),
    "S04": ({"members": [person(), person(17, "none", school="senior")]},
            {"members": [person(), person(17, "none", school="vocational")]}),
    "S05": ({"danger_grade": "C"}, {"danger_grade": "D", "relocated": True}),
    "S06": ({"water_safe": False}, {"water_safe": True, "water_difficult": False}),
    "S07": ({"main_cause": "illness"}, {"main_cause": "lack_funds"}),
    "S08": ({"members": [person(), person(30, "weak", health="disabled", disability="2")]},
            {"members": [person(), person(30, "weak")]}),
    "S09": ({"main_cause": "illness", "other_causes": ["lack_skills"]},
            {"main_cause": "lack_skills", "members": [person(50, "weak")]}),
    "S10": ({"main_cause": "lack_funds", "members": [person(40)]},
            {"main_cause": "lack_funds", "members": [person(70)]}),
    "S11": ({"members": [person(45, "skilled")]}, {"members": [person(45, "weak")]}),
    "S12": ({"members": [person(58, "weak")]}, {"members": [person(58, "weak"), person(30)]}),
}


def codes(household, year=YEAR) -> set[str]:
    return {s.rule["code"] for s in suggest(household, year)}


def test_every_default_suggestion_rule_has_a_case():
    assert set(CASES) == {code for code, kind, *_ in DEFAULT_RULES if kind == "suggest"}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_and_not_on_counter_example(regions, code):
    fires, not_fires = CASES[code]
    h = crafted(**fires)
    found = {s.rule["code"]: s for s in suggest(h, YEAR)}
    assert code in found
    hit = found[code]
    rule = PlanRule.objects.get(code=code, region_code="000000000000")
    assert hit.rule["name"] == rule.name and hit.rule["explanation"] == rule.explanation
    assert hit.rule["condition"] == rule.condition and hit.rule["condition_text"]
    assert hit.measure["measure_type"] == rule.measure_type and hit.measure["batch_label"]
    assert hit.facts and all(f["value"] is not None for f in hit.facts)  # the facts that matched, with values
    assert code not in codes(crafted(**not_fires))


def test_suggestion_shows_the_facts_and_policy_row(regions):
    h = crafted(danger_grade="D", main_cause="lack_funds", other_causes=["lack_skills"],
                members=[person(40), person(12, "none", school="junior")])
    found = {s.rule["code"]: s for s in suggest(h, YEAR)}
    assert {"S02", "S05", "S09", "S10", "S11"} <= set(found)
    housing = found["S05"]
    assert {f["fact"]: f["value"] for f in housing.facts} == {"danger_grade": "D", "relocated": False}
    assert [f["text"] for f in housing.facts] == ["D级", "否"]
    assert housing.policy[0]["key"] == "exit.unsafe_danger_grades" and housing.policy[0]["value"] == ["C", "D"]
    assert "C级、D级" in housing.rule["condition_text"]
    credit = found["S10"]
    assert {f["fact"]: f["value"] for f in credit.facts} == {"causes": ["lack_funds", "lack_skills"],
                                                             "labour_ages": [40]}


def test_missing_data_fires_nothing(regions):
    no_year = crafted(year_row=False, main_cause="lack_funds", members=[person(40, no_year=True)])
    assert codes(no_year) == set()
    facts = household_facts(Household.objects.filter(pk=no_year.pk), year=YEAR)[no_year.pk]
    assert facts.get("danger_grade") is None and facts.get("labour_count") is None
    assert len(facts.missing) == 2
    # Another year than the data's: nothing known, nothing suggested (the cause rule S07 aside).
    ill = crafted(main_cause="illness")
    assert codes(ill, YEAR + 1) == {"S07"}


def test_planned_flag(regions):
    h = crafted(members=[person(40), CHILD])
    plan_with(h, [("education_aid", "两免一补", 1000)])
    found = {s.rule["code"]: s.planned for s in suggest(h, YEAR)}
    assert found["S02"] is True and found["S11"] is False


def _gansu_village() -> str:
    Region.objects.bulk_create([
        Region(code="620102000000", name="城关区", level=Level.COUNTY, parent_id="620100000000"),
        Region(code="620102001000", name="某街道", level=Level.TOWNSHIP, parent_id="620102000000"),
        Region(code="620102001001", name="某村", level=Level.VILLAGE, parent_id="620102001000"),
    ])
    return "620102001001"


def _rule_data(code: str, **changes) -> dict:
    row = PlanRule.objects.filter(code=code, region_code="000000000000").first() or PlanRule.objects.get(
        code="S11", region_code="000000000000")
    data = {"code": code, "kind": row.kind, "name": row.name, "condition": row.condition,
            "measure_type": row.measure_type, "explanation": row.explanation, "year_from": 2014, "active": True}
    return {**data, **changes}


def test_provincial_override_disables_and_changes_rules(regions):
    from fupin.accounts.roles import Role
    from fupin.accounts.services import user_create

    gansu = _gansu_village()
    shaanxi_admin = user_create(actor=None, username="sx_admin", password="Fupin#2026test", role=Role.SYSADMIN,
                                region_code="610000000000")
    here = crafted(members=[person(40)], danger_grade="B")
    there = crafted(gansu, members=[person(40)], danger_grade="B")
    assert "S11" in codes(here) and "S11" in codes(there)
    assert "S05" not in codes(here)

    row, created = rule_save(actor=shaanxi_admin, region_code="610000000000", data=_rule_data("S11", active=False))
    assert created and row.region_code == "610000000000" and not row.active
    assert "S11" not in codes(here)  # switched off in 陕西
    assert "S11" in codes(there)  # still in force elsewhere

    # 陕西 also counts grade B as unsafe for its 危房改造 suggestion.
    condition = [{"fact": "danger_grade", "op": "in", "value": ["B", "C", "D"]},
                 {"fact": "relocated", "op": "eq", "value": False}]
    rule_save(actor=shaanxi_admin, region_code="610000000000", data=_rule_data("S05", condition=condition))
    hit = next(s for s in suggest(here, YEAR) if s.rule["code"] == "S05")
    assert hit.rule["region_code"] == "610000000000" and "B级" in hit.rule["condition_text"]
    assert "S05" not in codes(there)

    # A version from a later year does not apply to earlier years.
    rule_save(actor=shaanxi_admin, region_code="610000000000", data=_rule_data("S11", active=True, year_from=YEAR + 1))
    assert "S11" not in codes(here)
    assert PlanRule.objects.filter(code="S11", region_code="610000000000").count() == 2

    # Saving the same row again changes it (and is audited); a province cannot touch another's rules.
    rule_save(actor=shaanxi_admin, region_code="610000000000", data=_rule_data("S11", active=True))
    assert "S11" in codes(here)
    with pytest.raises(ValidationError) as exc:
        rule_save(actor=shaanxi_admin, region_code="620000000000", data=_rule_data("S11"))
    assert "region_code" in exc.value.message_dict


def test_rule_save_checks_rights_and_input(users):
    with pytest.raises(PermissionDenied):
        rule_save(actor=users["county"], region_code="610926000000", data=_rule_data("S11", active=False))
    bad = _rule_data("X1", condition=[{"fact": "no_such_fact", "op": "eq", "value": 1}], measure_type="nothing",
                     name="", year_from="abc")
    with pytest.raises(ValidationError) as exc:
        rule_save(actor=users["admin"], region_code="610926000000", data=bad)
    errors = exc.value.message_dict
    assert {"condition", "measure_type", "name", "year_from"} <= set(errors)
    assert "no_such_fact" in errors["condition"][0]
    missing_policy = _rule_data("X2", condition=[{"fact": "danger_grade", "op": "in", "policy": "no.such.key"}])
    with pytest.raises(ValidationError, match="no.such.key"):
        rule_save(actor=users["admin"], region_code="610926000000", data=missing_policy)
    # A county's own new rule: applies under the county only, audited.
    from fupin.audit.models import AuditEvent

    row, _ = rule_save(actor=users["admin"], region_code="610926", data=_rule_data(
        "X3", kind="suggest", name="有高龄成员", condition='[{"fact": "max_age", "op": "gte", "value": 80}]',
        measure_type="health", explanation="高龄老人家庭医生签约服务"))
    assert row.region_code == "610926000000"
    assert AuditEvent.objects.filter(object_type="plans.planrule", object_id=str(row.pk)).exists()
    old = crafted(members=[person(40), person(85, "none")])
    assert "X3" in codes(old)


def test_suggestions_take_a_fixed_number_of_queries(regions, django_assert_num_queries):
    for _ in range(3):
        crafted(members=[person(40), CHILD], danger_grade="C")
    with django_assert_num_queries(5):
        few = suggest_many(Household.objects.all(), year=YEAR)
    for _ in range(12):
        crafted(members=[OLD_NONE], water_safe=False)
    with django_assert_num_queries(5):
        many = suggest_many(Household.objects.all(), year=YEAR)
    assert len(few) == 3 and len(many) == 15

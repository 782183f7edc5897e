"""Pairing cadres with households: history, load limit, who may and who may not be a helper."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from fupin.audit.models import AuditEvent
from fupin.conftest import make_household
from fupin.helpers.models import CadreProfile, HelperAssignment
from fupin.helpers.services_assign import (
    cadre_profile_save,
    cadres_reassign,
    household_assign_helper,
    household_end_helper,
)
from fupin.policy.services import policy_set
from fupin.registry.models import Household, Member
from fupin.registry.services import household_change_status

from .conftest import ON, V1, V2, V3, cadre_id_number, make_cadre

pytestmark = pytest.mark.django_db


def assign(actor, household, cadre, on=ON, reason="调整"):
    return household_assign_helper(actor=actor, household_id=household.pk, cadre_id=cadre.pk, on=on, reason=reason)


def fill(cadre, n, village=V1, actor=None, prefix="f"):
    """`n` new households of `village` paired with `cadre` (through the service)."""
    made = []
    for i in range(n):
        h = make_household(f"{village}{prefix}{cadre.pk:03d}{i:03d}", village)
        assign(actor, h, cadre)
        made.append(h)
    return made


def current_pairs():
    return set(HelperAssignment.objects.filter(end__isnull=True).values_list("household_id", "cadre_id"))


def helpers_of():
    return set(Household.objects.filter(helper__isnull=False).values_list("id", "helper_id"))


def test_first_pairing_then_reassignment_keeps_history(users, households, cadres):
    h = households["a2"]
    first = assign(users["township_a"], h, cadres["c1"], on=date(2019, 1, 1), reason="")
    assert first.reason == "初次结对" and first.end is None
    h.refresh_from_db()
    assert h.helper_id == cadres["c1"].pk

    second = assign(users["township_a"], h, cadres["c2"], on=date(2020, 6, 1), reason="原帮扶责任人调离")
    rows = list(HelperAssignment.objects.filter(household=h).order_by("start"))
    assert [(r.cadre_id, r.start, r.end) for r in rows] == [
        (cadres["c1"].pk, date(2019, 1, 1), date(2020, 6, 1)), (cadres["c2"].pk, date(2020, 6, 1), None)]
    assert rows[0].end_reason == "原帮扶责任人调离" and rows[1].pk == second.pk
    h.refresh_from_db()
    assert h.helper_id == cadres["c2"].pk
    # Household.helper and the current assignment agree.
    assert (h.pk, cadres["c2"].pk) in current_pairs()
    events = AuditEvent.objects.filter(object_type="registry.household", object_id=str(h.pk), action="update")
    assert [e.after for e in events.order_by("seq")] == [{"helper_id": cadres["c1"].pk}, {"helper_id": cadres["c2"].pk}]
    assert AuditEvent.objects.filter(object_type="helpers.helperassignment").count() == 3  # create, end, create


def test_reassignment_needs_a_reason_and_ordered_dates(users, households, cadres):
    h = households["a2"]
    assign(users["township_a"], h, cadres["c1"], on=date(2020, 1, 1))
    with pytest.raises(ValidationError) as exc:
        assign(users["township_a"], h, cadres["c2"], reason=" ")
    assert exc.value.message_dict["reason"] == ["更换帮扶责任人须填写原因"]
    with pytest.raises(ValidationError) as exc:
        assign(users["township_a"], h, cadres["c2"], on=date(2019, 12, 31))
    assert "早于现帮扶责任人的开始日期" in exc.value.message_dict["on"][0]
    with pytest.raises(ValidationError) as exc:
        assign(users["township_a"], h, cadres["c2"], on=timezone.localdate() + timedelta(days=1))
    assert "不能晚于今天" in exc.value.message_dict["on"][0]
    with pytest.raises(ValidationError) as exc:
        assign(users["township_a"], h, cadres["c1"], on=date(2020, 2, 1))
    assert "已是该户的帮扶责任人" in exc.value.message_dict["cadre"][0]
    assert HelperAssignment.objects.filter(household=h).count() == 1


def test_load_limit_exactly_at_limit_allowed_one_over_refused(users, households, cadres):
    actor = users["county"]
    fill(cadres["c1"], 9, actor=actor)  # the national default is 10
    tenth = assign(actor, households["a2"], cadres["c1"])
    assert HelperAssignment.objects.filter(cadre=cadres["c1"], end__isnull=True).count() == 10
    assert tenth.end is None
    extra = make_household("610926100001x01", V1)
    with pytest.raises(ValidationError) as exc:
        assign(actor, extra, cadres["c1"])
    message = exc.value.message_dict["cadre"][0]
    assert "结对后将有 11 户，超过每人 10 户的上限" in message
    assert "helpers.max_households_per_cadre" in message and "000000000000" in message
    extra.refresh_from_db()
    assert extra.helper_id is None and not HelperAssignment.objects.filter(household=extra).exists()
    # An ended pairing does not count: moving one household away frees a place.
    assign(actor, households["a2"], cadres["c2"], reason="减负")
    assign(actor, extra, cadres["c1"])


def test_provincial_override_of_the_limit_changes_the_outcome(users, households, cadres):
    actor = users["county"]
    fill(cadres["c1"], 10, actor=actor)
    extra = make_household("610926100001x02", V1)
    with pytest.raises(ValidationError):
        assign(actor, extra, cadres["c1"])
    policy_set(actor=None, key="helpers.max_households_per_cadre", region_code="610000000000", year_from=2018,
               value=12, source="陕西省文件")
    created = assign(actor, extra, cadres["c1"])
    assert AuditEvent.objects.filter(object_id=str(created.pk), object_type="helpers.helperassignment",
                                     action="create").get().after["limit"]["region_code"] == "610000000000"
    # A stricter province refuses earlier; the rule is the row in force for the year of the pairing.
    policy_set(actor=None, key="helpers.max_households_per_cadre", region_code="610000000000", year_from=2020,
               value=5, source="陕西省文件（2020）")
    with pytest.raises(ValidationError) as exc:
        assign(actor, fill_one(), cadres["c1"])
    assert "超过每人 5 户的上限" in exc.value.message_dict["cadre"][0]
    assert assign(actor, fill_one("y2"), cadres["c1"], on=date(2019, 12, 31)).end is None  # 2019: the limit is 12


def fill_one(suffix="y1"):
    return make_household(f"610926100001{suffix}", V1)


def test_a_registered_poor_person_cannot_be_a_cadre(users, households, cadres):
    member = Member.objects.filter(household=households["b1"]).first()
    with pytest.raises(ValidationError) as exc:
        cadre_profile_save(actor=users["county"], cadre_id=cadres["bare"].pk, id_number=member.id_number)
    message = exc.value.message_dict["id_number"][0]
    assert "建档立卡户 610926101001001（未脱贫）的在册成员“李三”" in message
    assert member.id_number not in message  # masked
    assert not CadreProfile.objects.filter(user=cadres["bare"]).exists()

    # A profile saved before the person was registered: the pairing is refused.
    profile = CadreProfile.objects.get(user=cadres["c1"])
    Member.objects.create(household=households["a2"], name="干部c1", id_number=profile.id_number, gender="M",
                          birth_date=date(1985, 5, 5), relation="other")
    with pytest.raises(ValidationError) as exc:
        assign(users["county"], households["a2"], cadres["c1"])
    assert "建档立卡人口不能担任帮扶干部" in exc.value.message_dict["cadre"][0]
    # Once the household is out of the registry (清退), the person is not a registered poor person.
    household_change_status(actor=users["county"], household=households["a2"], to_status="removed", year=2020,
                            source="adjustment", reason="识别不准", kind="removed")
    assert assign(users["county"], households["a1"], cadres["c1"]).cadre_id == cadres["c1"].pk


def test_cadre_must_be_an_active_profiled_cadre_whose_scope_holds_the_household(users, households, cadres):
    actor = users["county"]
    h = households["a2"]
    with pytest.raises(ValidationError) as exc:
        assign(actor, h, users["clerk_a"])
    assert "不是帮扶责任人" in exc.value.message_dict["cadre"][0]
    with pytest.raises(ValidationError) as exc:
        assign(actor, h, cadres["bare"])
    assert "尚未登记档案" in exc.value.message_dict["cadre"][0]
    with pytest.raises(ValidationError) as exc:
        assign(actor, h, cadres["cb"])  # bound to 兴隆镇: would not see a household of 城关镇
    assert "不包含该户所在村" in exc.value.message_dict["cadre"][0]
    cadres["c1"].is_active = False
    cadres["c1"].save()
    with pytest.raises(ValidationError) as exc:
        assign(actor, h, cadres["c1"])
    assert "账户已停用" in exc.value.message_dict["cadre"][0]
    village_cadre = make_cadre("vc", V2, actor=actor)
    assert assign(actor, h, village_cadre).cadre_id == village_cadre.pk
    county_cadre = make_cadre("cc", "610926000000", actor=actor)
    assert assign(actor, h, county_cadre, reason="县级干部包户").cadre_id == county_cadre.pk


def test_roles_and_scope_of_assignment(users, households, cadres):
    h = households["a2"]  # 三里垭村
    for name in ("clerk_a", "township_b"):  # another village's clerk, another township: not found
        with pytest.raises(Http404):
            assign(users[name], h, cadres["c1"])
    for name in ("city", "auditor", "admin", "cadre"):
        with pytest.raises((PermissionDenied, Http404)):
            assign(users[name], h, cadres["c1"])
    with pytest.raises(PermissionDenied):
        assign(users["city"], h, cadres["c1"])
    assert not HelperAssignment.objects.exists()
    assert assign(users["clerk_a"], households["a1"], cadres["c1"]).household_id == households["a1"].pk


def test_ending_a_pairing_only_when_the_household_no_longer_needs_one(users, households, cadres):
    actor = users["township_a"]
    h = households["a2"]
    assign(actor, h, cadres["c1"], on=date(2019, 1, 1))
    with pytest.raises(ValidationError) as exc:
        household_end_helper(actor=actor, household_id=h.pk, on=ON, reason="脱贫")
    assert "不脱贫不脱钩" in exc.value.message_dict["household"][0]
    household_change_status(actor=actor, household=h, to_status="exited", year=2020, source="exit",
                            reason="脱贫", kind="exited")
    ended = household_end_helper(actor=actor, household_id=h.pk, on=ON, reason="已脱贫，稳定")
    assert ended.end == ON
    h.refresh_from_db()
    assert h.helper_id is None and not HelperAssignment.objects.filter(household=h, end__isnull=True).exists()


def test_bulk_reassignment_is_set_based_and_keeps_history(users, households, cadres, django_assert_max_num_queries):
    actor = users["township_a"]
    moved = fill(cadres["c1"], 6, actor=actor) + fill(cadres["c1"], 2, village=V2, actor=actor, prefix="g")
    outside = make_household("610926101001z01", V3)
    assign(users["county"], outside, make_cadre("cb2", "610926000000", actor=users["county"]))
    with django_assert_max_num_queries(40):
        result = cadres_reassign(actor=actor, from_cadre_id=cadres["c1"].pk, to_cadre_id=cadres["c2"].pk,
                                 on=date(2020, 5, 1), reason="原帮扶责任人调离")
    assert result["moved"] == 8 and result["to_cadre_load"] == 8 and result["limit"] == 10
    assert result["from_cadre_remaining"] == 0
    assert {h for h, c in current_pairs() if c == cadres["c2"].pk} == {h.pk for h in moved}
    # Household.helper and assignment rows agree (a1 is the persona cadre's household, paired without a record).
    assert current_pairs() == helpers_of() - {(households["a1"].pk, users["cadre"].pk)}
    assert HelperAssignment.objects.filter(cadre=cadres["c1"], end=date(2020, 5, 1)).count() == 8
    # Over the limit: nothing moves.
    fill(cadres["c1"], 3, actor=actor, prefix="h")
    before = current_pairs()
    with pytest.raises(ValidationError) as exc:
        cadres_reassign(actor=actor, from_cadre_id=cadres["c1"].pk, to_cadre_id=cadres["c2"].pk, on=ON, reason="调整")
    assert "结对后将有 11 户" in exc.value.message_dict["to_cadre"][0]
    assert current_pairs() == before
    with pytest.raises(PermissionDenied):
        cadres_reassign(actor=users["clerk_a"], from_cadre_id=cadres["c1"].pk, to_cadre_id=cadres["c2"].pk, on=ON,
                        reason="调整")


def test_cadre_profile_rules(users, cadres):
    with pytest.raises(ValidationError) as exc:
        cadre_profile_save(actor=users["county"], cadre_id=cadres["bare"].pk, id_number="610902198505050001")
    assert "校验位错误" in exc.value.message_dict["id_number"][0]
    taken = CadreProfile.objects.get(user=cadres["c1"]).id_number
    with pytest.raises(ValidationError) as exc:
        cadre_profile_save(actor=users["county"], cadre_id=cadres["bare"].pk, id_number=taken)
    assert "已登记为帮扶责任人" in exc.value.message_dict["id_number"][0]
    with pytest.raises(Http404):  # a cadre of 兴隆镇 is not in 城关镇's scope
        cadre_profile_save(actor=users["township_a"], cadre_id=cadres["cb"].pk, id_number=cadre_id_number())
    with pytest.raises(Http404):  # a township's cadre is not in a village clerk's scope
        cadre_profile_save(actor=users["clerk_a"], cadre_id=cadres["bare"].pk, id_number=cadre_id_number())
    village_cadre = make_cadre("vc", V1, profile=False)
    with pytest.raises(PermissionDenied):  # in scope, but a clerk does not keep cadre profiles
        cadre_profile_save(actor=users["clerk_a"], cadre_id=village_cadre.pk, id_number=cadre_id_number())
    profile = cadre_profile_save(actor=users["township_a"], cadre_id=cadres["bare"].pk, id_number=cadre_id_number(),
                                 phone="13912345678", position="镇干部")
    assert profile.user_id == cadres["bare"].pk and profile.phone == "13912345678"


def test_the_cadre_only_scope_follows_the_pairing(users, households, cadres):
    from fupin.registry.selectors import households_visible_to

    persona = users["cadre"]  # 城关镇, paired with a1 before the records existed
    cadre_profile_save(actor=users["county"], cadre_id=persona.pk, id_number=cadre_id_number())
    assert set(households_visible_to(persona).values_list("household_no", flat=True)) == {"610926100001001"}
    assign(users["township_a"], households["a2"], persona, reason="")
    assert set(households_visible_to(persona).values_list("household_no", flat=True)) == {
        "610926100001001", "610926100002001"}
    assign(users["township_a"], households["a2"], cadres["c1"], reason="调整")
    assert set(households_visible_to(persona).values_list("household_no", flat=True)) == {"610926100001001"}
    assert set(households_visible_to(cadres["c1"]).values_list("household_no", flat=True)) == {"610926100002001"}

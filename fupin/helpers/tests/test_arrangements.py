"""Poor villages, helping units, unit pairings and work teams: rules, rights and history."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.audit.models import AuditEvent
from fupin.helpers.models import PoorVillage, TeamRole, UnitVillagePairing, WorkTeam, WorkTeamMember
from fupin.helpers.services import (
    poor_village_save,
    unit_create,
    unit_pair_village,
    unit_pairing_end,
    unit_update,
)
from fupin.helpers.services_teams import team_create, team_end, team_member_add, team_member_end
from fupin.registry.models import Member

from .conftest import COUNTY, V1, V2, secretary

pytestmark = pytest.mark.django_db


def test_poor_village_designation(users, regions):
    pv = poor_village_save(actor=users["county"], village_code=V1, identified_year=2014, source="2014 年识别")
    assert pv.village_id == V1 and pv.exited_year is None
    pv = poor_village_save(actor=users["county"], village_code=V1, identified_year="2014", exited_year="2019",
                           source="2014 年识别")
    assert PoorVillage.objects.get(village_id=V1).exited_year == 2019
    with pytest.raises(ValidationError) as exc:
        poor_village_save(actor=users["county"], village_code=V2, identified_year=2016, exited_year=2015)
    assert "不能早于认定年度" in exc.value.message_dict["exited_year"][0]
    with pytest.raises(ValidationError) as exc:
        poor_village_save(actor=users["county"], village_code="610926100000", identified_year=2016)
    assert "行政村" in exc.value.message_dict["village"][0]
    with pytest.raises(PermissionDenied):
        poor_village_save(actor=users["township_a"], village_code=V2, identified_year=2016)
    assert AuditEvent.objects.filter(object_type="helpers.poorvillage").count() == 2


def test_units_and_their_villages(users, regions):
    county = users["county"]
    unit = unit_create(actor=county, region_code=COUNTY, data={"name": "县农业农村局", "kind": "county",
                                                               "contact_phone": "0915-8421234"})
    assert unit.get_kind_display() == "县直单位"
    with pytest.raises(ValidationError) as exc:
        unit_create(actor=county, region_code=COUNTY, data={"name": "县农业农村局", "kind": "县直单位"})
    assert "已登记帮扶单位" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as exc:
        unit_create(actor=county, region_code=COUNTY, data={"name": "某公司", "kind": "外企", "contact_phone": "123"})
    assert set(exc.value.message_dict) == {"kind"}
    with pytest.raises(PermissionDenied):
        unit_create(actor=county, region_code="620000000000", data={"name": "外省单位", "kind": "省直单位"})
    assert unit_update(actor=county, unit_id=unit.pk, data={"contact_name": "王科长"}).contact_name == "王科长"

    pairing = unit_pair_village(actor=county, unit_id=unit.pk, village_code=V1, start="2016-03-01")
    with pytest.raises(ValidationError) as exc:
        unit_pair_village(actor=county, unit_id=unit.pk, village_code=V1, start="2018-01-01")
    assert "时间重叠" in exc.value.message_dict["unit"][0]
    with pytest.raises(ValidationError) as exc:
        unit_pairing_end(actor=county, pairing_id=pairing.pk, end="2016-03-01", reason="调整")
    assert "应晚于开始日期" in exc.value.message_dict["end"][0]
    unit_pairing_end(actor=county, pairing_id=pairing.pk, end="2019-01-01", reason="调整包村")
    again = unit_pair_village(actor=county, unit_id=unit.pk, village_code=V1, start="2019-01-01")
    assert list(UnitVillagePairing.objects.filter(village_id=V1).values_list("pk", "end")) == [
        (pairing.pk, date(2019, 1, 1)), (again.pk, None)]
    with pytest.raises(Http404):  # the county's unit is not the township's to manage
        unit_pair_village(actor=users["township_a"], unit_id=unit.pk, village_code=V1, start="2019-01-01")
    with pytest.raises(PermissionDenied):  # the pairing is in the township's scope, managing it is not its right
        unit_pairing_end(actor=users["township_a"], pairing_id=again.pk, end="2020-01-01", reason="x")
    with pytest.raises(Http404):
        unit_pairing_end(actor=users["stranger"], pairing_id=again.pk, end="2020-01-01", reason="x")


def test_team_is_born_with_its_first_secretary_and_keeps_exactly_one(users, regions, unit):
    county = users["county"]
    team = team_create(actor=county, village_code=V1, unit_id=unit.pk, start="2017-09-01",
                       secretary=secretary("李书记"))
    [first] = team.members.all()
    assert first.role == TeamRole.SECRETARY and first.start == date(2017, 9, 1) and team.unit_id == unit.pk
    with pytest.raises(ValidationError) as exc:
        team_create(actor=county, village_code=V1, start="2018-01-01", secretary=secretary("张书记"))
    assert "已有驻村工作队" in exc.value.message_dict["start"][0]

    leader = team_member_add(actor=county, team_id=team.pk, data={**secretary("赵队长"), "role": "队长",
                                                                  "start": "2017-09-01"})
    team_member_add(actor=county, team_id=team.pk, data={**secretary("钱队员"), "role": "队员", "start": "2017-10-01"})
    with pytest.raises(ValidationError) as exc:
        team_member_add(actor=county, team_id=team.pk, data={**secretary("孙书记"), "role": "第一书记",
                                                             "start": "2019-09-01"})
    assert "已有第一书记“李书记”" in exc.value.message_dict["role"][0]
    with pytest.raises(ValidationError) as exc:
        team_member_end(actor=county, member_id=first.pk, end="2019-09-01", reason="期满")
    assert "不能没有第一书记" in exc.value.message_dict["end"][0]
    with pytest.raises(ValidationError) as exc:
        team_member_add(actor=county, team_id=team.pk, data={**secretary("孙书记"), "role": "第一书记",
                                                             "start": "2019-09-01"}, replace=True)
    assert "须填写原因" in exc.value.message_dict["reason"][0]
    new = team_member_add(actor=county, team_id=team.pk, data={**secretary("孙书记"), "role": "第一书记",
                                                               "start": "2019-09-01"}, replace=True, reason="期满轮换")
    first.refresh_from_db()
    assert first.end == date(2019, 9, 1) and first.end_reason == "期满轮换" and new.end is None
    # Never two secretaries on one day.
    secretaries = WorkTeamMember.objects.filter(team=team, role=TeamRole.SECRETARY).order_by("start")
    assert [(m.name, m.start, m.end) for m in secretaries] == [("李书记", date(2017, 9, 1), date(2019, 9, 1)),
                                                               ("孙书记", date(2019, 9, 1), None)]
    ended = team_member_end(actor=county, member_id=leader.pk, end="2020-01-01", reason="调回原单位")
    assert ended.end == date(2020, 1, 1)

    with pytest.raises(ValidationError) as exc:
        team_end(actor=county, team_id=team.pk, end="2017-09-01", reason="撤离")
    assert "撤离日期" in exc.value.message_dict["end"][0]
    team_end(actor=county, team_id=team.pk, end="2021-06-30", reason="轮换")
    assert not WorkTeamMember.objects.filter(team=team, end__isnull=True).exists()
    assert WorkTeamMember.objects.get(pk=leader.pk).end == date(2020, 1, 1)  # an earlier end is kept
    assert WorkTeam.objects.get(pk=team.pk).end == date(2021, 6, 30)
    # A new team may follow on the day the old one left.
    assert team_create(actor=county, village_code=V1, start="2021-06-30", secretary=secretary("周书记")).pk


def test_member_rules(users, households, unit):
    county = users["county"]
    team = team_create(actor=county, village_code=V1, start="2018-01-01", secretary=secretary())
    other = team_create(actor=county, village_code=V2, start="2018-01-01", secretary=secretary("王书记"))
    with pytest.raises(ValidationError) as exc:
        team_member_add(actor=county, team_id=team.pk, data={**secretary("早到"), "role": "队员", "start": "2017-12-31"})
    assert "早于工作队进驻日期" in exc.value.message_dict["start"][0]
    person = secretary("两头跑", role="队员", start="2018-02-01")
    team_member_add(actor=county, team_id=team.pk, data=person)
    with pytest.raises(ValidationError) as exc:
        team_member_add(actor=county, team_id=other.pk, data=person)
    assert "同一时间只能在一个工作队" in exc.value.message_dict["id_number"][0]
    poor = Member.objects.filter(household=households["b1"]).first()
    with pytest.raises(ValidationError) as exc:
        team_member_add(actor=county, team_id=team.pk, data={**secretary("贫困户成员"), "role": "队员",
                                                             "id_number": poor.id_number, "start": "2018-03-01"})
    assert "建档立卡人口不能担任帮扶干部" in exc.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as exc:
        team_member_add(actor=county, team_id=team.pk, data={"name": "", "role": "", "id_number": "123"})
    assert set(exc.value.message_dict) >= {"name", "role", "id_number", "start"}
    with pytest.raises(PermissionDenied):
        team_member_add(actor=users["clerk_a"], team_id=team.pk, data=person)
    with pytest.raises(Http404):
        team_member_add(actor=users["stranger"], team_id=team.pk, data=person)

"""The project life cycle: in order, one step at a time, each by its role, dated and audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from fupin.audit.models import AuditEvent
from fupin.funds.models import ProjectEvent, ProjectTarget
from fupin.funds.services import funding_add
from fupin.funds.services_projects import beneficiary_add, project_transition, target_result

from .helpers import COUNTY, VILLAGE_A1, allocate, central_source, declare

pytestmark = pytest.mark.django_db


def move(users, who, project, to, on):
    return project_transition(actor=users[who], project_id=project.pk, to_status=to, on=on)


def test_transitions_in_order_and_by_role(users):
    src = central_source(users)
    alloc = allocate(users, "root", to=COUNTY, amount="1000.00", on="2020-01-10", source=src)
    p = declare(users, targets=[{"indicator": "硬化道路", "unit": "公里", "target_value": "3.5"}])
    assert p.status == "declared"
    with pytest.raises(ValidationError, match="下一步只能是“已审批入库”"):
        move(users, "county", p, "implementing", "2020-02-02")
    with pytest.raises(PermissionDenied, match="县级审批员"):
        move(users, "clerk_a", p, "approved", "2020-02-02")
    with pytest.raises(PermissionDenied):
        move(users, "township_a", p, "approved", "2020-02-02")
    with pytest.raises(Http404):  # another township's reviewer does not see it
        move(users, "township_b", p, "approved", "2020-02-02")
    with pytest.raises(ValidationError, match="不能早于上一步的日期"):
        move(users, "county", p, "approved", "2020-01-31")
    move(users, "county", p, "approved", "2020-02-02")
    with pytest.raises(ValidationError, match="尚未安排资金"):
        move(users, "township_a", p, "implementing", "2020-02-03")
    funding_add(actor=users["county"], project_id=p.pk, allocation_id=alloc.pk, amount="800.00")
    move(users, "township_a", p, "implementing", "2020-02-03")
    with pytest.raises(ValidationError, match="完成值：硬化道路"):
        move(users, "county", p, "accepted", "2020-10-01")
    target = ProjectTarget.objects.get(project=p)
    with pytest.raises(PermissionDenied):
        target_result(actor=users["clerk_a"], target_id=target.pk, actual_value="3.6")
    target_result(actor=users["township_a"], target_id=target.pk, actual_value="3.6", result="按期完工")
    move(users, "county", p, "accepted", "2020-10-01")
    with pytest.raises(ValidationError, match="已验收"):  # back is not a way
        move(users, "county", p, "implementing", "2020-10-02")
    with pytest.raises(PermissionDenied):
        move(users, "county", p, "disclosed", "2020-10-02")
    move(users, "clerk_a", p, "disclosed", "2020-10-05")
    move(users, "county", p, "closed", "2020-11-01")
    with pytest.raises(ValidationError, match="已销号"):
        move(users, "county", p, "closed", "2020-11-02")
    events = list(ProjectEvent.objects.filter(project=p).values_list("to_status", "on"))
    assert [e[0] for e in events] == ["declared", "approved", "implementing", "accepted", "disclosed", "closed"]
    assert str(events[-1][1]) == "2020-11-01"
    assert AuditEvent.objects.filter(object_type="funds.project", object_id=str(p.pk)).count() == 6
    # Closed projects take no more money nor beneficiaries.
    with pytest.raises(ValidationError, match="不能再安排资金"):
        funding_add(actor=users["county"], project_id=p.pk, allocation_id=alloc.pk, amount="1.00")


def test_declaration_rules(users, households):
    with pytest.raises(ValidationError) as exc:
        declare(users, who="clerk_a", region="610926101001")  # not the clerk's village
    assert "不在您的管辖范围内" in exc.value.message_dict["region"][0]
    with pytest.raises(PermissionDenied):
        declare(users, who="county", region=VILLAGE_A1)
    with pytest.raises(ValidationError) as exc:
        declare(users, type="rocket", targets=[{"unit": "个"}])
    assert "不是有效选项" in exc.value.message_dict["type"][0] and "第 1 项绩效目标" in exc.value.message_dict["targets"][0]
    p = declare(users, type="产业发展")
    assert p.type == "industry"
    with pytest.raises(ValidationError, match="不在项目地点"):
        beneficiary_add(actor=users["township_a"], project_id=p.pk, household_id=households["a2"].pk,
                        standard_amount="100")
    beneficiary_add(actor=users["clerk_a"], project_id=p.pk, household_id=households["a1"].pk, standard_amount="100")
    with pytest.raises(ValidationError, match="已是该项目的受益户"):
        beneficiary_add(actor=users["clerk_a"], project_id=p.pk, household_id=households["a1"].pk,
                        standard_amount="100")

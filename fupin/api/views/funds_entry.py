"""Entering money and project details (issue 6): fund sources, allocations, a project's budget lines,
beneficiary households and performance-target results.

Bodies go to `fupin.funds.services*`, which check every field and answer per-field Chinese messages
(400); nothing is written when a rule fails (an allocation or budget line beyond what is left).
Regions and projects are opened through the scoped gates first: 404 outside scope, 403 in scope
without the right role.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.funds.choices import FUND_MANAGERS, FundKind
from fupin.funds.selectors import (
    allocation_access,
    allocation_totals,
    allocations_visible_to,
    project_access,
    source_access,
)
from fupin.funds.services import (
    allocation_create,
    allocation_remaining,
    funding_add,
    source_create,
    source_remaining,
)
from fupin.funds.services_projects import beneficiary_add, target_result
from fupin.regions.codes import InvalidCode, normalize_code

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope
from .funds import MONEY, _body, _choices

TAG = "扶贫资金和项目"
PROJECT_ID = path_param("project_id", "项目 ID")
TARGET_ID = path_param("target_id", "绩效目标 ID")


# --- Shapes ----------------------------------------------------------------------------------------

class FundEntrySourceInputSerializer(serializers.Serializer):
    """登记资金来源（县级审批员、系统管理员）：资金属于路径中的区划。"""

    kind = serializers.CharField(help_text=f"资金类别（代码或中文名称）：{_choices(FundKind.choices)}")
    name = serializers.CharField(help_text="资金名称")
    year = serializers.IntegerField(help_text="年度")
    amount = serializers.CharField(help_text="金额（元，最多两位小数，大于 0）")
    document_no = serializers.CharField(required=False, allow_blank=True, help_text="文号")


class FundEntrySourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="资金类别代码")
    kind_label = serializers.CharField(help_text="资金类别")
    name = serializers.CharField(help_text="资金名称")
    year = serializers.IntegerField(help_text="年度")
    region_code = serializers.CharField(help_text="资金所属区划")
    region_name = serializers.CharField(help_text="资金所属区划名称")
    amount = serializers.DecimalField(**MONEY, help_text="金额")
    document_no = serializers.CharField(allow_blank=True, help_text="文号")
    remaining = serializers.DecimalField(**MONEY, help_text="可下达余额")


class FundEntryAllocationInputSerializer(serializers.Serializer):
    """资金下达（县级审批员、系统管理员）：从路径区划持有的资金来源（source）或下达到该区划的上级下达（parent）
    二选一，下达到其下级区划。"""

    source = serializers.IntegerField(required=False, allow_null=True, help_text="资金来源 ID（与 parent 二选一）")
    parent = serializers.IntegerField(required=False, allow_null=True,
                                      help_text="下达到本区划的资金下达 ID（再下达，与 source 二选一）")
    to_region = serializers.CharField(help_text="下达到（下级区划代码，12 位或 6、9 位简写）")
    amount = serializers.CharField(help_text="金额（元；不能超过可下达余额）")
    allocated_on = serializers.DateField(required=False, help_text="下达日期（默认今天）")
    document_no = serializers.CharField(required=False, allow_blank=True, help_text="文号")
    integrated = serializers.BooleanField(required=False, help_text="纳入统筹整合（仍记在原资金来源下）")


class FundEntryAllocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_id = serializers.IntegerField(help_text="资金来源 ID（逐级下达仍为原来源）")
    source_name = serializers.CharField(help_text="资金来源")
    parent_id = serializers.IntegerField(allow_null=True, help_text="上级下达 ID（从资金来源下达为 null）")
    year = serializers.IntegerField(help_text="资金年度")
    from_code = serializers.CharField(help_text="下达单位区划")
    to_code = serializers.CharField(help_text="下达到")
    to_name = serializers.CharField(help_text="下达到（名称）")
    amount = serializers.DecimalField(**MONEY, help_text="金额")
    allocated_on = serializers.DateField(help_text="下达日期")
    document_no = serializers.CharField(allow_blank=True, help_text="文号")
    integrated = serializers.BooleanField(help_text="纳入统筹整合")
    remaining = serializers.DecimalField(**MONEY, help_text="余额（可再下达或安排项目）")
    from_remaining = serializers.DecimalField(**MONEY, help_text="资金来源或上级下达在此后的余额")


class FundEntryFundingInputSerializer(serializers.Serializer):
    """安排项目资金（县级审批员、系统管理员）：从一笔下达到项目所在地（或其上级）的资金下达安排。"""

    allocation = serializers.IntegerField(help_text="资金下达 ID")
    amount = serializers.CharField(help_text="金额（元；不能超过这笔下达资金的余额）")


class FundEntryFundingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project_id = serializers.IntegerField(help_text="项目 ID")
    allocation_id = serializers.IntegerField(help_text="资金下达 ID")
    source_id = serializers.IntegerField(help_text="资金来源 ID")
    source_name = serializers.CharField(help_text="资金来源")
    year = serializers.IntegerField(help_text="资金年度")
    amount = serializers.DecimalField(**MONEY, help_text="安排金额")
    allocation_remaining = serializers.DecimalField(**MONEY, help_text="这笔下达资金在此后的余额")


class FundEntryBeneficiaryInputSerializer(serializers.Serializer):
    """登记项目受益户（村级信息员、乡镇审核员、县级审批员）：项目地点的在册户。"""

    household = serializers.IntegerField(help_text="户 ID")
    standard_amount = serializers.CharField(help_text="到户补助标准（元，大于 0）")


class FundEntryBeneficiarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project_id = serializers.IntegerField(help_text="项目 ID")
    household_id = serializers.IntegerField(help_text="户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主")
    standard_amount = serializers.DecimalField(**MONEY, help_text="到户补助标准")


class FundEntryTargetResultInputSerializer(serializers.Serializer):
    """填报绩效目标完成情况（乡镇审核员、县级审批员），项目实施中或已验收时。"""

    actual_value = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="完成值")
    result = serializers.CharField(required=False, allow_blank=True, help_text="完成情况（最多 500 字）")


class FundEntryTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project_id = serializers.IntegerField(help_text="项目 ID")
    indicator = serializers.CharField(help_text="绩效指标")
    unit = serializers.CharField(allow_blank=True, help_text="单位")
    target_value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, coerce_to_string=True,
                                            help_text="目标值")
    actual_value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, coerce_to_string=True,
                                            help_text="完成值")
    result = serializers.CharField(allow_blank=True, help_text="完成情况")


# --- Data -----------------------------------------------------------------------------------------

def source_data(s) -> dict:
    return {"id": s.pk, "kind": s.kind, "kind_label": s.get_kind_display(), "name": s.name, "year": s.year,
            "region_code": s.region_id, "region_name": s.region.name, "amount": s.amount,
            "document_no": s.document_no, "remaining": source_remaining(s)}


def target_data(t) -> dict:
    return {"id": t.pk, "project_id": t.project_id, "indicator": t.indicator, "unit": t.unit,
            "target_value": t.target_value, "actual_value": t.actual_value, "result": t.result}


def _id(body: dict, name: str, message: str):
    raw = body.get(name)
    if raw in (None, ""):
        return None
    if not str(raw).isdigit():
        raise DjangoValidationError({name: [message]})
    return int(raw)


# --- Views -----------------------------------------------------------------------------------------

class RegionFundSourcesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="fund_source_create", tags=[TAG], summary="登记资金来源",
        description="县级审批员、系统管理员为路径中的区划（在其管辖范围内）登记一笔资金（中央、省、市、县级专项资金，"
                    "统筹整合、东西部协作、定点帮扶、社会捐赠等）。区划在范围以外时返回 404，角色不符返回 403。",
        parameters=[REGION_CODE], request=FundEntrySourceInputSerializer,
        responses={201: FundEntrySourceSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, code: str):
        region = region_in_scope(request.user, code)
        body = _body(request)
        body.pop("region", None)
        source = source_create(actor=request.user, data={**body, "region": region.code})
        return Response(FundEntrySourceSerializer(source_data(source_access(request.user, source.pk))).data,
                        status=201)


class RegionAllocationsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="fund_allocation_create", tags=[TAG], summary="资金下达（从资金来源或上级下达到下级区划）",
        description="路径中的区划为下达单位：source 须是该区划持有的资金来源，parent 须是下达到该区划的资金下达，"
                    "二选一；to_region 为其下级区划。下达金额超过可下达余额的拒绝（400），不写入任何数据。逐级下达仍记在"
                    "原资金来源下。",
        parameters=[REGION_CODE], request=FundEntryAllocationInputSerializer,
        responses={201: FundEntryAllocationSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, code: str):
        user = request.user
        region = region_in_scope(user, code)
        if user.role not in FUND_MANAGERS:
            raise PermissionDenied("您的角色无权下达资金")
        body = _body(request)
        source_id = _id(body, "source", "资金来源（source）应为 ID")
        parent_id = _id(body, "parent", "上级下达（parent）应为 ID")
        if source_id and not parent_id and source_access(user, source_id).region_id != region.code:
            raise DjangoValidationError({"source": [f"该资金来源不属于{region.name}，请在资金所属区划下达"]})
        if parent_id and not source_id and allocation_access(user, parent_id).to_region_id != region.code:
            raise DjangoValidationError({"parent": [f"这笔资金不是下达到{region.name}的，请在其下达到的区划再下达"]})
        to_raw = body.get("to_region")
        if to_raw not in (None, ""):
            try:
                body["to_region"] = normalize_code(to_raw)
            except InvalidCode as exc:
                raise DjangoValidationError({"to_region": [str(exc)]}) from None
        body["source"], body["parent"] = source_id, parent_id
        a = allocation_create(actor=user, data=body)
        # Passed below a region in the user's scope: always visible to them.
        a = allocation_totals(allocations_visible_to(user).filter(pk=a.pk)).select_related("source", "to_region").get()
        if a.parent_id:
            from_left = allocation_remaining(allocation_access(user, a.parent_id))
        else:
            from_left = source_remaining(a.source)
        return Response(FundEntryAllocationSerializer({
            "id": a.pk, "source_id": a.source_id, "source_name": a.source.name, "parent_id": a.parent_id,
            "year": a.year, "from_code": a.from_code, "to_code": a.to_region_id, "to_name": a.to_region.name,
            "amount": a.amount, "allocated_on": a.allocated_on, "document_no": a.document_no,
            "integrated": a.integrated, "remaining": a.amount - a.passed_down - a.funded,
            "from_remaining": from_left}).data, status=201)


class ProjectFundingsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_funding_create", tags=[TAG], summary="安排项目资金",
        description="从一笔下达到项目所在地（或其上级区划）的资金下达为项目安排资金（已申报、已审批入库或实施中的项目）。"
                    "同一笔下达只能安排一次；超过余额的拒绝（400），不写入任何数据。",
        parameters=[PROJECT_ID], request=FundEntryFundingInputSerializer,
        responses={201: FundEntryFundingSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        user = request.user
        project = project_access(user, project_id)
        body = _body(request)
        allocation_id = _id(body, "allocation", "资金下达（allocation）应为 ID")
        if allocation_id is None and user.role in FUND_MANAGERS:
            raise DjangoValidationError({"allocation": ["请选择资金下达（allocation）"]})
        line = funding_add(actor=user, project_id=project.pk, allocation_id=allocation_id, amount=body.get("amount"))
        allocation = allocation_access(user, line.allocation_id)
        return Response(FundEntryFundingSerializer({
            "id": line.pk, "project_id": project.pk, "allocation_id": allocation.pk, "source_id": line.source_id,
            "source_name": allocation.source.name, "year": line.year, "amount": line.amount,
            "allocation_remaining": allocation_remaining(allocation)}).data, status=201)


class ProjectBeneficiariesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_beneficiary_create", tags=[TAG], summary="登记项目受益户",
        description="把项目地点的一户列为受益户，并填写到户补助标准（超过标准的拨付列入预警）。项目实施后（已验收起）"
                    "不能再调整。",
        parameters=[PROJECT_ID], request=FundEntryBeneficiaryInputSerializer,
        responses={201: FundEntryBeneficiarySerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        user = request.user
        project = project_access(user, project_id)
        body = _body(request)
        row = beneficiary_add(actor=user, project_id=project.pk, household_id=body.get("household"),
                              standard_amount=body.get("standard_amount"))
        return Response(FundEntryBeneficiarySerializer({
            "id": row.pk, "project_id": project.pk, "household_id": row.household_id,
            "household_no": row.household.household_no, "head_name": row.household.head_name,
            "standard_amount": row.standard_amount}).data, status=201)


class ProjectTargetsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_target_list", tags=[TAG], summary="项目的绩效目标（含 ID，用于填报完成情况）",
        parameters=[PROJECT_ID], responses={200: FundEntryTargetSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, project_id: int):
        project = project_access(request.user, project_id)
        return Response(FundEntryTargetSerializer([target_data(t) for t in project.targets.order_by("id")],
                                                  many=True).data)


class ProjectTargetResultView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_target_result", tags=[TAG], summary="填报绩效目标完成情况",
        description="乡镇审核员、县级审批员在项目实施中或已验收时填写完成值和完成情况；验收前须填完有目标值的各项。"
                    "目标不属于该项目或项目在范围以外时返回 404。",
        parameters=[PROJECT_ID, TARGET_ID], request=FundEntryTargetResultInputSerializer,
        responses={200: FundEntryTargetSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int, target_id: int):
        user = request.user
        project = project_access(user, project_id)
        if not project.targets.filter(pk=target_id).exists():
            raise Http404("该绩效目标不属于这个项目")
        body = _body(request)
        actual = body.get("actual_value")
        target = target_result(actor=user, target_id=target_id, actual_value=None if actual == "" else actual,
                               result=body.get("result") or "")
        return Response(FundEntryTargetSerializer(target_data(target)).data)

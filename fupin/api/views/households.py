from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.api.serializers import (
    HouseholdDetailSerializer,
    HouseholdFilterSerializer,
    HouseholdListItemSerializer,
    HouseholdUpdateSerializer,
)
from fupin.registry.selectors import household_access, household_list, household_members
from fupin.registry.services import household_update

from .base import ApiMixin, error_responses, path_param, region_in_scope
from .registry import HOUSEHOLD_CREATE_SCHEMA, create_household

TAG = "贫困户"
HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")


class HouseholdListView(ApiMixin, ListAPIView):
    serializer_class = HouseholdListItemSerializer

    @extend_schema(
        operation_id="households_list", tags=[TAG], summary="贫困户列表（分页，个人信息按列表规则脱敏）",
        description="只列当前用户管辖范围内的户；帮扶责任人只看到与自己结对的户。"
                    "`region` 在范围以外时返回 404。",
        parameters=[HouseholdFilterSerializer], responses={200: HouseholdListItemSerializer(many=True),
                                                           **error_responses(400, 401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @HOUSEHOLD_CREATE_SCHEMA
    def post(self, request, *args, **kwargs):
        return create_household(request)

    def get_queryset(self):
        params = HouseholdFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        region = region_in_scope(self.request.user, filters["region"]) if filters.get("region") else None
        return household_list(self.request.user, region_code=region.code if region else None,
                              status=filters.get("status"), q=filters.get("q"))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "in_list": True}


class HouseholdDetailView(ApiMixin, APIView):
    def _detail(self, request, household_id: int) -> dict:
        household = household_access(request.user, household_id)
        members = household_members(request.user, household)
        context = {"request": request, "in_list": False, "members": members}
        return HouseholdDetailSerializer(household, context=context).data

    @extend_schema(
        operation_id="household_retrieve", tags=[TAG], summary="贫困户详情及家庭成员",
        description="证件号码、电话、银行账号按详情规则脱敏（有查看个人信息权限的角色可见全文）。",
        parameters=[HOUSEHOLD_ID], responses={200: HouseholdDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, household_id: int):
        return Response(self._detail(request, household_id))

    @extend_schema(
        operation_id="household_partial_update", tags=[TAG], summary="修改贫困户基本信息",
        description="可修改：村民小组、住址、户联系电话、开户银行、银行账号。户状态、致贫原因和收入"
                    "只能经识别、退出、监测等流程变更。校验失败返回 400，`error.fields` 按字段给出中文原因，"
                    "且不写入任何内容；每次修改记入审计日志（修改前后的值和来源地址）。",
        parameters=[HOUSEHOLD_ID], request=HouseholdUpdateSerializer,
        responses={200: HouseholdDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, household_id: int):
        body = HouseholdUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Fields that may not be edited are passed on, so the service names them in its error.
        unknown = {k: request.data[k] for k in request.data if k not in body.fields}
        household_update(actor=request.user, household_id=household_id, changes={**body.validated_data, **unknown})
        return Response(self._detail(request, household_id))

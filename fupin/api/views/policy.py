"""Policy table (政策参数) of a region: read by anyone who sees the region, set by its policy keeper."""

import json

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.roles import Cap
from fupin.accounts.scope import require
from fupin.core.clock import today
from fupin.policy.defaults import KEY_LABELS
from fupin.policy.selectors import policy_overview
from fupin.policy.services import policy_override

from .base import REGION_CODE, ApiMixin, error_responses, region_in_scope

TAG = "政策参数"


class PolicyRowSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="设定该值的区划（000000000000 为国家默认）")
    year_from = serializers.IntegerField(help_text="起始年度")
    year_to = serializers.IntegerField(allow_null=True, help_text="截止年度（空为一直有效）")
    value = serializers.JSONField(help_text="取值：数值、列表或对象")
    unit = serializers.CharField(help_text="单位")
    source = serializers.CharField(help_text="依据")


class PolicyLineSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="参数名")
    label = serializers.CharField(help_text="参数中文名称")
    effective = PolicyRowSerializer(allow_null=True, help_text="该区划该年度适用的值（最具体区划、最晚起始年度）")
    overridden = serializers.BooleanField(help_text="适用值是否为地方设定")
    rows = PolicyRowSerializer(many=True, help_text="本区划及上级区划对该参数的全部设定")


class PolicyOverrideSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=80, help_text="参数名，如 poverty_line")
    year_from = serializers.IntegerField(min_value=2000, max_value=2100, help_text="起始年度")
    year_to = serializers.IntegerField(min_value=2000, max_value=2100, required=False, allow_null=True,
                                       help_text="截止年度（可空）")
    value = serializers.JSONField(help_text="取值，类型须与国家默认值相同")
    source = serializers.CharField(max_length=200, help_text="依据（文件名称、文号）")


def _line(line) -> dict:
    return {"key": line.key, "label": KEY_LABELS.get(line.key, line.key), "effective": line.effective,
            "overridden": line.overridden_here, "rows": line.rows}


class RegionPolicyView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_policy_list", tags=[TAG], summary="区划某年度适用的全部政策参数及其来源",
        parameters=[REGION_CODE, OpenApiParameter("year", int, description="年度，默认今年")],
        responses={200: PolicyLineSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        raw = request.query_params.get("year") or str(today().year)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise serializers.ValidationError({"year": ["年度应为 2000–2100 之间的整数"]})
        lines = policy_overview(region_code=region.code, year=int(raw))
        return Response(PolicyLineSerializer([_line(line) for line in lines], many=True).data)

    @extend_schema(
        operation_id="region_policy_set", tags=[TAG], summary="设定本区划自己的政策参数（如省定扶贫标准）",
        description="须有维护政策参数的权限（系统管理员），区划在本人管辖范围内；扶贫标准、监测收入线只能高于国家标准。",
        parameters=[REGION_CODE], request=PolicyOverrideSerializer,
        responses={201: PolicyRowSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, code: str):
        region = region_in_scope(request.user, code)
        require(request.user, Cap.MANAGE_POLICY)  # say "not allowed" before "fields missing"
        body = PolicyOverrideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = policy_override(actor=request.user, key=data["key"], region_code=region.code,
                              year_from=data["year_from"], year_to=data.get("year_to"),
                              raw_value=json.dumps(data["value"]), source=data["source"])
        return Response(PolicyRowSerializer(row).data, status=201)

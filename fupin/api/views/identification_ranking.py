"""Income-ranked screening (按收入倒排) of a village's applicants, and village quotas (识别规模)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.roles import Role
from fupin.core.clock import today
from fupin.identification.ranking import income_ranking
from fupin.identification.selectors import village_quotas
from fupin.identification.services_quota import village_quotas_set
from fupin.policy.selectors import PolicyMissing

from .base import REGION_CODE, ApiMixin, error_responses, region_in_scope
from .identification_shapes import (
    STATE_HELP,
    IdentificationPolicyRowSerializer,
    IdentificationVillageSerializer,
)

TAG = "识别与退出程序"
QUOTA_VILLAGES_LIMIT = 1000
RANKING_RULE = ("本年度未终止的识别申请按年人均纯收入从低到高排序（收入相同名次相同）。低于扶贫标准：收入严格低于"
                "该村适用的扶贫标准（等于标准不算低于）；规模内：低于标准且名次不超过县定识别规模（名次并列时一并计入）；"
                "临界户：收入与标准之差的绝对值不超过标准乘以临界比例。")


class IdentificationYearQuerySerializer(serializers.Serializer):
    """年度。"""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度（默认今年）")


class IdentificationQuotaRefSerializer(serializers.Serializer):
    quota = serializers.IntegerField(help_text="识别规模（户）")
    set_by = serializers.CharField(help_text="设定人")
    set_at = serializers.CharField(help_text="设定时间")


class IdentificationRankingRowSerializer(serializers.Serializer):
    case_id = serializers.IntegerField(help_text="案件 ID")
    head_name = serializers.CharField(help_text="户主姓名")
    group_name = serializers.CharField(allow_blank=True, help_text="村民小组")
    household_size = serializers.IntegerField(help_text="家庭人口数")
    state = serializers.CharField(help_text=STATE_HELP)
    current_step = serializers.CharField(allow_blank=True, help_text="当前步骤代码")
    rank = serializers.IntegerField(help_text="名次（收入从低到高，相同收入名次相同）")
    per_capita_income = serializers.CharField(help_text="年人均纯收入（元，两位小数）")
    gap = serializers.CharField(help_text="收入减扶贫标准（负数为低于标准）")
    under_line = serializers.BooleanField(help_text="严格低于扶贫标准")
    within_quota = serializers.BooleanField(allow_null=True, help_text="在识别规模内（未设定规模时为 null）")
    borderline = serializers.BooleanField(help_text="临界户（须重点核实）")


class IdentificationRankingCountsSerializer(serializers.Serializer):
    applicants = serializers.IntegerField(help_text="参与排序的申请户数")
    under_line = serializers.IntegerField(help_text="低于扶贫标准的户数")
    within_quota = serializers.IntegerField(help_text="规模内户数")
    borderline = serializers.IntegerField(help_text="临界户数")


class IdentificationRankingSerializer(serializers.Serializer):
    village = IdentificationVillageSerializer(help_text="行政村")
    year = serializers.IntegerField(help_text="年度")
    rule = serializers.CharField(help_text="排序和标记规则")
    poverty_line = IdentificationPolicyRowSerializer(help_text="扶贫标准及其来源（政策参数 poverty_line）")
    borderline_ratio = IdentificationPolicyRowSerializer(
        help_text="临界比例及其来源（政策参数 identification.borderline_ratio）")
    borderline_band = serializers.ListField(child=serializers.CharField(), help_text="临界区间 [下限, 上限]（元）")
    quota = IdentificationQuotaRefSerializer(allow_null=True, help_text="县定识别规模（未设定为 null）")
    counts = IdentificationRankingCountsSerializer(help_text="户数")
    ties_at_cut = serializers.BooleanField(help_text="规模线上收入并列，规模内户数多于规模")
    rows = IdentificationRankingRowSerializer(many=True, help_text="按名次排列的申请户")


class IdentificationQuotaRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="行政村区划代码")
    name = serializers.CharField(help_text="行政村名称")
    township = serializers.CharField(allow_blank=True, help_text="乡镇名称")
    quota = serializers.IntegerField(allow_null=True, help_text="识别规模（户；未设定为 null）")
    note = serializers.CharField(allow_blank=True, help_text="说明")
    set_by = serializers.CharField(allow_blank=True, help_text="设定人")
    set_at = serializers.DateTimeField(allow_null=True, help_text="设定时间")
    cases = serializers.IntegerField(help_text="本年度未终止的识别申请户数")


class IdentificationQuotasSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="区划代码")
    year = serializers.IntegerField(help_text="年度")
    may_edit = serializers.BooleanField(help_text="当前用户能否设定（县级审批员）")
    villages = IdentificationQuotaRowSerializer(many=True, help_text=f"区划以下的行政村（最多 {QUOTA_VILLAGES_LIMIT} 个）")


class IdentificationQuotasInputSerializer(serializers.Serializer):
    """设定识别规模：{行政村代码: 户数}，户数为空（null 或空字符串）时删除该村的规模。"""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="年度（也可用查询参数 year；二者都没有时返回 400）")
    quotas = serializers.DictField(child=serializers.CharField(allow_null=True, allow_blank=True),
                                   help_text="行政村 12 位代码 → 识别规模（0–100000 的整数；空为删除）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="说明（如文件号）")


def _year(request) -> int:
    params = IdentificationYearQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("year") or today().year


class RegionRankingView(ApiMixin, APIView):
    @extend_schema(
        operation_id="identification_ranking", tags=[TAG], summary="行政村识别申请按收入倒排",
        description="一个行政村本年度的识别申请（未终止的）按年人均纯收入从低到高排名，标出低于扶贫标准、在县定识别规模内"
                    "和临界的户，并给出所用的扶贫标准、临界比例（政策参数及其来源）和识别规模。区划在范围以外时返回 404，"
                    "不是行政村或该年度没有扶贫标准时返回 400。",
        parameters=[REGION_CODE, IdentificationYearQuerySerializer],
        responses={200: IdentificationRankingSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        year = _year(request)
        user = request.user
        region = region_in_scope(user, code)
        try:
            ranking = income_ranking(user, village_code=region.code, year=year)
        except PolicyMissing as exc:
            raise ValidationError({"year": [str(exc)]}) from None
        return Response(IdentificationRankingSerializer({**ranking.as_dict(), "rule": RANKING_RULE}).data)


def _quotas_data(user, region, year: int) -> dict:
    rows = village_quotas(user, region_code=region.code, year=year, limit=QUOTA_VILLAGES_LIMIT)
    return {"region_code": region.code, "year": year, "may_edit": user.role == Role.COUNTY_APPROVER, "villages": [
        {"code": r["village"].code, "name": r["village"].name,
         "township": r["village"].parent.name if r["village"].parent else "",
         "quota": r["quota"].quota if r["quota"] else None, "note": r["quota"].note if r["quota"] else "",
         "set_by": r["quota"].set_by_name if r["quota"] else "", "set_at": r["quota"].set_at if r["quota"] else None,
         "cases": r["cases"]} for r in rows]}


class RegionQuotasView(ApiMixin, APIView):
    @extend_schema(
        operation_id="identification_quotas", tags=[TAG], summary="各村识别规模",
        description="区划以下、当前用户管辖范围内的行政村及其该年度的识别规模和识别申请户数。区划在范围以外时返回 404。",
        parameters=[REGION_CODE, IdentificationYearQuerySerializer],
        responses={200: IdentificationQuotasSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        year = _year(request)
        region = region_in_scope(request.user, code)
        return Response(IdentificationQuotasSerializer(_quotas_data(request.user, region, year)).data)

    @extend_schema(
        operation_id="identification_quotas_set", tags=[TAG], summary="设定各村识别规模",
        description="县级审批员为本县的行政村设定（或以空值删除）识别规模，其他角色返回 403；村代码须在该区划以内、"
                    "管辖范围以内，户数为 0–100000 的整数，有一处不对即返回 400 且不写入任何内容。每处变更记入审计日志。",
        parameters=[REGION_CODE, IdentificationYearQuerySerializer], request=IdentificationQuotasInputSerializer,
        responses={200: IdentificationQuotasSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request, code: str):
        user = request.user
        region = region_in_scope(user, code)
        if not hasattr(request.data, "items"):
            raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象"]})
        body = IdentificationQuotasInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        year = data.get("year")
        if year is None:
            params = IdentificationYearQuerySerializer(data=request.query_params)
            params.is_valid(raise_exception=True)
            year = params.validated_data.get("year")
        if year is None:
            raise ValidationError({"year": ["请填写年度 year（请求体或查询参数）"]})
        outside = [c for c in data["quotas"] if str(c).strip() not in region.code_range]
        if outside:
            raise ValidationError({"quotas": [f"行政村“{c}”不在{region.name}以内" for c in outside]})
        village_quotas_set(actor=user, year=year, quotas=data["quotas"], note=data.get("note", ""))
        return Response(IdentificationQuotasSerializer(_quotas_data(user, region, year)).data)

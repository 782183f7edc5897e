"""Household exit assessment (贫困户退出评估): a region's households, or one household."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.api.pagination import Pagination
from fupin.core.clock import today
from fupin.exits.household import assess_household, region_assessment
from fupin.policy.selectors import PolicyMissing
from fupin.registry.quality.selectors import quality_default_year
from fupin.registry.selectors import household_access, household_years

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope

TAG = "退出评估"
HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")
YEAR_HELP = "评估年度（年龄和在册成员按该年 12 月 31 日计算）；默认为最近有年度数据的年度（没有时为上一年）"


class ExitYearQuerySerializer(serializers.Serializer):
    """单户退出评估的查询参数。"""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text=YEAR_HELP)


class ExitRegionQuerySerializer(ExitYearQuerySerializer):
    """区域退出评估的查询参数。"""

    failed = serializers.BooleanField(required=False, default=False,
                                      help_text="为 true（或 1）时只列未达到退出标准的户；汇总仍按全部户")
    page = serializers.IntegerField(required=False, min_value=1, help_text="页码，从 1 开始")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=Pagination.max_page_size,
                                         help_text="每页户数（默认 50，最多 500）")


class ExitIndicatorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["income", "two_no_worries", "education", "medical", "housing", "water"],
        help_text="指标：income 收入、two_no_worries 两不愁、education 义务教育、medical 基本医疗、"
                  "housing 住房安全、water 饮水安全")
    label = serializers.CharField(help_text="指标名称")
    passed = serializers.BooleanField(help_text="是否达标")
    values = serializers.DictField(help_text="评估所用的数值（如年人均纯收入、扶贫标准及其区划，适龄儿童的年龄、"
                                             "在校生状况和辍学情况，成员参保情况）；金额为两位小数的字符串")
    reason = serializers.CharField(help_text="中文说明：达标或未达标的原因（缺少年度数据时写明缺少哪一年）")


class ExitPolicyRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="政策参数")
    value = serializers.JSONField(help_text="取值")
    region_code = serializers.CharField(help_text="参数所在区划（全国为 000000000000）")
    year_from = serializers.IntegerField(help_text="起始年度")
    source = serializers.CharField(allow_blank=True, help_text="依据")


class ExitHouseholdAssessmentSerializer(serializers.Serializer):
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    village_code = serializers.CharField(help_text="行政村区划代码")
    status = serializers.CharField(help_text="户状态代码，如 not_exited、returned")
    status_label = serializers.CharField(help_text="户状态名称")
    year = serializers.IntegerField(help_text="评估年度")
    passed = serializers.BooleanField(help_text="是否达到退出标准（全部指标达标）")
    failed_labels = serializers.ListField(child=serializers.CharField(), help_text="未达标指标的名称")
    indicators = ExitIndicatorSerializer(many=True, help_text="各项指标，顺序：收入、两不愁、义务教育、基本医疗、住房安全、饮水安全")


class ExitHouseholdAssessmentDetailSerializer(ExitHouseholdAssessmentSerializer):
    policy = ExitPolicyRowSerializer(many=True, help_text="按该户所在村取得的政策参数及其来源")


class ExitIndicatorCountSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="指标代码")
    label = serializers.CharField(help_text="指标名称")
    short_label = serializers.CharField(help_text="简称")
    passed = serializers.IntegerField(help_text="达标户数")
    failed = serializers.IntegerField(help_text="未达标户数")


class ExitSummarySerializer(serializers.Serializer):
    households = serializers.IntegerField(help_text="评估户数（当前用户可见的未脱贫户和返贫户）")
    passed = serializers.IntegerField(help_text="达到退出标准的户数")
    failed = serializers.IntegerField(help_text="未达到退出标准的户数")
    indicators = ExitIndicatorCountSerializer(many=True, help_text="各项指标的达标和未达标户数")


class ExitRegionAssessmentPageSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="评估的区划")
    year = serializers.IntegerField(help_text="评估年度")
    failed_only = serializers.BooleanField(help_text="是否只列未达标户")
    summary = ExitSummarySerializer(help_text="全部评估户的汇总（不受 failed 和分页影响）")
    policy = ExitPolicyRowSerializer(many=True, help_text="评估用到的全部政策参数（各村可能取自不同区划）")
    count = serializers.IntegerField(help_text="所列户数（failed 为 true 时为未达标户数）")
    next = serializers.URLField(allow_null=True, help_text="下一页地址")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址")
    results = ExitHouseholdAssessmentSerializer(many=True, help_text="本页的户，按村和户编号排序")


def latest_year(user, household) -> int:
    """The household's latest year with data (else last calendar year, which then fails as missing)."""
    years = list(household_years(user, household).values_list("year", flat=True))
    return years[-1] if years else today().year - 1


def _policy_missing(exc: PolicyMissing) -> ValidationError:
    return ValidationError({"year": [str(exc)]})


class RegionExitAssessmentView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_exit_assessment", tags=[TAG], summary="区域贫困户退出评估（分页）",
        description="对当前用户可见的、区划以下的未脱贫户和返贫户逐户评估退出标准：年人均纯收入高于扶贫标准"
                    "（等于标准不算超过；省定标准高于国家标准时用省定标准）、不愁吃穿、义务教育、基本医疗、"
                    "住房安全（已易地扶贫搬迁的视为安全）和饮水安全。每项给出所用数值和中文原因，缺少年度数据的"
                    "项目判为未达标。帮扶责任人只评估与自己结对的户；区划在范围以外时返回 404；该年度没有扶贫"
                    "标准时返回 400。",
        parameters=[REGION_CODE, ExitRegionQuerySerializer],
        responses={200: ExitRegionAssessmentPageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        params = ExitRegionQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        user = request.user
        region = region_in_scope(user, code)
        year = query.get("year") or quality_default_year(user, region)
        try:  # summary and policy rows by one aggregate query; only the page's households are read
            assessments = region_assessment(year=year, region_code=region.code, user=user)
            summary = assessments.summary()
        except PolicyMissing as exc:
            raise _policy_missing(exc) from None
        listed = assessments.failed() if query["failed"] else assessments
        paginator = Pagination()
        page = paginator.paginate_queryset(listed, request, view=self)
        data = {"region_code": region.code, "year": year, "failed_only": query["failed"],
                "summary": summary, "policy": assessments.policy_rows(),
                "count": paginator.page.paginator.count, "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": [a.as_dict(with_policy=False) for a in page]}
        return Response(ExitRegionAssessmentPageSerializer(data).data)


class HouseholdExitAssessmentView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_exit_assessment", tags=[TAG], summary="单户退出评估",
        description="按该户所在村的政策参数评估一户（任何户状态），每项指标给出所用数值和原因，并列出所用政策参数"
                    "及其来源。户在范围以外时返回 404；该年度没有扶贫标准时返回 400。",
        parameters=[HOUSEHOLD_ID, ExitYearQuerySerializer],
        responses={200: ExitHouseholdAssessmentDetailSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, household_id: int):
        params = ExitYearQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = request.user
        household = household_access(user, household_id)
        year = params.validated_data.get("year") or latest_year(user, household)
        try:
            assessment = assess_household(household_id=household.pk, year=year)
        except PolicyMissing as exc:
            raise _policy_missing(exc) from None
        return Response(ExitHouseholdAssessmentDetailSerializer(assessment.as_dict()).data)

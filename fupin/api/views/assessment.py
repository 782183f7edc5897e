"""考核评估: every county or township under a region scored for a year (GET /api/v1/assessment).

The body is the very document `fupin assess --json` prints (the same selector builds both)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.assessment.models import AssessedLevel
from fupin.assessment.selectors import SchemeMissing, assessment
from fupin.core.clock import today
from fupin.regions.codes import InvalidCode, normalize_code

from .base import ApiMixin, error_responses

TAG = "考核评估"


class AssessmentQuerySerializer(serializers.Serializer):
    """考核评估的查询参数。"""

    region = serializers.CharField(help_text="区划代码（6、9 或 12 位）")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度（默认今年）")
    level = serializers.ChoiceField(choices=AssessedLevel.choices, required=False, default=AssessedLevel.COUNTY,
                                    help_text="考核对象：county（县，默认）或 township（乡镇）")

    def validate_region(self, value):
        try:
            return normalize_code(value)
        except InvalidCode as exc:
            raise serializers.ValidationError(str(exc)) from None


class AssessmentRegionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(help_text="名称")
    level = serializers.CharField(help_text="级别")


class AssessmentSchemeIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="指标代码")
    label = serializers.CharField(help_text="指标名称")
    weight = serializers.CharField(help_text="分值")
    direction = serializers.CharField(help_text="higher 越高越好 / lower 越低越好")
    direction_label = serializers.CharField(help_text="方向名称")
    method = serializers.CharField(help_text="linear 线性 / pass_fail 达标")
    method_label = serializers.CharField(help_text="计分方法说明")
    target = serializers.CharField(help_text="目标值（比率为小数）")
    floor = serializers.CharField(allow_null=True, help_text="底线值（线性计分至 0 分处）")
    empty_full = serializers.BooleanField(help_text="分母为 0 时是否得满分")
    rule = serializers.CharField(help_text="计分规则说明")
    definition = serializers.CharField(help_text="指标口径")
    source = serializers.CharField(help_text="数据来源")


class AssessmentSchemeVetoSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="指标代码")
    label = serializers.CharField(help_text="指标名称")
    op = serializers.CharField(help_text="比较：gt/gte/lt/lte")
    op_label = serializers.CharField(help_text="比较说明")
    threshold = serializers.CharField(help_text="阈值")
    reason = serializers.CharField(help_text="否决理由")


class AssessmentSchemeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="方案编号")
    region_code = serializers.CharField(help_text="制定方案的区划")
    year_from = serializers.IntegerField(help_text="起始年度")
    level = serializers.CharField(help_text="考核对象级别")
    name = serializers.CharField(help_text="方案名称")
    source = serializers.CharField(help_text="依据")
    indicators = AssessmentSchemeIndicatorSerializer(many=True, help_text="考核指标")
    vetoes = AssessmentSchemeVetoSerializer(many=True, help_text="一票否决规则")


class AssessmentIndicatorResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="指标代码")
    label = serializers.CharField(help_text="指标名称")
    weight = serializers.CharField(help_text="分值")
    numerator = serializers.CharField(allow_null=True, help_text="分子")
    denominator = serializers.CharField(allow_null=True, help_text="分母")
    value = serializers.CharField(allow_null=True, help_text="指标值（小数，6 位）；缺少数据时为空")
    value_text = serializers.CharField(help_text="指标值（百分数）或“缺少数据”")
    source = serializers.CharField(help_text="数据来源")
    missing = serializers.BooleanField(help_text="是否缺少数据")
    score = serializers.CharField(help_text="得分")
    note = serializers.CharField(help_text="说明（缺少数据的原因等）")


class AssessmentVetoResultSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="指标代码")
    label = serializers.CharField(help_text="指标名称")
    reason = serializers.CharField(help_text="否决理由")
    value_text = serializers.CharField(help_text="指标值")
    triggered = serializers.BooleanField(help_text="是否触发一票否决")
    note = serializers.CharField(help_text="缺少数据时的说明")


class AssessmentResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(help_text="名称")
    scheme_id = serializers.IntegerField(help_text="适用的考核方案编号")
    total = serializers.CharField(help_text="总分")
    vetoed = serializers.BooleanField(help_text="是否一票否决")
    veto_reasons = serializers.ListField(child=serializers.CharField(), help_text="否决理由")
    indicators = AssessmentIndicatorResultSerializer(many=True, help_text="各指标得分")
    vetoes = AssessmentVetoResultSerializer(many=True, help_text="一票否决规则的判定")
    rank = serializers.IntegerField(help_text="排名（未被否决的在前；同分同名次）")


class AssessmentSerializer(serializers.Serializer):
    region = AssessmentRegionSerializer(help_text="区划")
    year = serializers.IntegerField(help_text="年度")
    level = serializers.CharField(help_text="考核对象级别")
    level_label = serializers.CharField(help_text="考核对象级别名称")
    schemes = AssessmentSchemeSerializer(many=True, help_text="适用的考核方案")
    results = AssessmentResultSerializer(many=True, help_text="排名表")


class AssessmentView(ApiMixin, APIView):
    @extend_schema(
        operation_id="assessment_regions", tags=[TAG], summary="考核评估：各县或乡镇得分、一票否决和排名",
        description="区划下每个县（level=county）或乡镇（level=township）按适用的考核方案逐项计算指标值（分子、分母、"
                    "来源）、得分、总分和一票否决，并排名。缺少数据的指标标明“缺少数据”并计 0 分。区划在管辖范围以外时返回 "
                    "404；帮扶责任人返回 403。",
        parameters=[AssessmentQuerySerializer],
        responses={200: AssessmentSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request):
        params = AssessmentQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            return Response(assessment(request.user, data["region"], year=data.get("year") or today().year,
                                       level=data["level"]))
        except (ValueError, SchemeMissing) as exc:
            raise serializers.ValidationError({"level": [str(exc)]}) from None

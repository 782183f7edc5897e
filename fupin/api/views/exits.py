"""Village and county exit evaluation (贫困村出列、贫困县摘帽评估) of a region."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.exits.region import LEVELS, EvaluationError
from fupin.exits.selectors import default_level, default_year, exit_evaluation
from fupin.policy.selectors import PolicyMissing

from .base import REGION_CODE, ApiMixin, error_responses, region_in_scope

TAG = "退出评估"


class ExitEvaluationQuerySerializer(serializers.Serializer):
    """退出评估的查询参数。"""

    level = serializers.ChoiceField(choices=list(LEVELS.items()), required=False,
                                    help_text="village：评估区划下每个村（贫困村出列）；county：评估区划下每个县（贫困县摘帽）。"
                                              "默认：乡镇和村为 village，县及以上为 county")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="评估年度（该年年末的户状态和该年导入的数据）；默认为最近导入乡村人口的年度")


class PolicyExplainSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="政策参数")
    value = serializers.JSONField(help_text="取值（村级条件为该项条件）")
    region_code = serializers.CharField(help_text="设定该值的区划（000000000000 为国家默认）")
    year_from = serializers.IntegerField(help_text="起始年度")
    source = serializers.CharField(allow_blank=True, help_text="依据")


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="条件代码，如 incidence、indicator.bus_service、wrong_exit_rate")
    label = serializers.CharField(help_text="条件名称")
    status = serializers.CharField(help_text="pass 达标 / fail 未达标 / missing 缺少数据")
    status_label = serializers.CharField(help_text="结论：达标 / 未达标 / 缺少数据")
    passed = serializers.BooleanField(help_text="是否达标")
    actual = serializers.JSONField(allow_null=True,
                                   help_text="实际值：比率为 {numerator, denominator, value, percent}，指标为其取值；缺少数据时为空")
    actual_display = serializers.CharField(help_text="实际值（显示用）")
    op = serializers.CharField(allow_blank=True, help_text="比较方式：eq、gt、gte、lt、lte")
    op_symbol = serializers.CharField(allow_blank=True, help_text="比较符号")
    threshold = serializers.JSONField(allow_null=True, help_text="要求（政策参数的取值）")
    threshold_display = serializers.CharField(allow_blank=True, help_text="要求（显示用）")
    reason = serializers.CharField(help_text="结论的理由（中文）")
    policy = PolicyExplainSerializer(allow_null=True, help_text="所用政策参数及其来源")


class EvidenceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="项目代码")
    label = serializers.CharField(help_text="项目名称")
    value = serializers.JSONField(allow_null=True, help_text="取值（未导入时为空）")
    display = serializers.CharField(help_text="取值（显示用）")
    source = serializers.CharField(allow_blank=True, help_text="来源")


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="12 位区划代码")
    name = serializers.CharField(help_text="名称")
    level = serializers.CharField(help_text="级别：village / county …")


class RegionResultSerializer(serializers.Serializer):
    region = RegionRefSerializer()
    year = serializers.IntegerField(help_text="评估年度")
    passed = serializers.BooleanField(help_text="是否符合退出条件（全部条件达标）")
    status = serializers.CharField(help_text="pass 符合 / fail 有条件未达标 / missing 无条件未达标但缺少数据")
    status_label = serializers.CharField(help_text="结论")
    tags = serializers.ListField(child=serializers.CharField(), help_text="标签，如 贫困村")
    criteria = CriterionSerializer(many=True, help_text="各项退出条件")
    evidence = EvidenceSerializer(many=True, help_text="证据表：每个输入值及其来源")
    policies = PolicyExplainSerializer(many=True, help_text="所用政策参数（取值、设定区划、起始年度、依据）")


class SummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="评估的村或县数")
    passed = serializers.IntegerField(help_text="符合退出条件")
    failed = serializers.IntegerField(help_text="有条件未达标")
    missing = serializers.IntegerField(help_text="无条件未达标但缺少数据")


class ExitEvaluationSerializer(serializers.Serializer):
    region = RegionRefSerializer(help_text="请求的区划")
    level = serializers.ChoiceField(choices=list(LEVELS.items()), help_text="评估类型")
    level_label = serializers.CharField(help_text="评估类型名称")
    year = serializers.IntegerField(help_text="评估年度")
    summary = SummarySerializer()
    poor_definition = serializers.CharField(help_text="贫困人口的计算口径")
    results = RegionResultSerializer(many=True, help_text="每个村或县的评估结果")


class ExitEvaluationView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_exit_evaluation", tags=[TAG], summary="贫困村出列、贫困县摘帽评估（逐项条件、证据和依据）",
        description="评估区划下每个村（level=village）或每个县（level=county；区划本身是县时只评估它）。"
                    "贫困发生率 = 年末未脱贫和返贫户的在册人口 ÷ 导入的乡村人口；县另计综合贫困发生率、错退率、漏评率和"
                    "群众认可度（取自导入的核查样本）。阈值取自政策参数表（西部省份贫困发生率 3%），每项条件带有所用参数"
                    "及其来源；缺少数据的条件判为未达标并说明原因。区划在范围以外时返回 404；帮扶责任人无权查看（403）。",
        parameters=[REGION_CODE, ExitEvaluationQuerySerializer],
        responses={200: ExitEvaluationSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, code: str):
        params = ExitEvaluationQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = request.user
        region = region_in_scope(user, code)
        level = params.validated_data.get("level") or default_level(region)
        year = params.validated_data.get("year") or default_year(user, region)
        try:
            evaluation = exit_evaluation(user, region, level=level, year=year)
        except EvaluationError as exc:
            raise ValidationError({"level": [str(exc)]}) from None
        except PolicyMissing as exc:
            raise ValidationError({"year": [str(exc)]}) from None
        return Response(ExitEvaluationSerializer(evaluation.as_dict()).data)

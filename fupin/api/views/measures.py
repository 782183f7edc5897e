"""Poverty measures (贫困测度) of a region and year: FGT and Alkire-Foster, decomposed."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.measures.report import MeasuresError
from fupin.measures.selectors import default_year, measures_for_user

from .base import ApiMixin, error_responses, region_in_scope

TAG = "贫困测度"
RATIO = {"allow_null": True}


class MeasuresQuerySerializer(serializers.Serializer):
    """贫困测度的查询参数。"""

    region = serializers.CharField(required=False, allow_blank=True,
                                   help_text="区划代码（6、9 或 12 位）；默认为本人所属区划")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="年度；默认为该区划最近有年度数据的年度")


class MeasuresRegionSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, help_text="12 位区划代码（未归入下级区划的户为空）")
    name = serializers.CharField(help_text="名称")
    level = serializers.CharField(allow_blank=True, help_text="级别：province / city / county / township / village")


class MeasuresPopulationSerializer(serializers.Serializer):
    definition = serializers.CharField(help_text="人口口径")
    households = serializers.IntegerField(help_text="户数")
    persons = serializers.IntegerField(help_text="人口（家庭人口数之和）")
    zero_size_households = serializers.IntegerField(help_text="家庭人口数为 0 的户数（不计入人口）")
    members_missing_year_data = serializers.IntegerField(help_text="缺少当年成员年度数据的在册成员数")


class MeasuresPolicyRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="政策参数")
    value = serializers.JSONField(help_text="取值")
    region_code = serializers.CharField(help_text="设定该值的区划（000000000000 为国家默认）")
    region_name = serializers.CharField(allow_blank=True, help_text="设定该值的区划名称")
    year_from = serializers.IntegerField(help_text="起始年度")
    source = serializers.CharField(allow_blank=True, help_text="依据")


class MeasuresLineSerializer(MeasuresPolicyRowSerializer):
    households = serializers.IntegerField(help_text="按此贫困线计算的户数")
    persons = serializers.IntegerField(help_text="按此贫困线计算的人口")


class MeasuresFgtIndexSerializer(serializers.Serializer):
    alpha = serializers.IntegerField(help_text="α：0、1、2")
    code = serializers.CharField(help_text="fgt0 / fgt1 / fgt2")
    label = serializers.CharField(help_text="名称")
    value = serializers.FloatField(help_text="取值（0–1，保留 6 位小数；无人口时为空）", **RATIO)


class MeasuresFgtTripleSerializer(serializers.Serializer):
    fgt0 = serializers.FloatField(help_text="α=0", **RATIO)
    fgt1 = serializers.FloatField(help_text="α=1", **RATIO)
    fgt2 = serializers.FloatField(help_text="α=2", **RATIO)


class MeasuresFgtGroupSerializer(serializers.Serializer):
    region = MeasuresRegionSerializer(help_text="下级区划")
    households = serializers.IntegerField(help_text="户数")
    persons = serializers.IntegerField(help_text="人口")
    poor_persons = serializers.IntegerField(help_text="低于贫困线的人口")
    population_share = serializers.FloatField(help_text="人口份额 N_r ÷ N", **RATIO)
    indices = MeasuresFgtTripleSerializer(help_text="该区划的 FGT 指数")
    contributions = MeasuresFgtTripleSerializer(help_text="贡献 = 人口份额 × 该区划指数（各区划之和等于总指数）")


class MeasuresFgtSerializer(serializers.Serializer):
    definition = serializers.CharField(help_text="定义")
    lines = MeasuresLineSerializer(many=True, help_text="所用贫困线（政策参数行）及按各行计算的户数、人口；第一行为该区划本身适用的")
    poor_households = serializers.IntegerField(help_text="低于贫困线的户数")
    poor_persons = serializers.IntegerField(help_text="低于贫困线的人口")
    indices = MeasuresFgtIndexSerializer(many=True, help_text="FGT0、FGT1、FGT2")
    decomposition = MeasuresFgtGroupSerializer(many=True, help_text="按下级区划分解")
    contribution_sums = MeasuresFgtTripleSerializer(help_text="各区划贡献之和（精确计算后取整）")
    adds_up = serializers.BooleanField(help_text="各区划贡献之和是否精确等于总指数")


class MeasuresAfIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="指标代码")
    label = serializers.CharField(help_text="指标名称")
    dimension = serializers.CharField(help_text="维度")
    weight = serializers.CharField(help_text="权重（政策参数中的写法，如 1/6）")
    weight_value = serializers.FloatField(help_text="权重（小数）")
    definition = serializers.CharField(help_text="被剥夺的定义")
    params = serializers.DictField(help_text="指标的其他参数，如 min_age")
    uncensored_headcount = serializers.FloatField(help_text="未删减发生率：在该指标被剥夺的人口 ÷ 总人口", **RATIO)
    censored_headcount = serializers.FloatField(help_text="删减后发生率 CH_j：多维贫困且在该指标被剥夺的人口 ÷ 总人口",
                                                **RATIO)
    contribution = serializers.FloatField(help_text="贡献率 = 权重 × CH_j ÷ M0（M0 为 0 时为空）", **RATIO)


class MeasuresAfGroupSerializer(serializers.Serializer):
    region = MeasuresRegionSerializer(help_text="下级区划")
    households = serializers.IntegerField(help_text="户数")
    persons = serializers.IntegerField(help_text="人口")
    poor_persons = serializers.IntegerField(help_text="多维贫困人口")
    population_share = serializers.FloatField(help_text="人口份额 N_r ÷ N", **RATIO)
    H = serializers.FloatField(help_text="多维贫困发生率", **RATIO)  # noqa: N815 - the measure's own symbol
    A = serializers.FloatField(help_text="平均剥夺份额", **RATIO)  # noqa: N815
    M0 = serializers.FloatField(help_text="多维贫困指数", **RATIO)  # noqa: N815
    contribution = serializers.FloatField(help_text="贡献率 = 人口份额 × M0_r ÷ M0", **RATIO)


class MeasuresAfSerializer(serializers.Serializer):
    definition = serializers.CharField(help_text="定义")
    k = serializers.CharField(help_text="临界值 k（政策参数中的写法，如 1/3）")
    k_value = serializers.FloatField(help_text="临界值 k（小数）")
    households = serializers.IntegerField(help_text="户数")
    persons = serializers.IntegerField(help_text="人口")
    poor_households = serializers.IntegerField(help_text="多维贫困户数（c ≥ k）")
    poor_persons = serializers.IntegerField(help_text="多维贫困人口")
    H = serializers.FloatField(help_text="多维贫困发生率 H", **RATIO)  # noqa: N815
    A = serializers.FloatField(help_text="平均剥夺份额 A", **RATIO)  # noqa: N815
    M0 = serializers.FloatField(help_text="多维贫困指数 M0 = H × A", **RATIO)  # noqa: N815
    indicators = MeasuresAfIndicatorSerializer(many=True, help_text="指标、权重、发生率和贡献率")
    indicator_contribution_sum = serializers.FloatField(help_text="指标贡献率之和（应为 1）", **RATIO)
    decomposition = MeasuresAfGroupSerializer(many=True, help_text="按下级区划分解")
    region_contribution_sum = serializers.FloatField(help_text="区划贡献率之和（应为 1）", **RATIO)
    policy = MeasuresPolicyRowSerializer(many=True, help_text="所用政策参数（取值、设定区划、起始年度、依据）")


class MeasuresReportSerializer(serializers.Serializer):
    region = MeasuresRegionSerializer(help_text="所查区划")
    year = serializers.IntegerField(help_text="年度")
    population = MeasuresPopulationSerializer(help_text="人口口径和规模")
    fgt = MeasuresFgtSerializer(help_text="FGT 贫困指数")
    af = MeasuresAfSerializer(help_text="Alkire-Foster 多维贫困指数")


class MeasuresView(ApiMixin, APIView):
    @extend_schema(
        operation_id="poverty_measures", tags=[TAG], summary="贫困测度：FGT 贫困指数和 Alkire-Foster 多维贫困指数",
        description="区划下建档立卡户（年末未清退、未销户，有该年度数据）按家庭人口数加权：FGT(α=0,1,2) 以各村当年"
                    "贫困线（省可提高）衡量人均纯收入；多维贫困指标、权重和临界值 k 取自政策参数表（measures.af.*）。"
                    "两者均按下级区划分解（贡献之和等于总数），多维贫困另按指标分解（删减后发生率、贡献率）。"
                    "与 `fupin poverty_measures --json` 输出相同（命令另有 ok 字段）。区划在范围以外时返回 404；"
                    "帮扶责任人无权查看（403）。",
        parameters=[MeasuresQuerySerializer],
        responses={200: MeasuresReportSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request):
        params = MeasuresQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = request.user
        raw = (params.validated_data.get("region") or "").strip() or user.region_id
        region = region_in_scope(user, raw)
        year = params.validated_data.get("year") or default_year(user, region)
        try:
            report = measures_for_user(user, region, year=year)
        except MeasuresError as exc:
            raise ValidationError({"year": [str(exc)]}) from None
        return Response(MeasuresReportSerializer(report).data)

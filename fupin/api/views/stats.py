"""统计监测: a region's pre-aggregated numbers and its children's for a year (GET /api/v1/stats).

The body is the very document `fupin stats --json` prints (the same selector builds both)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.core.clock import today
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.stats.selectors import NotRefreshed, region_stats

from .base import ApiMixin, error_responses

TAG = "统计监测"


class StatsNotRefreshed(NotFound):
    default_code = "not_refreshed"


class StatsQuerySerializer(serializers.Serializer):
    """区域统计的查询参数。"""

    region = serializers.CharField(help_text="区划代码（6、9 或 12 位）")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度（默认今年）")

    def validate_region(self, value):
        try:
            return normalize_code(value)
        except InvalidCode as exc:
            raise serializers.ValidationError(str(exc)) from None


class StatsRegionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(help_text="名称")
    level = serializers.CharField(help_text="级别：nation/province/city/county/township/village")


class StatsRatioSerializer(serializers.Serializer):
    numerator = serializers.IntegerField(help_text="分子")
    denominator = serializers.IntegerField(help_text="分母（0 表示无数据）")
    ratio = serializers.FloatField(allow_null=True, help_text="比率 = 分子 ÷ 分母（分母为 0 时为空）")


class StatsCountRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="分组代码")
    label = serializers.CharField(help_text="分组名称")
    households = serializers.IntegerField(help_text="户数")
    persons = serializers.IntegerField(help_text="人数")


class StatsChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="变动类型")
    label = serializers.CharField(help_text="变动类型名称")
    households = serializers.IntegerField(help_text="当年户数")
    persons = serializers.IntegerField(help_text="当年人数")


class StatsMeasureRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="措施类型")
    label = serializers.CharField(help_text="措施类型名称")
    measures = serializers.IntegerField(help_text="当年帮扶计划中未取消的措施数")
    completed = serializers.IntegerField(help_text="其中已完成")


class StatsProjectsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="项目数")
    completed = serializers.IntegerField(help_text="已验收及以后的项目数")
    ratio = serializers.FloatField(allow_null=True, help_text="完成率")


class StatsLedgerSerializer(serializers.Serializer):
    found = serializers.IntegerField(help_text="当年发现的问题数")
    closed = serializers.IntegerField(help_text="其中年末前已销号")
    ratio = serializers.FloatField(allow_null=True, help_text="整改率 = 销号 ÷ 发现")


class StatsPopulationSourceSerializer(serializers.Serializer):
    village = serializers.IntegerField(help_text="采用村级乡村人口数据的县数")
    county = serializers.IntegerField(help_text="采用县级乡村人口数据的县数")


class StatsSummarySerializer(serializers.Serializer):
    households = serializers.IntegerField(help_text="年末在册户数（不含已清退、已销户）")
    persons = serializers.IntegerField(help_text="年末在册人数")
    poor_households = serializers.IntegerField(help_text="年末剩余贫困户数（未脱贫、返贫）")
    poor_persons = serializers.IntegerField(help_text="年末剩余贫困人口")
    new_households = serializers.IntegerField(help_text="当年新识别户数")
    exited_households = serializers.IntegerField(help_text="当年脱贫户数")
    exited_persons = serializers.IntegerField(help_text="当年脱贫人数")
    returned_households = serializers.IntegerField(help_text="当年返贫户数")
    returned_persons = serializers.IntegerField(help_text="当年返贫人数")
    monitored_households = serializers.IntegerField(help_text="年末监测户数")
    incidence = StatsRatioSerializer(help_text="贫困发生率 = 剩余贫困人口 ÷ 乡村人口")


class StatsChildSerializer(StatsRegionSerializer, StatsSummarySerializer):
    pass


class StatsSerializer(StatsSummarySerializer):
    region = StatsRegionSerializer(help_text="区划")
    year = serializers.IntegerField(help_text="年度")
    refreshed_at = serializers.CharField(help_text="数据更新时间（ISO 8601）")
    by_status = StatsCountRowSerializer(many=True, help_text="年末各状态户数、人数")
    changes = StatsChangeSerializer(many=True, help_text="当年各类状态变动")
    by_cause = StatsCountRowSerializer(many=True, help_text="在册户按主要致贫原因")
    by_attribute = StatsCountRowSerializer(many=True, help_text="在册户按贫困户属性")
    by_measure_type = StatsMeasureRowSerializer(many=True, help_text="帮扶措施按类型")
    population_source = StatsPopulationSourceSerializer(help_text="乡村人口数据来源")
    helper_coverage = StatsRatioSerializer(help_text="帮扶覆盖：有帮扶责任人户数 ÷ 在册户数")
    visit_rate = StatsRatioSerializer(help_text="走访：当年走访户数 ÷ 在册户数")
    projects = StatsProjectsSerializer(help_text="项目")
    disbursed_yuan = serializers.CharField(help_text="当年度资金拨付额（元）")
    ledger = StatsLedgerSerializer(help_text="问题整改")
    children = StatsChildSerializer(many=True, help_text="各下级区划的主要数字")


class StatsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="stats_region", tags=[TAG], summary="区域统计：在册、状态、脱贫返贫、监测、贫困发生率及分组",
        description="读取预汇总的统计数据（由 fupin refresh_stats 生成），返回区划本身和各下级的数字及数据更新时间。"
                    "区划在管辖范围以外时返回 404；该区划该年度尚未生成统计时返回 404（code 为 not_refreshed）；"
                    "帮扶责任人返回 403。",
        parameters=[StatsQuerySerializer],
        responses={200: StatsSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request):
        params = StatsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data.get("year") or today().year
        try:
            return Response(region_stats(request.user, params.validated_data["region"], year))
        except NotRefreshed as exc:
            raise StatsNotRefreshed(str(exc)) from None

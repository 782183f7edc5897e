"""Plans of a region: statistics (coverage, progress, measures per type and 五个一批 batch) and the
checks' findings (措施雷同, 措施矛盾); the plan rules in force for a region."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.core import clock
from fupin.plans.rules import rules_overview
from fupin.plans.rules.conditions import describe
from fupin.plans.selectors_region import plan_findings, plan_stats
from fupin.registry.quality.selectors import quality_default_year

from .base import REGION_CODE, ApiMixin, error_responses, region_in_scope
from .plans import PlanFactSerializer, PlanPolicyRowSerializer, PlanRuleRefSerializer

TAG = "帮扶计划"


class PlanRegionYearQuerySerializer(serializers.Serializer):
    """区域帮扶计划统计和检查的年度参数。"""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="计划年度；默认为区域内最近有年度数据的年度（没有时为上一年）")


class PlanRegionRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(help_text="名称")
    level = serializers.CharField(help_text="级别")


class PlanCoverageSerializer(serializers.Serializer):
    target_households = serializers.IntegerField(help_text="应制定计划的户：年末为未脱贫或返贫的户")
    with_plan = serializers.IntegerField(help_text="其中已有该年度计划的户")
    without_plan = serializers.IntegerField(help_text="其中没有计划的户")
    rate = serializers.FloatField(allow_null=True, help_text="覆盖率（四位小数）")
    other_plans = serializers.IntegerField(help_text="属于年末已不是贫困户的户的计划数")


class PlanCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="计划数")
    draft = serializers.IntegerField(help_text="草稿")
    confirmed = serializers.IntegerField(help_text="已确认")
    empty = serializers.IntegerField(help_text="没有未取消措施的计划")
    not_started = serializers.IntegerField(help_text="措施均未完成的计划")
    under_way = serializers.IntegerField(help_text="部分措施已完成的计划")
    finished = serializers.IntegerField(help_text="措施全部完成的计划")
    average_progress = serializers.FloatField(allow_null=True, help_text="有措施的计划的平均进度")


class PlanMeasureTotalsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="未取消的措施数")
    completed = serializers.IntegerField(help_text="已完成")
    in_progress = serializers.IntegerField(help_text="实施中")
    planned = serializers.IntegerField(help_text="计划中")
    cancelled = serializers.IntegerField(help_text="已取消")
    households = serializers.IntegerField(help_text="有未取消措施的户数")
    amount = serializers.CharField(help_text="未取消措施的金额合计（元）")
    completion = serializers.FloatField(allow_null=True, help_text="完成率 = 已完成 / 未取消")


class PlanStatRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="措施类型、帮扶领域或“五个一批”代码")
    label = serializers.CharField(help_text="名称")
    measures = serializers.IntegerField(help_text="未取消的措施数")
    completed = serializers.IntegerField(help_text="已完成")
    in_progress = serializers.IntegerField(help_text="实施中")
    planned = serializers.IntegerField(help_text="计划中")
    cancelled = serializers.IntegerField(help_text="已取消")
    households = serializers.IntegerField(help_text="涉及户数")
    amount = serializers.CharField(help_text="金额合计（元）")
    completion = serializers.FloatField(allow_null=True, help_text="完成率")


class PlanChildStatSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="下级区划代码")
    name = serializers.CharField(help_text="名称")
    level = serializers.CharField(help_text="级别")
    target_households = serializers.IntegerField(help_text="应制定计划的户")
    with_plan = serializers.IntegerField(help_text="已制定")
    without_plan = serializers.IntegerField(help_text="未制定")
    plans = serializers.IntegerField(help_text="计划数")
    measures = serializers.IntegerField(help_text="未取消的措施数")
    completed = serializers.IntegerField(help_text="已完成措施数")
    completion = serializers.FloatField(allow_null=True, help_text="完成率")


class PlanStatsSerializer(serializers.Serializer):
    region = PlanRegionRefSerializer(help_text="统计的区划")
    year = serializers.IntegerField(help_text="年度")
    coverage = PlanCoverageSerializer(help_text="计划覆盖")
    plans = PlanCountsSerializer(help_text="计划状态和进度")
    measures = PlanMeasureTotalsSerializer(help_text="措施合计")
    by_type = PlanStatRowSerializer(many=True, help_text="按措施类型")
    by_sector = PlanStatRowSerializer(many=True, help_text="按帮扶领域")
    by_batch = PlanStatRowSerializer(many=True, help_text="按“五个一批”")
    children = PlanChildStatSerializer(many=True, help_text="各下级区划")


class PlanBriefSerializer(serializers.Serializer):
    plan_id = serializers.IntegerField(help_text="计划 ID")
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    village_code = serializers.CharField(help_text="行政村代码")
    plan_status = serializers.CharField(help_text="计划状态")
    main_cause = serializers.CharField(help_text="主要致贫原因代码")
    main_cause_label = serializers.CharField(help_text="主要致贫原因")
    causes = serializers.ListField(child=serializers.CharField(), help_text="致贫原因（主要在前）")
    cause_labels = serializers.ListField(child=serializers.CharField(), help_text="致贫原因名称")


class PlanFindingMeasureSerializer(serializers.Serializer):
    measure_id = serializers.IntegerField(help_text="措施 ID")
    measure_type = serializers.CharField(help_text="措施类型")
    measure_label = serializers.CharField(help_text="措施类型名称")
    sector = serializers.CharField(help_text="帮扶领域代码")
    sector_label = serializers.CharField(help_text="帮扶领域")
    batch = serializers.CharField(help_text="“五个一批”代码")
    batch_label = serializers.CharField(help_text="“五个一批”")
    content = serializers.CharField(help_text="内容和目标")
    amount = serializers.CharField(allow_null=True, help_text="金额（元）")
    responsible = serializers.CharField(help_text="责任单位或责任人")
    status = serializers.CharField(help_text="实施状态")


class PlanSideSerializer(PlanBriefSerializer):
    measures = PlanFindingMeasureSerializer(many=True, help_text="该计划未取消的措施")


class PlanMatchedSerializer(serializers.Serializer):
    measure_type = serializers.CharField(help_text="措施类型")
    measure_label = serializers.CharField(help_text="措施类型名称")
    sector = serializers.CharField(help_text="帮扶领域代码")
    sector_label = serializers.CharField(help_text="帮扶领域")
    batch = serializers.CharField(help_text="“五个一批”代码")
    batch_label = serializers.CharField(help_text="“五个一批”")
    a_content = serializers.CharField(help_text="A 户措施内容（规范化后）")
    b_content = serializers.CharField(help_text="B 户措施内容（规范化后）")
    a_amount = serializers.CharField(allow_blank=True, help_text="A 户金额")
    b_amount = serializers.CharField(allow_blank=True, help_text="B 户金额")
    ratio = serializers.FloatField(help_text="两项措施的文本相似度")


class PlanCopyPairSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text="计划相似度 = 2 × 同类措施配对相似度之和 / 两户措施总数（四位小数）")
    identical = serializers.BooleanField(help_text="规范化后完全相同")
    threshold = serializers.FloatField(help_text="雷同阈值（plans.copy_similarity）")
    a = PlanSideSerializer(help_text="A 户计划")
    b = PlanSideSerializer(help_text="B 户计划")
    matched = PlanMatchedSerializer(many=True, help_text="配对的措施")
    why = serializers.CharField(help_text="列为雷同的原因")


class PlanClusterSerializer(serializers.Serializer):
    plans = PlanBriefSerializer(many=True, help_text="相互雷同的计划")
    size = serializers.IntegerField(help_text="户数")
    identical = serializers.BooleanField(help_text="全部完全相同")
    causes = serializers.ListField(child=serializers.CharField(), help_text="各户主要致贫原因（去重）")
    cause_labels = serializers.ListField(child=serializers.CharField(), help_text="主要致贫原因名称")
    min_score = serializers.FloatField(help_text="组内雷同对的最低相似度")
    max_score = serializers.FloatField(help_text="组内雷同对的最高相似度")


class PlanContradictionSerializer(PlanBriefSerializer):
    measure = PlanFindingMeasureSerializer(help_text="矛盾的措施")
    rule = PlanRuleRefSerializer(help_text="措施矛盾规则")
    facts = PlanFactSerializer(many=True, help_text="规则所用的户情")
    policy = PlanPolicyRowSerializer(many=True, help_text="规则所用的政策参数")
    why = serializers.CharField(help_text="说明")


class PlanVillageFindingsSerializer(serializers.Serializer):
    village_code = serializers.CharField(help_text="行政村代码")
    village_name = serializers.CharField(help_text="行政村名称")
    plans = serializers.IntegerField(help_text="该村计划数")
    threshold = PlanPolicyRowSerializer(allow_null=True, help_text="该村适用的雷同阈值及其来源")
    min_measures = PlanPolicyRowSerializer(allow_null=True, help_text="参与雷同比较的最少措施数及其来源")
    pairs = PlanCopyPairSerializer(many=True, help_text="雷同的计划对（两份计划并列）")
    clusters = PlanClusterSerializer(many=True, help_text="雷同计划组")
    contradictions = PlanContradictionSerializer(many=True, help_text="与户情矛盾的措施")


class PlanFindingsSummarySerializer(serializers.Serializer):
    villages_checked = serializers.IntegerField(help_text="检查的村数（有计划的村）")
    plans = serializers.IntegerField(help_text="检查的计划数")
    villages_flagged = serializers.IntegerField(help_text="有发现的村数")
    pairs = serializers.IntegerField(help_text="雷同计划对数")
    clusters = serializers.IntegerField(help_text="雷同计划组数")
    plans_in_clusters = serializers.IntegerField(help_text="雷同计划组涉及的计划数")
    contradictions = serializers.IntegerField(help_text="矛盾措施数")


class PlanFindingsSerializer(serializers.Serializer):
    region = PlanRegionRefSerializer(help_text="检查的区划")
    year = serializers.IntegerField(help_text="年度")
    summary = PlanFindingsSummarySerializer(help_text="汇总")
    villages = PlanVillageFindingsSerializer(many=True, help_text="有发现的村")


def _year(request, user, region) -> int:
    params = PlanRegionYearQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("year") or quality_default_year(user, region)


class PlanStatsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_plan_stats", tags=[TAG], summary="区域帮扶计划统计",
        description="应制定计划的户（年末未脱贫、返贫）中有无计划、计划状态和进度、措施按类型、帮扶领域和“五个一批”"
                    "统计（措施数、户数、金额、完成率），以及各下级区划。帮扶责任人无权查看（403），区划在范围以外时 404。",
        parameters=[REGION_CODE, PlanRegionYearQuerySerializer],
        responses={200: PlanStatsSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        year = _year(request, request.user, region)
        return Response(PlanStatsSerializer(plan_stats(request.user, region_code=region.code, year=year)).data)


class PlanFindingsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_plan_findings", tags=[TAG], summary="帮扶计划检查：措施雷同和措施矛盾",
        description="按村逐对比较计划：相似度达到 plans.copy_similarity、两户没有相同的致贫原因（主要和其他原因），"
                    "且两份计划都至少有 plans.copy_min_measures 项未取消的措施时列为雷同，并列出两份计划和原因；"
                    "与户情矛盾的措施附规则和户情。只查县、乡镇或村（市、省级区划返回 400，请逐县查看）；"
                    "帮扶责任人无权查看（403），区划在范围以外时 404。",
        parameters=[REGION_CODE, PlanRegionYearQuerySerializer],
        responses={200: PlanFindingsSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        year = _year(request, request.user, region)
        return Response(PlanFindingsSerializer(plan_findings(request.user, region_code=region.code, year=year)).data)


class PlanRuleSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="规则代码")
    kind = serializers.CharField(help_text="suggest 措施建议、contradict 措施矛盾")
    name = serializers.CharField(help_text="规则名称")
    condition = serializers.JSONField(help_text="条件")
    condition_text = serializers.CharField(help_text="条件的中文表述")
    measure_type = serializers.CharField(help_text="措施类型")
    explanation = serializers.CharField(help_text="说明和依据")
    region_code = serializers.CharField(help_text="适用的设定所在区划")
    year_from = serializers.IntegerField(help_text="起始年度")
    year_to = serializers.IntegerField(allow_null=True, help_text="截止年度")
    active = serializers.BooleanField(help_text="是否启用")
    overridden = serializers.BooleanField(help_text="是否为地方设定")


class PlanRulesQuerySerializer(serializers.Serializer):
    """规则查询参数。"""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度，默认今年")


class PlanRulesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_plan_rules", tags=[TAG], summary="区划某年度适用的帮扶措施规则",
        description="每条规则代码取本区划或最近上级区划的设定、再取起始年度最晚的一条；含已停用的。",
        parameters=[REGION_CODE, PlanRulesQuerySerializer],
        responses={200: PlanRuleSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        params = PlanRulesQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data.get("year") or clock.today().year
        rows = []
        for line in rules_overview(region_code=region.code, year=year):
            r = line.effective
            if r is None:
                continue
            rows.append({"code": r.code, "kind": r.kind, "name": r.name, "condition": r.condition,
                         "condition_text": describe(r.condition), "measure_type": r.measure_type,
                         "explanation": r.explanation, "region_code": r.region_code, "year_from": r.year_from,
                         "year_to": r.year_to, "active": r.active, "overridden": line.overridden_here})
        return Response(PlanRuleSerializer(rows, many=True).data)

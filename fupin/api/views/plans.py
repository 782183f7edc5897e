"""一户一策 (per-household plans): a household's plan, its measures and the suggested measures.

Thin: households through `household_access`, measures through `measure_access` (404 outside the
user's scope); every change through plans.services (403 without the right, 400 with per-field
Chinese messages, frozen years refused)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.plans.choices import MeasureStatus, MeasureType
from fupin.plans.rights import may_confirm_plan, may_edit_plan
from fupin.plans.selectors import (
    default_plan_year,
    household_plan,
    measure_access,
    plan_row,
)
from fupin.plans.services import (
    INPUT_FIELDS,
    measure_add,
    measure_adopt,
    measure_cancel,
    measure_update,
    plan_confirm,
    plan_draw_up,
)
from fupin.plans.suggestions import suggest
from fupin.registry.selectors import frozen_years, household_access

from .base import ApiMixin, error_responses, path_param

TAG = "帮扶计划"
HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")
MEASURE_ID = path_param("measure_id", "帮扶措施 ID")


class PlanYearQuerySerializer(serializers.Serializer):
    """帮扶计划的年度参数。"""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="计划年度；默认为该户最近有计划或年度数据的年度（都没有时为今年）")


class PlanWriteYearQuerySerializer(serializers.Serializer):
    """修改帮扶计划时的年度参数（必填）。"""

    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="计划年度")


class PlanProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="未取消的措施数（进度的分母）")
    completed = serializers.IntegerField(help_text="已完成措施数")
    in_progress = serializers.IntegerField(help_text="实施中措施数")
    planned = serializers.IntegerField(help_text="计划中措施数")
    cancelled = serializers.IntegerField(help_text="已取消措施数（不计入进度）")
    ratio = serializers.FloatField(allow_null=True, help_text="进度 = 已完成 / 未取消，四位小数；没有措施时为空")
    percent = serializers.IntegerField(help_text="进度百分数（取整）")


class PlanMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="措施 ID")
    measure_type = serializers.ChoiceField(choices=MeasureType.choices, help_text="措施类型")
    measure_label = serializers.CharField(help_text="措施类型名称")
    sector = serializers.CharField(help_text="所属帮扶领域代码")
    sector_label = serializers.CharField(help_text="所属帮扶领域，如 就业帮扶、健康帮扶")
    batch = serializers.CharField(help_text="所属“五个一批”代码")
    batch_label = serializers.CharField(help_text="所属“五个一批”，如 发展生产和就业脱贫")
    content = serializers.CharField(help_text="措施内容和目标")
    amount = serializers.CharField(allow_null=True, help_text="金额（元，两位小数的字符串；可空）")
    responsible = serializers.CharField(help_text="责任单位或责任人")
    status = serializers.CharField(help_text="实施状态：" + "、".join(f"{v} {lbl}" for v, lbl in MeasureStatus.choices))
    status_label = serializers.CharField(help_text="实施状态名称")
    due_on = serializers.DateField(allow_null=True, help_text="计划完成日期")
    completed_on = serializers.DateField(allow_null=True, help_text="完成日期（已完成时必有）")
    note = serializers.CharField(allow_blank=True, help_text="备注（取消的措施写明取消原因）")
    source_rule = serializers.CharField(allow_blank=True, help_text="采纳自哪条建议规则（代码）")
    overdue = serializers.BooleanField(help_text="已过计划完成日期而未完成")


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="计划 ID")
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    year = serializers.IntegerField(help_text="计划年度")
    status = serializers.CharField(help_text="计划状态：draft 草稿、confirmed 已确认")
    status_label = serializers.CharField(help_text="计划状态名称")
    note = serializers.CharField(allow_blank=True, help_text="备注")
    drawn_up_at = serializers.DateTimeField(help_text="制定时间")
    drawn_up_by = serializers.CharField(allow_blank=True, help_text="制定人（用户名）")
    confirmed_at = serializers.DateTimeField(allow_null=True, help_text="确认时间")
    confirmed_by = serializers.CharField(allow_blank=True, help_text="确认人（用户名）")
    progress = PlanProgressSerializer(help_text="计划进度")
    measures = PlanMeasureSerializer(many=True, help_text="全部措施（含已取消的），按添加顺序")


class PlanHouseholdSerializer(serializers.Serializer):
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    year = serializers.IntegerField(help_text="计划年度")
    frozen = serializers.BooleanField(help_text="该年度是否已固化（固化后只读）")
    may_edit = serializers.BooleanField(help_text="当前用户能否制定和修改该计划")
    may_confirm = serializers.BooleanField(help_text="当前用户能否确认计划")
    plan = PlanSerializer(allow_null=True, help_text="该年度的帮扶计划；尚未制定时为空")


class PlanMeasureInputSerializer(serializers.Serializer):
    """一项措施的输入（修改时只给要改的字段）。"""

    measure_type = serializers.CharField(required=False, help_text="措施类型（代码或中文名称，新增时必填）："
                                         + "、".join(f"{v} {lbl}" for v, lbl in MeasureType.choices))
    content = serializers.CharField(required=False, help_text="措施内容和目标（新增时必填，最多 500 字）")
    amount = serializers.CharField(required=False, allow_null=True, help_text="金额（元，非负，最多两位小数；可空）")
    responsible = serializers.CharField(required=False, help_text="责任单位或责任人（新增时必填）")
    status = serializers.CharField(required=False, help_text="实施状态（代码或中文名称，默认 planned 计划中）："
                                   "planned 计划中、in_progress 实施中、completed 已完成；取消措施请用取消接口")
    due_on = serializers.DateField(required=False, allow_null=True, help_text="计划完成日期")
    completed_on = serializers.DateField(required=False, allow_null=True,
                                         help_text="完成日期：状态为已完成时必填，不能晚于今天、不能早于计划年度")
    note = serializers.CharField(required=False, allow_blank=True, help_text="备注")


assert tuple(PlanMeasureInputSerializer().fields) == INPUT_FIELDS


class PlanMeasureCreateSerializer(PlanMeasureInputSerializer):
    rule = serializers.CharField(required=False, help_text="采纳建议：给出建议规则代码（如 S02）时按该建议预填措施，"
                                                           "忽略其他字段；该规则须对该户当年适用")


class PlanCreateSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="备注")
    measures = PlanMeasureInputSerializer(many=True, required=False,
                                          help_text="同时添加的措施（全部成功或全部不写入；第 i 项的错误在 "
                                                    "measures.<i>.<字段> 下，从 0 计）")


class PlanCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="取消原因（必填，最多 200 字）")


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象"]})
    return dict(request.data)


def _year(request, *, required: bool, user=None, household=None) -> int:
    cls = PlanWriteYearQuerySerializer if required else PlanYearQuerySerializer
    params = cls(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("year") or default_plan_year(user, household)


def household_plan_data(user, household, year: int) -> dict:
    plan, measures = household_plan(user, household, year)
    frozen = year in frozen_years(household.village_id)
    return {"household_id": household.pk, "household_no": household.household_no, "head_name": household.head_name,
            "year": year, "frozen": frozen, "may_edit": may_edit_plan(user, household) and not frozen,
            "may_confirm": (may_confirm_plan(user) and not frozen and plan is not None and plan.status == "draft"),
            "plan": plan_row(plan, measures)}


class HouseholdPlanView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_plan", tags=[TAG], summary="贫困户某年度的帮扶计划（一户一策）",
        description="计划、进度（已完成措施 / 未取消措施）和全部措施（含已取消的）。户在范围以外时返回 404。",
        parameters=[HOUSEHOLD_ID, PlanYearQuerySerializer],
        responses={200: PlanHouseholdSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, household_id: int):
        household = household_access(request.user, household_id)
        year = _year(request, required=False, user=request.user, household=household)
        return Response(PlanHouseholdSerializer(household_plan_data(request.user, household, year)).data)

    @extend_schema(
        operation_id="household_plan_create", tags=[TAG], summary="制定帮扶计划（草稿），可同时添加措施",
        description="由该户的帮扶责任人，或范围内的村级信息员、乡镇审核员、县级审批员制定。该年度已有计划、已固化，"
                    "或措施有误时返回 400（全部不写入）；无权时 403，户在范围以外时 404。",
        parameters=[HOUSEHOLD_ID, PlanWriteYearQuerySerializer], request=PlanCreateSerializer,
        responses={201: PlanHouseholdSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        household = household_access(request.user, household_id)
        year = _year(request, required=True)
        body = _body(request)
        measures = body.get("measures") or []
        if not isinstance(measures, list):
            raise ValidationError({"measures": ["measures 应为列表"]})
        plan_draw_up(actor=request.user, household_id=household.pk, year=year, note=str(body.get("note") or ""),
                     measures=measures)
        return Response(PlanHouseholdSerializer(household_plan_data(request.user, household, year)).data, status=201)


class PlanMeasureCreateView(ApiMixin, APIView):
    @extend_schema(
        operation_id="plan_measure_create", tags=[TAG], summary="添加帮扶措施（或采纳一条建议）",
        description="该户该年度还没有计划时先制定计划（草稿）。给出 rule 时按该建议预填措施（采纳）。",
        parameters=[HOUSEHOLD_ID, PlanWriteYearQuerySerializer], request=PlanMeasureCreateSerializer,
        responses={201: PlanMeasureSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        from fupin.plans.selectors import measure_row

        year = _year(request, required=True)
        body = _body(request)
        if body.get("rule"):
            measure = measure_adopt(actor=request.user, household_id=household_id, year=year,
                                    rule_code=str(body["rule"]))
        else:
            measure = measure_add(actor=request.user, household_id=household_id, year=year, data=body)
        return Response(PlanMeasureSerializer(measure_row(measure)).data, status=201)


class PlanConfirmView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_plan_confirm", tags=[TAG], summary="确认帮扶计划",
        description="由村级信息员、乡镇审核员或县级审批员确认（帮扶责任人不能确认自己制定的计划）；计划至少要有一项"
                    "未取消的措施。确认后仍可更新措施进展。",
        parameters=[HOUSEHOLD_ID, PlanWriteYearQuerySerializer], request=None,
        responses={200: PlanHouseholdSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        year = _year(request, required=True)
        plan_confirm(actor=request.user, household_id=household_id, year=year)
        household = household_access(request.user, household_id)
        return Response(PlanHouseholdSerializer(household_plan_data(request.user, household, year)).data)


class PlanMeasureView(ApiMixin, APIView):
    @extend_schema(
        operation_id="plan_measure_partial_update", tags=[TAG], summary="修改帮扶措施（内容、金额、状态、完成日期等）",
        description="只改给出的字段。状态改为已完成时须有完成日期（不能晚于今天）；从已完成改回其他状态时完成日期随之"
                    "清除。措施不能删除：请用取消接口。已取消的措施、已固化年度的措施不能修改。",
        parameters=[MEASURE_ID], request=PlanMeasureInputSerializer,
        responses={200: PlanMeasureSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, measure_id: int):
        from fupin.plans.selectors import measure_row

        measure = measure_update(actor=request.user, measure_id=measure_id, changes=_body(request))
        return Response(PlanMeasureSerializer(measure_row(measure)).data)

    @extend_schema(
        operation_id="plan_measure_get", tags=[TAG], summary="一项帮扶措施",
        parameters=[MEASURE_ID], responses={200: PlanMeasureSerializer, **error_responses(401, 404)},
    )
    def get(self, request, measure_id: int):
        from fupin.plans.selectors import measure_row

        return Response(PlanMeasureSerializer(measure_row(measure_access(request.user, measure_id))).data)


class PlanMeasureCancelView(ApiMixin, APIView):
    @extend_schema(
        operation_id="plan_measure_cancel", tags=[TAG], summary="取消帮扶措施（不删除）",
        description="措施保留在计划中，状态为已取消并写明原因，不再计入进度和检查。",
        parameters=[MEASURE_ID], request=PlanCancelSerializer,
        responses={200: PlanMeasureSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, measure_id: int):
        from fupin.plans.selectors import measure_row

        body = _body(request)
        measure = measure_cancel(actor=request.user, measure_id=measure_id, reason=str(body.get("reason") or ""))
        return Response(PlanMeasureSerializer(measure_row(measure)).data)


class PlanFactSerializer(serializers.Serializer):
    fact = serializers.CharField(help_text="户情事实代码，如 labour_count")
    label = serializers.CharField(help_text="事实名称")
    value = serializers.JSONField(help_text="取值（缺少数据时为空）")
    text = serializers.CharField(help_text="取值的中文表示")


class PlanPolicyRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="政策参数")
    value = serializers.JSONField(help_text="取值")
    region_code = serializers.CharField(help_text="参数所在区划")
    year_from = serializers.IntegerField(help_text="起始年度")
    source = serializers.CharField(allow_blank=True, help_text="依据")


class PlanRuleRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="规则代码")
    kind = serializers.CharField(help_text="规则类别：suggest 措施建议、contradict 措施矛盾")
    name = serializers.CharField(help_text="规则名称")
    condition = serializers.JSONField(help_text="条件（结构化）")
    condition_text = serializers.CharField(help_text="条件的中文表述")
    explanation = serializers.CharField(help_text="说明和依据")
    measure_type = serializers.CharField(help_text="措施类型")
    region_code = serializers.CharField(help_text="规则所在区划（000000000000 为国家默认）")
    year_from = serializers.IntegerField(help_text="规则起始年度")


class PlanSuggestionSerializer(serializers.Serializer):
    rule = PlanRuleRefSerializer(help_text="产生该建议的规则")
    measure_type = serializers.CharField(help_text="建议的措施类型")
    measure_label = serializers.CharField(help_text="措施类型名称")
    sector = serializers.CharField(help_text="帮扶领域代码")
    sector_label = serializers.CharField(help_text="帮扶领域")
    batch = serializers.CharField(help_text="“五个一批”代码")
    batch_label = serializers.CharField(help_text="“五个一批”")
    facts = PlanFactSerializer(many=True, help_text="规则所用的户情及其取值")
    policy = PlanPolicyRowSerializer(many=True, help_text="规则所用的政策参数")
    planned = serializers.BooleanField(help_text="计划中是否已有该类未取消的措施")


class PlanSuggestionsSerializer(serializers.Serializer):
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    year = serializers.IntegerField(help_text="年度")
    suggestions = PlanSuggestionSerializer(many=True, help_text="按规则排序的建议措施")


class PlanSuggestionsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_plan_suggestions", tags=[TAG], summary="建议措施（按户情和规则表）",
        description="该户所在村适用的措施建议规则（省、县可覆盖或停用国家规则）逐条对照当年户情：每条建议给出规则、"
                    "条件、说明和匹配的户情取值，以及计划中是否已有该类措施。缺少年度数据的规则不触发。",
        parameters=[HOUSEHOLD_ID, PlanYearQuerySerializer],
        responses={200: PlanSuggestionsSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, household_id: int):
        household = household_access(request.user, household_id)
        year = _year(request, required=False, user=request.user, household=household)
        data = {"household_id": household.pk, "year": year, "suggestions": [s.as_dict() for s in suggest(household, year)]}
        return Response(PlanSuggestionsSerializer(data).data)

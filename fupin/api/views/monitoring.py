"""防止返贫监测 (return-to-poverty monitoring): risk screening, monitoring cases and their life.

Bodies go to `fupin.monitoring.services` as they come; refusals answer 400 with the failed
conditions per field. Cases are opened through the scoped gate: 404 outside scope, 403 in scope
without the right (identification and elimination need 审核确认: township reviewer, county approver;
measures need the registry right).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.api.pagination import Pagination
from fupin.monitoring.choices import CaseState, Discovery, ObjectType, RiskType
from fupin.monitoring.screening import screen_risks
from fupin.monitoring.selectors import case_access, case_counts, case_detail, case_list
from fupin.monitoring.services import (
    assessment_for,
    case_eliminate,
    case_eliminate_naturally,
    case_identify,
    marginal_household_file,
    measure_add,
)
from fupin.plans.choices import MeasureType
from fupin.policy.selectors import PolicyMissing

from .base import ApiMixin, error_responses, path_param, region_in_scope

TAG = "防止返贫监测"
CASE_ID = path_param("case_id", "监测对象 ID")
MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": True}


def _help(choices) -> str:
    return "、".join(f"{c} {label}" for c, label in choices.choices)


# --- Shapes ----------------------------------------------------------------------------------------

class MonitoringCandidatesQuerySerializer(serializers.Serializer):
    region = serializers.CharField(help_text="区划代码（6、9 或 12 位）")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="排查年度")


class MonitoringCasesQuerySerializer(serializers.Serializer):
    region = serializers.CharField(help_text="区划代码（6、9 或 12 位）")
    state = serializers.ChoiceField(choices=[("open", "未消除"), *CaseState.choices], required=False,
                                    help_text=f"状态：open 未消除、{_help(CaseState)}")
    object_type = serializers.ChoiceField(choices=ObjectType.choices, required=False, help_text=_help(ObjectType))
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="识别年度")


class MonitoringReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="理由代码")
    label = serializers.CharField(help_text="理由名称")
    text = serializers.CharField(help_text="中文说明（含数值）")
    inputs = serializers.JSONField(help_text="依据：数值、部门数据行、政策参数")


class MonitoringPersonSerializer(serializers.Serializer):
    id_number = serializers.CharField(help_text="证件号码（脱敏）")
    name = serializers.CharField(allow_blank=True, help_text="姓名")
    roster_id = serializers.IntegerField(help_text="部门数据集 ID")
    roster_row_id = serializers.IntegerField(help_text="部门数据行 ID")
    row_no = serializers.IntegerField(help_text="行号")
    roster = serializers.CharField(help_text="数据集名称")
    department = serializers.CharField(allow_blank=True, help_text="提供部门")
    roster_region = serializers.CharField(help_text="数据集覆盖区划")
    village_derived = serializers.BooleanField(help_text="行政村是否由数据中的村名或代码确定（否则为数据集区划）")


class MonitoringCandidateSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="household 建档户、person 仅见于部门数据的人员")
    household_id = serializers.IntegerField(allow_null=True, help_text="贫困户 ID")
    household_no = serializers.CharField(allow_blank=True, help_text="户编号")
    head_name = serializers.CharField(allow_blank=True, help_text="户主姓名")
    status = serializers.CharField(allow_blank=True, help_text="户状态")
    status_label = serializers.CharField(allow_blank=True, help_text="户状态名称")
    village_code = serializers.CharField(help_text="行政村代码（人员所在村不明时为数据集区划）")
    village_name = serializers.CharField(allow_blank=True, help_text="行政村名称")
    object_type = serializers.CharField(help_text=f"建议监测对象类别：{_help(ObjectType)}")
    object_type_label = serializers.CharField(help_text="类别名称")
    risk_types = serializers.ListField(child=serializers.CharField(), help_text=f"建议风险类型：{_help(RiskType)}")
    risk_type_labels = serializers.ListField(child=serializers.CharField(), help_text="风险类型名称")
    reasons = MonitoringReasonSerializer(many=True, help_text="理由")
    person = MonitoringPersonSerializer(allow_null=True, help_text="仅见于部门数据的人员")


class MonitoringScreeningSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="排查区划")
    year = serializers.IntegerField(help_text="排查年度")
    policy = serializers.JSONField(help_text="用到的政策参数及其来源")
    candidates = MonitoringCandidateSerializer(many=True, help_text="候选，按行政村、户编号排序")
    counts = serializers.JSONField(help_text="排查户数、已在监测中而跳过的户数、候选数（按类别、按理由）")


class MonitoringStepSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="步骤")
    kind_label = serializers.CharField(help_text="步骤名称")
    on = serializers.DateField(help_text="日期")
    note = serializers.CharField(allow_blank=True, help_text="说明")
    inputs = serializers.JSONField(help_text="依据")
    actor_name = serializers.CharField(allow_blank=True, help_text="操作人")


class MonitoringMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    measure_type = serializers.CharField(help_text=f"措施类型：{_help(MeasureType)}")
    measure_type_label = serializers.CharField(help_text="措施类型名称")
    description = serializers.CharField(help_text="措施内容")
    started_on = serializers.DateField(help_text="落实日期")
    amount = serializers.DecimalField(allow_null=True, help_text="金额（元）", **MONEY)


class MonitoringCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    household_status = serializers.CharField(help_text="户当前状态")
    village_code = serializers.CharField(help_text="行政村代码")
    object_type = serializers.CharField(help_text=_help(ObjectType))
    object_type_label = serializers.CharField(help_text="监测对象类别")
    risk_types = serializers.ListField(child=serializers.CharField(), help_text=_help(RiskType))
    risk_type_labels = serializers.ListField(child=serializers.CharField(), help_text="致贫返贫风险（第一项为主要风险）")
    discovery = serializers.CharField(help_text=_help(Discovery))
    discovery_label = serializers.CharField(help_text="发现方式")
    discovered_on = serializers.DateField(help_text="发现日期")
    identified_on = serializers.DateField(help_text="识别监测时间")
    year = serializers.IntegerField(help_text="识别年度")
    state = serializers.CharField(help_text=_help(CaseState))
    state_label = serializers.CharField(help_text="状态名称")
    status_before = serializers.CharField(allow_blank=True, help_text="纳入前户状态（新建档为空）")
    eliminated_on = serializers.DateField(allow_null=True, help_text="消除监测时间")
    identified_within_limit = serializers.BooleanField(allow_null=True, help_text="是否在规定天数内识别纳入")


class MonitoringCaseDetailSerializer(MonitoringCaseSerializer):
    reasons = MonitoringReasonSerializer(many=True, help_text="纳入理由")
    inputs = serializers.JSONField(help_text="纳入依据")
    elimination_inputs = serializers.JSONField(help_text="消除依据（各项条件及数值）")
    steps = MonitoringStepSerializer(many=True, help_text="监测帮扶过程")
    measures = MonitoringMeasureSerializer(many=True, help_text="帮扶措施")


class MonitoringCaseListSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="区划")
    counts = serializers.JSONField(help_text="按类别、状态、风险类型统计")
    count = serializers.IntegerField(help_text="符合条件的监测对象数")
    next = serializers.CharField(allow_null=True, help_text="下一页")
    previous = serializers.CharField(allow_null=True, help_text="上一页")
    results = MonitoringCaseSerializer(many=True)


class MonitoringMemberInputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="姓名")
    id_number = serializers.CharField(help_text="证件号码")
    relation = serializers.CharField(help_text="与户主关系（head 户主、spouse 配偶 …）")


class MonitoringCaseInputSerializer(serializers.Serializer):
    household_id = serializers.IntegerField(required=False, help_text="已建档的户（纳入监测）；不填则按 household 新建档")
    household = serializers.JSONField(required=False, help_text="新建档户：household_no、village、head_name、main_cause 等")
    members = MonitoringMemberInputSerializer(many=True, required=False, help_text="新建档户的成员（至少户主）")
    object_type = serializers.CharField(help_text=_help(ObjectType))
    risk_types = serializers.ListField(child=serializers.CharField(), help_text=_help(RiskType))
    discovery = serializers.CharField(help_text=_help(Discovery))
    discovered_on = serializers.DateField(help_text="发现日期")
    identified_on = serializers.DateField(required=False, help_text="识别监测时间（默认今天，不能早于发现日期）")
    notice_from = serializers.DateField(help_text="村内公示开始日期（不早于发现日期）")
    notice_to = serializers.DateField(help_text="村内公示结束日期（不晚于识别监测时间；公示期含首尾两天，不少于 "
                                                "monitoring.notice_days 天）")
    year = serializers.IntegerField(required=False, help_text="记录其排查理由的年度（默认识别前一年）")
    note = serializers.CharField(required=False, allow_blank=True, help_text="说明")


class MonitoringMeasureInputSerializer(serializers.Serializer):
    measure_type = serializers.CharField(help_text=_help(MeasureType))
    description = serializers.CharField(help_text="措施内容")
    started_on = serializers.DateField(required=False, help_text="落实日期（默认今天）")
    amount = serializers.CharField(required=False, help_text="金额（元）")


class MonitoringEliminateInputSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="消除日期（默认今天）")
    verified_income = serializers.CharField(help_text="入户核实的近12个月人均纯收入（元）")
    expenditure_solved = serializers.BooleanField(help_text="刚性支出问题是否已解决")
    notice_from = serializers.DateField(help_text="民主评议公示开始日期（不早于识别监测时间）")
    notice_to = serializers.DateField(help_text="民主评议公示结束日期（不晚于消除日期；公示期含首尾两天，不少于 "
                                                "monitoring.notice_days 天）")
    note = serializers.CharField(required=False, allow_blank=True, help_text="说明（民主评议情况）")


class MonitoringNaturalInputSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="消除日期（默认今天）")
    reason = serializers.CharField(help_text="原因（如户内成员全部死亡）")


class MonitoringIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="条件")
    passed = serializers.BooleanField(help_text="是否满足")
    reason = serializers.CharField(help_text="中文说明")
    inputs = serializers.JSONField(help_text="依据")


class MonitoringAssessmentSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    household_id = serializers.IntegerField()
    on = serializers.DateField(help_text="审核日期")
    data_year = serializers.IntegerField(help_text="所用年度数据")
    passed = serializers.BooleanField(help_text="全部条件满足，可标注风险消除")
    failed_labels = serializers.ListField(child=serializers.CharField(), help_text="未满足的条件")
    indicators = MonitoringIndicatorSerializer(many=True)
    policy = serializers.JSONField(help_text="政策参数")


ASSESS_PARAMS = [
    OpenApiParameter("on", OpenApiTypes.DATE, description="审核日期（默认今天）"),
    OpenApiParameter("verified_income", OpenApiTypes.STR, description="近12个月人均纯收入（元）"),
    OpenApiParameter("expenditure_solved", OpenApiTypes.BOOL, description="刚性支出问题是否已解决"),
    OpenApiParameter("notice_from", OpenApiTypes.DATE, description="公示开始日期（与结束日期一起给出时审核公示期）"),
    OpenApiParameter("notice_to", OpenApiTypes.DATE, description="公示结束日期"),
]


# --- Helpers ---------------------------------------------------------------------------------------

def case_data(case) -> dict:
    h = case.household
    return {"id": case.pk, "household_id": h.pk, "household_no": h.household_no, "head_name": h.head_name,
            "household_status": h.status, "village_code": case.village_code, "object_type": case.object_type,
            "object_type_label": case.get_object_type_display(), "risk_types": case.risk_types,
            "risk_type_labels": [RiskType(r).label for r in case.risk_types if r in RiskType.values],
            "discovery": case.discovery, "discovery_label": case.get_discovery_display(),
            "discovered_on": case.discovered_on, "identified_on": case.identified_on, "year": case.year,
            "state": case.state, "state_label": case.get_state_display(), "status_before": case.status_before,
            "eliminated_on": case.eliminated_on,
            "identified_within_limit": (case.inputs or {}).get("identified_within_limit")}


def case_detail_data(user, case) -> dict:
    d = case_detail(user, case)
    return {**case_data(case), "reasons": case.reasons, "inputs": case.inputs,
            "elimination_inputs": case.elimination_inputs,
            "steps": [{"kind": s.kind, "kind_label": s.get_kind_display(), "on": s.on, "note": s.note, "inputs": s.inputs,
                       "actor_name": s.actor_name} for s in d["steps"]],
            "measures": [{"id": m.pk, "measure_type": m.measure_type, "measure_type_label": m.get_measure_type_display(),
                          "description": m.description, "started_on": m.started_on, "amount": m.amount}
                         for m in d["measures"]]}


def _body(request) -> dict:
    if not hasattr(request.data, "items"):
        raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象或表单"]})
    return dict(request.data.items())


def _query(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


# --- Views -----------------------------------------------------------------------------------------

class MonitoringCandidatesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="monitoring_candidates", tags=[TAG], summary="防止返贫监测风险排查",
        description="区划以下、当前用户可见的户（状态在 monitoring.screened_statuses 中、没有未消除的监测）中：年人均纯收入"
                    "低于监测范围（恰好等于不算）、合规自付支出超过上年家庭纯收入的 monitoring.rigid_expenditure_ratio 倍、"
                    "人均纯收入下降达到 monitoring.income_drop_ratio、成员新患大病或新增残疾，以及部门数据（大额医疗费用、"
                    "受灾和意外事故、残疾人登记）在该年内的记录；并列出仅见于部门数据的人员（证件号码脱敏）。每个候选附建议的"
                    "监测对象类别、风险类型和理由。区划在范围以外时返回 404。",
        parameters=[MonitoringCandidatesQuerySerializer],
        responses={200: MonitoringScreeningSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request):
        q = _query(MonitoringCandidatesQuerySerializer, request)
        region = region_in_scope(request.user, q["region"])
        try:
            result = screen_risks(year=q["year"], region_code=region.code, user=request.user)
        except PolicyMissing as exc:
            raise ValidationError({"year": [str(exc)]}) from None
        return Response(MonitoringScreeningSerializer(result.as_dict()).data)


class MonitoringCasesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="monitoring_case_list", tags=[TAG], summary="监测对象列表",
        description="区划以下、当前用户可见的监测对象（按行政村、户编号排序），可按状态、类别、识别年度筛选；附统计。",
        parameters=[MonitoringCasesQuerySerializer],
        responses={200: MonitoringCaseListSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request):
        q = _query(MonitoringCasesQuerySerializer, request)
        region = region_in_scope(request.user, q["region"])
        qs = case_list(request.user, region_code=region.code, state=q.get("state"), object_type=q.get("object_type"),
                       year=q.get("year"))
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return Response(MonitoringCaseListSerializer({
            "region": region.code, "counts": case_counts(request.user, region_code=region.code, year=q.get("year")),
            "count": paginator.page.paginator.count, "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(), "results": [case_data(c) for c in page]}).data)

    @extend_schema(
        operation_id="monitoring_case_create", tags=[TAG], summary="识别纳入监测",
        description="乡镇审核员、县级审批员可办理（其他角色 403）。household_id：已建档户纳入监测（未脱贫、返贫户属贫困户，"
                    "已清退、已销户户，已有未消除监测的户均不能纳入；识别监测时间不能早于发现日期、不能晚于今天），户状态变为"
                    "监测户。须填村内公示期 notice_from、notice_to（含首尾两天不少于 monitoring.notice_days 天，"
                    "不早于发现日期、不晚于识别监测时间，否则 400 并指明字段）。不填 household_id 时按 household 和 "
                    "members 为未建档人员新建档（边缘易致贫户、突发严重困难户），"
                    "首条状态变更为“纳入监测”。记录是否在 monitoring.identify_within_days 天内识别。",
        request=MonitoringCaseInputSerializer,
        responses={201: MonitoringCaseDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        body = _body(request)
        if body.get("household_id") not in (None, ""):
            try:
                household_id = int(body.pop("household_id"))
            except (TypeError, ValueError):
                raise ValidationError({"household_id": ["贫困户 ID 应为整数"]}) from None
            case = case_identify(actor=request.user, household_id=household_id, data=body)
        else:
            household, members = body.pop("household", None), body.pop("members", None)
            if not isinstance(household, dict):
                raise ValidationError({"household": ["请填写 household_id（已建档户）或 household（新建档户信息）"]})
            if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
                raise ValidationError({"members": ["members 应为成员对象的列表"]})
            case = marginal_household_file(actor=request.user, household=household, members=members, data=body)
        case = case_access(request.user, case.pk)
        return Response(MonitoringCaseDetailSerializer(case_detail_data(request.user, case)).data, status=201)


class MonitoringCaseView(ApiMixin, APIView):
    @extend_schema(operation_id="monitoring_case_detail", tags=[TAG], summary="监测对象详情",
                   description="纳入理由和依据、监测帮扶过程、帮扶措施、消除依据。范围以外 404。",
                   parameters=[CASE_ID], responses={200: MonitoringCaseDetailSerializer, **error_responses(401, 404)})
    def get(self, request, case_id: int):
        case = case_access(request.user, case_id)
        return Response(MonitoringCaseDetailSerializer(case_detail_data(request.user, case)).data)


class MonitoringMeasuresView(ApiMixin, APIView):
    @extend_schema(operation_id="monitoring_measure_create", tags=[TAG], summary="落实帮扶措施",
                   description="村级信息员、乡镇审核员、县级审批员可录入；第一项措施使监测对象进入“帮扶中”。已消除的不能再录入。",
                   parameters=[CASE_ID], request=MonitoringMeasureInputSerializer,
                   responses={201: MonitoringCaseDetailSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, case_id: int):
        measure_add(actor=request.user, case_id=case_id, data=_body(request))
        case = case_access(request.user, case_id)
        return Response(MonitoringCaseDetailSerializer(case_detail_data(request.user, case)).data, status=201)


class MonitoringEliminateView(ApiMixin, APIView):
    @extend_schema(operation_id="monitoring_case_eliminate", tags=[TAG], summary="风险消除",
                   description="乡镇审核员、县级审批员可办理。全部条件满足才能消除（否则 400，fields.elimination 列出每项未满足"
                               "的条件）：纳入满 monitoring.min_months_before_elimination 个月、最近年度和近12个月人均纯收入不低于"
                               "监测范围、刚性支出已解决、三保障和饮水安全、至少一项帮扶措施、有劳动能力（无劳动力户继续监测）；"
                               "民主评议公示 notice_from–notice_to 不少于 monitoring.notice_days 天、不早于识别监测时间、"
                               "不晚于消除日期（否则 fields.notice_from / notice_to 指明）。"
                               "原为已脱贫的户恢复为已脱贫（变动类型“风险消除”，不计为新的脱贫）。",
                   parameters=[CASE_ID], request=MonitoringEliminateInputSerializer,
                   responses={200: MonitoringCaseDetailSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, case_id: int):
        case_eliminate(actor=request.user, case_id=case_id, data=_body(request))
        case = case_access(request.user, case_id)
        return Response(MonitoringCaseDetailSerializer(case_detail_data(request.user, case)).data)


class MonitoringNaturalView(ApiMixin, APIView):
    @extend_schema(operation_id="monitoring_case_eliminate_naturally", tags=[TAG], summary="自然消除",
                   description="只有该户已无在册成员或已销户时可以自然消除；须填写原因。",
                   parameters=[CASE_ID], request=MonitoringNaturalInputSerializer,
                   responses={200: MonitoringCaseDetailSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, case_id: int):
        case_eliminate_naturally(actor=request.user, case_id=case_id, data=_body(request))
        case = case_access(request.user, case_id)
        return Response(MonitoringCaseDetailSerializer(case_detail_data(request.user, case)).data)


class MonitoringAssessmentView(ApiMixin, APIView):
    @extend_schema(operation_id="monitoring_elimination_assessment", tags=[TAG], summary="风险消除审核（只读）",
                   description="按给定日期和核实数据逐项列出风险消除条件是否满足及依据（给出公示日期时含公示期一项）；"
                               "不写入任何数据。",
                   parameters=[CASE_ID, *ASSESS_PARAMS],
                   responses={200: MonitoringAssessmentSerializer, **error_responses(400, 401, 404)})
    def get(self, request, case_id: int):
        data = {k: request.query_params.get(k) for k in ("on", "verified_income", "expenditure_solved", "notice_from",
                                                          "notice_to")}
        return Response(MonitoringAssessmentSerializer(assessment_for(actor=request.user, case_id=case_id, data=data)).data)



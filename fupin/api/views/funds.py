"""Funds and projects (扶贫资金和项目库): a region's funds report and alerts, the project library
(list, declare, detail, life-cycle steps), payments and the trace of a payment to its source.

Bodies go to `fupin.funds.services*` as they come: the services check every field and answer
per-field Chinese messages; a payment beyond its budget line is refused (400) and nothing is
written. Regions and projects are opened through the scoped gates: 404 outside scope, 403 in
scope without the right.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.masking import mask_value
from fupin.api.pagination import Pagination
from fupin.core.clock import today
from fupin.funds.choices import AlertKind, PayeeKind, ProjectStatus, ProjectType
from fupin.funds.selectors import (
    disbursement_access,
    fund_alerts,
    project_access,
    project_detail,
    project_list,
    region_funds,
    trace,
)
from fupin.funds.services import disbursement_create
from fupin.funds.services_projects import may_transition, project_declare, project_transition
from fupin.policy.selectors import PolicyMissing

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope

TAG = "扶贫资金和项目"
PROJECT_ID = path_param("project_id", "项目 ID")
DISBURSEMENT_ID = path_param("disbursement_id", "拨付记录 ID")
MONEY = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": True}


def _choices(choices) -> str:
    return "、".join(f"{c} {label}" for c, label in choices)


# --- Shapes ----------------------------------------------------------------------------------------

class FundFiguresSerializer(serializers.Serializer):
    allocated = serializers.DecimalField(**MONEY, help_text="已下达（进入该区划的资金，元）")
    paid = serializers.DecimalField(**MONEY, help_text="已拨付（该区划所持资金的拨付，元）")
    rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True, coerce_to_string=True,
                                    help_text="拨付率 = 已拨付 ÷ 已下达（无下达为 null）")
    funded = serializers.DecimalField(**MONEY, help_text="项目资金（位于该区划的项目的资金安排，元）")
    project_paid = serializers.DecimalField(**MONEY, help_text="项目拨付（位于该区划的项目的拨付，元）")
    project_rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True, coerce_to_string=True,
                                            help_text="项目拨付率 = 项目拨付 ÷ 项目资金")


class FundChildSerializer(FundFiguresSerializer):
    code = serializers.CharField(help_text="下级区划代码（本级行为该区划自身）")
    name = serializers.CharField(help_text="名称")
    own_level = serializers.BooleanField(help_text="是否为“本级”行")


class FundSourceRowSerializer(FundFiguresSerializer):
    source_id = serializers.IntegerField(help_text="资金来源 ID")
    name = serializers.CharField(help_text="资金名称")
    kind = serializers.CharField(help_text="资金类别代码")
    kind_label = serializers.CharField(help_text="资金类别")
    year = serializers.IntegerField(help_text="年度")
    holder_code = serializers.CharField(help_text="资金所属区划")
    holder_name = serializers.CharField(help_text="资金所属区划名称")
    holder_level = serializers.CharField(help_text="资金所属层级")
    source_amount = serializers.DecimalField(**MONEY, help_text="资金总额")
    integrated = serializers.DecimalField(**MONEY, help_text="其中纳入统筹整合的（仍记在原资金来源下）")


class FundGroupSerializer(FundFiguresSerializer):
    key = serializers.CharField(help_text="类别或层级代码")
    label = serializers.CharField(help_text="名称")


class FundRegionReportSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="区划")
    year = serializers.IntegerField(help_text="资金年度")
    total = FundFiguresSerializer(help_text="合计")
    children = FundChildSerializer(many=True, help_text="按下级区划（本级行在前）")
    sources = FundSourceRowSerializer(many=True, help_text="按资金来源")
    by_kind = FundGroupSerializer(many=True, help_text="按资金类别")
    by_level = FundGroupSerializer(many=True, help_text="按资金层级")


class FundYearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="资金年度（默认今年）")


class FundOnQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="统计日期（YYYY-MM-DD，默认今天）")


class FundAlertSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_choices(AlertKind.choices))
    kind_label = serializers.CharField(help_text="预警类别")
    reason = serializers.CharField(help_text="中文说明（所用日期、金额、阈值）")
    region_code = serializers.CharField(help_text="所在区划")
    amount = serializers.DecimalField(**MONEY, help_text="涉及金额")
    project_id = serializers.IntegerField(allow_null=True, help_text="项目 ID")
    project_name = serializers.CharField(allow_blank=True, help_text="项目名称")
    household_id = serializers.IntegerField(allow_null=True, help_text="户 ID")
    allocation_id = serializers.IntegerField(allow_null=True, help_text="资金下达 ID（拨付缓慢）")
    disbursement_ids = serializers.ListField(child=serializers.IntegerField(), help_text="涉及的拨付记录")
    inputs = serializers.JSONField(help_text="判定所用的数据")
    policy = serializers.JSONField(help_text="所用政策参数及其来源")


class FundAlertsSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="区划")
    on = serializers.DateField(help_text="统计日期")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="各类预警条数")
    alerts = FundAlertSerializer(many=True, help_text="预警")


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region_code = serializers.CharField(help_text="项目地点区划")
    region_name = serializers.CharField(help_text="项目地点")
    year = serializers.IntegerField(help_text="年度")
    name = serializers.CharField(help_text="项目名称")
    type = serializers.CharField(help_text=_choices(ProjectType.choices))
    type_label = serializers.CharField(help_text="项目类型")
    status = serializers.CharField(help_text=_choices(ProjectStatus.choices))
    status_label = serializers.CharField(help_text="状态")
    content = serializers.CharField(allow_blank=True, help_text="建设内容")
    beneficiary_count = serializers.IntegerField(help_text="计划受益户数")
    budget = serializers.DecimalField(**MONEY, help_text="项目资金合计")
    paid = serializers.DecimalField(**MONEY, help_text="已拨付合计")


class ProjectPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProjectSerializer(many=True)


class ProjectListQuerySerializer(FundYearQuerySerializer):
    status = serializers.ChoiceField(required=False, choices=ProjectStatus.choices, help_text="状态")
    type = serializers.ChoiceField(required=False, choices=ProjectType.choices, help_text="项目类型")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500)


class ProjectTargetInputSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="绩效指标")
    unit = serializers.CharField(required=False, allow_blank=True, help_text="单位")
    target_value = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True,
                                            help_text="目标值")


class ProjectDeclareSerializer(serializers.Serializer):
    """申报项目（村级信息员、乡镇审核员）。选项可用代码或中文名称。"""

    region = serializers.CharField(help_text="项目地点（行政村或乡镇的 12 位区划代码）")
    name = serializers.CharField(help_text="项目名称")
    type = serializers.CharField(help_text=f"项目类型：{_choices(ProjectType.choices)}")
    year = serializers.IntegerField(help_text="年度")
    content = serializers.CharField(required=False, allow_blank=True, help_text="建设内容")
    beneficiary_count = serializers.IntegerField(required=False, help_text="计划受益户数")
    declared_on = serializers.DateField(required=False, help_text="申报日期（默认今天）")
    targets = ProjectTargetInputSerializer(many=True, required=False, help_text="绩效目标")


class ProjectEventSerializer(serializers.Serializer):
    to_status = serializers.CharField(help_text="状态")
    to_status_label = serializers.CharField(help_text="状态名称")
    on = serializers.DateField(help_text="日期")
    actor = serializers.CharField(help_text="操作人")
    note = serializers.CharField(allow_blank=True, help_text="说明")


class ProjectFundingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    allocation_id = serializers.IntegerField(help_text="资金下达 ID")
    source_id = serializers.IntegerField(help_text="资金来源 ID")
    source_name = serializers.CharField(help_text="资金来源")
    source_kind = serializers.CharField(help_text="资金类别")
    amount = serializers.DecimalField(**MONEY, help_text="安排金额")
    paid = serializers.DecimalField(**MONEY, help_text="已拨付")
    remaining = serializers.DecimalField(**MONEY, help_text="未拨付余额（可拨付上限）")


class ProjectBeneficiarySerializer(serializers.Serializer):
    household_id = serializers.IntegerField()
    household_no = serializers.CharField()
    head_name = serializers.CharField()
    standard_amount = serializers.DecimalField(**MONEY, help_text="到户补助标准")
    paid = serializers.DecimalField(**MONEY, help_text="已领取")


class ProjectTargetSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    target_value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    actual_value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    result = serializers.CharField(allow_blank=True)


class DisbursementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    funding_id = serializers.IntegerField(help_text="项目资金安排 ID")
    source_name = serializers.CharField(help_text="资金来源")
    paid_on = serializers.DateField(help_text="拨付日期")
    amount = serializers.DecimalField(**MONEY, help_text="金额")
    payee_kind = serializers.CharField(help_text=_choices(PayeeKind.choices))
    payee_name = serializers.CharField(help_text="收款方")
    payee_id_number = serializers.CharField(allow_blank=True, help_text="收款人身份证号（按角色脱敏）")
    household_id = serializers.IntegerField(allow_null=True, help_text="收款户（不在名册为 null）")
    item = serializers.CharField(help_text="拨付事项")
    voucher_no = serializers.CharField(allow_blank=True, help_text="凭证号")


class ProjectDetailSerializer(ProjectSerializer):
    rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True, coerce_to_string=True,
                                    help_text="项目拨付率")
    next_status = serializers.CharField(allow_null=True, help_text="当前用户可办理的下一步（无为 null）")
    events = ProjectEventSerializer(many=True)
    fundings = ProjectFundingSerializer(many=True)
    beneficiaries = ProjectBeneficiarySerializer(many=True)
    targets = ProjectTargetSerializer(many=True)
    disbursements = DisbursementSerializer(many=True)


class ProjectTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=ProjectStatus.choices, help_text="下一步状态（不能跳步）")
    on = serializers.DateField(required=False, help_text="日期（默认今天；不早于上一步）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="说明")


class DisbursementInputSerializer(serializers.Serializer):
    """登记拨付（乡镇审核员、县级审批员）。超过该笔资金安排未拨付余额的拒绝，且不写入任何数据。"""

    funding = serializers.IntegerField(help_text="项目资金安排 ID")
    paid_on = serializers.DateField(required=False, help_text="拨付日期（默认今天）")
    amount = serializers.CharField(help_text="金额（元，最多两位小数）")
    payee_kind = serializers.CharField(help_text=_choices(PayeeKind.choices))
    payee_name = serializers.CharField(help_text="收款方")
    payee_id_number = serializers.CharField(required=False, allow_blank=True, help_text="收款人身份证号")
    household = serializers.IntegerField(required=False, allow_null=True, help_text="收款户 ID")
    item = serializers.CharField(help_text="拨付事项（同一户同一项目同一事项只应拨付一次）")
    voucher_no = serializers.CharField(required=False, allow_blank=True, help_text="凭证号")


class DisbursementTraceSerializer(serializers.Serializer):
    disbursement = serializers.JSONField(help_text="拨付")
    funding = serializers.JSONField(help_text="项目资金安排")
    project = serializers.JSONField(help_text="项目")
    allocations = serializers.JSONField(help_text="逐级下达（从资金来源下达的第一笔在前）")
    source = serializers.JSONField(help_text="资金来源（统筹整合资金仍为原来源）")


# --- Helpers ---------------------------------------------------------------------------------------

def _query(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _body(request) -> dict:
    if not hasattr(request.data, "items"):
        raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象"]})
    return dict(request.data.items())


def project_data(p) -> dict:
    return {"id": p.pk, "region_code": p.region_id, "region_name": p.region.name, "year": p.year, "name": p.name,
            "type": p.type, "type_label": p.get_type_display(), "status": p.status,
            "status_label": p.get_status_display(), "content": p.content, "beneficiary_count": p.beneficiary_count,
            "budget": getattr(p, "budget", 0), "paid": getattr(p, "paid", 0)}


def disbursement_data(d, *, user) -> dict:
    return {"id": d.pk, "funding_id": d.funding_id, "source_name": d.source.name, "paid_on": d.paid_on,
            "amount": d.amount, "payee_kind": d.payee_kind, "payee_name": d.payee_name,
            "payee_id_number": mask_value("id_number", d.payee_id_number, user=user, in_list=True),
            "household_id": d.household_id, "item": d.item, "voucher_no": d.voucher_no}


def detail_data(user, project) -> dict:
    det = project_detail(user, project)
    project.budget, project.paid = det.budget, det.paid
    return {**project_data(project), "rate": det.rate, "next_status": may_transition(user, project),
            "events": [{"to_status": e.to_status, "to_status_label": e.get_to_status_display(), "on": e.on,
                        "actor": e.actor.display_name if e.actor else "", "note": e.note} for e in det.events],
            "fundings": [{"id": f.pk, "allocation_id": f.allocation_id, "source_id": f.source_id,
                          "source_name": f.source.name, "source_kind": f.source.kind, "amount": f.amount,
                          "paid": f.paid, "remaining": f.remaining} for f in det.fundings],
            "beneficiaries": [{"household_id": b.household_id, "household_no": b.household.household_no,
                               "head_name": b.household.head_name, "standard_amount": b.standard_amount,
                               "paid": b.paid} for b in det.beneficiaries],
            "targets": [{"indicator": t.indicator, "unit": t.unit, "target_value": t.target_value,
                         "actual_value": t.actual_value, "result": t.result} for t in det.targets],
            "disbursements": [disbursement_data(d, user=user) for d in det.disbursements]}


# --- Views -----------------------------------------------------------------------------------------

class RegionFundsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="fund_region_report", tags=[TAG], summary="区划的扶贫资金：下达、拨付和拨付率",
        description="已下达 = 进入该区划的资金（逐级下达不重复计算，县 = 县本级 + 各乡镇）；已拨付按资金所在区划；"
                    "项目资金和项目拨付按项目地点（县 = 各乡镇之和 = 各村之和）。按下级区划、资金来源（统筹整合资金仍记在"
                    "原来源下，各记其功）、资金类别和层级分别合计。区划在范围以外时返回 404。",
        parameters=[REGION_CODE, FundYearQuerySerializer],
        responses={200: FundRegionReportSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        year = _query(FundYearQuerySerializer, request).get("year") or today().year
        region = region_in_scope(request.user, code)
        r = region_funds(request.user, region_code=region.code, year=year)
        return Response(FundRegionReportSerializer({
            "region_code": region.code, "year": year, "total": r["total"].as_dict(),
            "children": [{"code": c["code"], "name": c["name"], "own_level": c["own_level"],
                          **c["figures"].as_dict()} for c in r["children"]],
            "sources": [{k: v for k, v in s.items() if k != "figures"} | s["figures"].as_dict()
                        for s in r["sources"]],
            "by_kind": r["by_kind"], "by_level": r["by_level"]}).data)


class RegionFundAlertsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="fund_alerts", tags=[TAG], summary="扶贫资金预警",
        description="拨付缓慢（下达超过 funds.slow_spending_days 天、拨付率低于 funds.slow_spending_min_rate；恰好等于"
                    "不预警）、同一户同一项目同一事项重复拨付、领款户不在册或拨付日状态不在 funds.eligible_statuses、"
                    "超过项目到户补助标准。每条附说明、所用数据和政策参数。",
        parameters=[REGION_CODE, FundOnQuerySerializer],
        responses={200: FundAlertsSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        on = _query(FundOnQuerySerializer, request).get("on") or today()
        region = region_in_scope(request.user, code)
        try:
            r = fund_alerts(request.user, region_code=region.code, on=on)
        except PolicyMissing as exc:
            raise ValidationError({"on": [str(exc)]}) from None
        return Response(FundAlertsSerializer({**r, "alerts": [a.as_dict() for a in r["alerts"]]}).data)


class RegionProjectsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_list", tags=[TAG], summary="项目库（区划以下的项目，分页）",
        parameters=[REGION_CODE, ProjectListQuerySerializer],
        responses={200: ProjectPageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        q = _query(ProjectListQuerySerializer, request)
        region = region_in_scope(request.user, code)
        qs = project_list(request.user, region_code=region.code, year=q.get("year"), status=q.get("status"),
                          type=q.get("type"))
        paginator = Pagination()
        paginator.page_size = 100
        page = paginator.paginate_queryset(qs, request, view=self)
        return Response(ProjectPageSerializer({
            "count": paginator.page.paginator.count, "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(), "results": [project_data(p) for p in page]}).data)


class ProjectsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_declare", tags=[TAG], summary="申报项目",
        description="村级信息员为本村、乡镇审核员为本乡镇及所辖村申报；状态为“已申报”，记一条带日期的状态变动。",
        request=ProjectDeclareSerializer,
        responses={201: ProjectDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        project = project_declare(actor=request.user, data=_body(request))
        project = project_access(request.user, project.pk)
        return Response(ProjectDetailSerializer(detail_data(request.user, project)).data, status=201)


class ProjectDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_retrieve", tags=[TAG], summary="项目详情",
        description="状态变动、资金安排（含未拨付余额）、受益户、绩效目标和拨付记录。",
        parameters=[PROJECT_ID], responses={200: ProjectDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, project_id: int):
        project = project_access(request.user, project_id)
        return Response(ProjectDetailSerializer(detail_data(request.user, project)).data)


class ProjectTransitionView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_transition", tags=[TAG], summary="项目状态变更（下一步）",
        description="申报 → 审批入库（县级审批员）→ 开工实施（乡镇审核员或县级审批员，须已安排资金）→ 验收（县级审批员，"
                    "须填完绩效目标完成值）→ 公告公示（村级信息员或乡镇审核员）→ 销号（县级审批员）。不能跳步或回退；"
                    "角色不符返回 403。",
        parameters=[PROJECT_ID], request=ProjectTransitionSerializer,
        responses={200: ProjectDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        body = ProjectTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        project_transition(actor=request.user, project_id=project_id, to_status=v["to_status"], on=v.get("on"),
                           note=v.get("note", ""))
        project = project_access(request.user, project_id)
        return Response(ProjectDetailSerializer(detail_data(request.user, project)).data)


class ProjectDisbursementsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="project_disbursement_create", tags=[TAG], summary="登记资金拨付",
        description="从项目的一笔资金安排拨付。超过未拨付余额的拒绝（400），不写入任何数据；拨付到户须指定收款户或"
                    "收款人身份证号（不在名册的照常登记，并列入预警）。",
        parameters=[PROJECT_ID], request=DisbursementInputSerializer,
        responses={201: DisbursementSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        d = disbursement_create(actor=request.user, project_id=project_id, data=_body(request))
        d = disbursement_access(request.user, d.pk)
        return Response(DisbursementSerializer(disbursement_data(d, user=request.user)).data, status=201)


class DisbursementTraceView(ApiMixin, APIView):
    @extend_schema(
        operation_id="disbursement_trace", tags=[TAG], summary="资金追溯：拨付 → 资金安排 → 逐级下达 → 资金来源",
        parameters=[DISBURSEMENT_ID], responses={200: DisbursementTraceSerializer, **error_responses(401, 404)},
    )
    def get(self, request, disbursement_id: int):
        d = disbursement_access(request.user, disbursement_id)
        t = trace(d)
        t["disbursement"]["payee_id_number"] = mask_value("id_number", d.payee_id_number, user=request.user,
                                                          in_list=False)
        return Response(DisbursementTraceSerializer(_jsonable(t)).data)


def _jsonable(value):
    from datetime import date
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value

"""Public notices (公示, 公告) and objections (异议) of the identification and exit procedures.

Authenticated: a region's notices with the steps waiting to be published in a village, publishing
one, a notice with its list and objections, completing it after its period, filing an objection
and resolving it. The public endpoints (no authentication) are in identification_public.py.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.roles import Cap
from fupin.api.pagination import Pagination
from fupin.core.clock import today
from fupin.identification.choices import CaseState, ObjectionOutcome, Procedure
from fupin.identification.selectors import (
    cases_waiting_at,
    notice_access,
    notice_entries,
    notice_list,
    notice_objections,
    objection_access,
    publishable_steps,
)
from fupin.identification.services_notices import (
    notice_complete,
    notice_publish,
    objection_file,
    objection_resolve,
)
from fupin.regions.codes import Level

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope
from .identification_shapes import (
    PROCEDURE_HELP,
    STATE_HELP,
    CaseObjectionSerializer,
    IdentificationVillageSerializer,
    objection_data,
)

TAG = "识别与退出程序"
NOTICE_ID = path_param("notice_id", "公示公告 ID")
OBJECTION_ID = path_param("objection_id", "异议 ID")
KIND_HELP = "notice 公示（有公示期，受理异议）、announcement 公告"


# --- Shapes --------------------------------------------------------------------------------------

class NoticeFilterSerializer(serializers.Serializer):
    """公示公告列表的查询参数。"""

    procedure = serializers.ChoiceField(required=False, allow_blank=True, choices=Procedure.choices,
                                        help_text=PROCEDURE_HELP)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度")
    page = serializers.IntegerField(required=False, min_value=1, help_text="页码，从 1 开始")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=Pagination.max_page_size,
                                         help_text="每页条数（默认 50，最多 500）")


class NoticeListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="公示公告 ID")
    village = IdentificationVillageSerializer(help_text="行政村")
    procedure = serializers.CharField(help_text=PROCEDURE_HELP)
    procedure_label = serializers.CharField(help_text="程序名称")
    year = serializers.IntegerField(help_text="年度")
    step_code = serializers.CharField(help_text="步骤代码")
    step_name = serializers.CharField(help_text="步骤名称")
    step_kind = serializers.CharField(help_text=KIND_HELP)
    title = serializers.CharField(help_text="标题")
    issuer = serializers.CharField(help_text="发布单位")
    published_on = serializers.DateField(help_text="发布日期")
    published_by = serializers.CharField(help_text="发布人")
    starts_on = serializers.DateField(help_text="公示开始日期（公告为发布日期）")
    ends_on = serializers.DateField(allow_null=True, help_text="公示截止日期（含；公告为 null）")
    days = serializers.IntegerField(allow_null=True, help_text="公示天数（公告为 null）")
    in_period = serializers.BooleanField(help_text="今天是否在公示期内（可受理异议）")
    entry_count = serializers.IntegerField(help_text="列入户数")
    open_objections = serializers.IntegerField(help_text="未处理的异议数")


class NoticeWaitingSerializer(serializers.Serializer):
    procedure = serializers.CharField(help_text=PROCEDURE_HELP)
    procedure_label = serializers.CharField(help_text="程序名称")
    year = serializers.IntegerField(help_text="年度")
    step_code = serializers.CharField(help_text="步骤代码（发布时作为 step_code）")
    step_name = serializers.CharField(help_text="步骤名称")
    step_kind = serializers.CharField(help_text=KIND_HELP)
    role = serializers.CharField(help_text="发布角色代码")
    role_label = serializers.CharField(help_text="发布角色名称")
    count = serializers.IntegerField(help_text="等待列入的户数")
    case_ids = serializers.ListField(child=serializers.IntegerField(), help_text="等待列入的案件（按人均纯收入从低到高）")
    may_publish = serializers.BooleanField(help_text="当前用户能否发布")


class NoticeListPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="公示公告数")
    next = serializers.URLField(allow_null=True, help_text="下一页地址")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址")
    results = NoticeListItemSerializer(many=True, help_text="本页的公示公告，发布日期新的在前")
    waiting = NoticeWaitingSerializer(many=True, help_text="区划为行政村时：有案件等待发布公示或公告的步骤；否则为空")


class NoticeEntrySerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="序号")
    case_id = serializers.IntegerField(help_text="案件 ID")
    head_name = serializers.CharField(help_text="户主姓名")
    id_number_masked = serializers.CharField(help_text="证件号码（发布时已脱敏，与张贴的公示一致）")
    group_name = serializers.CharField(allow_blank=True, help_text="村民小组")
    household_size = serializers.IntegerField(help_text="家庭人口数")
    per_capita_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                                 help_text="年人均纯收入（该步骤不公布收入时为 null）")
    main_cause = serializers.CharField(allow_blank=True, help_text="主要致贫原因")
    case_state = serializers.CharField(help_text=STATE_HELP)
    case_state_label = serializers.CharField(help_text="案件状态名称")
    waiting = serializers.BooleanField(help_text="案件是否仍在本公示的步骤等待办结")
    open_objections = serializers.IntegerField(help_text="对该户未处理的异议数")


class NoticeDetailSerializer(NoticeListItemSerializer):
    """公示公告详情：名单、异议和当前用户可做的事。"""

    objection_contact = serializers.CharField(allow_blank=True, help_text="异议受理方式")
    note = serializers.CharField(allow_blank=True, help_text="说明")
    show_income = serializers.BooleanField(help_text="是否公布年人均纯收入")
    subject = serializers.CharField(help_text="公示对象（如“拟识别贫困户”）")
    entries = NoticeEntrySerializer(many=True, help_text="名单")
    objections = CaseObjectionSerializer(many=True, help_text="异议")
    waiting_count = serializers.IntegerField(help_text="仍在本步骤等待办结的户数")
    may_object = serializers.BooleanField(help_text="当前用户能否登记异议（公示、有户等待办结、有办理权限）")
    may_complete = serializers.BooleanField(help_text="当前用户能否办结公示（POST /notices/{id}/complete）")


class NoticePublishSerializer(serializers.Serializer):
    """发布公示或公告：所选各户须为该村该年度在此步骤等待、尚未列入的案件。"""

    procedure = serializers.ChoiceField(choices=Procedure.choices, help_text=PROCEDURE_HELP)
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    step_code = serializers.CharField(max_length=40, help_text="公示或公告步骤的代码（如 notice1、announce）")
    case_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
                                     help_text="列入的案件 ID")
    title = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                  help_text="标题（默认“村名+年度+程序+步骤”）")
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                   help_text="发布单位（默认按发布人所在区划，如“某某村村民委员会”）")
    objection_contact = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                              help_text="异议受理方式（受理人、电话、地址）；公示必填")
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="说明")
    starts_on = serializers.DateField(required=False, allow_null=True,
                                      help_text="公示开始日期（默认发布日期；不能早于发布日期）")
    on = serializers.DateField(required=False, allow_null=True, help_text="发布日期（默认今天；不能晚于今天）")


class NoticeCompleteSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True,
                               help_text="办结日期（默认今天；须在公示截止日期之后）")


class NoticeCaseRefSerializer(serializers.Serializer):
    case_id = serializers.IntegerField(help_text="案件 ID")
    head_name = serializers.CharField(help_text="户主姓名")


class NoticePendingSerializer(NoticeCaseRefSerializer):
    open_objections = serializers.IntegerField(help_text="未处理的异议数")


class NoticeCompletionSerializer(serializers.Serializer):
    notice = NoticeDetailSerializer(help_text="办结后的公示")
    completed = NoticeCaseRefSerializer(many=True, help_text="已办结公示步骤、进入下一步的户")
    pending = NoticePendingSerializer(many=True, help_text="有未处理异议、仍在公示步骤的户")


class NoticeObjectionInputSerializer(serializers.Serializer):
    case_id = serializers.IntegerField(min_value=1, help_text="被提异议的案件（须在本公示名单中）")
    content = serializers.CharField(max_length=2000, help_text="异议内容")
    filer_name = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                       help_text="异议人姓名（不填为匿名）")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="异议人联系电话")
    on = serializers.DateField(required=False, allow_null=True, help_text="提出日期（默认今天；须在公示期内）")


class NoticeObjectionResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ObjectionOutcome.choices,
                                      help_text="upheld 异议成立（案件终止）、dismissed 异议不成立")
    resolution = serializers.CharField(max_length=2000, help_text="核查处理意见")
    on = serializers.DateField(required=False, allow_null=True, help_text="处理日期（默认今天；不早于提出日期）")


# --- Renderings ----------------------------------------------------------------------------------

def _query(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _body(serializer_class, request) -> dict:
    if not hasattr(request.data, "items"):
        raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象或表单"]})
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def notice_list_data(notice, *, entry_count: int, open_objections: int) -> dict:
    current = today()
    return {
        "id": notice.pk, "village": {"code": notice.village_id, "name": notice.village.name},
        "procedure": notice.procedure, "procedure_label": notice.get_procedure_display(), "year": notice.year,
        "step_code": notice.step_code, "step_name": notice.step_name, "step_kind": notice.step_kind,
        "title": notice.title, "issuer": notice.issuer, "published_on": notice.published_on,
        "published_by": notice.published_by_name, "starts_on": notice.starts_on, "ends_on": notice.ends_on,
        "days": notice.days, "in_period": notice.in_period(current), "entry_count": entry_count,
        "open_objections": open_objections,
    }


def notice_detail_data(user, notice) -> dict:
    entries = list(notice_entries(user, notice))
    objections = list(notice_objections(user, notice))
    open_by_case: dict[int, int] = {}
    for o in objections:
        if not o.outcome:
            open_by_case[o.case_id] = open_by_case.get(o.case_id, 0) + 1
    waiting = [e for e in entries if e.case.state == CaseState.OPEN and e.case.current_step == notice.step_code]
    step = waiting[0].case.current_step_def if waiting else None
    editor = user.can(Cap.EDIT_REGISTRY)
    data = notice_list_data(notice, entry_count=len(entries), open_objections=sum(open_by_case.values()))
    data.update({
        "objection_contact": notice.objection_contact, "note": notice.note, "show_income": notice.show_income,
        "subject": notice.subject,
        "entries": [{"position": e.position, "case_id": e.case_id, "head_name": e.head_name,
                     "id_number_masked": e.id_number_masked, "group_name": e.group_name,
                     "household_size": e.household_size, "per_capita_income": e.per_capita_income,
                     "main_cause": e.main_cause, "case_state": e.case.state,
                     "case_state_label": e.case.get_state_display(), "waiting": e in waiting,
                     "open_objections": open_by_case.get(e.case_id, 0)} for e in entries],
        "objections": [objection_data(o, user=user, case=o.case, notice=notice) for o in objections],
        "waiting_count": len(waiting),
        "may_object": editor and notice.is_notice and bool(waiting),
        "may_complete": editor and notice.is_notice and step is not None and step.role == user.role,
    })
    return data


def _notice_response(request, notice_id: int, *, status: int = 200) -> Response:
    notice = notice_access(request.user, notice_id)
    return Response(NoticeDetailSerializer(notice_detail_data(request.user, notice)).data, status=status)


def _waiting(user, village_code: str) -> list[dict]:
    rows = []
    for w in publishable_steps(user, village_code=village_code):
        step = w["step"]
        ids = list(cases_waiting_at(user, village_code=village_code, procedure=w["procedure"], year=w["year"],
                                    step_code=step.code).values_list("id", flat=True))
        rows.append({"procedure": w["procedure"], "procedure_label": w["procedure_label"], "year": w["year"],
                     "step_code": step.code, "step_name": step.name, "step_kind": step.kind, "role": step.role,
                     "role_label": step.role_label, "count": w["count"], "case_ids": ids,
                     "may_publish": step.role == user.role and user.can(Cap.EDIT_REGISTRY)})
    return rows


def _objection_response(request, objection_id: int, *, status: int = 200) -> Response:
    objection = objection_access(request.user, objection_id)
    return Response(CaseObjectionSerializer(objection_data(objection, user=request.user)).data, status=status)


# --- Views (authenticated) -------------------------------------------------------------------------

class RegionNoticesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="notice_list", tags=[TAG], summary="区划内的公示公告（分页）",
        description="当前用户管辖范围内、区划以下各村的公示公告，附列入户数和未处理的异议数；区划为行政村时另列有案件等待"
                    "发布公示或公告的步骤及其案件。区划在范围以外时返回 404。",
        parameters=[REGION_CODE, NoticeFilterSerializer],
        responses={200: NoticeListPageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        query = _query(NoticeFilterSerializer, request)
        user = request.user
        region = region_in_scope(user, code)
        qs = notice_list(user, region_code=region.code, procedure=query.get("procedure") or None,
                         year=query.get("year"))
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return Response(NoticeListPageSerializer({
            "count": paginator.page.paginator.count, "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [notice_list_data(n, entry_count=n.entry_count, open_objections=n.open_objections)
                        for n in page],
            "waiting": _waiting(user, region.code) if region.level == Level.VILLAGE else []}).data)

    @extend_schema(
        operation_id="notice_publish", tags=[TAG], summary="发布公示或公告",
        description="为行政村发布某一步骤的公示或公告，列入在该步骤等待、尚未列入的案件。只有该步骤配置的角色可以发布"
                    "（否则 403）。公示须写明异议受理方式，公示期从开始日期起按步骤配置的天数计算；公告发布即完成所列各户"
                    "的公告步骤。名单（姓名、脱敏的证件号码、村民小组、人口、人均纯收入、致贫原因）在发布时固定，公开页面"
                    "显示的就是这份名单。",
        parameters=[REGION_CODE], request=NoticePublishSerializer,
        responses={201: NoticeDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, code: str):
        user = request.user
        region = region_in_scope(user, code)
        data = _body(NoticePublishSerializer, request)
        notice = notice_publish(actor=user, village_code=region.code, procedure=data["procedure"], year=data["year"],
                                step_code=data["step_code"], case_ids=data["case_ids"],
                                title=data.get("title", ""), issuer=data.get("issuer", ""),
                                objection_contact=data.get("objection_contact", ""), note=data.get("note", ""),
                                starts_on=data.get("starts_on"), on=data.get("on"))
        return _notice_response(request, notice.pk, status=201)


class NoticeDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="notice_retrieve", tags=[TAG], summary="公示公告详情：名单和异议",
        description="名单中每户的案件状态、是否仍在本步骤等待、未处理的异议数，全部异议（异议人电话按详情规则脱敏），"
                    "以及当前用户能否登记异议、办结公示。公示公告在范围以外时返回 404。",
        parameters=[NOTICE_ID], responses={200: NoticeDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, notice_id: int):
        return _notice_response(request, notice_id)


class NoticeCompleteView(ApiMixin, APIView):
    @extend_schema(
        operation_id="notice_complete", tags=[TAG], summary="公示期满，办结公示",
        description="公示截止日期之后，办结名单中仍在本步骤、异议全部处理的各户，其余有未处理异议的户留在本步骤"
                    "（pending）。只有该步骤配置的角色可以办结（否则 403）；期未满、没有可办结的户时返回 400。",
        parameters=[NOTICE_ID], request=NoticeCompleteSerializer,
        responses={200: NoticeCompletionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, notice_id: int):
        user = request.user
        notice_access(user, notice_id)
        data = _body(NoticeCompleteSerializer, request)
        result = notice_complete(actor=user, notice_id=notice_id, on=data.get("on"))
        notice = notice_access(user, notice_id)
        return Response(NoticeCompletionSerializer({
            "notice": notice_detail_data(user, notice),
            "completed": [{"case_id": c.pk, "head_name": c.head_name} for c in result.completed],
            "pending": [{"case_id": c.pk, "head_name": c.head_name, "open_objections": n}
                        for c, n in result.pending]}).data)


class NoticeObjectionsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="objection_file", tags=[TAG], summary="登记异议",
        description="对公示名单中的一户登记异议（实名或匿名），只能在公示期内；公告不受理异议。有办理权限的角色可以登记"
                    "（否则 403）。异议处理前该户不能办结公示。",
        parameters=[NOTICE_ID], request=NoticeObjectionInputSerializer,
        responses={201: CaseObjectionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, notice_id: int):
        user = request.user
        notice_access(user, notice_id)
        data = _body(NoticeObjectionInputSerializer, request)
        objection = objection_file(actor=user, notice_id=notice_id, case_id=data["case_id"], content=data["content"],
                                   filer_name=data.get("filer_name", ""), phone=data.get("phone", ""),
                                   on=data.get("on"))
        return _objection_response(request, objection.pk, status=201)


class ObjectionResolveView(ApiMixin, APIView):
    @extend_schema(
        operation_id="objection_resolve", tags=[TAG], summary="处理异议",
        description="记录核查处理意见。异议成立（upheld）时该户案件在公示步骤终止，理由为异议内容和处理意见；异议不成立"
                    "（dismissed）时该户可在公示期满后办结。已处理的异议不能再处理（400）。",
        parameters=[OBJECTION_ID], request=NoticeObjectionResolveSerializer,
        responses={200: CaseObjectionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, objection_id: int):
        user = request.user
        objection_access(user, objection_id)
        data = _body(NoticeObjectionResolveSerializer, request)
        objection_resolve(actor=user, objection_id=objection_id, outcome=data["outcome"],
                          resolution=data["resolution"], on=data.get("on"))
        return _objection_response(request, objection_id)

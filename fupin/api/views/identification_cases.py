"""Identification and exit cases (精准识别, 精准退出): a region's cases, opening an application in a
village or an exit proposal for a household, a case with its steps, acting on the current step
(with attachments), and downloading an attachment.

Thin: cases are read through the identification selectors (404 outside the user's scope; a cadre
sees the exit cases of their paired households only); the services decide everything else — the
step's role (403 otherwise), no skipping, vote counts, reasons for a rejection, the poverty line
and the exit standard, dates — and answer per-field Chinese messages (400).
"""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.api.pagination import Pagination
from fupin.identification.choices import CaseState, Procedure
from fupin.identification.selectors import (
    attachment_access,
    case_access,
    case_list,
    case_notices,
    case_objections,
    case_timeline,
)
from fupin.identification.services import case_act, exit_case_open, identification_case_open
from fupin.registry.choices import HouseholdAttribute, PovertyCause

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope
from .identification_shapes import (
    CaseDetailSerializer,
    CaseListItemSerializer,
    case_detail_data,
    case_list_data,
)

TAG = "识别与退出程序"
CASE_ID = path_param("case_id", "案件 ID")
HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")
ATTACHMENT_ID = path_param("attachment_id", "附件 ID")
CAUSE_HELP = "、".join(label for _, label in PovertyCause.choices)
ATTRIBUTE_HELP = "、".join(f"{c} {label}" for c, label in HouseholdAttribute.choices)
OPEN_PARAMS = ("year", "on")


# --- Shapes --------------------------------------------------------------------------------------

class CaseFilterSerializer(serializers.Serializer):
    """案件列表的查询参数。"""

    procedure = serializers.ChoiceField(required=False, allow_blank=True, choices=Procedure.choices,
                                        help_text="程序：identification 贫困户识别、exit 贫困户退出")
    state = serializers.ChoiceField(required=False, allow_blank=True, choices=CaseState.choices,
                                    help_text="状态：open 办理中、rejected 已终止、completed 已办结")
    step = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                 help_text="当前步骤代码（只列在该步骤等待办理的案件），如 appraisal、notice1")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度")
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="户主姓名（开头）")
    page = serializers.IntegerField(required=False, min_value=1, help_text="页码，从 1 开始")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=Pagination.max_page_size,
                                         help_text="每页条数（默认 50，最多 500）")


class CaseListPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="符合条件的案件数")
    next = serializers.URLField(allow_null=True, help_text="下一页地址")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址")
    results = CaseListItemSerializer(many=True, help_text="本页的案件：年度新的在前，再按村和案件号；证件号码按列表规则脱敏")


class CaseMemberInputSerializer(serializers.Serializer):
    """一位家庭成员；另可填成员年度信息（如 health、labour_capacity、school_status），选项可用代码或中文名称。"""

    name = serializers.CharField(help_text="姓名")
    id_number = serializers.CharField(help_text="18 位居民身份证号码（校验位按 GB 11643 检查；性别和出生日期由此得出）")
    relation = serializers.CharField(help_text="与户主关系（代码或名称，如 配偶、之子）")


class CaseApplicationSerializer(serializers.Serializer):
    """农户申请：申请户、家庭成员和收入构成。人均纯收入由收入构成和成员数计算，不能填写。"""

    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="识别年度（批次）")
    on = serializers.DateField(required=False, allow_null=True, help_text="申请日期（默认今天；不能晚于今天）")
    head_name = serializers.CharField(help_text="户主姓名")
    id_number = serializers.CharField(help_text="户主证件号码（18 位居民身份证）")
    group_name = serializers.CharField(required=False, allow_blank=True, help_text="村民小组")
    address = serializers.CharField(required=False, allow_blank=True, help_text="住址")
    phone = serializers.CharField(required=False, allow_blank=True, help_text="联系电话")
    main_cause = serializers.CharField(help_text=f"主要致贫原因（代码或名称）：{CAUSE_HELP}")
    other_causes = serializers.ListField(child=serializers.CharField(), required=False,
                                         help_text="其他致贫原因（代码或名称，最多按政策参数 registry.max_other_causes）")
    attribute = serializers.CharField(required=False, help_text=f"贫困户属性（默认 general）：{ATTRIBUTE_HELP}")
    note = serializers.CharField(required=False, allow_blank=True, help_text="申请理由（不超过 1000 字）")
    wage_income = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, help_text="工资性收入（元）")
    business_income = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                               help_text="生产经营性收入（元）")
    business_cost = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                             help_text="生产经营费用（元）")
    property_income = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                               help_text="财产性收入（元）")
    transfer_income = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                               help_text="转移性收入（元）")
    members = CaseMemberInputSerializer(many=True, required=False,
                                        help_text="家庭成员；没有户主时按 head_name、id_number 自动加入户主")


class CaseRoundSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度（批次）")
    on = serializers.DateField(required=False, allow_null=True, help_text="提出日期（默认今天；不能晚于今天）")


class CaseOnSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text="办理日期")


class CaseExitOpenSerializer(CaseRoundSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="退出年度（按该年度数据评估退出标准）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="提出说明")


class CaseVotesInputSerializer(serializers.Serializer):
    for_ = serializers.IntegerField(min_value=0, help_text="赞成票")
    against = serializers.IntegerField(min_value=0, help_text="反对票")
    abstain = serializers.IntegerField(min_value=0, required=False, help_text="弃权票（默认 0）")

    def get_fields(self):
        fields = super().get_fields()
        fields["for"] = fields.pop("for_")
        return fields


class CaseActSerializer(serializers.Serializer):
    """办理当前步骤。办理（action）和生效（effect）步骤填 decision；评议表决步骤填 votes；公示步骤在公示期满、
    异议全部处理后办结（decision 可省略）；公告步骤在发布公告时自动完成。"""

    step_code = serializers.CharField(help_text="要办理的步骤代码，须为案件的当前步骤（不能跳步）")
    decision = serializers.ChoiceField(required=False, allow_blank=True, choices=["approved", "rejected"],
                                       help_text="办理结论：approved 同意、rejected 不同意（须在 comment 写明理由，案件终止）")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="意见或理由")
    votes = CaseVotesInputSerializer(required=False, help_text="评议表决票数；赞成票占总票数的比例须超过步骤的通过比例")
    on = serializers.DateField(required=False, allow_null=True,
                               help_text="办理日期（默认今天；不能晚于今天，不能早于上一步的办理日期）")


class CaseActUploadSerializer(serializers.Serializer):
    """以 multipart/form-data 办理并上传附件（票数用 votes_for、votes_against、votes_abstain）。"""

    step_code = serializers.CharField(help_text="要办理的步骤代码，须为案件的当前步骤")
    decision = serializers.ChoiceField(required=False, allow_blank=True, choices=["approved", "rejected"],
                                       help_text="办理结论：approved 同意、rejected 不同意")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="意见或理由")
    votes_for = serializers.IntegerField(required=False, min_value=0, help_text="赞成票")
    votes_against = serializers.IntegerField(required=False, min_value=0, help_text="反对票")
    votes_abstain = serializers.IntegerField(required=False, min_value=0, help_text="弃权票")
    on = serializers.DateField(required=False, help_text="办理日期（默认今天）")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False,
        help_text="附件（可多个；类型、大小和个数上限见政策参数 attachment.allowed_types、attachment.max_mb、"
                  "attachment.max_files；按扩展名和文件内容双重检查，不合格时不办理、不保存任何文件）")


# --- Helpers -------------------------------------------------------------------------------------

def _query(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _body(request) -> dict:
    data = request.data
    if not hasattr(data, "items"):
        raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象或表单"]})
    return data


def _params(serializer_class, data) -> dict:
    params = serializer_class(data={k: data[k] for k in serializer_class().fields if k in data})
    params.is_valid(raise_exception=True)
    return params.validated_data


def case_response(request, case_id: int, *, status: int = 200) -> Response:
    """The case as the user may see it (read again through the gate after a change)."""
    user = request.user
    case = case_access(user, case_id)
    data = case_detail_data(case, user=user, request=request, timeline=case_timeline(user, case),
                            objections=list(case_objections(user, case)), entries=list(case_notices(user, case)))
    return Response(CaseDetailSerializer(data).data, status=status)


def _votes(data) -> dict | None:
    """Vote counts from a JSON `votes` object or the flat votes_for/… fields of a form."""
    if "votes" in data and data.get("votes") not in (None, ""):
        return data.get("votes")
    flat = {k: data.get(k) for k in ("votes_for", "votes_against", "votes_abstain") if k in data}
    return flat or None


# --- Views ---------------------------------------------------------------------------------------

class RegionCasesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="case_list", tags=[TAG], summary="区划内的识别和退出案件（分页）",
        description="当前用户管辖范围内、区划以下的案件，可按程序、状态、当前步骤、年度和户主姓名筛选；证件号码按列表规则"
                    "脱敏（审计员可见全文）。帮扶责任人只看到与自己结对户的退出案件。区划在范围以外时返回 404。",
        parameters=[REGION_CODE, CaseFilterSerializer],
        responses={200: CaseListPageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        query = _query(CaseFilterSerializer, request)
        user = request.user
        region = region_in_scope(user, code)
        qs = case_list(user, region_code=region.code, procedure=query.get("procedure") or None,
                       state=query.get("state") or None, step=query.get("step") or None,
                       year=query.get("year"), q=query.get("q") or None)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return Response(CaseListPageSerializer({
            "count": paginator.page.paginator.count, "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [case_list_data(c, user=user) for c in page]}).data)

    @extend_schema(
        operation_id="case_open_identification", tags=[TAG], summary="登记识别申请（农户申请）",
        description="在行政村登记一户的识别申请，案件从配置的第一步开始（步骤按政策参数 workflow.identification.steps 复制）。"
                    "只有第一步的角色（默认村级信息员）可以登记，否则 403；区划须为管辖范围内的行政村（范围以外 404，"
                    "不是行政村 400）。户主和成员的证件号码按 GB 11643 校验，已是建档立卡户成员或已在本年度其他申请中的"
                    "人不能再申请；家庭纯收入和人均纯收入由收入构成和成员数计算。校验失败返回 400，`error.fields` "
                    "按字段给出中文原因，不写入任何内容。",
        parameters=[REGION_CODE], request=CaseApplicationSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, code: str):
        user = request.user
        region = region_in_scope(user, code)
        data = _body(request)
        params = _params(CaseRoundSerializer, data)
        application = {k: v for k, v in data.items() if k not in OPEN_PARAMS}
        case = identification_case_open(actor=user, village_code=region.code, year=params["year"],
                                        data=application, on=params.get("on"))
        return case_response(request, case.pk, status=201)


class HouseholdExitCaseView(ApiMixin, APIView):
    @extend_schema(
        operation_id="case_open_exit", tags=[TAG], summary="提出贫困户退出（村两委提出）",
        description="为未脱贫或返贫的户提出退出，案件从配置的第一步开始（政策参数 workflow.exit.steps，默认民主评议 → 核实 → "
                    "户认可 → 公示 → 公告退出 → 销号）。只有第一步的角色可以提出（否则 403）；户在范围以外时返回 404；"
                    "同一户同一年度只能有一个未终止的退出案件。核实和销号时按退出标准评估，未达标的指标写入错误信息。",
        parameters=[HOUSEHOLD_ID], request=CaseExitOpenSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        params = _params(CaseExitOpenSerializer, _body(request))
        case = exit_case_open(actor=request.user, household_id=household_id, year=params["year"],
                              on=params.get("on"), note=params.get("note", ""))
        return case_response(request, case.pk, status=201)


class CaseDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="case_retrieve", tags=[TAG], summary="案件详情：步骤、办理经过、异议和公示公告",
        description="案件的申请信息（证件号码、电话按详情规则脱敏）、提出时复制的步骤配置及其政策依据、每个步骤的办理记录"
                    "（结论、意见、票数、办理人、依据和附件信息）、公示期间的异议、列入的公示公告，以及当前用户能否办理"
                    "当前步骤（may_act）或发布其公示公告（may_publish）。案件在范围以外时返回 404。",
        parameters=[CASE_ID], responses={200: CaseDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, case_id: int):
        return case_response(request, case_id)


class CaseActView(ApiMixin, APIView):
    @extend_schema(
        operation_id="case_act", tags=[TAG], summary="办理案件的当前步骤（可附附件）",
        description="只能办理当前步骤（不能跳步），只有该步骤配置的角色可以办理（否则 403），案件在范围以外时返回 404。"
                    "不同意须写明理由，案件随即终止；评议表决未超过通过比例时案件终止并记下票数；识别案件在核实时须年人均"
                    "纯收入低于当年扶贫标准（等于不算低于），退出案件在核实和销号时须达到退出标准（未达标的指标写入错误"
                    "信息）；公示须期满且异议全部处理；建档立卡一步登记贫困户、成员和年度数据，销号一步标记脱贫退出。"
                    "附件用 multipart/form-data 的 attachments 字段（可多个）上传。办理日期不能晚于今天、不能早于上一步。"
                    "返回办理后的案件。",
        parameters=[CASE_ID],
        request={"application/json": CaseActSerializer, "multipart/form-data": CaseActUploadSerializer},
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, case_id: int):
        user = request.user
        case_access(user, case_id)  # out of scope: 404 whatever the body says
        data = _body(request)
        step_code = str(data.get("step_code") or "").strip()
        if not step_code:
            raise ValidationError({"step_code": ["请填写要办理的步骤代码 step_code（案件的当前步骤）"]})
        files = request.FILES.getlist("attachments") if hasattr(request.FILES, "getlist") else []
        if not files and data.get("attachments") not in (None, "", []):
            raise ValidationError({"attachments": ["附件须以 multipart/form-data 文件上传（字段 attachments）"]})
        on = _params(CaseOnSerializer, {"on": data.get("on") or None}).get("on")
        case_act(actor=user, case_id=case_id, step_code=step_code, decision=str(data.get("decision") or ""),
                 comment=data.get("comment") or "", votes=_votes(data), attachments=files, on=on)
        return case_response(request, case_id)


class CaseAttachmentView(ApiMixin, APIView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is the file itself; errors are JSON as everywhere.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="case_attachment", tags=[TAG], summary="下载案件附件",
        description="附件文件本身（PDF、JPEG 或 PNG），按案件的范围控制：案件在范围以外或附件不属于该案件时返回 404。",
        parameters=[CASE_ID, ATTACHMENT_ID],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="附件文件"),
                   **error_responses(401, 404)},
    )
    def get(self, request, case_id: int, attachment_id: int):
        attachment = attachment_access(request.user, attachment_id)
        if attachment.case_id != case_id:
            raise Http404("该案件没有这个附件")
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("附件文件不存在") from None
        return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)

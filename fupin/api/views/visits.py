"""The visit log (走访记录): a household's visits (list, record with an optional photo), one visit
(read, change, its photo, closing its follow-up), the cadre's own households with what is due, and
visit-frequency compliance over a region.

Bodies go to `fupin.visits.services` as they come (JSON, or multipart/form-data when a photo is
sent): the services check every field and answer per-field Chinese messages. Households and visits
are opened through the scoped gates: 404 outside scope (a cadre: any household not paired with
them), 403 in scope without the right.
"""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from fupin.api.pagination import Pagination
from fupin.core.clock import today
from fupin.policy.selectors import PolicyMissing
from fupin.registry.selectors import household_access
from fupin.visits.choices import DueState, VisitKind
from fupin.visits.rules import may_close_follow_up, may_edit
from fupin.visits.selectors import (
    household_due,
    household_visits,
    my_households,
    visit_access,
    visit_compliance,
)
from fupin.visits.services import visit_create, visit_follow_up_close, visit_update

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope

TAG = "走访记录"
HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")
VISIT_ID = path_param("visit_id", "走访记录 ID")
FILE_ONLY = ("photo", "remove_photo")
KIND_HELP = "、".join(f"{code} {label}" for code, label in VisitKind.choices)


# --- Shapes ----------------------------------------------------------------------------------------

class VisitInputSerializer(serializers.Serializer):
    """记录或修改走访的字段（修改时只传要改的字段）。选项可用代码或中文名称。"""

    visited_on = serializers.DateField(required=False, help_text="走访日期（默认今天；不能晚于今天，不能早于建档日期）")
    kind = serializers.CharField(required=False, help_text=f"走访方式（代码或名称，默认 home）：{KIND_HELP}")
    content = serializers.CharField(required=False, max_length=1000, help_text="走访内容（必填）")
    problems = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="发现的问题")
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="措施和跟进事项")
    follow_up_due = serializers.DateField(required=False, allow_null=True, help_text="跟进期限（不早于走访日期）")
    follow_up_done = serializers.BooleanField(required=False, help_text="跟进事项已办结")
    on_behalf_note = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                           help_text="代录说明：村级信息员、乡镇审核员、县级审批员代帮扶责任人录入时必填")


class VisitUploadSerializer(VisitInputSerializer):
    """以 multipart/form-data 提交时可附一张照片。"""

    photo = serializers.ImageField(required=False, help_text="照片（类型和大小上限见政策参数 visits.photo_types、"
                                                             "visits.photo_max_mb；按扩展名和文件内容双重检查）")
    remove_photo = serializers.BooleanField(required=False, help_text="修改时删除照片（原文件保留以备审计）")


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    village_code = serializers.CharField(help_text="行政村区划代码")
    cadre_id = serializers.IntegerField(help_text="帮扶责任人（走访人）用户 ID")
    cadre_name = serializers.CharField(help_text="帮扶责任人姓名")
    recorded_by_id = serializers.IntegerField(help_text="记录人用户 ID（代录时为代录人）")
    recorded_by_name = serializers.CharField(help_text="记录人姓名")
    visited_on = serializers.DateField(help_text="走访日期")
    kind = serializers.CharField(help_text=f"走访方式代码：{KIND_HELP}")
    kind_label = serializers.CharField(help_text="走访方式名称")
    content = serializers.CharField(help_text="走访内容")
    problems = serializers.CharField(allow_blank=True, help_text="发现的问题")
    follow_up = serializers.CharField(allow_blank=True, help_text="措施和跟进事项")
    follow_up_due = serializers.DateField(allow_null=True, help_text="跟进期限")
    follow_up_done = serializers.BooleanField(help_text="跟进事项已办结")
    follow_up_done_on = serializers.DateField(allow_null=True, help_text="办结日期")
    on_behalf_note = serializers.CharField(allow_blank=True, help_text="代录说明")
    photo_url = serializers.CharField(allow_null=True, help_text="照片地址（GET /visits/{id}/photo）；无照片为 null")
    photo_name = serializers.CharField(allow_blank=True, help_text="照片原文件名")
    photo_type = serializers.CharField(allow_blank=True, help_text="照片类型")
    photo_size = serializers.IntegerField(allow_null=True, help_text="照片大小（字节）")
    recorded_at = serializers.DateTimeField(help_text="记录时间")
    updated_at = serializers.DateTimeField(help_text="最后修改时间")
    may_edit = serializers.BooleanField(help_text="当前用户能否修改（只有记录人能修改）")
    may_close_follow_up = serializers.BooleanField(help_text="当前用户能否办结跟进事项（记录人或该户帮扶责任人）")


class VisitPolicyRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="政策参数")
    value = serializers.JSONField(help_text="取值")
    region_code = serializers.CharField(help_text="参数所在区划（全国为 000000000000）")
    year_from = serializers.IntegerField(help_text="起始年度")
    source = serializers.CharField(allow_blank=True, help_text="依据")


class VisitDueSerializer(serializers.Serializer):
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    village_code = serializers.CharField(help_text="行政村区划代码")
    village_name = serializers.CharField(help_text="行政村名称")
    cadre_id = serializers.IntegerField(allow_null=True, help_text="帮扶责任人用户 ID（未结对为 null）")
    cadre_name = serializers.CharField(help_text="帮扶责任人姓名（未结对为“未结对”）")
    status = serializers.CharField(help_text="统计日的户状态代码")
    status_label = serializers.CharField(help_text="统计日的户状态名称")
    required = serializers.BooleanField(help_text="是否需要定期走访（未脱贫、返贫、监测户，或仍在脱贫不脱政策期内的已脱贫户）")
    registered_on = serializers.DateField(help_text="建档日期（第一条户状态记录的生效日期）")
    last_visit = serializers.DateField(allow_null=True, help_text="统计日及以前最近一次计入频次的走访日期")
    last_contact = serializers.DateField(allow_null=True, help_text="最近一次任何方式的走访或联系日期")
    never_visited = serializers.BooleanField(help_text="从未走访（从建档日期起算）")
    days_since = serializers.IntegerField(help_text="距上次走访（从未走访：距建档）的天数")
    max_days = serializers.IntegerField(help_text="两次走访最长间隔（天，按该户所在村取得的政策参数）")
    due_on = serializers.DateField(help_text="最迟走访日期：在此日（含）前走访仍为按时")
    days_left = serializers.IntegerField(help_text="距最迟走访日期的天数（逾期为负数）")
    overdue_days = serializers.IntegerField(help_text="逾期天数（未逾期为 0）")
    state = serializers.CharField(help_text="、".join(f"{c} {label}" for c, label in DueState.choices))
    state_label = serializers.CharField(help_text="状态名称")
    due_text = serializers.CharField(help_text="简短说明，如“已逾期 3 天”“5 天内到期”")
    explanation = serializers.CharField(help_text="中文说明：所用日期、天数和规定间隔")
    policy = VisitPolicyRowSerializer(many=True, required=False,
                                      help_text="按该户所在村取得的政策参数及其来源（仅单户的走访状态中给出）")


class VisitPageSerializer(serializers.Serializer):
    due = VisitDueSerializer(allow_null=True, help_text="该户今天的走访状态（不在册时为 null）")
    count = serializers.IntegerField(help_text="走访记录总数")
    next = serializers.URLField(allow_null=True, help_text="下一页地址")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址")
    results = VisitSerializer(many=True, help_text="本页的走访记录，最近的在前")


class VisitFollowUpSerializer(serializers.Serializer):
    visit_id = serializers.IntegerField(help_text="走访记录 ID")
    visited_on = serializers.DateField(help_text="走访日期")
    follow_up = serializers.CharField(help_text="跟进事项")
    follow_up_due = serializers.DateField(allow_null=True, help_text="跟进期限")
    late = serializers.BooleanField(help_text="已过跟进期限")


class VisitMyHouseholdSerializer(serializers.Serializer):
    due = VisitDueSerializer(help_text="走访状态")
    open_follow_ups = VisitFollowUpSerializer(many=True, help_text="待办结的跟进事项")


class VisitMyHouseholdsSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="统计日期")
    counts = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="各状态户数：overdue、due_soon、ok、not_required")
    households = VisitMyHouseholdSerializer(many=True, help_text="与我结对的户：已逾期的在前（逾期久的在前），"
                                                                 "然后即将到期的（到期早的在前），再其他")


class VisitTallySerializer(serializers.Serializer):
    households = serializers.IntegerField(help_text="应走访户数")
    visited = serializers.IntegerField(help_text="按时走访户数（上次走访不超过最长间隔）")
    pending = serializers.IntegerField(help_text="新户待走访：从未走访、建档未超过最长间隔的户数")
    overdue = serializers.IntegerField(help_text="逾期户数")
    compliant = serializers.IntegerField(help_text="未逾期户数（应走访户 − 逾期户）")
    rate = serializers.FloatField(allow_null=True, help_text="达标率 = 未逾期户 ÷ 应走访户（四位小数；无应走访户为 null）")


class VisitCadreTallySerializer(VisitTallySerializer):
    cadre_id = serializers.IntegerField(allow_null=True, help_text="帮扶责任人用户 ID（未结对的户为 null）")
    name = serializers.CharField(help_text="帮扶责任人姓名")
    max_days = serializers.ListField(child=serializers.IntegerField(), help_text="所辖户适用的最长间隔（天）")


class VisitVillageTallySerializer(VisitTallySerializer):
    village_code = serializers.CharField(help_text="行政村区划代码")
    name = serializers.CharField(help_text="行政村名称")
    max_days = serializers.ListField(child=serializers.IntegerField(), help_text="适用的最长间隔（天）")


class VisitComplianceSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="统计的区划")
    on = serializers.DateField(help_text="统计日期")
    rule = serializers.CharField(help_text="统计规则说明")
    totals = VisitTallySerializer(help_text="合计")
    by_cadre = VisitCadreTallySerializer(many=True, help_text="按帮扶责任人，达标率低的在前")
    by_village = VisitVillageTallySerializer(many=True, help_text="按行政村，按区划代码排序")
    overdue_count = serializers.IntegerField(help_text="逾期户总数")
    next = serializers.URLField(allow_null=True, help_text="逾期户下一页地址")
    previous = serializers.URLField(allow_null=True, help_text="逾期户上一页地址")
    overdue = VisitDueSerializer(many=True, help_text="本页的逾期户，间隔最长的在前")
    policy = VisitPolicyRowSerializer(many=True, help_text="用到的政策参数及其来源（各村可能取自不同区划）")


class VisitListQuerySerializer(serializers.Serializer):
    """分页参数。"""

    page = serializers.IntegerField(required=False, min_value=1, help_text="页码，从 1 开始")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=Pagination.max_page_size,
                                         help_text="每页条数（默认 100，最多 500）")


class VisitComplianceQuerySerializer(VisitListQuerySerializer):
    """走访频次统计的查询参数（分页用于逾期户列表）。"""

    on = serializers.DateField(required=False, help_text="统计日期（YYYY-MM-DD，默认今天）")


class VisitOnQuerySerializer(serializers.Serializer):
    """统计日期。"""

    on = serializers.DateField(required=False, help_text="统计日期（YYYY-MM-DD，默认今天）")


class VisitCloseSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, help_text="办结日期（默认今天）")


# --- Helpers ---------------------------------------------------------------------------------------

def visit_data(visit, *, user, request) -> dict:
    h = visit.household
    return {
        "id": visit.pk, "household_id": h.pk, "household_no": h.household_no, "head_name": h.head_name,
        "village_code": visit.village_id, "cadre_id": visit.cadre_id, "cadre_name": visit.cadre.display_name,
        "recorded_by_id": visit.recorded_by_id, "recorded_by_name": visit.recorded_by.display_name,
        "visited_on": visit.visited_on, "kind": visit.kind, "kind_label": visit.get_kind_display(),
        "content": visit.content, "problems": visit.problems, "follow_up": visit.follow_up,
        "follow_up_due": visit.follow_up_due, "follow_up_done": visit.follow_up_done,
        "follow_up_done_on": visit.follow_up_done_on, "on_behalf_note": visit.on_behalf_note,
        "photo_url": reverse("api:visit-photo", args=[visit.pk], request=request) if visit.photo else None,
        "photo_name": visit.photo_name, "photo_type": visit.photo_type, "photo_size": visit.photo_size,
        "recorded_at": visit.recorded_at, "updated_at": visit.updated_at,
        "may_edit": may_edit(user, visit), "may_close_follow_up": may_close_follow_up(user, visit),
    }


def _body(request) -> tuple[dict, object, bool]:
    """The fields for the service, the photo (multipart only) and remove_photo."""
    data = request.data
    if not hasattr(data, "items"):
        raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象或表单"]})
    photo = request.FILES.get("photo")
    if "photo" in data and photo is None and data.get("photo") not in (None, ""):
        raise ValidationError({"photo": ["照片须以 multipart/form-data 文件上传"]})
    remove = str(data.get("remove_photo", "")).strip().lower() in ("1", "true", "是", "on", "yes")
    return {k: v for k, v in data.items() if k not in FILE_ONLY}, photo, remove


def _policy_missing(exc: PolicyMissing) -> ValidationError:
    return ValidationError({"on": [str(exc)]})


def _query(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


# --- Views -----------------------------------------------------------------------------------------

class HouseholdVisitsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="visit_list", tags=[TAG], summary="一户的走访记录（分页）",
        description="最近的在前，并给出该户今天的走访状态（是否逾期、最迟走访日期及其依据）。户在范围以外时返回 404"
                    "（帮扶责任人只能查看与自己结对的户）。",
        parameters=[HOUSEHOLD_ID, VisitListQuerySerializer],
        responses={200: VisitPageSerializer, **error_responses(401, 404)},
    )
    def get(self, request, household_id: int):
        _query(VisitListQuerySerializer, request)
        user = request.user
        household = household_access(user, household_id)
        paginator = Pagination()
        paginator.page_size = 100
        page = paginator.paginate_queryset(household_visits(user, household).select_related("household"), request,
                                           view=self)
        due = household_due(user, household)
        return Response(VisitPageSerializer({
            "due": due.as_dict(with_policy=True) if due else None, "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(), "previous": paginator.get_previous_link(),
            "results": [visit_data(v, user=user, request=request) for v in page]}).data)

    @extend_schema(
        operation_id="visit_create", tags=[TAG], summary="记录走访（可附照片）",
        description="帮扶责任人为自己结对的户记录；村级信息员、乡镇审核员、县级审批员可代录（须填 on_behalf_note），"
                    "走访人为该户当前的帮扶责任人。附照片时用 multipart/form-data，照片按政策参数检查类型（扩展名和文件"
                    "内容）和大小，不合格时返回 400 且不写入任何数据。户在范围以外时返回 404；角色无权记录时返回 403。",
        parameters=[HOUSEHOLD_ID],
        request={"application/json": VisitInputSerializer, "multipart/form-data": VisitUploadSerializer},
        responses={201: VisitSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        data, photo, _ = _body(request)
        visit = visit_create(actor=request.user, household_id=household_id, data=data, photo=photo)
        visit = visit_access(request.user, visit.pk)
        return Response(VisitSerializer(visit_data(visit, user=request.user, request=request)).data, status=201)


class VisitDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="visit_retrieve", tags=[TAG], summary="一条走访记录",
        parameters=[VISIT_ID], responses={200: VisitSerializer, **error_responses(401, 404)},
    )
    def get(self, request, visit_id: int):
        visit = visit_access(request.user, visit_id)
        return Response(VisitSerializer(visit_data(visit, user=request.user, request=request)).data)

    @extend_schema(
        operation_id="visit_update", tags=[TAG], summary="修改走访记录",
        description="只有记录人可以修改（否则 403），只传要改的字段；每次修改记入审计日志（修改前后的值）。"
                    "可用 multipart/form-data 更换照片或以 remove_photo 删除照片。",
        parameters=[VISIT_ID],
        request={"application/json": VisitInputSerializer, "multipart/form-data": VisitUploadSerializer},
        responses={200: VisitSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, visit_id: int):
        data, photo, remove = _body(request)
        visit_update(actor=request.user, visit_id=visit_id, changes=data, photo=photo, remove_photo=remove)
        visit = visit_access(request.user, visit_id)
        return Response(VisitSerializer(visit_data(visit, user=request.user, request=request)).data)


class VisitFollowUpCloseView(ApiMixin, APIView):
    @extend_schema(
        operation_id="visit_follow_up_close", tags=[TAG], summary="办结跟进事项",
        description="记录人或该户当前的帮扶责任人可以办结；办结日期不能晚于今天、不能早于走访日期。",
        parameters=[VISIT_ID], request=VisitCloseSerializer,
        responses={200: VisitSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, visit_id: int):
        body = VisitCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit_follow_up_close(actor=request.user, visit_id=visit_id, done_on=body.validated_data.get("done_on"))
        visit = visit_access(request.user, visit_id)
        return Response(VisitSerializer(visit_data(visit, user=request.user, request=request)).data)


class VisitPhotoView(ApiMixin, APIView):
    def perform_content_negotiation(self, request, force=False):
        # The answer is the image itself; errors are JSON as everywhere.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="visit_photo", tags=[TAG], summary="走访照片",
        description="照片文件本身（image/jpeg 或 image/png）。只能通过本接口读取，按走访记录的范围控制；"
                    "没有照片时返回 404。",
        parameters=[VISIT_ID],
        responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="JPEG 照片"),
                   (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG 照片"),
                   **error_responses(401, 404)},
    )
    def get(self, request, visit_id: int):
        visit = visit_access(request.user, visit_id)
        if not visit.photo:
            raise Http404("这条走访记录没有照片")
        try:
            handle = visit.photo.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("照片文件不存在") from None
        return FileResponse(handle, filename=visit.photo_name or "photo", content_type=visit.photo_type)


class MyHouseholdsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="visit_my_households", tags=[TAG], summary="我的帮扶户及走访提醒",
        description="与当前用户结对的户（帮扶责任人的工作台）：已逾期的在前，然后即将到期的（距最迟走访日不超过 "
                    "visits.due_soon_days 天），再其他；每户附待办结的跟进事项。",
        parameters=[VisitOnQuerySerializer], responses={200: VisitMyHouseholdsSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        on = _query(VisitOnQuerySerializer, request).get("on") or today()
        try:
            data = my_households(request.user, on=on)
        except PolicyMissing as exc:
            raise _policy_missing(exc) from None
        return Response(VisitMyHouseholdsSerializer({
            "on": on, "counts": data["counts"],
            "households": [{"due": item.due.as_dict(), "open_follow_ups": [
                {"visit_id": v.pk, "visited_on": v.visited_on, "follow_up": v.follow_up,
                 "follow_up_due": v.follow_up_due, "late": bool(v.follow_up_due and v.follow_up_due < on)}
                for v in item.open_follow_ups]} for item in data["households"]]}).data)


class RegionVisitComplianceView(ApiMixin, APIView):
    @extend_schema(
        operation_id="visit_compliance", tags=[TAG], summary="走访频次达标情况",
        description="区划以下、当前用户可见的户：按帮扶责任人和行政村统计应走访户、按时走访、新户待走访、逾期户和"
                    "达标率，并分页列出逾期户（间隔最长的在前）。距上次走访恰好等于最长间隔仍为按时，多一天即逾期；"
                    "从未走访的户从建档日期起算；只计 visits.counted_kinds 中的走访方式。区划在范围以外时返回 404。",
        parameters=[REGION_CODE, VisitComplianceQuerySerializer],
        responses={200: VisitComplianceSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        query = _query(VisitComplianceQuerySerializer, request)
        user = request.user
        region = region_in_scope(user, code)
        on = query.get("on") or today()
        try:
            report = visit_compliance(user, region_code=region.code, on=on)
        except PolicyMissing as exc:
            raise _policy_missing(exc) from None
        paginator = Pagination()
        paginator.page_size = 100
        page = paginator.paginate_queryset(report.overdue, request, view=self)
        data = report.as_dict(overdue_rows=page)
        data.update(next=paginator.get_next_link(), previous=paginator.get_previous_link())
        return Response(VisitComplianceSerializer(data).data)

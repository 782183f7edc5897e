"""问题台账 (issue ledger): list and register problems, follow one through rectification, verification
and closing (销号), upload evidence, put a data-quality finding on the ledger, and the statistics.

Reads go through `fupin.ledger.selectors` (items outside the user's scope: 404), changes through
`fupin.ledger.services` (in scope without the capability: 403; a refused transition: 400 naming why).
"""

from django.core.paginator import EmptyPage, Paginator
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.core.clock import today
from fupin.ledger import services
from fupin.ledger.rules import ACTION_LABELS, is_overdue
from fupin.ledger.selectors import item_access, item_detail, item_list, ledger_stats
from fupin.policy.selectors import PolicyMissing

from .base import ApiMixin, error_responses, path_param, region_in_scope
from .ledger_shapes import (
    LedgerActionInputSerializer,
    LedgerAssignInputSerializer,
    LedgerEvidenceUploadSerializer,
    LedgerFromQualityInputSerializer,
    LedgerItemDetailSerializer,
    LedgerItemInputSerializer,
    LedgerItemPageSerializer,
    LedgerListQuerySerializer,
    LedgerStatsQuerySerializer,
    LedgerStatsSerializer,
)

TAG = "问题台账"
ITEM_ID = path_param("item_id", "问题 ID")


def _params(serializer_class, data) -> dict:
    fields = serializer_class().fields
    params = serializer_class(data={k: data[k] for k in fields if k in data})
    params.is_valid(raise_exception=True)
    return params.validated_data


def _region(request, code: str | None):
    return region_in_scope(request.user, code or request.user.region_id)


def item_row(item, on) -> dict:
    h = item.household
    overdue = is_overdue(item.state, item.deadline, on)
    return {
        "id": item.pk, "source": item.source, "source_label": item.get_source_display(), "source_ref": item.source_ref,
        "region_code": item.region_code, "household_id": item.household_id,
        "household_no": h.household_no if h else "", "head_name": h.head_name if h else "", "title": item.title,
        "state": item.state, "state_label": item.get_state_display(), "found_on": item.found_on,
        "deadline": item.deadline, "overdue": overdue, "overdue_days": (on - item.deadline).days if overdue else 0,
        "responsible_id": item.responsible_id,
        "responsible": item.responsible.display_name if item.responsible_id else "",
        "responsible_name": item.responsible_name, "submitted_on": item.submitted_on,
        "verified_on": item.verified_on, "closed_on": item.closed_on, "reopen_count": item.reopen_count,
    }


def item_response(request, item_id, *, status: int = 200) -> Response:
    user = request.user
    d = item_detail(user, item_access(user, item_id))
    item = d["item"]
    data = {**item_row(item, d["on"]), "description": item.description, "measures": item.measures,
            "inputs": d["inputs"], "late_submitted": d["late_submitted"], "actions": d["actions"],
            "events": [{"kind": e.kind, "kind_label": e.get_kind_display(), "from_state": e.from_state,
                        "to_state": e.to_state, "on": e.on, "note": e.note, "actor_id": e.actor_id,
                        "actor_name": e.actor_name} for e in d["events"]],
            "evidence": [{"id": e.pk, "file_name": e.file_name, "content_type": e.content_type, "size": e.size,
                          "sha256": e.sha256, "uploaded_by_name": e.uploaded_by_name,
                          "uploaded_at": e.uploaded_at} for e in d["evidence"]]}
    return Response(LedgerItemDetailSerializer(data).data, status=status)


class LedgerItemsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ledger_item_list", tags=[TAG], summary="问题台账列表",
        description="区划以下、当前用户可见的问题（帮扶责任人只见其结对户的问题），按整改时限排序，可按状态、来源、逾期、"
                    "即将到期、涉及户、责任人筛选。逾期：待整改或整改中，且统计日晚于整改时限（时限当天不算）。"
                    "区划在范围以外时返回 404。",
        parameters=[LedgerListQuerySerializer], responses={200: LedgerItemPageSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request):
        p = _params(LedgerListQuerySerializer, request.query_params)
        region = _region(request, p.get("region"))
        on = p.get("on") or today()
        try:
            qs = item_list(request.user, region_code=region.code, on=on, state=p.get("state", ""),
                           source=p.get("source", ""), overdue=p["overdue"], due_soon=p["due_soon"],
                           household_id=p.get("household"), responsible_id=p.get("responsible"))
            paginator = Paginator(qs, p.get("page_size") or 50)
            page = paginator.page(p.get("page") or 1)
        except EmptyPage:
            raise ValidationError({"page": [f"页码超出范围（共 {paginator.num_pages} 页）"]}) from None
        except PolicyMissing as exc:
            raise ValidationError({"on": [str(exc)]}) from None
        return Response(LedgerItemPageSerializer({
            "count": paginator.count, "page": page.number, "pages": paginator.num_pages, "on": on,
            "results": [item_row(i, on) for i in page.object_list]}).data)

    @extend_schema(
        operation_id="ledger_item_create", tags=[TAG], summary="登记问题（巡视督查、审计等）",
        description="乡镇审核员、县级审批员、审计员可登记（其他角色 403）；区划或涉及户在范围以外时返回 404/403。"
                    "整改责任人须是在岗、所在区划包含该问题区划且能承担整改的用户。同一来源编号未销号前不能重复登记。",
        request=LedgerItemInputSerializer, responses={201: LedgerItemDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        d = _params(LedgerItemInputSerializer, request.data)
        item = services.item_create(actor=request.user, **d)
        return item_response(request, item.pk, status=201)


class LedgerItemView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ledger_item_detail", tags=[TAG], summary="一个问题的详情",
        description="问题、依据、整改措施、处理记录、佐证材料，以及当前用户可办理的操作。范围以外返回 404。",
        parameters=[ITEM_ID], responses={200: LedgerItemDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, item_id: int):
        return item_response(request, item_id)


ACTION_DOCS = {
    "start": ("开始整改", "待整改 → 整改中；须填写整改措施 measures。村级信息员、乡镇审核员、县级审批员可办理。"),
    "submit": ("提交整改", "整改中 → 已提交整改；须已有整改措施和至少一份佐证材料。"),
    "return": ("退回重新整改", "已提交整改 → 整改中；须写明原因 reason。乡镇审核员、县级审批员、审计员可办理。"),
    "verify": ("核验通过", "已提交整改 → 已核验；提交整改的人不能核验自己的整改。"),
    "close": ("销号", "已核验 → 已销号；未经核验的问题不能销号（400）。"),
    "reopen": ("重新打开", "已核验或已销号 → 整改中；须写明原因 reason，核验和销号日期清空，重新打开次数加一。"),
}


def _action_view(action: str):
    summary, text = ACTION_DOCS[action]

    class View(ApiMixin, APIView):
        @extend_schema(
            operation_id=f"ledger_item_{action}", tags=[TAG], summary=summary,
            description=text + "办理日期 on 默认今天，不能晚于今天、不能早于发现日期和上一次处理。范围以外 404，无权 403。",
            parameters=[ITEM_ID], request=LedgerActionInputSerializer,
            responses={200: LedgerItemDetailSerializer, **error_responses(400, 401, 403, 404)},
        )
        def post(self, request, item_id: int):
            item_access(request.user, item_id)  # out of scope: 404 whatever the body says
            d = _params(LedgerActionInputSerializer, request.data)
            on, note = d.get("on"), d.get("note", "")
            kw = {"actor": request.user, "item_id": item_id, "on": on}
            if action == "start":
                services.item_start(**kw, measures=d.get("measures", ""), note=note)
            elif action == "submit":
                services.item_submit(**kw, note=note, measures=d.get("measures"))
            elif action == "return":
                services.item_return(**kw, reason=d.get("reason", ""))
            elif action == "verify":
                services.item_verify(**kw, note=note)
            elif action == "close":
                services.item_close(**kw, note=note)
            else:
                services.item_reopen(**kw, reason=d.get("reason", ""))
            return item_response(request, item_id)

    View.__name__ = View.__qualname__ = f"LedgerItem{action.capitalize()}View"
    return View


ACTION_VIEWS = {action: _action_view(action) for action in ACTION_DOCS}


class LedgerItemAssignView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ledger_item_assign", tags=[TAG], summary=ACTION_LABELS["assign"],
        description="修改整改责任人、责任人（单位）、整改时限、整改措施（只改提供的字段）。已销号的问题不能修改。"
                    "乡镇审核员、县级审批员、审计员可办理。",
        parameters=[ITEM_ID], request=LedgerAssignInputSerializer,
        responses={200: LedgerItemDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, item_id: int):
        item_access(request.user, item_id)
        d = _params(LedgerAssignInputSerializer, request.data)
        services.item_update(actor=request.user, item_id=item_id, note=d.pop("note", ""), on=d.pop("on", None), **d)
        return item_response(request, item_id)


class LedgerEvidenceView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ledger_evidence_add", tags=[TAG], summary="上传整改佐证材料",
        description="multipart/form-data 的 files 字段（可多个）。待整改或整改中（含退回后）的问题可上传；类型按内容和扩展名"
                    "检查（ledger.evidence_types），大小不超过 ledger.evidence_max_mb；任何一个文件不合格则都不保存。",
        parameters=[ITEM_ID], request={"multipart/form-data": LedgerEvidenceUploadSerializer},
        responses={201: LedgerItemDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, item_id: int):
        item_access(request.user, item_id)
        files = request.FILES.getlist("files") if hasattr(request.FILES, "getlist") else []
        if not files and request.data.get("files") not in (None, "", []):
            raise ValidationError({"files": ["佐证材料须以 multipart/form-data 文件上传（字段 files）"]})
        d = _params(LedgerActionInputSerializer, {k: request.data.get(k) for k in ("on", "note") if request.data.get(k)})
        services.evidence_add(actor=request.user, item_id=item_id, files=files, on=d.get("on"), note=d.get("note", ""))
        return item_response(request, item_id, status=201)


class LedgerFromQualityView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ledger_from_quality", tags=[TAG], summary="把数据质量问题列入问题台账",
        description="重新对该户运行该规则：问题已不存在（已更正）时返回 400；同一问题尚未销号时返回 400。来源编号为 "
                    "quality:<规则>:<户ID>:<成员ID或->:<年度>，问题、描述和依据取自校验结果。",
        request=LedgerFromQualityInputSerializer,
        responses={201: LedgerItemDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        d = _params(LedgerFromQualityInputSerializer, request.data)
        try:
            item = services.item_from_quality_finding(actor=request.user, **d)
        except PolicyMissing as exc:
            raise ValidationError({"year": [str(exc)]}) from None
        return item_response(request, item.pk, status=201)


class LedgerStatsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ledger_stats", tags=[TAG], summary="问题台账统计",
        description="统计日各状态的问题数（按下级区划和问题来源）、逾期、逾期提交、即将到期、销号用时（平均数和中位数），"
                    "以及逾期问题清单和统计口径。统计日的状态取该日及以前最后一次处理的状态。区划在范围以外时返回 404。",
        parameters=[LedgerStatsQuerySerializer], responses={200: LedgerStatsSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request):
        p = _params(LedgerStatsQuerySerializer, request.query_params)
        region = _region(request, p.get("region"))
        try:
            stats = ledger_stats(request.user, region=region, on=p.get("on") or today())
        except PolicyMissing as exc:
            raise ValidationError({"on": [str(exc)]}) from None
        return Response(LedgerStatsSerializer(stats.as_dict()).data)

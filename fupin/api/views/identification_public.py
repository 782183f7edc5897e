"""Public notices (公示公告) without authentication, like the public web pages /public/notices/:
exactly what the posted paper shows — title, place, period, the list (names, ID numbers masked when
the notice was published, group, household size, per-capita income when the step prints it, main
cause), how to object, issuer and date — nothing more. Read through the identification selectors'
public_* functions, which select only those columns.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.api.pagination import Pagination
from fupin.identification.choices import Procedure
from fupin.identification.selectors import public_notice, public_notice_entries, public_notice_list
from fupin.regions.codes import InvalidCode, Level, normalize_code
from fupin.regions.selectors import region_ancestors, region_get

from .base import ApiMixin, error_responses, path_param
from .identification_shapes import PROCEDURE_HELP, IdentificationVillageSerializer

PUBLIC_TAG = "公示公告（公开）"
NOTICE_ID = path_param("notice_id", "公示公告 ID")
KIND_HELP = "notice 公示（有公示期，受理异议）、announcement 公告"


def _query(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


class NoticePublicFilterSerializer(serializers.Serializer):
    """公开的公示公告列表的查询参数。"""

    region = serializers.CharField(required=False, allow_blank=True, max_length=12,
                                   help_text="区划代码（6、9 或 12 位，如 610926）：只列该区划内各村的公示公告")
    procedure = serializers.ChoiceField(required=False, allow_blank=True, choices=Procedure.choices,
                                        help_text=PROCEDURE_HELP)
    page = serializers.IntegerField(required=False, min_value=1, help_text="页码，从 1 开始")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=Pagination.max_page_size,
                                         help_text="每页条数（默认 50，最多 500）")


class NoticePublicItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="公示公告 ID")
    title = serializers.CharField(help_text="标题")
    issuer = serializers.CharField(help_text="发布单位")
    village = IdentificationVillageSerializer(help_text="行政村")
    procedure = serializers.CharField(help_text=PROCEDURE_HELP)
    procedure_label = serializers.CharField(help_text="程序名称")
    year = serializers.IntegerField(help_text="年度")
    step_name = serializers.CharField(help_text="步骤名称")
    kind = serializers.CharField(help_text=KIND_HELP)
    published_on = serializers.DateField(help_text="发布日期")
    starts_on = serializers.DateField(help_text="公示开始日期")
    ends_on = serializers.DateField(allow_null=True, help_text="公示截止日期（公告为 null）")
    days = serializers.IntegerField(allow_null=True, help_text="公示天数（公告为 null）")
    entry_count = serializers.IntegerField(help_text="户数")


class NoticePublicListPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="公示公告数")
    next = serializers.URLField(allow_null=True, help_text="下一页地址")
    previous = serializers.URLField(allow_null=True, help_text="上一页地址")
    results = NoticePublicItemSerializer(many=True, help_text="本页的公示公告，发布日期新的在前")


class NoticePublicEntrySerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="序号")
    head_name = serializers.CharField(help_text="户主姓名")
    id_number_masked = serializers.CharField(help_text="身份证号码（脱敏）")
    group_name = serializers.CharField(allow_blank=True, help_text="村民小组")
    household_size = serializers.IntegerField(help_text="家庭人口")
    per_capita_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                                 help_text="年人均纯收入（不公布收入时为 null）")
    main_cause = serializers.CharField(allow_blank=True, help_text="主要致贫原因")


class NoticePublicSerializer(NoticePublicItemSerializer):
    """张贴的公示公告：只有纸面上的内容。"""

    place = serializers.CharField(help_text="县、乡镇、村名称")
    subject = serializers.CharField(help_text="公示对象（如“拟识别贫困户”）")
    show_income = serializers.BooleanField(help_text="是否公布年人均纯收入")
    objection_contact = serializers.CharField(allow_blank=True, help_text="异议受理方式（公告为空）")
    note = serializers.CharField(allow_blank=True, help_text="说明")
    entries = NoticePublicEntrySerializer(many=True, help_text="名单")


# --- Public (no authentication): what the posted paper shows -------------------------------------

def _public_item(notice, *, entry_count: int) -> dict:
    return {
        "id": notice.pk, "title": notice.title, "issuer": notice.issuer,
        "village": {"code": notice.village_id, "name": notice.village.name}, "procedure": notice.procedure,
        "procedure_label": notice.get_procedure_display(), "year": notice.year, "step_name": notice.step_name,
        "kind": notice.step_kind, "published_on": notice.published_on, "starts_on": notice.starts_on,
        "ends_on": notice.ends_on, "days": notice.days, "entry_count": entry_count,
    }


class PublicNoticeListView(ApiMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_notice_list", tags=[PUBLIC_TAG], summary="公开的公示公告列表（无需登录）",
        description="与公开网页 /public/notices/ 相同：各村发布的识别和退出公示公告，可按区划和程序筛选。区划代码无效时"
                    "返回 400，不存在时返回 404。", auth=[],
        parameters=[NoticePublicFilterSerializer],
        responses={200: NoticePublicListPageSerializer, **error_responses(400, 404)},
    )
    def get(self, request):
        query = _query(NoticePublicFilterSerializer, request)
        region_code = None
        raw = (query.get("region") or "").strip()
        if raw:
            try:
                region_code = normalize_code(raw)
            except InvalidCode as exc:
                raise ValidationError({"region": [str(exc)]}) from None
            if region_get(region_code) is None:
                raise NotFound("区划不存在")
        qs = public_notice_list(region_code=region_code, procedure=query.get("procedure") or None)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return Response(NoticePublicListPageSerializer({
            "count": paginator.page.paginator.count, "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [_public_item(n, entry_count=n.entry_count) for n in page]}).data)


class PublicNoticeDetailView(ApiMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_notice_retrieve", tags=[PUBLIC_TAG], summary="公开的公示公告（无需登录）",
        description="与张贴的纸质公示公告相同：标题、地点、公示期、名单（姓名、脱敏的身份证号码、村民小组、家庭人口、"
                    "该步骤公布收入时的年人均纯收入、主要致贫原因）、异议受理方式、发布单位和日期。", auth=[],
        parameters=[NOTICE_ID], responses={200: NoticePublicSerializer, **error_responses(404)},
    )
    def get(self, request, notice_id: int):
        notice = public_notice(notice_id)
        entries = list(public_notice_entries(notice))
        shown = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
        place = "".join(r.name for r in region_ancestors(notice.village) if r.level in shown)
        data = _public_item(notice, entry_count=len(entries))
        data.update({
            "place": place, "subject": notice.subject, "show_income": notice.show_income,
            "objection_contact": notice.objection_contact if notice.is_notice else "", "note": notice.note,
            "entries": [{"position": e.position, "head_name": e.head_name, "id_number_masked": e.id_number_masked,
                         "group_name": e.group_name, "household_size": e.household_size,
                         "per_capita_income": e.per_capita_income if notice.show_income else None,
                         "main_cause": e.main_cause} for e in entries],
        })
        return Response(NoticePublicSerializer(data).data)


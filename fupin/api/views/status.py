"""户状态变动: yearly status changes by kind, the registry as of a date, and 清退 of a household."""

from datetime import date

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.api.pagination import Pagination
from fupin.registry.choices import HouseholdStatus, StatusEventKind
from fupin.registry.selectors_status import registry_as_of, registry_as_of_counts, status_change_counts
from fupin.registry.services import household_remove

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope

TAG = "户状态变动"
HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")
YEAR_MIN, YEAR_MAX = 2000, 2100


# --- Yearly changes by kind ---------------------------------------------------------------------

class ChangesQuerySerializer(serializers.Serializer):
    """户状态变动统计的查询参数。"""

    def get_fields(self):
        # "from" is a Python keyword, so the fields cannot be class attributes.
        return {
            "from": serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
                                             help_text="起始年度（按生效日期所在年份，含）"),
            "to": serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
                                           help_text="截止年度（含）"),
        }


class ChangeRowSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="生效日期所在年份")
    kind = serializers.ChoiceField(choices=StatusEventKind.choices, help_text="变动类型")
    label = serializers.CharField(help_text="变动类型名称：新识别、已脱贫、返贫、清退/剔除、自然减少 …")
    households = serializers.IntegerField(help_text="户数（同一户同年同类只计一次）")
    events = serializers.IntegerField(help_text="变动记录条数")
    persons = serializers.IntegerField(help_text="人数：该户当年度家庭人口，无年度数据时为生效日在册成员数")


class KindTotalSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StatusEventKind.choices, help_text="变动类型")
    label = serializers.CharField(help_text="变动类型名称")
    households = serializers.IntegerField(help_text="户数（各年合计）")
    events = serializers.IntegerField(help_text="变动记录条数")
    persons = serializers.IntegerField(help_text="人数（各年合计）")


class StatusChangesSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="统计的区划")
    year_from = serializers.IntegerField(allow_null=True, help_text="起始年度（未指定为空）")
    year_to = serializers.IntegerField(allow_null=True, help_text="截止年度（未指定为空）")
    rows = ChangeRowSerializer(many=True, help_text="每个年度、每种发生过的变动类型一行，按年度、类型排序")
    totals = KindTotalSerializer(many=True, help_text="各变动类型在所选年度内的合计（全部类型）")


class StatusChangesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_status_changes", tags=[TAG], summary="户状态变动：按年度和变动类型统计户数、人数",
        description="按生效日期所在年份和变动类型（新识别、已脱贫、返贫、纳入监测、清退/剔除、自然减少、数据纠错）"
                    "统计当前用户管辖范围内、该区划以下各户的状态变动；年度脱贫、返贫户数即由这些记录得出。"
                    "区划在范围以外时返回 404。",
        parameters=[REGION_CODE, ChangesQuerySerializer],
        responses={200: StatusChangesSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        params = ChangesQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year_from, year_to = params.validated_data.get("from"), params.validated_data.get("to")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise ValidationError({"from": [f"起始年度 {year_from} 晚于截止年度 {year_to}"]})
        counts = status_change_counts(request.user, region_code=region.code, year_from=year_from, year_to=year_to)
        return Response(StatusChangesSerializer({**counts, "region_code": region.code}).data)


# --- The registry as of a date ------------------------------------------------------------------

class AsOfQuerySerializer(serializers.Serializer):
    on = serializers.DateField(help_text="日期 YYYY-MM-DD：给出该日的在册情况", input_formats=["%Y-%m-%d"])
    status = serializers.ChoiceField(choices=HouseholdStatus.choices, required=False,
                                     help_text="只列出该日为此状态的户")
    page = serializers.IntegerField(required=False, min_value=1, help_text="页码")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=Pagination.max_page_size,
                                         help_text="每页户数（默认 50，最多 500）")

    def validate_on(self, value: date) -> date:
        if not date(YEAR_MIN, 1, 1) <= value <= date(YEAR_MAX, 12, 31):
            raise serializers.ValidationError(f"日期应在 {YEAR_MIN}–{YEAR_MAX} 年之间")
        return value


class AsOfStatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HouseholdStatus.choices, help_text="该日的户状态")
    label = serializers.CharField(help_text="户状态名称")
    households = serializers.IntegerField(help_text="户数")
    persons = serializers.IntegerField(help_text="人数：该日在册成员（已出生、未减少或减少日期在该日之后）")


class AsOfHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    village_code = serializers.CharField(source="village_id", help_text="行政村区划代码")
    village_name = serializers.CharField(source="village.name", help_text="行政村名称")
    status_on = serializers.ChoiceField(choices=HouseholdStatus.choices, help_text="该日的户状态")
    status_on_label = serializers.SerializerMethodField(help_text="该日的户状态名称")
    persons_on = serializers.IntegerField(help_text="该日在册成员数")
    status = serializers.ChoiceField(choices=HouseholdStatus.choices, help_text="现在的户状态")
    status_label = serializers.CharField(source="get_status_display", help_text="现在的户状态名称")

    def get_status_on_label(self, obj) -> str:
        return str(HouseholdStatus(obj.status_on).label)


class RegistryAsOfSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="区划")
    on = serializers.DateField(help_text="日期")
    households = serializers.IntegerField(help_text="该日在册户数（不含已清退、已销户）")
    persons = serializers.IntegerField(help_text="该日在册人数（不含已清退、已销户）")
    by_status = AsOfStatusCountSerializer(many=True, help_text="各状态户数、人数（全部状态）")
    count = serializers.IntegerField(help_text="列表总户数（按 status 筛选后；含已清退、已销户）")
    next = serializers.URLField(allow_null=True, help_text="下一页")
    previous = serializers.URLField(allow_null=True, help_text="上一页")
    results = AsOfHouseholdSerializer(many=True, help_text="本页的户，按户编号排序")


class AsOfPagination(Pagination):
    page_size = 50


class RegistryAsOfView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_registry_as_of", tags=[TAG], summary="某日在册情况：各状态户数、人数和户名单（分页）",
        description="某户在某日的状态是其生效日期不晚于该日的最后一条状态变更记录的新状态；该日以前没有记录的户"
                    "不列出。只含当前用户管辖范围内的户；区划在范围以外时返回 404。",
        parameters=[REGION_CODE, AsOfQuerySerializer],
        responses={200: RegistryAsOfSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        params = AsOfQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        on, status = params.validated_data["on"], params.validated_data.get("status")
        counts = registry_as_of_counts(request.user, on=on, region_code=region.code)
        paginator = AsOfPagination()
        page = paginator.paginate_queryset(registry_as_of(request.user, on=on, region_code=region.code,
                                                          status=status), request, view=self)
        return Response(RegistryAsOfSerializer({
            **counts, "region_code": region.code, "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(), "previous": paginator.get_previous_link(), "results": page,
        }).data)


# --- 清退 -----------------------------------------------------------------------------------------

class RemoveInputSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="清退原因（必填），如：识别不精准，家庭有商品房（四有户）")
    effective_on = serializers.DateField(help_text="生效日期 YYYY-MM-DD，不晚于今天、不早于上一次状态变更")
    year = serializers.IntegerField(required=False, help_text="年度，默认为生效日期所在年份")


class StatusEventOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="状态变更记录 ID")
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    year = serializers.IntegerField(help_text="年度")
    kind = serializers.ChoiceField(choices=StatusEventKind.choices, help_text="变动类型")
    kind_label = serializers.CharField(source="get_kind_display", help_text="变动类型名称")
    from_status = serializers.CharField(help_text="原状态")
    to_status = serializers.ChoiceField(choices=HouseholdStatus.choices, help_text="新状态")
    effective_on = serializers.DateField(help_text="生效日期")
    reason = serializers.CharField(help_text="原因")
    actor_name = serializers.CharField(help_text="操作人")
    at = serializers.DateTimeField(help_text="记录时间")


class HouseholdRemoveView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_remove", tags=[TAG], summary="清退（剔除）贫困户（县级审批员）",
        description="识别不精准的户退出建档立卡：户状态改为“已清退”，记录一条“清退/剔除”状态变更（原因、生效日期、"
                    "操作人），户的资料和历史全部保留。只有县级审批员可以操作（其他角色 403）；户在范围以外时 404；"
                    "已清退或已销户的户、缺原因、日期晚于今天或早于上一次状态变更时 400，且不写入任何内容。",
        parameters=[HOUSEHOLD_ID], request=RemoveInputSerializer,
        responses={201: StatusEventOutSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        # Scope and the role are checked first (404, 403) by the service, before the body is judged.
        body = request.data if isinstance(request.data, dict) else {}
        raw_year = body.get("year")
        effective_on = body.get("effective_on")
        year = raw_year if raw_year not in (None, "") else _year_of(effective_on)
        event = household_remove(actor=request.user, household_id=household_id, reason=body.get("reason"),
                                 effective_on=effective_on, year=year)
        return Response(StatusEventOutSerializer(event).data, status=201)


def _year_of(raw) -> int | None:
    """The year of a date given as text, for the default year; the service judges the date itself."""
    text = str(raw or "").strip()
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


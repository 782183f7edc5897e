"""Registry writes and yearly data: create households and members, edit yearly indicators.

Bodies are passed to the registry services as they come: the services validate every field and
answer per-field Chinese messages (a choice may be sent as its code or its Chinese label)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.registry.models import HouseholdStatusEvent, HouseholdYear, Member, MemberYear
from fupin.registry.selectors import (
    household_access,
    household_status_history,
    household_years,
    member_access,
    member_years,
)
from fupin.registry.services import (
    household_create,
    household_year_save,
    member_add,
    member_update,
    member_year_save,
)
from fupin.registry.validation import (
    HOUSEHOLD_INPUT,
    MEMBER_INPUT,
    household_year_input_fields,
    member_year_input_fields,
)

from .base import ApiMixin, error_responses, path_param

TAG = "建档立卡"
HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")
MEMBER_ID = path_param("member_id", "成员 ID")
YEAR = path_param("year", "年度")


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象"]})
    return dict(request.data)


def _doc_input(name: str, fields, extra: dict | None = None):
    """A documentation-only request shape: every field optional, sent as text or number."""
    spec = {f: serializers.CharField(required=False) for f in fields}
    return inline_serializer(name=name, fields={**spec, **(extra or {})})


class HouseholdYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdYear
        exclude = ["household"]


class MemberYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberYear
        fields = "__all__"


class MemberWriteResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "household", "name", "id_type", "gender", "birth_date", "relation", "ethnicity"]


class StatusEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdStatusEvent
        exclude = ["household", "actor_id"]


HOUSEHOLD_CREATE_SCHEMA = extend_schema(
    operation_id="household_create", tags=["贫困户"], summary="建档：新增贫困户",
    description="户状态自动为“未脱贫”，并记录状态变更事件。`year` 为建档年度。",
    request=_doc_input("HouseholdCreateInput", HOUSEHOLD_INPUT, {"year": serializers.IntegerField()}),
    responses={201: inline_serializer("HouseholdCreated", {"id": serializers.IntegerField()}),
               **error_responses(400, 401, 403)},
)


def create_household(request) -> Response:
    data = _body(request)
    year = serializers.IntegerField(min_value=2000, max_value=2100, label="year").run_validation(data.pop("year", None))
    household = household_create(actor=request.user, data=data, year=year)
    return Response({"id": household.pk}, status=201)


class MemberCreateView(ApiMixin, APIView):
    @extend_schema(
        operation_id="member_create", tags=[TAG], summary="新增家庭成员",
        description="身份证号码经校验（长度、出生日期、校验位），性别和出生日期由号码得出；填写的值与号码矛盾时拒绝。",
        parameters=[HOUSEHOLD_ID], request=_doc_input("MemberInput", MEMBER_INPUT),
        responses={201: MemberWriteResultSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        member = member_add(actor=request.user, household_id=household_id, data=_body(request))
        return Response(MemberWriteResultSerializer(member).data, status=201)


class MemberUpdateView(ApiMixin, APIView):
    @extend_schema(
        operation_id="member_partial_update", tags=[TAG], summary="修改家庭成员",
        parameters=[MEMBER_ID], request=_doc_input("MemberPatch", MEMBER_INPUT),
        responses={200: MemberWriteResultSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, member_id: int):
        member = member_update(actor=request.user, member_id=member_id, changes=_body(request))
        return Response(MemberWriteResultSerializer(member).data)


class HouseholdYearsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_years", tags=[TAG], summary="贫困户各年度数据（收入、住房、生活条件、土地）",
        parameters=[HOUSEHOLD_ID], responses={200: HouseholdYearSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, household_id: int):
        household = household_access(request.user, household_id)
        return Response(HouseholdYearSerializer(household_years(request.user, household), many=True).data)


class HouseholdYearView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_year_save", tags=[TAG], summary="填报或修改贫困户某年度数据",
        description="家庭纯收入和年人均纯收入由各项收入和家庭人口数算出，不能填写。已固化的年度不能修改。",
        parameters=[HOUSEHOLD_ID, YEAR], request=_doc_input("HouseholdYearInput", household_year_input_fields()),
        responses={200: HouseholdYearSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request, household_id: int, year: int):
        hy = household_year_save(actor=request.user, household_id=household_id, year=year, data=_body(request))
        return Response(HouseholdYearSerializer(hy).data)


class MemberYearsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="member_years", tags=[TAG], summary="家庭成员各年度数据（健康、教育、劳动力、保障）",
        parameters=[HOUSEHOLD_ID], responses={200: MemberYearSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, household_id: int):
        household = household_access(request.user, household_id)
        return Response(MemberYearSerializer(member_years(request.user, household), many=True).data)


class MemberYearView(ApiMixin, APIView):
    @extend_schema(
        operation_id="member_year_save", tags=[TAG], summary="填报或修改家庭成员某年度数据",
        parameters=[MEMBER_ID, YEAR], request=_doc_input("MemberYearInput", member_year_input_fields()),
        responses={200: MemberYearSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request, member_id: int, year: int):
        member_access(request.user, member_id)
        my = member_year_save(actor=request.user, member_id=member_id, year=year, data=_body(request))
        return Response(MemberYearSerializer(my).data)


class StatusHistoryView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_status_history", tags=[TAG], summary="户状态变更记录（含原因）",
        parameters=[HOUSEHOLD_ID], responses={200: StatusEventSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, household_id: int):
        household = household_access(request.user, household_id)
        return Response(StatusEventSerializer(household_status_history(request.user, household), many=True).data)




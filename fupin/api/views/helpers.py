"""结对帮扶 API: coverage of a region, helping units and their villages, village work teams.

Reads through `helpers.selectors` (scoped; a cadre gets 403), writes through the helpers services
(a county approver manages; 404 outside scope, 403 without the right, 400 with Chinese messages
per field). Team members' ID numbers and phones are masked by the list rule (accounts.masking).
"""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.masking import mask_value
from fupin.core.clock import today
from fupin.helpers import selectors as sel
from fupin.helpers.inputs import day
from fupin.helpers.models import TeamRole, UnitKind
from fupin.helpers.rights import require_manage, require_view_arrangements
from fupin.helpers.services import unit_create, unit_pair_village, unit_pairing_end
from fupin.helpers.services_teams import team_create, team_end, team_member_add, team_member_end
from fupin.policy.selectors import PolicyMissing
from fupin.regions.codes import Level

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope

TAG = "结对帮扶"
ON_HELP = "日期 YYYY-MM-DD，默认今天"
ON = OpenApiParameter("on", OpenApiTypes.DATE, description=ON_HELP)
REGION_QUERY = OpenApiParameter("region", OpenApiTypes.STR, description="区划代码：只列该区划（及其上级登记）的记录")


def parse_on(request) -> date:
    """?on= (default today), parsed as the web pages and `check_coverage` do (a Django ValidationError
    on `on`, answered as 400 by fupin.api.errors)."""
    raw = (request.query_params.get("on") or "").strip()
    if not raw:
        return today()
    return day(raw[:20], name="on", label="日期")


# --- Coverage ------------------------------------------------------------------------------

class HelperPolicyRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="政策参数")
    value = serializers.JSONField(help_text="取值")
    region_code = serializers.CharField(help_text="参数所在区划（全国为 000000000000）")
    year_from = serializers.IntegerField(help_text="起始年度")
    source = serializers.CharField(allow_blank=True, help_text="依据")


class HelperCoverageCheckSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["village_no_unit", "village_no_team", "team_no_secretary", "household_no_helper", "helper_mismatch",
                 "cadre_over_limit", "cadre_no_profile", "cadre_is_poor"],
        help_text="检查项：贫困村无帮扶单位、无驻村工作队、工作队无第一书记、贫困户无帮扶责任人、户的帮扶责任人与结对记录"
                  "不一致、帮扶责任人超过结对上限、帮扶责任人未登记档案、帮扶干部为建档立卡人口")
    title = serializers.CharField(help_text="检查项名称")
    ok = serializers.BooleanField(help_text="是否通过（没有问题）")
    checked = serializers.CharField(help_text="检查了什么（中文说明）")
    checked_count = serializers.IntegerField(help_text="检查的村、户或人数")
    count = serializers.IntegerField(help_text="问题数")
    truncated = serializers.BooleanField(help_text="items 是否只列出了一部分（最多 500 条）")
    items = serializers.ListField(child=serializers.DictField(), help_text="问题记录；身份证号码已脱敏")
    policy = HelperPolicyRowSerializer(many=True, help_text="检查所用的政策参数及其来源")


class HelperCoverageSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="检查的区划")
    region_name = serializers.CharField(help_text="区划名称")
    on = serializers.DateField(help_text="检查日期")
    ok = serializers.BooleanField(help_text="全部检查项是否通过")
    gaps = serializers.IntegerField(help_text="问题总数")
    poor_villages = serializers.IntegerField(help_text="检查的贫困村数")
    households = serializers.IntegerField(help_text="应有帮扶责任人的户数（未脱贫、返贫、监测户）")
    cadres = serializers.IntegerField(help_text="在本区划有在期结对户的帮扶责任人数")
    checks = HelperCoverageCheckSerializer(many=True, help_text="各检查项")


class RegionCoverageView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_helper_coverage", tags=[TAG], summary="结对帮扶覆盖检查（四包责任制）",
        description="贫困村有无在期的帮扶单位、在驻的驻村工作队和在任的第一书记；未脱贫、返贫、监测户有无在期的帮扶"
                    "责任人；帮扶责任人结对户数是否超过上限（helpers.max_households_per_cadre）、是否登记档案、是否为"
                    "建档立卡人口。每项给出检查内容、检查数、问题记录和所用政策参数。区划在范围以外时返回 404，帮扶责任人"
                    "返回 403。",
        parameters=[REGION_CODE, ON],
        responses={200: HelperCoverageSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        on = parse_on(request)
        try:
            report = sel.coverage_report(request.user, region_code=region.code, on=on)
        except PolicyMissing as exc:
            raise ValidationError({"on": [str(exc)]}) from None
        return Response(HelperCoverageSerializer(report.as_dict()).data)


# --- Units ---------------------------------------------------------------------------------

class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="单位名称")
    kind = serializers.CharField(help_text="单位类别代码：" + "、".join(f"{c.value} {c.label}" for c in UnitKind))
    kind_label = serializers.CharField(source="get_kind_display", help_text="单位类别名称")
    region_code = serializers.CharField(source="region_id", help_text="登记区划")
    contact_name = serializers.CharField(help_text="联系人")
    note = serializers.CharField(help_text="备注")


class UnitListItemSerializer(UnitSerializer):
    current_villages = serializers.IntegerField(help_text="在包村数")


class UnitCreateSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="登记区划代码（本人管辖范围内，通常为县）")
    name = serializers.CharField(max_length=100, help_text="单位名称")
    kind = serializers.CharField(help_text="单位类别：代码或中文名称，如 county 或 县直单位")
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="联系人")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="联系电话")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="备注")


class UnitPairingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit_id = serializers.IntegerField(help_text="帮扶单位 ID")
    unit_name = serializers.CharField(source="unit.name", help_text="帮扶单位名称")
    village_code = serializers.CharField(source="village_id", help_text="行政村代码")
    start = serializers.DateField(help_text="开始日期")
    end = serializers.DateField(allow_null=True, help_text="结束日期（当日起不再有效；空为在包）")
    end_reason = serializers.CharField(help_text="结束原因")


class UnitDetailSerializer(UnitSerializer):
    contact_phone = serializers.CharField(help_text="联系电话（按角色脱敏）")
    pairings = UnitPairingSerializer(many=True, help_text="本人管辖范围内的包村记录")


class UnitPairSerializer(serializers.Serializer):
    village_code = serializers.CharField(help_text="行政村代码（12 位）")
    start = serializers.DateField(help_text="开始日期")


class UnitEndSerializer(serializers.Serializer):
    end = serializers.DateField(help_text="结束日期（当日起不再有效）")
    reason = serializers.CharField(max_length=200, help_text="原因")


def _unit_detail(user, unit) -> dict:
    return {"id": unit.pk, "name": unit.name, "kind": unit.kind, "get_kind_display": unit.get_kind_display(),
            "region_id": unit.region_id, "contact_name": unit.contact_name, "note": unit.note,
            "contact_phone": mask_value("phone", unit.contact_phone, user=user, in_list=False),
            "pairings": list(sel.unit_pairings(user, unit))}


class UnitListView(ApiMixin, APIView):
    @extend_schema(
        operation_id="helper_units", tags=[TAG], summary="帮扶单位列表",
        description="本人区划内登记的和上级区划登记的帮扶单位，含在包村数。",
        parameters=[REGION_QUERY], responses={200: UnitListItemSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request):
        code = request.query_params.get("region")
        region = region_in_scope(request.user, code) if code else None
        units = sel.unit_list(request.user, region_code=region.code if region else None)
        return Response(UnitListItemSerializer(units, many=True).data)

    @extend_schema(
        operation_id="helper_unit_create", tags=[TAG], summary="登记帮扶单位",
        description="县级审批员在本县登记。同一区划内单位名称不能重复。", request=UnitCreateSerializer,
        responses={201: UnitDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        require_manage(request.user)
        body = UnitCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        unit = unit_create(actor=request.user, region_code=data.pop("region_code"), data=data)
        return Response(UnitDetailSerializer(_unit_detail(request.user, unit)).data, status=201)


UNIT_ID = path_param("unit_id", "帮扶单位 ID")


class UnitDetailView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_unit", tags=[TAG], summary="帮扶单位及其包村记录", parameters=[UNIT_ID],
                   responses={200: UnitDetailSerializer, **error_responses(401, 403, 404)})
    def get(self, request, unit_id: int):
        unit = sel.unit_access(request.user, unit_id)
        return Response(UnitDetailSerializer(_unit_detail(request.user, unit)).data)


class UnitPairingsView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_unit_pair", tags=[TAG], summary="单位包村：帮扶单位与村结对",
                   description="同一单位与同一村的包村时间不能重叠；县级审批员操作。",
                   parameters=[UNIT_ID], request=UnitPairSerializer,
                   responses={201: UnitPairingSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, unit_id: int):
        body = UnitPairSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pairing = unit_pair_village(actor=request.user, unit_id=unit_id, **body.validated_data)
        return Response(UnitPairingSerializer(pairing).data, status=201)


class UnitPairingEndView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_unit_pairing_end", tags=[TAG], summary="结束单位包村（记录保留）",
                   parameters=[path_param("pairing_id", "包村记录 ID")], request=UnitEndSerializer,
                   responses={200: UnitPairingSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, pairing_id: int):
        body = UnitEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pairing = unit_pairing_end(actor=request.user, pairing_id=pairing_id, **body.validated_data)
        return Response(UnitPairingSerializer(pairing).data)


# --- Teams ---------------------------------------------------------------------------------

class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField(help_text="职务代码：" + "、".join(f"{c.value} {c.label}" for c in TeamRole))
    role_label = serializers.CharField(help_text="职务名称")
    name = serializers.CharField(help_text="姓名")
    id_number = serializers.CharField(help_text="身份证号码（脱敏）")
    phone = serializers.CharField(help_text="联系电话（脱敏）")
    work_unit = serializers.CharField(help_text="工作单位及职务")
    user_id = serializers.IntegerField(allow_null=True, help_text="系统账户 ID")
    start = serializers.DateField(help_text="开始日期")
    end = serializers.DateField(allow_null=True, help_text="结束日期（当日起不再任职）")
    end_reason = serializers.CharField(help_text="结束原因")


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    village_code = serializers.CharField(help_text="驻村代码")
    village_name = serializers.CharField(help_text="驻村名称")
    unit_id = serializers.IntegerField(allow_null=True, help_text="派出单位 ID")
    unit_name = serializers.CharField(allow_blank=True, help_text="派出单位名称")
    start = serializers.DateField(help_text="进驻日期")
    end = serializers.DateField(allow_null=True, help_text="撤离日期（空为在驻）")
    end_reason = serializers.CharField(help_text="撤离原因")


class TeamDetailSerializer(TeamSerializer):
    members = TeamMemberSerializer(many=True, help_text="全部队员（含已结束任职的）")


class TeamPersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, help_text="姓名")
    id_number = serializers.CharField(max_length=20, help_text="身份证号码（18 位，校验）")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="联系电话")
    work_unit = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="工作单位及职务")
    user_id = serializers.IntegerField(required=False, allow_null=True, help_text="系统账户 ID（可空）")


class TeamCreateSerializer(serializers.Serializer):
    village_code = serializers.CharField(help_text="行政村代码")
    start = serializers.DateField(help_text="进驻日期")
    unit_id = serializers.IntegerField(required=False, allow_null=True, help_text="派出单位 ID（可空）")
    secretary = TeamPersonSerializer(help_text="第一书记（工作队进驻时必须同时登记）")


class TeamMemberCreateSerializer(TeamPersonSerializer):
    role = serializers.CharField(help_text="职务：secretary/leader/member 或 第一书记/队长/队员")
    start = serializers.DateField(help_text="开始日期（不早于进驻日期）")
    replace = serializers.BooleanField(required=False, default=False,
                                       help_text="更换现任第一书记或队长：现任者的任职在新任开始之日结束")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="更换原因")


def _team(team) -> dict:
    return {"id": team.pk, "village_code": team.village_id, "village_name": team.village.name, "unit_id": team.unit_id,
            "unit_name": team.unit.name if team.unit else "", "start": team.start, "end": team.end,
            "end_reason": team.end_reason}


def _member(user, m) -> dict:
    return {"id": m.pk, "role": m.role, "role_label": m.get_role_display(), "name": m.name,
            "id_number": mask_value("id_number", m.id_number, user=user, in_list=True),
            "phone": mask_value("phone", m.phone, user=user, in_list=True), "work_unit": m.work_unit,
            "user_id": m.user_id, "start": m.start, "end": m.end, "end_reason": m.end_reason}


def _team_detail(user, team) -> dict:
    return {**_team(team), "members": [_member(user, m) for m in sel.team_members(user, team)]}


class TeamListView(ApiMixin, APIView):
    @extend_schema(
        operation_id="helper_teams", tags=[TAG], summary="驻村工作队列表",
        description="区划以下在某日在驻的工作队（区划为村时列出该村全部工作队，含已撤离的）。",
        parameters=[OpenApiParameter("region", OpenApiTypes.STR, required=True, description="区划代码"), ON],
        responses={200: TeamSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request):
        code = request.query_params.get("region")
        if not code:
            raise ValidationError({"region": ["请指定区划代码 region"]})
        region = region_in_scope(request.user, code)
        require_view_arrangements(request.user)
        if region.level == Level.VILLAGE:
            teams = sel.village_teams(request.user, region).select_related("village")
        else:
            teams = sel.region_teams(request.user, region, on=parse_on(request))
        return Response(TeamSerializer([_team(t) for t in teams], many=True).data)

    @extend_schema(
        operation_id="helper_team_create", tags=[TAG], summary="派驻驻村工作队（同时登记第一书记）",
        description="一个村同一时间只有一支在驻的工作队；第一书记不能是建档立卡人口，同一人同一时间只能在一个工作队。"
                    "县级审批员操作。",
        request=TeamCreateSerializer, responses={201: TeamDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        require_manage(request.user)
        body = TeamCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        team = team_create(actor=request.user, village_code=data["village_code"], start=data["start"],
                           unit_id=data.get("unit_id"), secretary=dict(data["secretary"]))
        return Response(TeamDetailSerializer(_team_detail(request.user, sel.team_access(request.user, team.pk))).data,
                        status=201)


TEAM_ID = path_param("team_id", "驻村工作队 ID")


class TeamDetailView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_team", tags=[TAG], summary="驻村工作队及其队员", parameters=[TEAM_ID],
                   responses={200: TeamDetailSerializer, **error_responses(401, 403, 404)})
    def get(self, request, team_id: int):
        team = sel.team_access(request.user, team_id)
        return Response(TeamDetailSerializer(_team_detail(request.user, team)).data)


class TeamEndView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_team_end", tags=[TAG], summary="工作队撤离（在任队员同日结束任职）",
                   parameters=[TEAM_ID], request=UnitEndSerializer,
                   responses={200: TeamDetailSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, team_id: int):
        body = UnitEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        team = team_end(actor=request.user, team_id=team_id, **body.validated_data)
        return Response(TeamDetailSerializer(_team_detail(request.user, team)).data)


class TeamMembersView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_team_members", tags=[TAG], summary="工作队队员（含任职历史）",
                   parameters=[TEAM_ID], responses={200: TeamMemberSerializer(many=True), **error_responses(401, 403, 404)})
    def get(self, request, team_id: int):
        team = sel.team_access(request.user, team_id)
        return Response(TeamMemberSerializer([_member(request.user, m) for m in sel.team_members(request.user, team)],
                                             many=True).data)

    @extend_schema(
        operation_id="helper_team_member_add", tags=[TAG], summary="登记工作队员（第一书记、队长、队员）",
        description="第一书记和队长同一时间各只有一人：已有现任时须 replace=true 并填写原因，现任者在新任开始之日结束任职。"
                    "队员不能是建档立卡人口；任职期间在工作队进驻期间内。",
        parameters=[TEAM_ID], request=TeamMemberCreateSerializer,
        responses={201: TeamMemberSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, team_id: int):
        body = TeamMemberCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        replace, reason = data.pop("replace", False), data.pop("reason", "")
        member = team_member_add(actor=request.user, team_id=team_id, data=data, replace=replace, reason=reason)
        return Response(TeamMemberSerializer(_member(request.user, member)).data, status=201)


class TeamMemberEndView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_team_member_end", tags=[TAG], summary="结束工作队员任职",
                   description="在驻工作队的第一书记不能直接结束任职：请登记新的第一书记（replace=true）或工作队撤离。",
                   parameters=[path_param("member_id", "工作队员 ID")], request=UnitEndSerializer,
                   responses={200: TeamMemberSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, member_id: int):
        body = UnitEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = team_member_end(actor=request.user, member_id=member_id, **body.validated_data)
        return Response(TeamMemberSerializer(_member(request.user, member)).data)

"""结对帮扶 API for households and cadres: assign a helper, the pairing history, candidates,
a cadre's profile and bulk reassignment.

The household through `household_access` (404 outside scope; a cadre only their own), the cadre
through `helpers.selectors.cadre_access`; writes through `helpers.services_assign`, which refuse
with Chinese messages per field (load limit with its policy row, not a cadre, no profile, a
registered poor person …).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.masking import mask_value
from fupin.core.clock import today
from fupin.helpers import selectors as sel
from fupin.helpers.rights import require_assign, require_bulk_assign, require_profile
from fupin.helpers.services_assign import cadre_profile_save, cadres_reassign, household_assign_helper
from fupin.registry.selectors import household_access

from .base import ApiMixin, error_responses, path_param
from .helpers import TAG, HelperPolicyRowSerializer

HOUSEHOLD_ID = path_param("household_id", "贫困户 ID")
CADRE_ID = path_param("cadre_id", "帮扶责任人（用户）ID")


class HelperAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(source="household.household_no", help_text="户编号")
    cadre_id = serializers.IntegerField(help_text="帮扶责任人（用户）ID")
    cadre_name = serializers.CharField(source="cadre.display_name", help_text="帮扶责任人姓名")
    start = serializers.DateField(help_text="开始日期")
    end = serializers.DateField(allow_null=True, help_text="结束日期（当日起不再结对；空为当前）")
    reason = serializers.CharField(help_text="结对原因")
    end_reason = serializers.CharField(help_text="结束原因")
    actor_name = serializers.CharField(help_text="登记人")


class HelperAssignSerializer(serializers.Serializer):
    cadre_id = serializers.IntegerField(help_text="帮扶责任人（用户）ID")
    on = serializers.DateField(required=False, help_text="结对日期（默认今天，不能晚于今天）")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text="原因（更换帮扶责任人时必填）")


class HelperCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="帮扶责任人（用户）ID")
    name = serializers.CharField(source="display_name", help_text="姓名")
    region_code = serializers.CharField(source="region_id", help_text="所属区划")
    load = serializers.IntegerField(help_text="当前结对户数")
    has_profile = serializers.BooleanField(help_text="是否已登记档案（未登记的不能结对）")
    full = serializers.BooleanField(help_text="是否已达结对上限")


class HelperCandidatesSerializer(serializers.Serializer):
    limit = HelperPolicyRowSerializer(allow_null=True, help_text="该户所在村适用的结对上限及其来源")
    candidates = HelperCandidateSerializer(many=True, help_text="所属区划为该户所在村、乡镇或县的在用帮扶责任人")


class HelperHouseholdView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_helper_assign", tags=[TAG], summary="落实或更换贫困户的帮扶责任人",
        description="原结对在结对日期结束，新结对当日开始，户的帮扶责任人随之更新（记录保留）。拒绝：不是在用的帮扶"
                    "责任人、其所属区划不含该户所在村、未登记档案、为建档立卡人口、结对后超过结对上限"
                    "（helpers.max_households_per_cadre，按结对年度和该户所在村取值）。村级信息员、乡镇审核员、"
                    "县级审批员可操作；户在范围以外返回 404。",
        parameters=[HOUSEHOLD_ID], request=HelperAssignSerializer,
        responses={201: HelperAssignmentSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, household_id: int):
        household = household_access(request.user, household_id)
        require_assign(request.user)  # say "not allowed" before "fields missing"
        body = HelperAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = household_assign_helper(actor=request.user, household_id=household.pk, cadre_id=data["cadre_id"],
                                      on=data.get("on"), reason=data.get("reason", ""))
        return Response(HelperAssignmentSerializer(row).data, status=201)


class HelperHistoryView(ApiMixin, APIView):
    @extend_schema(operation_id="household_helper_history", tags=[TAG], summary="贫困户的结对帮扶记录（含历史）",
                   parameters=[HOUSEHOLD_ID],
                   responses={200: HelperAssignmentSerializer(many=True), **error_responses(401, 404)})
    def get(self, request, household_id: int):
        household = household_access(request.user, household_id)
        rows = sel.household_helper_history(request.user, household).select_related("household")
        return Response(HelperAssignmentSerializer(rows, many=True).data)


class HelperCandidatesView(ApiMixin, APIView):
    @extend_schema(operation_id="household_helper_candidates", tags=[TAG], summary="可为该户结对的帮扶责任人及其结对户数",
                   parameters=[HOUSEHOLD_ID],
                   responses={200: HelperCandidatesSerializer, **error_responses(401, 403, 404)})
    def get(self, request, household_id: int):
        household = household_access(request.user, household_id)
        require_assign(request.user)
        cadres, limit = sel.cadre_candidates(request.user, household, on=today())
        return Response(HelperCandidatesSerializer({"limit": limit, "candidates": cadres}).data)


class HelperCadreSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="用户 ID")
    name = serializers.CharField(help_text="姓名")
    region_code = serializers.CharField(help_text="所属区划")
    is_active = serializers.BooleanField(help_text="账户是否在用")
    has_profile = serializers.BooleanField(help_text="是否已登记档案")
    id_number = serializers.CharField(allow_blank=True, help_text="身份证号码（按角色脱敏）")
    unit_id = serializers.IntegerField(allow_null=True, help_text="工作单位 ID")
    unit_name = serializers.CharField(allow_blank=True, help_text="工作单位")
    position = serializers.CharField(allow_blank=True, help_text="职务")
    phone = serializers.CharField(allow_blank=True, help_text="联系电话（按角色脱敏）")
    load = serializers.IntegerField(help_text="当前结对户数")
    limit = HelperPolicyRowSerializer(allow_null=True, help_text="按所属区划和今年取得的结对上限")


class HelperProfileSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=20, help_text="身份证号码（18 位，校验；不能是建档立卡人口）")
    unit_id = serializers.IntegerField(required=False, allow_null=True, help_text="工作单位（帮扶单位 ID）")
    position = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="职务")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="联系电话")


class HelperReassignSerializer(serializers.Serializer):
    to_cadre_id = serializers.IntegerField(help_text="新帮扶责任人（用户）ID")
    on = serializers.DateField(required=False, help_text="调整日期（默认今天，不能晚于今天）")
    reason = serializers.CharField(max_length=200, help_text="调整原因")


class HelperReassignResultSerializer(serializers.Serializer):
    moved = serializers.IntegerField(help_text="调整的户数")
    from_cadre_id = serializers.IntegerField(help_text="原帮扶责任人 ID")
    to_cadre_id = serializers.IntegerField(help_text="新帮扶责任人 ID")
    on = serializers.DateField(help_text="调整日期")
    to_cadre_load = serializers.IntegerField(help_text="新帮扶责任人调整后的结对户数")
    limit = serializers.IntegerField(help_text="适用的结对上限（各户所在村中最严的）")
    policy = HelperPolicyRowSerializer(help_text="结对上限的政策参数及其来源")
    from_cadre_remaining = serializers.IntegerField(help_text="原帮扶责任人仍结对的户数（管辖范围以外的不调整）")


def _cadre(user, cadre) -> dict:
    profile = sel.cadre_profile(cadre)
    load, limit = sel.cadre_load(cadre, on=today())
    return {"id": cadre.pk, "name": cadre.display_name, "region_code": cadre.region_id, "is_active": cadre.is_active,
            "has_profile": profile is not None,
            "id_number": mask_value("id_number", profile.id_number, user=user, in_list=False) if profile else "",
            "unit_id": profile.unit_id if profile else None,
            "unit_name": profile.unit.name if profile and profile.unit else "",
            "position": profile.position if profile else "",
            "phone": mask_value("phone", (profile.phone if profile else "") or cadre.phone, user=user, in_list=False),
            "load": load, "limit": limit}


class HelperCadreView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_cadre", tags=[TAG], summary="帮扶责任人档案与结对户数",
                   description="可见的帮扶责任人：所属区划在本人管辖范围内的，或与本人管辖范围内的户结对过的；帮扶责任人"
                               "本人只能查看自己。",
                   parameters=[CADRE_ID], responses={200: HelperCadreSerializer, **error_responses(401, 404)})
    def get(self, request, cadre_id: int):
        cadre = sel.cadre_access(request.user, cadre_id)
        return Response(HelperCadreSerializer(_cadre(request.user, cadre)).data)


class HelperCadreProfileView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_cadre_profile_save", tags=[TAG], summary="登记或修改帮扶责任人档案",
                   description="乡镇审核员或县级审批员操作，帮扶责任人所属区划在本人管辖范围内。",
                   parameters=[CADRE_ID], request=HelperProfileSerializer,
                   responses={200: HelperCadreSerializer, **error_responses(400, 401, 403, 404)})
    def put(self, request, cadre_id: int):
        sel.cadre_access(request.user, cadre_id)  # 404 unless the cadre is visible
        require_profile(request.user)
        body = HelperProfileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cadre_profile_save(actor=request.user, cadre_id=cadre_id, **body.validated_data)
        return Response(HelperCadreSerializer(_cadre(request.user, sel.cadre_access(request.user, cadre_id))).data)


class HelperCadreReassignView(ApiMixin, APIView):
    @extend_schema(operation_id="helper_cadre_reassign", tags=[TAG], summary="成批调整帮扶责任人",
                   description="把该帮扶责任人在本人管辖范围内的全部当前结对户改由另一名帮扶责任人帮扶；原结对在调整日期"
                               "结束。新帮扶责任人调整后的结对户数不能超过上限。乡镇审核员或县级审批员操作。",
                   parameters=[CADRE_ID], request=HelperReassignSerializer,
                   responses={200: HelperReassignResultSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, cadre_id: int):
        sel.cadre_access(request.user, cadre_id)  # 404 unless the cadre is visible
        require_bulk_assign(request.user)
        body = HelperReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = cadres_reassign(actor=request.user, from_cadre_id=cadre_id, to_cadre_id=data["to_cadre_id"],
                                 on=data.get("on"), reason=data["reason"])
        return Response(HelperReassignResultSerializer(result).data)

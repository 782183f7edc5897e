from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.api.serializers import RegionChildSerializer, RegionDetailSerializer
from fupin.regions.selectors import breadcrumb_for
from fupin.registry.selectors import region_overview

from .base import REGION_CODE, ApiMixin, error_responses, region_in_scope

TAG = "区划"


class RegionDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_retrieve", tags=[TAG], summary="区划概况：路径、户数人数统计和下级区划",
        description="只能打开本人所属区划及其下级；范围以外的区划返回 404。统计只计当前用户可见的户。",
        parameters=[REGION_CODE], responses={200: RegionDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        overview = region_overview(request.user, region)
        data = {
            "region": region,
            "breadcrumb": [{"region": r, "may_open": ok} for r, ok in breadcrumb_for(request.user, region)],
            "overview": overview,
            "children": overview["children"],
        }
        return Response(RegionDetailSerializer(data).data)


class RegionChildrenView(ApiMixin, APIView):
    @extend_schema(
        operation_id="region_children_list", tags=[TAG], summary="下级区划列表（含户数、人数）",
        parameters=[REGION_CODE],
        responses={200: RegionChildSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request, code: str):
        region = region_in_scope(request.user, code)
        children = region_overview(request.user, region)["children"]
        return Response(RegionChildSerializer(children, many=True).data)

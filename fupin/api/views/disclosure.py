"""Public disclosure of projects and funds (项目资金公告公示) without authentication, like the public
web pages /public/funds/: the region's funds of a year by original fund kind and its disclosed
projects — place, dates, budget and paid per fund kind, performance targets, beneficiary households
by head name with the amount paid. Nothing else: no ID number, phone, bank account or member. Read
through `fupin.funds.selectors_public`, which selects only those columns; a project not yet
disclosed is absent from lists and 404 on its own.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.core.clock import today
from fupin.funds.selectors_public import public_project, public_region_disclosure, public_years
from fupin.regions.codes import InvalidCode, normalize_code
from fupin.regions.selectors import region_get

from .base import ApiMixin, error_responses, path_param

PUBLIC_TAG = "项目资金公告公示（公开）"
PROJECT_ID = path_param("project_id", "项目 ID")
CODE = path_param("code", "区划代码（6、9 或 12 位；县、乡镇或村）", OpenApiTypes.STR)
YEAR = OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                        description="年度（默认：该区划有公示项目的最近年度，没有时为今年）")
MONEY = {"max_digits": 16, "decimal_places": 2}


class PublicFundKindSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="资金类别代码（原始资金来源的类别）")
    label = serializers.CharField(help_text="资金类别名称")
    allocated = serializers.DecimalField(**MONEY, help_text="下达到本区划（元）")
    funded = serializers.DecimalField(**MONEY, help_text="安排到本区划项目（元）")
    paid = serializers.DecimalField(**MONEY, help_text="已拨付（元）")
    rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True,
                                    help_text="拨付率 = 已拨付 ÷ 已下达（下达为 0 时为 null）")


class PublicFundTotalSerializer(serializers.Serializer):
    allocated = serializers.DecimalField(**MONEY, help_text="下达到本区划合计（元）")
    funded = serializers.DecimalField(**MONEY, help_text="安排到项目合计（元）")
    paid = serializers.DecimalField(**MONEY, help_text="已拨付合计（元）")
    rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True, help_text="拨付率")


class PublicProjectEventSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="环节代码")
    status_label = serializers.CharField(help_text="环节（申报、审批入库、开工实施、验收、公告公示、销号）")
    on = serializers.DateField(help_text="日期")


class PublicProjectKindSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="资金类别代码（原始资金来源的类别）")
    label = serializers.CharField(help_text="资金类别名称")
    budget = serializers.DecimalField(**MONEY, help_text="安排（元）")
    paid = serializers.DecimalField(**MONEY, help_text="已拨付（元）")


class PublicProjectHouseholdSerializer(serializers.Serializer):
    head_name = serializers.CharField(help_text="户主姓名")
    amount = serializers.DecimalField(**MONEY, help_text="到户资金（元）")


class PublicProjectTargetSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="绩效指标")
    unit = serializers.CharField(allow_blank=True, help_text="单位")
    target_value = serializers.DecimalField(**MONEY, allow_null=True, help_text="目标值")
    actual_value = serializers.DecimalField(**MONEY, allow_null=True, help_text="完成值")
    result = serializers.CharField(allow_blank=True, help_text="完成情况")


class PublicProjectSerializer(serializers.Serializer):
    """公示的项目：只有张贴的公示上的内容。"""

    id = serializers.IntegerField(help_text="项目 ID")
    name = serializers.CharField(help_text="项目名称")
    type = serializers.CharField(help_text="项目类型代码")
    type_label = serializers.CharField(help_text="项目类型")
    year = serializers.IntegerField(help_text="年度")
    status = serializers.CharField(help_text="状态代码（disclosed 已公告公示、closed 已销号）")
    status_label = serializers.CharField(help_text="状态")
    content = serializers.CharField(allow_blank=True, help_text="建设内容")
    region_code = serializers.CharField(help_text="项目地点区划代码")
    region_name = serializers.CharField(help_text="项目地点名称")
    place = serializers.CharField(help_text="乡镇、村名称")
    events = PublicProjectEventSerializer(many=True, help_text="各环节日期")
    budget = serializers.DecimalField(**MONEY, help_text="项目资金（元）")
    paid = serializers.DecimalField(**MONEY, help_text="已拨付（元）")
    rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True, help_text="拨付率")
    budget_by_kind = PublicProjectKindSerializer(many=True, help_text="按资金类别（各记其功）")
    beneficiary_count = serializers.IntegerField(help_text="受益户数")
    paid_to_households = serializers.DecimalField(**MONEY, help_text="到户资金合计（元）")
    households = PublicProjectHouseholdSerializer(many=True, help_text="受益户：户主姓名和到户资金")
    targets = PublicProjectTargetSerializer(many=True, help_text="绩效目标及完成情况")


class PublicFundRegionSerializer(serializers.Serializer):
    """一个区划一个年度的项目资金公告公示。"""

    code = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(help_text="区划名称")
    year = serializers.IntegerField(help_text="年度")
    years = serializers.ListField(child=serializers.IntegerField(), help_text="有公示项目的年度，新的在前")
    funds_by_kind = PublicFundKindSerializer(many=True, help_text="资金情况，按原始资金来源类别（各记其功）")
    funds_total = PublicFundTotalSerializer(help_text="资金合计")
    project_count = serializers.IntegerField(help_text="已公示项目数")
    budget = serializers.DecimalField(**MONEY, help_text="已公示项目资金合计（元）")
    paid = serializers.DecimalField(**MONEY, help_text="已公示项目已拨付合计（元）")
    households = serializers.IntegerField(help_text="已公示项目受益户数合计")
    projects = PublicProjectSerializer(many=True, help_text="已公示（含已销号）的项目")


def project_data(p) -> dict:
    return {"id": p.id, "name": p.name, "type": p.type, "type_label": p.type_label, "year": p.year,
            "status": p.status, "status_label": p.status_label, "content": p.content,
            "region_code": p.region_code, "region_name": p.region_name, "place": p.place, "events": p.events,
            "budget": p.budget, "paid": p.paid, "rate": p.rate, "budget_by_kind": p.budget_by_kind,
            "beneficiary_count": p.beneficiary_count, "paid_to_households": p.paid_to_households,
            "households": p.households, "targets": p.targets}


def _year(request) -> int | None:
    raw = (request.query_params.get("year") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValidationError({"year": ["年度应为 2000–2100 之间的整数"]})
    return int(raw)


class PublicFundRegionView(ApiMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_fund_region", tags=[PUBLIC_TAG], summary="区划项目资金公告公示（无需登录）",
        description="与公开网页 /public/funds/{code}/ 相同：本区划该年度按资金类别的下达、安排和拨付情况，以及已公告公示"
                    "（含已销号）的项目；受益户只有户主姓名和到户资金。区划代码无效或不存在时返回 404，年度无效时返回 400。",
        auth=[], parameters=[CODE, YEAR], responses={200: PublicFundRegionSerializer, **error_responses(400, 404)},
    )
    def get(self, request, code: str):
        try:
            region = region_get(normalize_code(code))
        except InvalidCode as exc:
            raise NotFound(str(exc)) from None
        if region is None:
            raise NotFound("区划不存在")
        year = _year(request)
        if year is None:
            years = public_years(region_code=region.code)
            year = years[0] if years else today().year
        ctx = public_region_disclosure(region=region, year=year)
        total = ctx["summary"]["total"]
        return Response(PublicFundRegionSerializer({
            "code": region.code, "name": region.name, "year": year, "years": ctx["years"],
            "funds_by_kind": ctx["summary"]["by_kind"],
            "funds_total": {"allocated": total.allocated, "funded": total.funded, "paid": total.paid,
                            "rate": total.rate},
            "project_count": ctx["project_count"], "budget": ctx["budget"], "paid": ctx["paid"],
            "households": ctx["households"], "projects": [project_data(p) for p in ctx["projects"]],
        }).data)


class PublicProjectView(ApiMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_project_retrieve", tags=[PUBLIC_TAG], summary="公示的项目（无需登录）",
        description="与公开网页 /public/projects/{id}/ 相同。尚未公告公示的项目返回 404。", auth=[],
        parameters=[PROJECT_ID], responses={200: PublicProjectSerializer, **error_responses(404)},
    )
    def get(self, request, project_id: int):
        return Response(PublicProjectSerializer(project_data(public_project(project_id))).data)

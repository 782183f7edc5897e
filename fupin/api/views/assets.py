"""Asset income (资产收益扶贫): a region's assets for a year (rate vs target, coverage of poor
households), one asset (shares, incomes, distributions) and recording a year's income, which
distributes it to the households by share.

Regions and assets are opened through the scoped gates: 404 outside scope, 403 in scope without
the right. Bodies go to `fupin.assets.services` as they come; per-field Chinese messages (400).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.assets.choices import AssetKind, AssetStatus
from fupin.assets.selectors import asset_access, asset_detail, region_assets
from fupin.assets.services import income_record
from fupin.core.clock import today

from .base import REGION_CODE, ApiMixin, error_responses, path_param, region_in_scope

TAG = "资产收益扶贫"
ASSET_ID = path_param("asset_id", "资产 ID")
MONEY = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": True}
RATIO = {"max_digits": 9, "decimal_places": 6, "coerce_to_string": True}
KIND_HELP = "资产类别：" + "、".join(f"{c} {label}" for c, label in AssetKind.choices)
STATUS_HELP = "状态：" + "、".join(f"{c} {label}" for c, label in AssetStatus.choices)
RATE = {"max_digits": 12, "decimal_places": 4, "coerce_to_string": True, "allow_null": True}


class AssetYearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="年度（默认今年）")


class AssetPolicySerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField()
    region_code = serializers.CharField(help_text="取值所在区划（最具体的区划优先）")
    year_from = serializers.IntegerField()
    source = serializers.CharField()


class AssetFigureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_label = serializers.CharField()
    region_code = serializers.CharField()
    project_id = serializers.IntegerField()
    book_value = serializers.DecimalField(**MONEY, help_text="账面价值（元）")
    operator = serializers.CharField(help_text="经营主体")
    status = serializers.CharField(help_text=STATUS_HELP)
    household_ratio = serializers.DecimalField(**RATIO, help_text="量化到户比例")
    households = serializers.IntegerField(help_text="当年有效股份的持股户数")
    gross_income = serializers.DecimalField(**MONEY, allow_null=True, help_text="当年收益（未登记为 null）")
    retained = serializers.DecimalField(**MONEY, allow_null=True, help_text="村集体留存")
    distributed = serializers.DecimalField(**MONEY, allow_null=True, help_text="分配到户")
    rate = serializers.DecimalField(**RATE, help_text="收益率 = 年收益 ÷ 账面价值（未登记收益为 null）")
    target = serializers.DecimalField(**RATE, help_text="目标收益率（assets.target_income_rate）")
    below_target = serializers.BooleanField(help_text="收益率低于目标（恰好等于不算；未登记收益算低于）")
    policy = AssetPolicySerializer(help_text="所用政策参数")


class AssetVillageCoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    poor = serializers.IntegerField(help_text="贫困户数（年末状态）")
    covered = serializers.IntegerField(help_text="持有当年有收益资产股份的贫困户数")
    rate = serializers.DecimalField(**RATE)


class AssetCoverageSerializer(serializers.Serializer):
    poor = serializers.IntegerField()
    covered = serializers.IntegerField()
    rate = serializers.DecimalField(**RATE, help_text="收益覆盖率 = covered ÷ poor")
    statuses = serializers.ListField(child=serializers.CharField(), help_text="计为贫困户的年末状态")
    villages = AssetVillageCoverageSerializer(many=True)


class AssetRegionReportSerializer(serializers.Serializer):
    region_code = serializers.CharField()
    year = serializers.IntegerField()
    book_value = serializers.DecimalField(**MONEY)
    gross_income = serializers.DecimalField(**MONEY)
    retained = serializers.DecimalField(**MONEY)
    distributed = serializers.DecimalField(**MONEY)
    below_target = serializers.IntegerField(help_text="收益率低于目标的资产数")
    assets = AssetFigureSerializer(many=True)
    coverage = AssetCoverageSerializer()


class AssetShareSerializer(serializers.Serializer):
    household_id = serializers.IntegerField()
    household_no = serializers.CharField()
    ratio = serializers.DecimalField(**RATIO)
    start_on = serializers.DateField()
    end_on = serializers.DateField(allow_null=True)


class AssetDistributionSerializer(serializers.Serializer):
    household_id = serializers.IntegerField()
    household_no = serializers.CharField()
    ratio = serializers.DecimalField(**RATIO)
    amount = serializers.DecimalField(**MONEY)


class AssetIncomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    gross_income = serializers.DecimalField(**MONEY)
    retained = serializers.DecimalField(**MONEY)
    distributed = serializers.DecimalField(**MONEY)
    recorded_on = serializers.DateField()
    note = serializers.CharField()
    rate = serializers.DecimalField(**RATE)
    target = serializers.DecimalField(**RATE)
    below_target = serializers.BooleanField()
    distributions = AssetDistributionSerializer(many=True)


class AssetDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_label = serializers.CharField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    project_id = serializers.IntegerField()
    project_name = serializers.CharField()
    project_paid = serializers.DecimalField(**MONEY, help_text="形成资产的项目已拨付金额（账面价值上限）")
    book_value = serializers.DecimalField(**MONEY)
    household_ratio = serializers.DecimalField(**RATIO)
    formed_on = serializers.DateField()
    operator = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    shares = AssetShareSerializer(many=True)
    incomes = AssetIncomeSerializer(many=True)


class AssetIncomeInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="年度")
    gross_income = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="年收益（元）")
    retained = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="村集体留存（元）")
    distributed = serializers.DecimalField(max_digits=16, decimal_places=2,
                                           help_text="分配到户（元）；按股份分到户，各户金额合计恰好等于此数")
    recorded_on = serializers.DateField(required=False, help_text="分配日期（默认今天）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


def detail_data(user, asset) -> dict:
    d = asset_detail(user, asset)
    return {
        "id": asset.pk, "name": asset.name, "kind": asset.kind, "kind_label": asset.get_kind_display(),
        "region_code": asset.region_id, "region_name": asset.region.name, "project_id": asset.project_id,
        "project_name": asset.project.name, "project_paid": d.paid, "book_value": asset.book_value,
        "household_ratio": asset.household_ratio, "formed_on": asset.formed_on, "operator": asset.operator,
        "status": asset.status,
        "shares": [{"household_id": s.household_id, "household_no": s.household.household_no, "ratio": s.ratio,
                    "start_on": s.start_on, "end_on": s.end_on} for s in d.shares],
        "incomes": [{"id": i.pk, "year": i.year, "gross_income": i.gross_income, "retained": i.retained,
                     "distributed": i.distributed, "recorded_on": i.recorded_on, "note": i.note, "rate": i.rate,
                     "target": i.target, "below_target": i.below_target,
                     "distributions": [{"household_id": r.household_id, "household_no": r.household.household_no,
                                        "ratio": r.ratio, "amount": r.amount} for r in i.rows]}
                    for i in d.incomes],
    }


class RegionAssetsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="asset_region_report", tags=[TAG], summary="区划的资产收益：收益率和贫困户收益覆盖率",
        description="每项资产的账面价值、当年收益、村集体留存、分配到户和收益率（年收益 ÷ 账面价值）；低于政策参数 "
                    "assets.target_income_rate 的标记（恰好等于不标记），附所用参数。覆盖率 = 持有当年有收益资产股份的贫困户"
                    "（年末状态未脱贫、返贫、监测户）÷ 全部贫困户，按村和全区划。区划在范围以外时返回 404。",
        parameters=[REGION_CODE, AssetYearQuerySerializer],
        responses={200: AssetRegionReportSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request, code: str):
        params = AssetYearQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data.get("year") or today().year
        region = region_in_scope(request.user, code)
        r = region_assets(request.user, region_code=region.code, year=year)
        return Response(AssetRegionReportSerializer({
            "region_code": region.code, "year": year, "book_value": r["book_value"],
            "gross_income": r["gross_income"], "retained": r["retained"], "distributed": r["distributed"],
            "below_target": r["below_target"], "assets": [f.as_dict() for f in r["assets"]],
            "coverage": r["coverage"]}).data)


class AssetDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="asset_detail", tags=[TAG], summary="资产详情：量化到户股份、年收益和分配到户",
        parameters=[ASSET_ID], responses={200: AssetDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, asset_id: int):
        asset = asset_access(request.user, asset_id)
        return Response(AssetDetailSerializer(detail_data(request.user, asset)).data)


class AssetIncomesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="asset_income_create", tags=[TAG], summary="登记资产年收益并分配到户",
        description="村集体留存 + 分配到户不得超过年收益，否则拒绝（400），不写入任何数据。分配到户金额按当年有效的"
                    "股份比例分到各户，以分为单位、最大余额法取整，各户金额合计恰好等于分配到户金额。每项资产每年只登记一次。"
                    "县级审批员办理；其他角色 403。",
        parameters=[ASSET_ID], request=AssetIncomeInputSerializer,
        responses={201: AssetDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, asset_id: int):
        if not hasattr(request.data, "items"):
            raise ValidationError({"non_field_errors": ["请求体应为 JSON 对象"]})
        asset = asset_access(request.user, asset_id)
        income_record(actor=request.user, asset_id=asset.pk, data=dict(request.data.items()))
        return Response(AssetDetailSerializer(detail_data(request.user, asset)).data, status=201)

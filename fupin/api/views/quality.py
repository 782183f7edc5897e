"""Data-quality report (数据质量校验) over a region, or over one household after a save."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.masking import mask_value
from fupin.policy.selectors import PolicyMissing
from fupin.registry.quality import UnknownRule, select_rules
from fupin.registry.quality.selectors import household_quality, quality_default_year, quality_report

from .base import ApiMixin, error_responses, region_in_scope

TAG = "数据质量"
MAX_ID = 2**63 - 1


class QualityQuerySerializer(serializers.Serializer):
    """数据质量校验的查询参数。"""

    region = serializers.CharField(required=False, allow_blank=True,
                                   help_text="区划代码（6、9 或 12 位），校验其下当前用户可见的所有户；默认为本人所属区划")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="校验年度（年龄按该年 12 月 31 日计算）；默认为最近有年度数据的年度")
    rule = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                 help_text="只运行这些规则，逗号分隔，如 R05 或 R05,R06；默认全部规则")
    household = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                         help_text="只校验这一户（如保存后查看提示）；给出时忽略 region")


class RuleCountSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="规则代码，如 R05")
    severity = serializers.ChoiceField(choices=[("error", "错误"), ("warning", "提示")], help_text="级别")
    severity_label = serializers.CharField(help_text="级别名称：错误 / 提示")
    title = serializers.CharField(help_text="规则名称")
    fields = serializers.ListField(child=serializers.CharField(), help_text="涉及的字段")
    description = serializers.CharField(help_text="规则的准确定义")
    policy_keys = serializers.ListField(child=serializers.CharField(), help_text="使用的政策参数")
    count = serializers.IntegerField(help_text="问题数")
    households = serializers.IntegerField(help_text="涉及户数")


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="规则代码")
    severity = serializers.CharField(help_text="级别：error / warning")
    title = serializers.CharField(help_text="规则名称")
    message = serializers.CharField(help_text="中文说明，列出字段和取值（证件号码、电话始终脱敏）")
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    village_code = serializers.CharField(help_text="行政村区划代码")
    head_name = serializers.CharField(help_text="户主姓名")
    member_id = serializers.IntegerField(allow_null=True, help_text="成员 ID（户级问题为空）")
    member_name = serializers.CharField(allow_blank=True, help_text="成员姓名")
    fields = serializers.ListField(child=serializers.CharField(), help_text="涉及的字段")
    values = serializers.DictField(help_text="规则读到的取值（按字段名；个人信息按列表规则脱敏）")
    inputs = serializers.DictField(help_text="使用的政策参数及其来源（区划、起始年度、依据）")


class TotalsSerializer(serializers.Serializer):
    findings = serializers.IntegerField(help_text="问题总数")
    errors = serializers.IntegerField(help_text="错误数")
    warnings = serializers.IntegerField(help_text="提示数")
    households = serializers.IntegerField(help_text="涉及户数")


class QualityReportSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="校验的区划（单户校验时为该户所在村）")
    household_id = serializers.IntegerField(allow_null=True, help_text="单户校验时的贫困户 ID")
    year = serializers.IntegerField(help_text="校验年度")
    reference_date = serializers.DateField(help_text="年龄计算日（该年 12 月 31 日）")
    totals = TotalsSerializer()
    rules = RuleCountSerializer(many=True, help_text="所运行的规则及各自问题数")
    inputs = serializers.DictField(help_text="参照日和使用的全部政策参数（取值及来源）")
    findings = FindingSerializer(many=True, help_text="问题记录，按村、户编号、成员排序")


def _rules(raw: str | None):
    codes = [c for c in (raw or "").split(",") if c.strip()]
    try:
        return select_rules(codes) if codes else None
    except UnknownRule as exc:
        raise ValidationError({"rule": [str(exc)]}) from None


class QualityView(ApiMixin, APIView):
    @extend_schema(
        operation_id="quality_report", tags=[TAG], summary="数据质量校验：各规则问题数和问题记录",
        description="对当前用户管辖范围内、`region` 以下的户运行数据质量规则（R01…），返回各规则的问题数"
                    "和问题记录；帮扶责任人只校验与自己结对的户。`region` 或 `household` 在范围以外时返回 404。"
                    "证件号码重复（R01、R02）查全库：范围以外的户只给出其区划代码。阈值取自政策参数表，"
                    "每条记录都带有所用参数及其来源。",
        parameters=[QualityQuerySerializer],
        responses={200: QualityReportSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request):
        params = QualityQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        user = request.user
        rules = _rules(query.get("rule"))
        try:
            if query.get("household"):
                report = household_quality(user, query["household"], year=query.get("year"), rules=rules)
                household_id = query["household"]
            else:
                region = region_in_scope(user, query.get("region") or user.region_id)
                year = query.get("year") or quality_default_year(user, region)
                report = quality_report(user, region, year=year, rules=rules)
                household_id = None
        except PolicyMissing as exc:
            raise ValidationError({"year": [str(exc)]}) from None
        data = report.as_dict(mask=lambda field, value: mask_value(field, value, user=user, in_list=True))
        return Response(QualityReportSerializer({**data, "household_id": household_id}).data)

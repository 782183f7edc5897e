"""大数据比对 (cross-checks): load department rosters (file upload or pushed rows), list rosters and the
suspects the rules found, dismiss a suspect or send it to the issue ledger.

Reads go through `fupin.crosscheck.selectors` (rosters by covered region, suspects by village; cadres
see none); writes through `fupin.crosscheck.services`. Loading needs RUN_CROSSCHECK (403 otherwise);
a refused file answers 400 naming the rows, and nothing is written.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.roles import Cap
from fupin.accounts.scope import require
from fupin.api.pagination import Pagination
from fupin.crosscheck.choices import DatasetKind, SuspectStatus
from fupin.crosscheck.rules import RULES
from fupin.crosscheck.selectors import (
    roster_access,
    roster_data,
    roster_list,
    roster_rows,
    rule_counts,
    suspect_access,
    suspect_data,
    suspect_list,
)
from fupin.crosscheck.services import roster_load, suspect_dismiss, suspect_to_ledger
from fupin.regions.codes import InvalidCode, normalize_code

from .base import ApiMixin, error_responses, path_param

TAG = "大数据比对"
ROSTER_ID = path_param("roster_id", "比对数据集 ID")
SUSPECT_ID = path_param("suspect_id", "疑点 ID")
KIND_HELP = "、".join(f"{v} {label}" for v, label in DatasetKind.choices)
RULE_HELP = "、".join(f"{r.code} {r.title}" for r in RULES)
STATUS_HELP = "、".join(f"{v} {label}" for v, label in SuspectStatus.choices)


class CrosscheckRuleSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="规则代码")
    title = serializers.CharField(help_text="规则名称")
    description = serializers.CharField(help_text="规则说明")


class CrosscheckRosterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=f"数据类别：{KIND_HELP}")
    kind_label = serializers.CharField(help_text="数据类别名称")
    name = serializers.CharField(help_text="数据集名称")
    department = serializers.CharField(allow_blank=True, help_text="提供部门")
    region_code = serializers.CharField(help_text="覆盖区划：只与该区划以下的建档立卡成员比对")
    as_of = serializers.DateField(help_text="数据截止日期")
    year = serializers.IntegerField(help_text="比对的年度数据")
    file_name = serializers.CharField(allow_blank=True, help_text="文件名（推送的数据为空）")
    sha256 = serializers.CharField(allow_blank=True, help_text="文件摘要")
    row_count = serializers.IntegerField(help_text="数据行数")
    columns = serializers.ListField(child=serializers.CharField(), help_text="部门自有字段")
    matched_at = serializers.DateTimeField(allow_null=True, help_text="比对时间")
    match_summary = serializers.JSONField(help_text="导入和比对结果：空行数、各规则本次发现和累计疑点数")
    uploaded_by = serializers.CharField(allow_blank=True, help_text="上传人")
    uploaded_at = serializers.DateTimeField(help_text="上传时间")
    rules = CrosscheckRuleSerializer(many=True, help_text="该类数据适用的比对规则")


class CrosscheckRuleCountSerializer(CrosscheckRuleSerializer):
    kind = serializers.CharField(help_text="数据类别")
    total = serializers.IntegerField(help_text="疑点数")
    new = serializers.IntegerField(help_text="待核查")
    dismissed = serializers.IntegerField(help_text="已排除")
    ledger = serializers.IntegerField(help_text="已列入问题台账")


class CrosscheckRowSerializer(serializers.Serializer):
    row_no = serializers.IntegerField(help_text="文件中的行号")
    id_number = serializers.CharField(help_text="证件号码（按角色脱敏）")
    name = serializers.CharField(allow_blank=True, help_text="姓名")
    data = serializers.JSONField(help_text="部门自有字段")
    event_date = serializers.DateField(allow_null=True, help_text="死亡日期（死亡人员数据）")
    category = serializers.CharField(allow_blank=True, help_text="车辆类型、救助类型或是否享受残疾人补贴")


class CrosscheckRosterDetailSerializer(CrosscheckRosterSerializer):
    counts = CrosscheckRuleCountSerializer(many=True, help_text="各规则的疑点数（当前用户可见的）")
    rows = CrosscheckRowSerializer(many=True, allow_null=True,
                                   help_text="前 100 行数据（仅可运行比对的角色可见，其他角色为 null）")


class CrosscheckRosterPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CrosscheckRosterSerializer(many=True)


class CrosscheckSuspectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField(help_text=f"规则：{RULE_HELP}")
    rule_title = serializers.CharField(help_text="规则名称")
    status = serializers.CharField(help_text=f"处理状态：{STATUS_HELP}")
    status_label = serializers.CharField(help_text="处理状态名称")
    status_note = serializers.CharField(allow_blank=True, help_text="排除理由或台账编号")
    reason = serializers.CharField(help_text="疑点说明（证件号码已脱敏）")
    year = serializers.IntegerField(help_text="比对年度")
    roster_id = serializers.IntegerField(help_text="数据集 ID")
    roster_name = serializers.CharField(help_text="数据集名称")
    roster_kind = serializers.CharField(help_text="数据类别")
    household_id = serializers.IntegerField(help_text="贫困户 ID")
    household_no = serializers.CharField(help_text="户编号")
    head_name = serializers.CharField(help_text="户主姓名")
    village_code = serializers.CharField(help_text="行政村区划代码")
    member_id = serializers.IntegerField(allow_null=True, help_text="成员 ID")
    member_name = serializers.CharField(allow_blank=True, help_text="成员姓名")
    id_number = serializers.CharField(allow_blank=True, help_text="证件号码（按角色脱敏）")
    roster_row_no = serializers.IntegerField(allow_null=True, help_text="匹配的数据行号（缺失类规则为 null）")
    roster_row_data = serializers.JSONField(help_text="匹配的数据行的部门字段")
    inputs = serializers.JSONField(help_text="依据：数据行、建档立卡数据、政策参数（证件号码按角色脱敏）")
    found_at = serializers.DateTimeField(help_text="发现时间")


class CrosscheckSuspectPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CrosscheckSuspectSerializer(many=True)


class CrosscheckRosterInputSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=f"数据类别：{KIND_HELP}")
    region_code = serializers.CharField(help_text="覆盖区划（12 位，或 6/9 位简写；全国为 000000000000）")
    as_of = serializers.DateField(required=False, help_text="数据截止日期（默认今天）")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="比对年度（默认截止日期所在年度）")
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="数据集名称")
    department = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="提供部门")
    file = serializers.FileField(required=False, help_text="CSV（UTF-8 或 GBK）或 XLSX 文件，须有“证件号码”列")
    rows = serializers.ListField(child=serializers.DictField(), required=False,
                                 help_text="推送的数据行：每行一个对象，须有“证件号码”（或 id_number），可有“姓名”及部门字段")


class CrosscheckRosterQuerySerializer(serializers.Serializer):
    region = serializers.CharField(required=False, help_text="只列出覆盖该区划以下的数据集")
    kind = serializers.CharField(required=False, help_text=f"数据类别：{KIND_HELP}")

    def validate_kind(self, value):
        if value not in DatasetKind.values:
            raise serializers.ValidationError(f"数据类别“{value}”无效")
        return value


class CrosscheckSuspectQuerySerializer(serializers.Serializer):
    region = serializers.CharField(required=False, help_text="区划代码：该区划以下行政村的疑点")
    rule = serializers.ChoiceField(choices=[r.code for r in RULES], required=False, help_text=f"规则：{RULE_HELP}")
    status = serializers.ChoiceField(choices=SuspectStatus.choices, required=False, help_text=f"处理状态：{STATUS_HELP}")
    roster = serializers.IntegerField(required=False, help_text="数据集 ID")


class CrosscheckDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="排除理由（核查情况，必填）")


class CrosscheckLedgerInputSerializer(serializers.Serializer):
    deadline = serializers.DateField(required=False, help_text="整改时限（默认按 ledger.default_deadline_days）")
    responsible_name = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                             help_text="整改责任人（单位）")
    measures = serializers.CharField(required=False, allow_blank=True, help_text="整改措施")


class CrosscheckLedgerResultSerializer(serializers.Serializer):
    suspect = CrosscheckSuspectSerializer()
    ledger_item_id = serializers.IntegerField(help_text="问题台账 ID")


def _query(cls, request) -> dict:
    params = cls(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _region(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalize_code(raw)
    except InvalidCode as exc:
        raise ValidationError({"region": [str(exc)]}) from None


def _page(request, view, qs, data):
    paginator = Pagination()
    paginator.page_size = 100
    page = paginator.paginate_queryset(qs, request, view=view)
    return {"count": paginator.page.paginator.count, "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(), "results": [data(x) for x in page]}


class CrosscheckRostersView(ApiMixin, APIView):
    @extend_schema(
        operation_id="crosscheck_roster_list", tags=[TAG], summary="比对数据集（覆盖区划在管辖范围内的，分页）",
        parameters=[CrosscheckRosterQuerySerializer],
        responses={200: CrosscheckRosterPageSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        q = _query(CrosscheckRosterQuerySerializer, request)
        qs = roster_list(request.user, region_code=_region(q.get("region")), kind=q.get("kind"))
        return Response(CrosscheckRosterPageSerializer(_page(request, self, qs, roster_data)).data)

    @extend_schema(
        operation_id="crosscheck_roster_create", tags=[TAG], summary="导入部门数据并比对",
        description="上传文件（multipart：file 及 kind、region_code、as_of 等）或推送 JSON 数据行（rows）。证件号码统一为 "
                    "18 位（15 位旧号码转换、末位 x 转大写）并校验；任何一行有误则整个文件不导入，返回 400 并列出行号（前 "
                    "50 行及总数）。导入后即按该类数据的规则与覆盖区划内的建档立卡成员比对，返回数据集及各规则疑点数。"
                    "需要“运行比对”权限（县级审批员、审计员），否则 403。",
        request={"multipart/form-data": CrosscheckRosterInputSerializer,
                 "application/json": CrosscheckRosterInputSerializer},
        responses={201: CrosscheckRosterDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        require(request.user, Cap.RUN_CROSSCHECK)
        body = CrosscheckRosterInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        upload = d.get("file")
        if upload is None and d.get("rows") is None:
            raise ValidationError({"file": ["请上传文件（file），或推送数据行（rows）"]})
        roster = roster_load(actor=request.user, kind=d["kind"], region_code=d["region_code"], as_of=d.get("as_of"),
                             name=d.get("name", ""), department=d.get("department", ""), year=d.get("year"),
                             file=upload, rows=None if upload is not None else d.get("rows"),
                             file_name=upload.name if upload is not None else None)
        return Response(CrosscheckRosterDetailSerializer(_detail(request.user, roster)).data, status=201)


def _detail(user, roster) -> dict:
    from fupin.crosscheck.selectors import may_see_rows

    return {**roster_data(roster), "counts": rule_counts(user, roster_id=roster.pk),
            "rows": roster_rows(user, roster) if may_see_rows(user) else None}


class CrosscheckRosterDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="crosscheck_roster_retrieve", tags=[TAG], summary="比对数据集详情和各规则疑点数",
        description="数据行是未建档人员的个人信息，仅可运行比对的角色可见（证件号码按角色脱敏）。覆盖区划不在管辖范围内时 404。",
        parameters=[ROSTER_ID], responses={200: CrosscheckRosterDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, roster_id: int):
        roster = roster_access(request.user, roster_id)
        return Response(CrosscheckRosterDetailSerializer(_detail(request.user, roster)).data)


class CrosscheckSuspectsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="crosscheck_suspect_list", tags=[TAG], summary="比对疑点（管辖范围内行政村的，分页）",
        description="帮扶责任人看不到疑点。", parameters=[CrosscheckSuspectQuerySerializer],
        responses={200: CrosscheckSuspectPageSerializer, **error_responses(400, 401)},
    )
    def get(self, request):
        q = _query(CrosscheckSuspectQuerySerializer, request)
        qs = suspect_list(request.user, region_code=_region(q.get("region")), rule=q.get("rule"),
                          status=q.get("status"), roster_id=q.get("roster"))
        return Response(CrosscheckSuspectPageSerializer(
            _page(request, self, qs, lambda s: suspect_data(request.user, s))).data)


class CrosscheckSuspectDetailView(ApiMixin, APIView):
    @extend_schema(operation_id="crosscheck_suspect_retrieve", tags=[TAG], summary="一条比对疑点",
                   parameters=[SUSPECT_ID], responses={200: CrosscheckSuspectSerializer, **error_responses(401, 404)})
    def get(self, request, suspect_id: int):
        s = suspect_access(request.user, suspect_id)
        return Response(CrosscheckSuspectSerializer(suspect_data(request.user, s, in_list=False)).data)


class CrosscheckSuspectDismissView(ApiMixin, APIView):
    @extend_schema(
        operation_id="crosscheck_suspect_dismiss", tags=[TAG], summary="排除疑点",
        description="经核查不是问题：须填写理由。需要“运行比对”权限。已处理的疑点不能再处理（400）。",
        parameters=[SUSPECT_ID], request=CrosscheckDismissSerializer,
        responses={200: CrosscheckSuspectSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, suspect_id: int):
        body = CrosscheckDismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        s = suspect_dismiss(actor=request.user, suspect_id=suspect_id, reason=body.validated_data["reason"])
        return Response(CrosscheckSuspectSerializer(suspect_data(request.user, s, in_list=False)).data)


class CrosscheckSuspectLedgerView(ApiMixin, APIView):
    @extend_schema(
        operation_id="crosscheck_suspect_ledger", tags=[TAG], summary="疑点列入问题台账",
        description="登记为问题台账（来源：大数据比对），附疑点说明和依据。需要“管理问题台账”权限。",
        parameters=[SUSPECT_ID], request=CrosscheckLedgerInputSerializer,
        responses={201: CrosscheckLedgerResultSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, suspect_id: int):
        body = CrosscheckLedgerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        s, item = suspect_to_ledger(actor=request.user, suspect_id=suspect_id, deadline=d.get("deadline"),
                                    responsible_name=d.get("responsible_name", ""), measures=d.get("measures", ""))
        return Response(CrosscheckLedgerResultSerializer({
            "suspect": suspect_data(request.user, s, in_list=False), "ledger_item_id": item.pk}).data, status=201)


class CrosscheckRulesView(ApiMixin, APIView):
    @extend_schema(operation_id="crosscheck_rule_list", tags=[TAG], summary="比对规则说明",
                   responses={200: CrosscheckRuleSerializer(many=True), **error_responses(401)})
    def get(self, request):
        return Response([{"rule": r.code, "title": r.title, "description": r.description} for r in RULES])

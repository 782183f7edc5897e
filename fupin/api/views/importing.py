"""Export of the household list (xlsx / csv, the import template's layout) and import jobs.

Export: the same filters as GET /households plus main cause and attribute; personal fields are
masked unless the role may see them in lists; capability "export". Import: upload a workbook, get
a job back (it runs in the background; poll GET /imports/{id} for progress and the result).
"""

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from fupin.accounts.roles import Cap
from fupin.api.permissions import capability
from fupin.core.clock import today
from fupin.registry.choices import HouseholdAttribute, HouseholdStatus, PovertyCause
from fupin.registry.exporting import ExportFilters, export_households, latest_year, xlsx_tempfile
from fupin.registry.importing.jobs import job_create, job_progress, job_start
from fupin.registry.importing.selectors import import_job_access

from .base import ApiMixin, error_responses, path_param, region_in_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportParamsSerializer(serializers.Serializer):
    """导出的查询参数（与贫困户列表相同，另加致贫原因、贫困户属性、年度和格式）。"""

    format = serializers.ChoiceField(choices=[("xlsx", "Excel"), ("csv", "CSV")], default="xlsx",
                                     help_text="xlsx：户信息、成员信息两表（与导入模板相同）；csv：每人一行")
    region = serializers.CharField(required=False, allow_blank=True, help_text="区划代码（6、9 或 12 位）")
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=HouseholdStatus.choices, help_text="户状态")
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="户主姓名（包含）或户编号（开头）")
    main_cause = serializers.ChoiceField(required=False, allow_blank=True, choices=PovertyCause.choices,
                                         help_text="主要致贫原因")
    attribute = serializers.ChoiceField(required=False, allow_blank=True, choices=HouseholdAttribute.choices,
                                        help_text="贫困户属性")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="年度数据的年度（默认：有数据的最近年度）")


class HouseholdExportView(ApiMixin, APIView):
    permission_classes = [IsAuthenticated, capability(Cap.EXPORT)]

    def perform_content_negotiation(self, request, force=False):
        # `format` names the file format here, not a DRF renderer; errors are JSON as everywhere.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="households_export", tags=["贫困户"], summary="导出贫困户名单（Excel 或 CSV）",
        description="按列表的筛选条件导出管辖范围内的户及成员，列与导入模板相同（可再导入）。"
                    "证件号码、电话、银行账号按列表规则脱敏（审计员可见全文）。需要导出权限；每次导出记入审计日志。",
        parameters=[ExportParamsSerializer],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 文件"),
                   (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV 文件（UTF-8，带 BOM）"),
                   **error_responses(400, 401, 403, 404)},
    )
    def get(self, request):
        params = ExportParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        user = request.user
        region = region_in_scope(user, p["region"]) if p.get("region") else user.region
        filters = ExportFilters(region_code=region.code, status=p.get("status") or None, q=p.get("q") or None,
                                main_cause=p.get("main_cause") or None, attribute=p.get("attribute") or None)
        year = p.get("year") or latest_year(user, filters) or today().year - 1
        filename = f"贫困户_{region.name}_{year}.{p['format']}"
        if p["format"] == "xlsx":
            handle, _ = xlsx_tempfile(user, filters, year=year)
            return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
        _, lines = export_households(user, filters, year=year, fmt="csv")
        response = StreamingHttpResponse((line.encode("utf-8") for line in lines),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


def job_data(job) -> dict:
    return {
        "id": job.pk, "file": job.file_name, "year": job.year, "registered_year": job.registered_year,
        "dry_run": job.dry_run, "status": job.status, "status_label": job.get_status_display(),
        "layout": job.layout, "progress": job_progress(job), "counts": job.counts, "message": job.message,
        "error_count": job.error_count, "errors": job.errors, "ignored_columns": job.ignored_columns,
        "has_error_file": bool(job.error_file_path), "created_at": job.created_at, "finished_at": job.finished_at,
    }


JOB_SCHEMA = inline_serializer("ImportJob", {
    "id": serializers.IntegerField(), "file": serializers.CharField(), "year": serializers.IntegerField(),
    "registered_year": serializers.IntegerField(allow_null=True), "dry_run": serializers.BooleanField(),
    "status": serializers.ChoiceField(choices=["pending", "running", "succeeded", "failed"]),
    "status_label": serializers.CharField(), "layout": serializers.CharField(),
    "progress": serializers.DictField(), "counts": serializers.DictField(), "message": serializers.CharField(),
    "error_count": serializers.IntegerField(), "errors": serializers.ListField(child=serializers.DictField()),
    "ignored_columns": serializers.ListField(child=serializers.CharField()),
    "has_error_file": serializers.BooleanField(), "created_at": serializers.DateTimeField(),
    "finished_at": serializers.DateTimeField(allow_null=True),
})


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="本系统导入模板或国家监测系统导出的 .xlsx 文件")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="数据年度")
    registered_year = serializers.IntegerField(required=False, allow_null=True, min_value=1990, max_value=2100,
                                               help_text="文件没有“识别年度”列时新户使用的识别年度")
    dry_run = serializers.BooleanField(required=False, default=False, help_text="只校验，不写入")


class ImportJobCreateView(ApiMixin, APIView):
    permission_classes = [IsAuthenticated, capability(Cap.EDIT_REGISTRY)]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="import_create", tags=["导入"], summary="上传 Excel 导入建档立卡数据",
        description="返回导入任务（202）；任务在后台运行，用 GET /imports/{id} 查看进度和结果。"
                    "任何一行有错误则不写入任何数据，结果中按行、列给出中文原因。",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: JOB_SCHEMA, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        body = ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        job = job_create(actor=request.user, upload=data["file"], year=data["year"],
                         registered_year=data.get("registered_year"), dry_run=data.get("dry_run", False))
        job_start(job)
        job.refresh_from_db()
        return Response(job_data(job), status=202)


class ImportJobDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="import_retrieve", tags=["导入"], summary="导入任务的进度和结果",
        parameters=[path_param("job_id", "导入任务 ID")], responses={200: JOB_SCHEMA, **error_responses(401, 404)},
    )
    def get(self, request, job_id: int):
        return Response(job_data(import_job_access(request.user, job_id)))

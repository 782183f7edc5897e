"""Import and export pages: the template download, the upload form, the job page (progress and
result) with its error workbook, and the household list's export as xlsx or csv.

Reads go through selectors (import jobs: registry.importing.selectors; export rows:
registry.exporting), writes through services (registry.importing.jobs); rights are checked there.
"""

import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from fupin.accounts.roles import Cap
from fupin.core.clock import today
from fupin.regions.selectors import region_access
from fupin.registry.choices import HouseholdAttribute, HouseholdStatus, PovertyCause
from fupin.registry.exporting import ExportFilters, export_households, latest_year, xlsx_tempfile
from fupin.registry.importing.jobs import job_create, job_progress, job_start, max_upload_mb
from fupin.registry.importing.selectors import import_job_access, import_jobs_of
from fupin.registry.importing.template import write_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_LABELS = [
    ("rows", "数据行"), ("empty_rows", "跳过的空行"), ("households", "文件中的户"), ("households_new", "其中新户"),
    ("members", "文件中的成员"), ("members_new", "其中新成员"),
    ("households_created", "新增户"), ("households_updated", "更新户"), ("households_unchanged", "未变的户"),
    ("members_created", "新增成员"), ("members_updated", "更新成员"), ("members_unchanged", "未变的成员"),
    ("household_years_created", "新增户年度数据"), ("household_years_updated", "更新户年度数据"),
    ("member_years_created", "新增成员年度数据"), ("member_years_updated", "更新成员年度数据"),
    ("status_events", "户状态变更记录"), ("audit_entries", "审计日志条目"),
]


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
                           help_text="本系统导入模板，或国家防返贫监测信息系统导出的家庭成员表（标题行之下为表头）")
    year = forms.IntegerField(label="数据年度", min_value=2000, max_value=2100,
                              help_text="收入、住房、成员年度数据所属的年度")
    registered_year = forms.IntegerField(label="识别年度（可选）", min_value=1990, max_value=2100, required=False,
                                         help_text="文件没有“识别年度”列时，新户使用此年度")
    dry_run = forms.BooleanField(label="只校验，不写入", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = today().year - 1


def _need_edit(user) -> None:
    if not user.can(Cap.EDIT_REGISTRY):
        raise PermissionDenied("您的角色无权导入建档立卡数据")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_view(request):
    user = request.user
    _need_edit(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = job_create(actor=user, upload=data["file"], year=data["year"],
                             registered_year=data["registered_year"], dry_run=data["dry_run"])
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, msgs)
        else:
            job_start(job)
            return redirect("web:import_job", pk=job.pk)
    return render(request, "web/import/import.html", {
        "form": form,
        "jobs": import_jobs_of(user),
        "max_mb": max_upload_mb(user, today().year),
    })


@login_required
@require_safe
def template_view(request):
    _need_edit(request.user)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 -- closed by the response
    write_template(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="建档立卡数据导入模板.xlsx", content_type=XLSX)


@never_cache
@login_required
@require_safe
def job_view(request, pk):
    job = import_job_access(request.user, pk)
    counts = [(label, job.counts[key]) for key, label in COUNT_LABELS if job.counts.get(key)]
    return render(request, "web/import/job.html", {
        "job": job,
        "progress": job_progress(job),
        "counts": counts,
        "has_error_file": bool(job.error_file_path) and Path(job.error_file_path).exists(),
    })


@login_required
@require_safe
def job_errors_view(request, pk):
    job = import_job_access(request.user, pk)
    if not job.error_file_path or not Path(job.error_file_path).exists():
        raise Http404("没有错误标注文件")
    stem = Path(job.file_name).stem
    return FileResponse(open(job.error_file_path, "rb"), as_attachment=True,  # noqa: SIM115 -- closed by the response
                        filename=f"{stem}.错误标注.xlsx", content_type=XLSX)


def export_filters(params, region_code: str) -> ExportFilters:
    """The household list's query string → filters (unknown values are ignored, as on the list)."""
    def choice(name, values):
        value = params.get(name, "")
        return value if value in values else None

    q = params.get("q", "").strip()[:50]
    return ExportFilters(region_code=region_code, status=choice("status", HouseholdStatus.values), q=q or None,
                         main_cause=choice("main_cause", PovertyCause.values),
                         attribute=choice("attribute", HouseholdAttribute.values))


def export_year(params, user, filters) -> int:
    raw = params.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return latest_year(user, filters) or today().year - 1


@login_required
@require_safe
def export_view(request, code, fmt):
    user = request.user
    region = region_access(user, code)
    if not user.can(Cap.EXPORT):
        raise PermissionDenied("您的角色无权导出数据")
    filters = export_filters(request.GET, region.code)
    year = export_year(request.GET, user, filters)
    filename = f"贫困户_{region.name}_{year}.{fmt}"
    if fmt == "xlsx":
        handle, _ = xlsx_tempfile(user, filters, year=year)
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
    _, lines = export_households(user, filters, year=year, fmt="csv")
    response = StreamingHttpResponse((line.encode("utf-8") for line in lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response

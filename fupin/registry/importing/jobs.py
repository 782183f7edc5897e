"""Import jobs for the web and the API (导入任务).

`job_create` stores the upload (after checking its size — before any parsing) and makes an
ImportJob row; `job_start` runs it in a background thread (or inline when the setting
FUPIN_IMPORT_IN_THREAD is False, as in tests). While it runs, progress goes to a small JSON file
beside the upload, because the import writes inside one database transaction that other requests
cannot see into; the job page reads that file. The job row gets the final status, counts, errors
and the path of the error workbook.
"""

import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from fupin.accounts.roles import Cap
from fupin.accounts.scope import require
from fupin.audit.context import acting, current

from ..models_import import ImportJob
from .reader import MB

logger = logging.getLogger(__name__)
ALLOWED_SUFFIXES = (".xlsx", ".xlsm")
STALE_AFTER_SECONDS = 15 * 60


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_upload_mb(actor, year: int):
    from fupin.policy.selectors import resolve

    return resolve("import.max_file_mb", year=year, region_code=actor.region_id).value


def job_create(*, actor, upload, year: int, registered_year: int | None = None, dry_run: bool = False) -> ImportJob:
    """Store an uploaded file and make its job. Raises PermissionDenied without the right to edit
    the registry, ValidationError (per field, Chinese) for a bad year, type or size."""
    require(actor, Cap.EDIT_REGISTRY)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = [f"年度“{year}”无效"]
    if registered_year is not None and not 1990 <= registered_year <= 2100:
        errors["registered_year"] = [f"识别年度“{registered_year}”无效"]
    name = Path(getattr(upload, "name", "") or "upload.xlsx").name[:200]
    if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        errors.setdefault("file", []).append(f"文件“{name}”不是 .xlsx 文件：请上传 Excel 工作簿（.xlsx）")
    if errors:
        raise ValidationError(errors)
    limit = max_upload_mb(actor, year)
    if upload.size > limit * MB:
        raise ValidationError({"file": [f"文件“{name}”大小为 {upload.size / MB:.1f} MB，超过上限 {limit} MB；请分批导入"]})
    token = uuid.uuid4().hex
    path = import_dir() / f"{token}.xlsx"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return ImportJob.objects.create(user=actor, region_code=actor.region_id, file_name=name, file_path=str(path),
                                    file_size=upload.size, year=year, registered_year=registered_year,
                                    dry_run=dry_run)


def _progress_path(job: ImportJob) -> Path:
    return Path(job.file_path).with_suffix(".progress.json")


class _ProgressFile:
    """Writes {"phase", "done", "total", "at"} atomically, at most every half second."""

    def __init__(self, path: Path):
        self.path = path
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total, "at": time.time()}),
                       encoding="utf-8")
        os.replace(tmp, self.path)


def job_run(job_id: int) -> ImportJob:
    from .engine import import_households

    job = ImportJob.objects.select_related("user", "user__region").get(pk=job_id)
    job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = _ProgressFile(_progress_path(job))
    error_path = Path(job.file_path).with_suffix(".errors.xlsx")
    try:
        with acting(actor_id=job.user.pk, actor_name=job.user.username, ip=current().ip):
            result = import_households(job.file_path, actor=job.user, year=job.year, dry_run=job.dry_run,
                                       registered_year=job.registered_year, progress=progress,
                                       error_path=error_path, file_name=job.file_name)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = "导入过程中发生内部错误，未写入任何数据。请联系系统管理员查看日志。"
    else:
        job.status = ImportJob.Status.SUCCEEDED if result.ok else ImportJob.Status.FAILED
        job.layout = result.layout
        job.counts = result.counts
        job.message = result.message
        job.errors = [p.as_dict() for p in result.problems]
        job.error_count = result.error_count
        job.error_file_path = result.error_file
        job.ignored_columns = result.ignored_columns
        job.progress_total = job.progress_done = result.counts.get("rows", 0)
    job.phase = ""
    job.finished_at = timezone.now()
    job.save()
    # The upload holds personal data: it is not kept once the job is done.
    for path in (Path(job.file_path), _progress_path(job)):
        path.unlink(missing_ok=True)
    return job


def _run_in_thread(job_id: int, ip: str | None) -> None:
    close_old_connections()
    try:
        with acting(actor_name="system", ip=ip):
            job_run(job_id)
    finally:
        connection.close()


def job_start(job: ImportJob) -> None:
    if getattr(settings, "FUPIN_IMPORT_IN_THREAD", True):
        threading.Thread(target=_run_in_thread, args=(job.pk, current().ip), name=f"import-{job.pk}",
                         daemon=True).start()
    else:
        job_run(job.pk)


def job_progress(job: ImportJob) -> dict:
    """Where a job stands: phase, done/total and percent; `stale` when a running job has not
    reported for a long time (the server was restarted while it ran)."""
    if job.finished:
        return {"phase": "", "done": job.progress_done, "total": job.progress_total, "percent": 100, "stale": False}
    data = {}
    path = _progress_path(job)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    done, total = int(data.get("done", 0)), int(data.get("total", 0))
    percent = min(99, int(done * 100 / total)) if total else 0
    last = data.get("at") or (job.started_at.timestamp() if job.started_at else job.created_at.timestamp())
    stale = time.time() - last > STALE_AFTER_SECONDS
    return {"phase": data.get("phase", "等待开始" if job.status == ImportJob.Status.PENDING else "准备中"),
            "done": done, "total": total, "percent": percent, "stale": stale}

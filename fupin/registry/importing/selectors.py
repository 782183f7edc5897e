"""Reads of import jobs. A job is visible to the user who submitted it, and to nobody else."""

from django.http import Http404

from fupin.accounts.scope import OUT_OF_SCOPE, scope_of

from ..models_import import ImportJob

RECENT_JOBS = 20


def import_jobs_of(user, *, limit: int = RECENT_JOBS):
    scope_of(user)
    return ImportJob.objects.filter(user_id=user.pk).order_by("-created_at", "-id")[:limit]


def import_job_access(user, pk) -> ImportJob:
    scope_of(user)
    job = ImportJob.objects.filter(pk=pk, user_id=user.pk).first() if str(pk).isdigit() else None
    if job is None:
        raise Http404(OUT_OF_SCOPE)
    return job

"""Report PDFs as background jobs: a PDF of national size takes longer than a page should wait.

A report's PDF link starts a job, or finds the same PDF the user asked for in the last
PDF_REUSE_SECONDS, and shows its progress page. The worker makes the PDF by running the same
report view for the job's owner with the same query (so the same access checks, figures and audit
trail apply), and keeps the file privately for the owner to download (jobs/files.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import resolve
from django.utils import timezone

from audit.reports.access import require_reports
from jobs.files import save_output
from jobs.models import Job, JobStatus
from jobs.services import JobFailed, job_work, start_job

PDF_REUSE_SECONDS = 10 * 60
NOT_AVAILABLE = (
    "The report could not be made: it is not available to you, or it no longer exists. "
    "Open the report again and choose Download as PDF."
)


class JobRequest(HttpRequest):
    """The request the worker makes a report with, on behalf of the job's owner."""

    def __init__(self, job: Job):
        super().__init__()
        self.method = "GET"
        self.path = self.path_info = job.params["path"]
        self.GET = QueryDict(job.params.get("query", ""))
        self.user = job.owner
        self.META = {
            "REMOTE_ADDR": job.params.get("remote_addr", ""),
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
        }


def pdf_or_job(request, make: Callable[[], HttpResponse], *, title: str) -> HttpResponse:
    """In the worker, the PDF itself (`make`); on the web, the progress page of its job."""
    if isinstance(request, JobRequest):
        return make()
    query = request.GET.urlencode()
    job = (
        Job.objects.filter(
            owner=request.user,
            work=f"{make_report_pdf.__module__}.{make_report_pdf.__qualname__}",
            params__path=request.path,
            params__query=query,
            created_at__gte=timezone.now() - timedelta(seconds=PDF_REUSE_SECONDS),
        )
        .exclude(status=JobStatus.FAILED)
        .first()
    )
    if job is None:
        job = start_job(
            owner=request.user,
            work=make_report_pdf,
            title=title,
            params={
                "path": request.path,
                "query": query,
                "remote_addr": request.META.get("REMOTE_ADDR", ""),
            },
        )
    return redirect(job)


def pdf_download(
    request,
    slug: str,
    *,
    check: Callable[[], Any] | None,
    make: Callable[[], HttpResponse],
    title: str | Callable[[Any], str],
) -> HttpResponse:
    """A report's PDF link: the whole report only, to those who may see it (`check`, which may
    raise a 404, returns what `title` names when it is a callable), made by `make` as a job."""
    if slug != "report":
        raise Http404("A PDF is made of a whole report.")
    require_reports(request.user)
    checked = check() if check is not None else None
    return pdf_or_job(request, make, title=title(checked) if callable(title) else title)


def _filename(response: HttpResponse) -> str:
    disposition = response.get("Content-Disposition", "")
    if 'filename="' in disposition:
        return disposition.split('filename="', 1)[1].split('"', 1)[0]
    return "report.pdf"


@job_work
def make_report_pdf(job: Job, progress) -> dict:
    progress.phase("Making the PDF")
    match = resolve(job.params["path"])
    try:
        response = match.func(JobRequest(job), *match.args, **match.kwargs)
    except (Http404, PermissionDenied) as refused:
        raise JobFailed(NOT_AVAILABLE) from refused
    if response.status_code != 200 or response.get("Content-Type") != "application/pdf":
        raise JobFailed(NOT_AVAILABLE)
    return save_output(
        job, data=response.content, filename=_filename(response), content_type="application/pdf"
    )

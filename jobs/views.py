"""The pages of a job: its progress while it runs, then how it ended.

A room's own page for a job (the caseload preview, say) calls `unfinished_response` first: while
the job runs it returns the progress page; once the job has failed, the failure page. Only a
finished job reaches the room's page.

The progress page keeps itself up to date without reloading: static/js/job-progress.mjs (a file
of the service's own, as the content security policy allows: no inline script) fetches `status`
every two seconds, writes the figures into the page's status region, and goes to the job's page
when it has finished. A page that reloads itself on a timer (a meta refresh) is a timing barrier
under WCAG 2.2.1 (a screen reader starts the page again each time), so it is used only where
scripts do not run, inside <noscript>.
"""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .files import has_output, output_response
from .models import Job, JobStatus
from .selectors import own_job_or_404
from .services import recover_stalled

REFRESH_SECONDS = 2


def progress_text(job: Job) -> str:
    """What the job is doing, in words: "Checking rows: 45,000 of 100,001 rows"."""
    if job.status == JobStatus.QUEUED:
        return "Waiting to start."
    text = job.phase or "Working"
    if job.total:
        return f"{text}: {intcomma(job.done)} of {intcomma(job.total)} rows"
    if job.done:
        return f"{text}: {intcomma(job.done)} rows"
    return text


def _checked(job: Job) -> Job:
    """The job as it is, a running one whose worker was lost being queued again or failed."""
    if job.status == JobStatus.RUNNING:
        recover_stalled(jobs=Job.objects.filter(pk=job.pk))
        job.refresh_from_db()
    return job


def unfinished_response(
    request, job: Job, back_url: str = "", back_label: str = ""
) -> HttpResponse | None:
    """The progress or failure page of a job not finished well; None once it is done."""
    job = _checked(job)
    if job.status == JobStatus.DONE:
        return None
    context = {
        "job": job,
        "page_title": job.title,
        "back_url": back_url,
        "back_label": back_label,
        "refresh": REFRESH_SECONDS,
        "text": progress_text(job),
    }
    if job.status == JobStatus.FAILED:
        return render(request, "jobs/failed.html", context)
    return render(request, "jobs/progress.html", context)


@require_safe
def detail(request, pk):
    """A job of the user's own: its progress, or how it ended."""
    job = own_job_or_404(request.user, pk)
    if job.page and job.page != "jobs:detail":
        return redirect(job)
    response = unfinished_response(request, job)
    if response is not None:
        return response
    return render(
        request,
        "jobs/done.html",
        {
            "job": job,
            "page_title": job.title,
            "summary": job.outcome.get("summary", []),
            "file": job.outcome.get("file") if has_output(job) else None,
            "file_lost": bool(job.outcome.get("file")) and not has_output(job),
        },
    )


@require_safe
def download(request, pk):
    """The file a finished job of the user's own made (a report's PDF)."""
    job = own_job_or_404(request.user, pk)
    if job.status != JobStatus.DONE or not has_output(job):
        raise Http404("This job has no file to download, or it has been removed.")
    return output_response(job)


@require_safe
@never_cache
def status(request, pk):
    """A job of the user's own, as JSON for its progress page."""
    job = _checked(own_job_or_404(request.user, pk))
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.finished,
            "text": progress_text(job),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "url": job.get_absolute_url(),
        }
    )

"""The pages of a job: its progress while it runs, then how it ended.

A room's own page for a job (the caseload preview, say) calls `unfinished_response` first: while
the job runs it returns the progress page, which reloads itself every few seconds with
<meta http-equiv="refresh"> (no script, so nothing for the content security policy to allow);
once the job has failed it returns the failure page. Only a finished job reaches the room's page.
"""
from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from .models import Job, JobStatus
from .selectors import own_job_or_404
from .services import recover_stalled

REFRESH_SECONDS = 2


def unfinished_response(request, job: Job, back_url: str = "",
                        back_label: str = "") -> HttpResponse | None:
    """The progress or failure page of a job not finished well; None once it is done."""
    if job.status == JobStatus.RUNNING:
        recover_stalled(jobs=Job.objects.filter(pk=job.pk))
        job.refresh_from_db()
    if job.status == JobStatus.DONE:
        return None
    context = {"job": job, "page_title": job.title, "back_url": back_url,
               "back_label": back_label, "refresh": REFRESH_SECONDS}
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
    return render(request, "jobs/done.html", {"job": job, "page_title": job.title,
                                              "summary": job.outcome.get("summary", [])})

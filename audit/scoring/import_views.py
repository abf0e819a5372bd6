"""Scoring import pages for the lead of an inspection: upload, then a job checks the file (a dry
run of the whole import) while its progress shows, ending in a preview or the problems; confirm,
then a job imports it in one transaction, ending on the inspection's page. Thin: the work is in
audit.scoring.import_jobs and audit.importers.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.accounts.access import inspection_to_manage_or_404
from audit.models import InspectionStatus
from audit.scoring.forms import ImportReviewsForm
from audit.scoring.import_jobs import check_reviews, write_reviews
from audit.scoring.importers import RowError
from cases import uploads
from cases.forms import ConfirmImportForm
from jobs.models import Job
from jobs.selectors import own_job_or_404
from jobs.services import claim, start_job
from jobs.views import unfinished_response
from ui.forms import form_status

MAX_ERRORS_SHOWN = 500
WORKS = {f"{work.__module__}.{work.__qualname__}": work for work in (check_reviews, write_reviews)}


@require_http_methods(["GET", "POST"])
def inspection_import(request, pk):
    """Upload a file of scored reviews: it is kept privately and a job checks it."""
    inspection = inspection_to_manage_or_404(request.user, pk)
    published = inspection.status == InspectionStatus.PUBLISHED
    form = ImportReviewsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not published and form.is_valid():
        upload = form.cleaned_data["file"]
        token = uploads.stage(request, data=upload.read(), filename=upload.name)
        job = start_job(
            owner=request.user,
            work=check_reviews,
            title=f"Checking scored reviews {upload.name} for {inspection}",
            page="audit:review_import_job",
            page_kwargs={"pk": inspection.pk, "job": None},
            params={
                "inspection": inspection.pk,
                "token": token,
                "sha256": uploads.checksum(request, token),
                "filename": upload.name[:200],
            },
        )
        return redirect(job)
    return render(
        request,
        "audit/inspection_import.html",
        {
            "form": form,
            "inspection": inspection,
            "errors": [],
            "page_title": "Import scored reviews",
            "published": published,
        },
        status=form_status(form),
    )


def _job_or_404(request, pk, job_pk):
    inspection = inspection_to_manage_or_404(request.user, pk)
    job = own_job_or_404(request.user, job_pk)
    if job.work not in WORKS or job.params.get("inspection") != inspection.pk:
        raise Http404("No such import.")
    return inspection, job


@require_safe
def review_import_job(request, pk, job):
    """An import of the user's own: its progress, then the preview, the problems, or the
    reviews imported."""
    inspection, job = _job_or_404(request, pk, job)
    waiting = unfinished_response(
        request, job, reverse("audit:inspection_import", args=[pk]), "Import another file"
    )
    if waiting is not None:
        return waiting
    outcome = job.outcome
    writing = WORKS[job.work] is write_reviews
    if writing and outcome.get("ok"):
        return _imported(request, inspection, job, outcome)
    token = job.params["token"]
    offer = (
        not writing
        and outcome.get("ok")
        and uploads.is_staged(request, token)
        and uploads.read(token, job.params["sha256"]) is not None
    )
    errors = [RowError(*error) for error in outcome.get("errors", [])]
    return render(
        request,
        "audit/review_import_preview.html",
        {
            "inspection": inspection,
            "job": job,
            "outcome": outcome,
            "filename": job.params["filename"],
            "page_title": (
                "Check the scored reviews"
                if outcome.get("ok")
                else "There is a problem with the file"
            ),
            "confirm_form": ConfirmImportForm(initial={"upload": token}) if offer else None,
            "errors_shown": errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(0, outcome.get("error_count", 0) - MAX_ERRORS_SHOWN),
        },
    )


def _imported(request, inspection, job, outcome):
    """Once, the message and the inspection's page; after that, the job's own summary."""
    summary = (
        f"{outcome['answers']:,} answers imported for {outcome['reviews']:,} cases: "
        f"{outcome['submitted']:,} complete and submitted, {outcome['in_progress']:,} "
        "in progress."
    )
    if Job.objects.filter(pk=job.pk, seen_at=None).update(seen_at=timezone.now()):
        messages.success(request, summary)
        return redirect("audit:inspection_detail", pk=inspection.pk)
    return render(
        request, "jobs/done.html", {"job": job, "page_title": job.title, "summary": [summary]}
    )


@require_POST
def review_import_confirm(request, pk):
    """Import a previewed file: a job checks it again, then writes it in one transaction."""
    inspection = inspection_to_manage_or_404(request.user, pk)
    form = ConfirmImportForm(request.POST)
    # Claiming the upload lets one confirmation through; others sent at once find nothing.
    staged = uploads.claim(request, form.cleaned_data["upload"]) if form.is_valid() else None
    if staged is None:
        raise Http404("No import to confirm.")
    sha256 = uploads.checksum(request, staged.token)
    uploads.discard(request, staged.token, suffixes=())  # the session's note; the job has the file
    job = start_job(
        owner=request.user,
        work=write_reviews,
        title=f"Importing scored reviews {staged.filename} into {inspection}",
        page="audit:review_import_job",
        page_kwargs={"pk": inspection.pk, "job": None},
        params={
            "inspection": inspection.pk,
            "token": staged.token,
            "sha256": sha256,
            "filename": staged.filename,
        },
    )
    claim(job)
    return redirect(job)


@require_POST
def review_import_cancel(request, pk):
    """Drop a previewed file: it is deleted now, not left to expire."""
    inspection_to_manage_or_404(request.user, pk)
    form = ConfirmImportForm(request.POST)
    if not form.is_valid() or not uploads.is_staged(request, form.cleaned_data["upload"]):
        raise Http404("No import to cancel.")
    uploads.discard(request, form.cleaned_data["upload"])
    messages.info(request, "Nothing was imported, and the file you uploaded is deleted.")
    return redirect("audit:inspection_import", pk=pk)

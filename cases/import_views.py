"""Caseload import pages: upload, then a job checks the file while its progress shows, ending in
the preview (or the problems); confirm, then a job writes it while its progress shows, ending in
the provider's page. Thin: the work is in cases.import_jobs and cases.importers.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from jobs.models import Job
from jobs.selectors import own_job_or_404
from jobs.services import claim, start_job
from jobs.views import unfinished_response
from ui.forms import form_status
from ui.refusals import role_required

from . import uploads
from .forms import CaseloadUploadForm, ConfirmImportForm
from .import_jobs import StoredResult, check_caseload, provider_of, write_caseload
from .importers import COLUMNS
from .models import Gender, RoshLevel, SentenceType
from .selectors import visible_providers
from .views import provider_or_404

MAX_ERRORS_SHOWN = 500
# Managers keep their providers' caseloads (docs/access-and-audit.md); anyone else is told so.
may_import = role_required(
    "cases.add_case",
    title="Only managers import caseloads",
    who_may="A manager imports the caseloads of their own providers: ask a manager of the "
    "provider whose caseload you need.",
)
WORKS = {
    f"{work.__module__}.{work.__qualname__}": work for work in (check_caseload, write_caseload)
}


@may_import
def caseload_upload(request, code=None):
    """Upload a caseload file: it is kept privately and a job checks it."""
    providers = visible_providers(request.user).order_by("name")
    chosen = provider_or_404(request.user, code) if code else None
    posted = request.method == "POST"
    form = CaseloadUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        providers=providers,
        initial={"provider": chosen.code if chosen else None},
    )
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        provider = form.cleaned_data["provider"]
        token = uploads.stage(
            request,
            data=upload.read(),
            filename=upload.name,
            provider_code=provider.code if provider else "",
        )
        job = start_job(
            owner=request.user,
            work=check_caseload,
            title=f"Checking caseload {upload.name}",
            page="cases:caseload_job",
            params={
                "token": token,
                "sha256": uploads.checksum(request, token),
                "filename": upload.name[:200],
                "provider": provider.code if provider else "",
            },
        )
        return redirect(job)
    return render(
        request,
        "cases/caseload_upload.html",
        {
            "page_title": "Upload a caseload",
            "form": form,
            "provider": chosen,
            "columns": COLUMNS,
        },
        status=form_status(form),
    )


LABELS = {
    "sentence_type": dict(SentenceType.choices),
    "rosh_level": dict(RoshLevel.choices),
    "gender": dict(Gender.choices),
}


def _preview(request, job: Job, result: StoredResult, token: str | None):
    rows = [
        {**row, **{name: labels.get(row[name], row[name]) for name, labels in LABELS.items()}}
        for row in result.preview
    ]
    return render(
        request,
        "cases/caseload_preview.html",
        {
            "preview_rows": rows,
            "page_title": "Check the caseload"
            if result.ok
            else "There is a problem with the caseload",
            "result": result,
            "filename": job.params.get("filename", ""),
            "provider": provider_of(request.user, job),
            "confirm_form": ConfirmImportForm(initial={"upload": token}) if token else None,
            "errors_shown": result.errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(0, result.error_count - MAX_ERRORS_SHOWN),
        },
    )


@require_safe
@may_import
def caseload_job(request, pk):
    """A caseload job of the user's own: its progress, then the preview, the problems, or the
    cases written."""
    job = own_job_or_404(request.user, pk)
    if job.work not in WORKS:
        raise Http404("No such caseload import.")
    waiting = unfinished_response(
        request, job, reverse("cases:caseload_upload"), "Upload another caseload"
    )
    if waiting is not None:
        return waiting
    result = StoredResult.load(job.outcome)
    writing = WORKS[job.work] is write_caseload
    if writing and result.written:
        return _written(request, job, result)
    token = job.params["token"]
    offer = (
        not writing
        and result.ok
        and uploads.is_staged(request, token)
        and uploads.read(token, job.params["sha256"]) is not None
    )
    return _preview(request, job, result, token if offer else None)


def _written(request, job, result):
    """Once, the message and the provider's page; after that, the job's own summary."""
    if Job.objects.filter(pk=job.pk, seen_at=None).update(seen_at=timezone.now()):
        messages.success(
            request,
            f"Caseload imported from {job.params['filename']}: {result.created:,} new cases, "
            f"{result.updated:,} updated.",
        )
        provider = provider_of(request.user, job)
        if provider is not None:
            return redirect("cases:provider_detail", code=provider.code)
        return redirect("cases:provider_list")
    return render(
        request,
        "jobs/done.html",
        {
            "job": job,
            "page_title": job.title,
            "summary": [f"{result.created:,} new cases, {result.updated:,} updated."],
        },
    )


@require_POST
@may_import
def caseload_confirm(request):
    """Import a previewed file: a job validates it again, then writes it in one transaction."""
    form = ConfirmImportForm(request.POST)
    # Claiming the upload lets one confirmation through; others sent at once find nothing.
    staged = uploads.claim(request, form.cleaned_data["upload"]) if form.is_valid() else None
    if staged is None:
        raise Http404("No caseload upload to confirm.")
    if (
        staged.provider_code
        and not visible_providers(request.user).filter(code=staged.provider_code).exists()
    ):
        uploads.release(request, staged.token)
        raise Http404("No caseload upload to confirm.")
    sha256 = uploads.checksum(request, staged.token)
    uploads.discard(request, staged.token, suffixes=())  # the session's note; the job has the file
    job = start_job(
        owner=request.user,
        work=write_caseload,
        title=f"Importing caseload {staged.filename}",
        page="cases:caseload_job",
        params={
            "token": staged.token,
            "sha256": sha256,
            "filename": staged.filename,
            "provider": staged.provider_code,
        },
    )
    claim(job)
    return redirect(job)


@require_POST
@may_import
def caseload_cancel(request):
    """Drop a previewed file: it is deleted now, not left to expire."""
    form = ConfirmImportForm(request.POST)
    if not form.is_valid() or not uploads.is_staged(request, form.cleaned_data["upload"]):
        raise Http404("No caseload upload to cancel.")
    uploads.discard(request, form.cleaned_data["upload"])
    messages.info(request, "The caseload was not imported, and the file you uploaded is deleted.")
    return redirect("cases:caseload_upload")

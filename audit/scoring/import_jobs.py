"""The scoring import as background jobs: a check (a dry run of the whole import, rolled back,
ending in the preview or the problems) and, once confirmed, the import itself, all or nothing in
one transaction. Both read the upload the page staged privately (cases.uploads) by its token
and checksum, and hold the job's owner to the inspections they manage when the job runs.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from audit.accounts.access import inspection_to_manage_or_404
from audit.scoring.importers import ImportFailed, ImportResult, import_file
from cases import uploads
from jobs.services import JobFailed, job_work

ERRORS_KEPT = 1_000
CRNS_KEPT = 200
GONE = (
    "The uploaded file is no longer kept (files are deleted after an hour, or once used). "
    "Upload it again."
)


def _outcome(result: ImportResult) -> dict:
    return {
        "ok": True,
        "reviews": result.reviews,
        "answers": result.answers,
        "submitted": result.submitted,
        "in_progress": result.in_progress,
        "submitted_crns": sorted(result.submitted_crns)[:CRNS_KEPT],
    }


def _failed(failure: ImportFailed) -> dict:
    return {
        "ok": False,
        "error_count": len(failure.errors),
        "errors": [[e.row, e.column, e.message] for e in failure.errors[:ERRORS_KEPT]],
    }


def _run(job, progress, *, dry_run: bool) -> dict:
    params = job.params
    try:
        inspection = inspection_to_manage_or_404(job.owner, params["inspection"])
    except (Http404, PermissionDenied) as exc:
        raise JobFailed("You no longer manage this inspection, so nothing was imported.") from exc
    data = uploads.read(params["token"], params["sha256"], claimed=not dry_run)
    if data is None:
        raise JobFailed(GONE)
    try:
        return _outcome(
            import_file(
                inspection=inspection,
                content=data,
                filename=params["filename"],
                user=job.owner,
                dry_run=dry_run,
                progress=progress,
            )
        )
    except ImportFailed as failure:
        return _failed(failure)


@job_work
def check_reviews(job, progress) -> dict:
    """Everything the import does, rolled back: the preview's figures, or every problem."""
    outcome = _run(job, progress, dry_run=True)
    if not outcome["ok"]:
        uploads.remove(job.params["token"])
    return outcome


@job_work
def write_reviews(job, progress) -> dict:
    """The confirmed import, checked again and written in one transaction; the file is deleted
    once it is done (a run cut short keeps it for the retry)."""
    try:
        outcome = _run(job, progress, dry_run=False)
    except Exception:
        uploads.remove(job.params["token"])
        raise
    uploads.remove(job.params["token"])
    return outcome

"""The caseload import as background jobs: a check (ending in the preview or the problems) and,
once confirmed, the write (all or nothing, in one transaction).

Both read the upload the page staged privately (cases.uploads) by its token and checksum, and
check the rows against the providers the job's owner manages when the job runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from jobs.services import JobFailed, job_work

from . import uploads
from .case_dates import CASE_DATE_FIELDS
from .importers import ImportResult, RowError, import_caseload
from .models import Case, Provider
from .selectors import provider_ids_visible_to, visible_providers
from .signals import case_data_event

ERRORS_KEPT = 1_000
DATE_FIELDS = ("start_date", *CASE_DATE_FIELDS)
GONE = (
    "The uploaded file is no longer kept (files are deleted after an hour, or once used). "
    "Upload it again."
)


@dataclass
class StoredResult:
    """An import's result as a job keeps it: what the preview page shows."""

    ok: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    written: bool = False
    by_provider: dict = field(default_factory=dict)
    ignored_columns: list = field(default_factory=list)
    preview: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    error_count: int = 0
    bad_rows: int = 0

    @property
    def file_errors(self) -> list[RowError]:
        return [error for error in self.errors if error.row is None]

    @classmethod
    def load(cls, outcome: dict) -> StoredResult:
        values = dict(outcome.get("result", {}))
        values["errors"] = [RowError(*error) for error in values.get("errors", [])]
        values["preview"] = [
            {
                **row,
                **{
                    name: datetime.date.fromisoformat(row[name])
                    for name in DATE_FIELDS
                    if row.get(name)
                },
                "provider": {"code": row["provider"]},
            }
            for row in values.get("preview", [])
        ]
        return cls(**values)


def _stored(result: ImportResult) -> dict:
    return {
        "ok": result.ok,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "written": result.written,
        "by_provider": result.by_provider,
        "ignored_columns": result.ignored_columns,
        "preview": [
            {
                **row,
                **{name: row[name].isoformat() for name in DATE_FIELDS if row.get(name)},
                "provider": row["provider"].code,
            }
            for row in result.preview
        ],
        "errors": [[e.row, e.column, e.reason] for e in result.errors[:ERRORS_KEPT]],
        "error_count": len(result.errors),
        "bad_rows": result.bad_rows,
    }


def _run(job, progress, *, claimed: bool) -> ImportResult:
    params = job.params
    data = uploads.read(params["token"], params["sha256"], claimed=claimed)
    if data is None:
        raise JobFailed(GONE)
    provider = None
    if params.get("provider"):
        provider = visible_providers(job.owner).filter(code=params["provider"]).first()
        if provider is None:
            raise JobFailed(f"You no longer manage the provider {params['provider']}.")
    return import_caseload(
        data=data,
        filename=params["filename"],
        default_provider=provider,
        allowed_provider_ids=provider_ids_visible_to(job.owner),
        dry_run=not claimed,
        progress=progress,
    )


@job_work
def check_caseload(job, progress) -> dict:
    """Read and validate the staged file; a file with problems is deleted."""
    result = _run(job, progress, claimed=False)
    if not result.ok:
        uploads.remove(job.params["token"])
    return {"result": _stored(result)}


@job_work
def write_caseload(job, progress) -> dict:
    """Validate the confirmed file again, then write it in one transaction; delete it after (a
    run cut short keeps it for the retry)."""
    try:
        result = _run(job, progress, claimed=True)
    except Exception:
        uploads.remove(job.params["token"])
        raise
    uploads.remove(job.params["token"])
    if result.written:
        provider = job.params.get("provider", "")
        filename = job.params["filename"]
        case_data_event.send(
            sender=Case,
            user=job.owner,
            action="imported",
            object_type="caseload",
            object_id=provider,
            label=f"Caseload {filename}: {result.created} new cases, {result.updated} updated",
            request=None,
            detail={"by_provider": result.by_provider},
        )
    return {"result": _stored(result)}


def provider_of(user, job) -> Provider | None:
    code = job.params.get("provider")
    return visible_providers(user).filter(code=code).first() if code else None

"""A job's file: what a job made for its owner to download (a report's PDF), kept privately.

Written under the job's id to the private folder JOBS_OUTPUT_DIR (made 0700, files 0600), never
under the static or media roots: only `jobs.views.download` serves it, and only to the job's
owner. Files are removed JOBS_OUTPUT_MAX_AGE seconds after they were made (`remove_old_outputs`,
run by the worker between jobs).
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from django.conf import settings
from django.http import FileResponse

from .models import Job


def output_dir() -> Path:
    path = Path(settings.JOBS_OUTPUT_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)
    return path


def _path(job: Job) -> Path:
    return output_dir() / f"job-{job.pk}.out"


def save_output(job: Job, *, data: bytes, filename: str, content_type: str) -> dict:
    """Keep the job's file; returns the part of the job's outcome that names it."""
    path = _path(job)
    partial = path.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    partial.replace(path)  # a file is whole or absent, never half-written
    return {"file": {"name": filename, "content_type": content_type, "size": len(data)}}


def has_output(job: Job) -> bool:
    return bool(job.outcome.get("file")) and _path(job).exists()


def output_response(job: Job) -> FileResponse:
    described = job.outcome["file"]
    return FileResponse(
        _path(job).open("rb"),
        as_attachment=True,
        filename=described["name"],
        content_type=described["content_type"],
    )


def remove_old_outputs(*, now: float | None = None) -> int:
    """Remove files older than JOBS_OUTPUT_MAX_AGE; returns how many."""
    folder = Path(settings.JOBS_OUTPUT_DIR)
    if not folder.exists():
        return 0
    cutoff = (now or time.time()) - settings.JOBS_OUTPUT_MAX_AGE
    removed = 0
    for path in folder.glob("job-*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed

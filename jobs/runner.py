"""Running a job: the worker's side (jobs.tasks.run_job calls `run`).

The work is looked up by the dotted path its job records and run only if marked `@job_work`. It
is given a JobProgress; what it returns becomes the job's outcome. `JobFailed` ends the job as
failed with its message for the user; any other exception with a general message (the details go
to the log). A run cut short by the process itself dying (nothing caught) leaves the job running
until jobs.services.recover_stalled finds it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Job, JobStatus
from .progress import JobProgress

logger = logging.getLogger("jobs.services")

GENERAL_FAILURE = (
    "The work stopped because of a fault in the service, and nothing was saved. "
    "Try again; if it fails again, tell the service's support team."
)


class JobFailed(Exception):
    """Raised by work to end its job as failed with this message for the user."""


def job_work(function: Callable) -> Callable:
    """Mark a function as work a job may run (nothing else named in a job row is run)."""
    function.is_job_work = True
    return function


def run(job_id: int) -> None:
    """Run a queued job (the task calls this); a job already finished or running is left be."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        phase="Starting",
        done=0,
        total=None,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    work = import_string(job.work)
    if not getattr(work, "is_job_work", False):
        _finish(job_id, status=JobStatus.FAILED, message=GENERAL_FAILURE)
        return
    progress = JobProgress(job_id)
    try:
        outcome = work(job, progress)
    except JobFailed as failure:
        _finish(job_id, status=JobStatus.FAILED, message=str(failure))
    except Exception:
        logger.exception("Job %s (%s) failed", job_id, job.work)
        _finish(job_id, status=JobStatus.FAILED, message=GENERAL_FAILURE)
    else:
        _finish(
            job_id,
            status=JobStatus.DONE,
            outcome=outcome or {},
            done=progress.done,
            total=progress.total,
        )
    finally:
        progress.close()


def _finish(
    job_id: int, *, status: str, message: str = "", outcome: dict | None = None, **figures
) -> None:
    values = {
        "status": status,
        "message": message,
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
        "phase": "",
    }
    if outcome is not None:
        values["outcome"] = outcome
    values.update({key: value for key, value in figures.items() if value is not None})
    Job.objects.filter(pk=job_id).update(**values)

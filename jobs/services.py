"""Starting, running and recovering jobs. The one hook for long work:

    @job_work
    def check_caseload(job, progress) -> dict:      # in the room that owns the work
        ...                                         # progress.phase(...), progress.advance()
        return {"ok": True, ...}                    # the outcome its page shows

    job = start_job(owner=user, work=check_caseload, title="Checking caseload.csv",
                    page="cases:caseload_job", params={...})

`start_job` records the Job and hands `jobs.tasks.run_job` to the task backend (settings.TASKS:
the database backend and `manage.py run_jobs`, or RQ on Redis; in tests, at once in-process).
The worker calls the work with a JobProgress; what it returns becomes the job's outcome. An
exception marks the job failed with a plain message (the work's own ``JobFailed`` message, or a
general one; the details go to the log). Work that writes does so in one transaction, so a run
cut short (the worker killed, the machine lost) leaves nothing half-written: `recover_stalled`
finds a running job whose progress has not moved for JOBS_STALLED_AFTER seconds and queues it
again, up to JOBS_MAX_ATTEMPTS runs, then marks it failed saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Job, JobStatus
from .runner import GENERAL_FAILURE, JobFailed, job_work
from .tasks import run_job

__all__ = ["GENERAL_FAILURE", "JobFailed", "claim", "job_work", "recover_stalled", "start_job"]


STALLED = (
    "The work stopped before it finished (the server running it stopped), and nothing "
    "was saved. It was tried {attempts} times. Start it again."
)


def _path(work: Callable) -> str:
    return f"{work.__module__}.{work.__qualname__}"


def start_job(
    *,
    owner,
    work: Callable,
    title: str,
    page: str = "",
    page_kwargs: dict | None = None,
    params: dict | None = None,
) -> Job:
    """Record a job and queue it. Call it outside any transaction of the caller's, so the job is
    in the database before a worker looks for it. `page` names the URL of the page that shows
    the job (`page_kwargs` its arguments, the job's own id given as None)."""
    if not getattr(work, "is_job_work", False):
        raise ValueError(f"{_path(work)} is not marked with @job_work")
    job = Job.objects.create(
        owner=owner,
        work=_path(work),
        title=title[:200],
        page=page,
        page_kwargs=page_kwargs or {},
        params=params or {},
    )
    _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Job) -> None:
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).exclude(task_id=result.id).update(task_id=str(result.id)[:64])


def recover_stalled(*, now=None, jobs=None) -> tuple[int, int]:
    """Queue again each running job whose progress has not moved for JOBS_STALLED_AFTER seconds,
    or mark it failed once it has had JOBS_MAX_ATTEMPTS runs; returns (queued, failed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_STALLED_AFTER)
    stalled = (jobs if jobs is not None else Job.objects.all()).filter(
        status=JobStatus.RUNNING, heartbeat_at__lt=cutoff
    )
    queued = failed = 0
    for job in stalled:
        if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
            failed += Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED,
                finished_at=now,
                phase="",
                message=STALLED.format(attempts=job.attempts),
            )
        elif Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.QUEUED, phase="", done=0, total=None
        ):
            queued += 1
            transaction.on_commit(lambda job=job: _enqueue(job))
    return queued, failed


def claim(job: Job) -> bool:
    """Mark a finished job's outcome as acted on, for one caller only (a confirmation sent twice
    goes through once)."""
    return bool(
        Job.objects.filter(pk=job.pk, status=JobStatus.DONE, claimed_at=None).update(
            claimed_at=timezone.now()
        )
    )

"""Reads of jobs: a user's own, and no one else's."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from .models import Job

RECENT = 10


def jobs_of(user):
    """The user's jobs, newest first."""
    return Job.objects.filter(owner=user).defer("outcome", "params")


def recent_jobs(user, limit: int = RECENT) -> list[Job]:
    return list(jobs_of(user)[:limit])


def own_job_or_404(user, pk: int, work: str | None = None) -> Job:
    """The job if the user started it (and it runs the given work); otherwise 404, saying
    nothing of whether it exists."""
    jobs = Job.objects.filter(owner=user)
    if work is not None:
        jobs = jobs.filter(work=work)
    return get_object_or_404(jobs, pk=pk)

"""The record a user sees of a piece of long work: what it is, how far it has gone, how it ended.

django-tasks keeps its own record of each run (django_tasks_db's DBTaskResult); this one is the
user's: the owner it is scoped to, the figures of its progress, the phase it is in, its outcome
(what the page showing it needs: a preview, the rows' errors, the figures written) and a failure
message in plain English. One Job may be run more than once: a run cut short is retried.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class Job(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    work = models.CharField(max_length=200, help_text="The dotted path of the work it runs.")
    title = models.CharField(max_length=200)
    page = models.CharField(
        max_length=100,
        blank=True,
        help_text="The URL name of the page that shows the job (given its id); blank: the "
        "generic job page.",
    )
    page_kwargs = models.JSONField(
        default=dict,
        blank=True,
        help_text="The page's URL arguments; the one given as null takes the job's id. Empty: "
        "the job's id is the only argument.",
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField(max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Why it failed, in plain words.")
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner was shown how it ended."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its outcome was acted on (confirmed)."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        if not self.page_kwargs:
            return reverse(self.page or "jobs:detail", args=[self.pk])
        kwargs = {
            key: self.pk if value is None else value for key, value in self.page_kwargs.items()
        }
        return reverse(self.page, kwargs=kwargs)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

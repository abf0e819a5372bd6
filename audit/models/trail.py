"""The audit trail's events."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who viewed, exported, changed or reopened a review or a report, and when.

    Append-only: rows are never updated or deleted by the application.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        EXPORTED = "exported", "Exported"
        CHANGED = "changed", "Changed"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        REOPENED = "reopened", "Reopened"
        RESOLVED = "resolved", "Resolved"
        OVERRIDDEN = "overridden", "Overrode a rating"
        IMPORTED = "imported", "Imported"
        STATUS_CHANGED = "status_changed", "Changed status"
        PURGED = "purged", "Purged case data"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.username} {self.get_action_display().lower()} {self.object_label}"

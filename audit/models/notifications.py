"""Notifications: what a user is told about work that concerns them, in the service and by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    CASES_ASSIGNED = "cases_assigned", "Cases assigned"
    REVIEW_RETURNED = "review_returned", "Review returned"
    DISAGREEMENT_RESOLVED = "disagreement_resolved", "Disagreement resolved"
    REPORT_PUBLISHED = "report_published", "Report published"


class Notification(models.Model):
    """One message to one user, with a link to the page it is about.

    The recipient's unread count is kept on the user (`User.unread_notifications`), changed by
    the services that add and read notifications, so the header shows it without a query.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    message = models.CharField(max_length=500)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_recipient")]

    def __str__(self):
        return self.message

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

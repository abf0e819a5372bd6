"""Users: members of QA teams, scoped to providers."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from cases.models import Provider


class User(AbstractUser):
    """A member of a QA team. Roles are groups; providers scope what the user may see."""

    providers = models.ManyToManyField(
        Provider,
        blank=True,
        related_name="users",
        help_text="The user sees these providers and everything beneath them.",
    )
    unread_notifications = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="How many of the user's notifications are unread, kept by the notification "
        "services (audit/notifications/services.py) so the header needs no query.",
    )

"""The statuses and answer choices the audit models share."""

from __future__ import annotations

from django.db import models


class InspectionStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    FIELDWORK = "fieldwork", "Fieldwork"
    MODERATION = "moderation", "Moderation"
    PUBLISHED = "published", "Published"


class ReviewStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    RETURNED = "returned", "Returned"
    SUBMITTED = "submitted", "Submitted"
    MODERATED = "moderated", "Moderated"


COUNTED_REVIEW_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.MODERATED)


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class YesNoNotApplicable(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"

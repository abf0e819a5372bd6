"""Second reads and the lead's resolutions of disagreements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from audit.models.reviews import CaseReview, Judgement
from standards.models import JudgementValue, KeyQuestion


class ModerationRead(models.Model):
    """A blind second read of a submitted review."""

    class Reason(models.TextChoices):
        RANDOM = "random", "Random selection"
        LEAD_CHOICE = "lead_choice", "Chosen by the lead"

    review = models.OneToOneField(CaseReview, on_delete=models.CASCADE, related_name="moderation")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_reads",
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    selection_seed = models.BigIntegerField(null=True, blank=True)
    selected_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Counts the drafts saved, so a draft saved from a page opened before another save is
    # refused rather than overwriting it (audit/moderation/drafts.py).
    version = models.PositiveIntegerField(default=0)


class ModerationJudgement(models.Model):
    read = models.ForeignKey(ModerationRead, on_delete=models.CASCADE, related_name="judgements")
    key_question = models.ForeignKey(KeyQuestion, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=15, choices=JudgementValue.choices)
    rationale = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["read", "key_question"], name="moderation_judgement_unique"
            )
        ]


class Resolution(models.Model):
    """The lead's resolution of a disagreement; it replaces the first judgement in the roll-up."""

    judgement = models.OneToOneField(Judgement, on_delete=models.CASCADE, related_name="resolution")
    value = models.CharField(max_length=15, choices=JudgementValue.choices)
    note = models.TextField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

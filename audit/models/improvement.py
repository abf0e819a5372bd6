"""Improvement actions: what a provider will change after a finding, tracked to the next audit."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.models.inspections import Inspection
from cases.models import Provider
from standards.rating import sufficiency


class ActionState(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class FindingKind(models.TextChoices):
    KEY_QUESTION = "kq", "Key question"
    STANDARD = "standard", "Standard"
    FOCUS_MEASURE = "focus", "Focus measure"


class ImprovementAction(models.Model):
    """An action recorded against one finding of a provider's report.

    The figure it starts from is copied from the report when the action is recorded
    (`numerator` of `denominator`, in `inspection`), so later changes to that inspection's
    counts never move the starting point. `measure_code` names what the figure counts: the key
    question or focus measure itself, or, for a standard rated from case data, the key question
    that set its rating (the weakest). A standard rated by judgement has no figure.
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="+")
    finding_kind = models.CharField(max_length=10, choices=FindingKind.choices)
    finding_code = models.CharField(max_length=60)
    finding_label = models.CharField(max_length=300)
    measure_code = models.CharField(max_length=60, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    state = models.CharField(max_length=12, choices=ActionState.choices, default=ActionState.OPEN)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["provider", "due_date"]),
            models.Index(fields=["owner", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(numerator__isnull=True, denominator__isnull=True)
                    | models.Q(
                        numerator__isnull=False,
                        denominator__isnull=False,
                        numerator__lte=models.F("denominator"),
                    )
                ),
                name="improvement_action_figure_sound",
            ),
            models.CheckConstraint(
                condition=~models.Q(description=""), name="improvement_action_needs_description"
            ),
        ]

    def __str__(self):
        return f"{self.finding_label}: {self.description[:60]}"

    @property
    def has_figure(self) -> bool:
        return self.denominator is not None

    @property
    def percentage(self) -> float | None:
        return sufficiency(self.numerator, self.denominator) if self.denominator else None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Past its due date and not done."""
        today = today or timezone.localdate()
        return self.state != ActionState.DONE and self.due_date < today


class ActionChange(models.Model):
    """One change of an action's state, with the note that explains it: the action's history.
    Append-only; the first row is the action being recorded (from_state blank)."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(max_length=12, choices=ActionState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ActionState.choices)
    note = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action_id}: {self.from_state or 'new'} -> {self.to_state}"

"""Standard ratings entered by a lead."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from audit.models.inspections import Inspection
from cases.models import Provider
from standards.models import Standard
from standards.rating import Rating


class StandardJudgement(models.Model):
    """A lead's rating of a standard for one provider in an inspection.

    For standards rated by judgement it is the rating; for case-data standards it is a
    professional override shown beside the data-driven rating. A rationale is always required.
    """

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="standard_judgements"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=25, choices=Rating.choices)
    rationale = models.TextField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "provider", "standard"], name="standard_judgement_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(rationale=""), name="standard_judgement_needs_rationale"
            ),
        ]

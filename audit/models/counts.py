"""The roll-up's maintained counts: how many counted reviews add each count key, kept exact by
the services that change what a review counts (audit/counts/).

`RollupCount` is striped: a key's total is the sum of its rows over `stripe` (review id modulo
STRIPES), so that assessors submitting reviews of the same inspection at once update different
rows rather than queueing on one. `ReviewContribution` holds what each counted review added, so
that a change adds only the difference.
"""

from __future__ import annotations

from django.db import models

from audit.models.inspections import Inspection
from audit.models.reviews import CaseReview
from cases.models import Provider

STRIPES = 4


class CountKind(models.TextChoices):
    REVIEWS = "reviews", "Counted reviews"
    KEY_QUESTION = "kq", "Key question value"
    FACT = "fact", "Case-fact focus measure"
    PROMPT = "prompt", "Prompt answer"
    BREAKDOWN = "bd", "Key question value by case characteristic"
    TIMELINESS_BREAKDOWN = "tbd", "Timeliness working days by case characteristic"
    # Not a figure: how many times the counts of (inspection, provider) changed. Every write of
    # the counts adds one in the same transaction, so an inspection's sum only grows: the key
    # under which its built roll-up is kept (audit/reports/rollup_cache.py).
    CHANGES = "changes", "Changes to the counts"


class RollupCount(models.Model):
    """One stripe of one count: (inspection, provider, kind, subject, dimension, dimension value,
    value) -> n.

    subject: the key question (kq, bd) or prompt (prompt) id, else 0. value: the counted value
    (kq, bd, prompt) or the focus measure's "<code>_n"/"<code>_d" (fact). dimension and
    dimension_value: the case characteristic broken down by (bd only).
    """

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=7, choices=CountKind.choices)
    subject = models.IntegerField(default=0)
    dimension = models.CharField(max_length=24, blank=True)
    dimension_value = models.CharField(max_length=60, blank=True)
    value = models.CharField(max_length=60, blank=True)
    stripe = models.SmallIntegerField(default=0)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "inspection",
                    "kind",
                    "provider",
                    "subject",
                    "dimension",
                    "dimension_value",
                    "value",
                    "stripe",
                ],
                name="rollup_count_key",
            )
        ]
        # A breakdown reads one dimension of an inspection: its rows together.
        indexes = [
            models.Index(fields=["inspection", "kind", "dimension"], name="rollup_count_dimension")
        ]

    def __str__(self):
        return f"{self.kind} {self.subject} {self.value}: {self.n}"


class ReviewContribution(models.Model):
    """What a counted review adds to the counts, as it was when last recorded: where it counts,
    its case facts met, its case characteristics, and its counted values (see
    audit.counts.contribution.ReviewState). Only counted reviews have one."""

    review = models.OneToOneField(
        CaseReview, on_delete=models.CASCADE, primary_key=True, related_name="contribution"
    )
    state = models.JSONField()

    def __str__(self):
        return f"Contribution of review {self.review_id}"

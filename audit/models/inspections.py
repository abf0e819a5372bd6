"""Inspections and the cases sampled into them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audit.models.choices import InspectionStatus
from audit.models.rollup import SampledCaseQuerySet
from cases.models import Case, Provider, Sample
from standards.models import Framework


class Inspection(models.Model):
    """An audit round of one or more providers against one framework version."""

    title = models.CharField(max_length=200)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="inspections")
    providers = models.ManyToManyField(Provider, related_name="inspections")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNING
    )
    sample = models.ForeignKey(
        Sample, null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections_led",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="inspection_teams"
    )
    moderation_share = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=10,
        help_text="Percentage of each assessor's submitted reviews chosen for a second read.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention purge removed the case data; its figures are then read from
    # PublishedFigures (audit/retention/services.py).
    case_data_purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-period_end", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="inspection_period_ordered",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == InspectionStatus.PUBLISHED


class SampledCase(models.Model):
    """A case drawn into an inspection, with the provider it belonged to when audited."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="sampled_cases"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sampled_in")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    objects = SampledCaseQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "case__crn"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "case"], name="sampled_case_unique")
        ]

    def __str__(self):
        return f"{self.case} in {self.inspection}"

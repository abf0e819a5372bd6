"""Publication: the figures a published inspection keeps, and the freeze on everything in it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from audit.models.choices import InspectionStatus
from audit.models.inspections import Inspection, SampledCase
from audit.models.moderation import ModerationJudgement, ModerationRead, Resolution
from audit.models.reviews import CaseReview, Judgement, PromptAnswer
from audit.models.standard_ratings import StandardJudgement


class PublishedFigures(models.Model):
    """The counts a published inspection's roll-up and breakdowns are computed from, kept when
    its case data is purged (audit/retention/services.py), so its reports show the same figures
    after.

    `counts`: {provider id: {"reviews": n, "key_questions": {key question id: {"sufficient",
    "applicable", "not_applicable"}}, "facts": {focus measure "<code>_n"/"<code>_d": n},
    "prompts": {prompt code: [yes, answered]}}}.
    `breakdowns`: {dimension key: [[provider id, value, label, key question code, sufficient,
    applicable], ...], "timeliness": {dimension key: [[provider id, value, label, timeliness
    count key, cases], ...]}}.
    Lead-entered standard ratings are not copied: they stay in StandardJudgement.
    """

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="published_figures"
    )
    counts = models.JSONField()
    breakdowns = models.JSONField()
    frozen_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Published figures of {self.inspection}"


class Publication(models.Model):
    """Who published an inspection, when, and what they acknowledged in doing so.

    `partial_reason` is set when the overall rating was incomplete and the lead published it as
    partial; `agreement_note` when agreement between first and second reads was below the
    framework version's threshold on enough pairs to judge. The kappa, its pairs and the
    threshold are kept as they were at publication.
    """

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="publication"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField()
    partial_reason = models.TextField(blank=True)
    agreement_note = models.TextField(blank=True)
    kappa = models.DecimalField(max_digits=5, decimal_places=3, null=True, blank=True)
    agreement_pairs = models.PositiveIntegerField(default=0)
    agreement_threshold = models.DecimalField(max_digits=3, decimal_places=2)

    def __str__(self):
        return f"Publication of {self.inspection}"

    @property
    def is_partial(self) -> bool:
        return bool(self.partial_reason)


# Published inspections are frozen ----------------------------------------------------------


class InspectionPublished(ValidationError):
    """Raised when anything belonging to a published inspection would change.

    Services refuse first, with this message on the page (`ensure_not_published`, the one guard
    every writer calls); the model signals below are the backstop
    for every other writer (admin, shell, scripts): no row of a published inspection may be updated
    or deleted. New rows are left to the services, so that past inspections can be loaded as they
    were published.
    """

    def __init__(self, inspection):
        super().__init__(f"{inspection} is published and cannot be changed.", code="published")
        self.inspection = inspection


def ensure_not_published(inspection: Inspection) -> None:
    """The one guard every writer calls first: refuse any change to a published inspection.

    The status is read as stored now (and kept on the instance), so a publication made since the
    instance was loaded is respected.
    """
    stored = Inspection.objects.filter(pk=inspection.pk).values_list("status", flat=True).first()
    inspection.status = stored or inspection.status
    if inspection.status == InspectionStatus.PUBLISHED:
        raise InspectionPublished(inspection)


# How each frozen model is reached from its inspection.
FROZEN_WITH_INSPECTION = {
    SampledCase: "sampled_cases",
    CaseReview: "sampled_cases__review",
    PromptAnswer: "sampled_cases__review__prompt_answers",
    Judgement: "sampled_cases__review__judgements",
    ModerationRead: "sampled_cases__review__moderation",
    ModerationJudgement: "sampled_cases__review__moderation__judgements",
    Resolution: "sampled_cases__review__judgements__resolution",
    StandardJudgement: "standard_judgements",
    Publication: "publication",
}


def _published_inspection_holding(model, pks):
    """The published inspection that stored rows of `model` belong to, if any (one query)."""
    published = Inspection.objects.filter(status=InspectionStatus.PUBLISHED)
    if model is Inspection:
        return published.filter(pk__in=pks).first()
    return published.filter(**{f"{FROZEN_WITH_INSPECTION[model]}__pk__in": pks}).first()


def _refuse_update_when_published(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    inspection = _published_inspection_holding(sender, [instance.pk])
    if inspection is not None:
        raise InspectionPublished(inspection)


def _refuse_delete_when_published(sender, instance, origin=None, **kwargs):
    """Checked once per deletion: cascaded rows were checked with the row the deletion began at."""
    if isinstance(origin, models.Model):
        if origin is not instance and type(origin) in FROZEN_MODELS:
            return
        pks = [instance.pk]
    elif isinstance(origin, models.QuerySet):
        if getattr(origin, "_published_checked", False):
            return
        origin._published_checked = True
        sender, pks = origin.model, list(origin.values_list("pk", flat=True))
        if sender not in FROZEN_MODELS:
            return
    else:
        pks = [instance.pk]
    inspection = _published_inspection_holding(sender, pks)
    if inspection is not None:
        raise InspectionPublished(inspection)


FROZEN_MODELS = (Inspection, *FROZEN_WITH_INSPECTION)

for _model in FROZEN_MODELS:
    models.signals.pre_save.connect(
        _refuse_update_when_published,
        sender=_model,
        dispatch_uid=f"{_model._meta.model_name}_frozen_when_published_save",
    )
    models.signals.pre_delete.connect(
        _refuse_delete_when_published,
        sender=_model,
        dispatch_uid=f"{_model._meta.model_name}_frozen_when_published_delete",
    )

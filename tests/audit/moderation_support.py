"""Builders for moderation tests: a small published framework and submitted reviews."""

from __future__ import annotations

from django.utils import timezone

from audit.models import (
    CaseReview,
    InspectionStatus,
    Judgement,
    ModerationJudgement,
    ModerationRead,
    ReviewStatus,
)
from standards.models import Framework, FrameworkStatus, JudgementValue
from tests.factories import (
    CaseFactory,
    FrameworkFactory,
    InspectionFactory,
    KeyQuestionFactory,
    PromptFactory,
    ProviderFactory,
    SampledCaseFactory,
    StandardFactory,
    add_default_bands,
)

S, N, NA = (
    JudgementValue.SUFFICIENT,
    JudgementValue.NOT_SUFFICIENT,
    JudgementValue.NOT_APPLICABLE,
)


def published_framework(codes=("2.1.1", "2.1.2", "2.1.3"), not_applicable=("2.1.3",)):
    """A published framework with one case-data standard and the given key questions."""
    framework = FrameworkFactory()
    # One rated standard: overall scores 0 to 3.
    add_default_bands(
        framework,
        score_bands=[
            ("inadequate", 0, 0),
            ("requires_improvement", 1, 1),
            ("good", 2, 2),
            ("outstanding", 3, 3),
        ],
    )
    standard = StandardFactory(domain__framework=framework, code="2.1", title="Assessment")
    for order, code in enumerate(codes):
        kq = KeyQuestionFactory(
            standard=standard,
            code=code,
            order=order,
            wording=f"Question {code}?",
            guidance=f"Guidance for {code}.",
            allows_not_applicable=code in not_applicable,
        )
        PromptFactory(key_question=kq, code=f"{code}.a", wording=f"Prompt {code}.a?")
    Framework.objects.filter(pk=framework.pk).update(status=FrameworkStatus.PUBLISHED)
    framework.refresh_from_db()
    return framework


def key_questions(framework):
    from standards.models import KeyQuestion

    return list(KeyQuestion.objects.filter(standard__framework=framework).order_by("order"))


def inspection_for(
    framework, *, provider=None, lead=None, status=InspectionStatus.FIELDWORK, **kwargs
):
    provider = provider or ProviderFactory()
    inspection = InspectionFactory(
        framework=framework, providers=[provider], status=status, lead=lead, **kwargs
    )
    inspection.test_provider = provider
    return inspection


def submitted_review(
    inspection,
    assessor,
    values,
    *,
    crn=None,
    rationale="First reader's reasons",
    status=ReviewStatus.SUBMITTED,
):
    """A review of a new sampled case with the assessor's judgements, one per key question."""
    provider = getattr(inspection, "test_provider", None) or inspection.providers.first()
    case = CaseFactory(provider=provider, **({"crn": crn} if crn else {}))
    sampled = SampledCaseFactory(inspection=inspection, case=case, assessor=assessor)
    review = CaseReview.objects.create(
        sampled_case=sampled,
        status=status,
        submitted_by=assessor,
        submitted_at=timezone.now() if status == ReviewStatus.SUBMITTED else None,
    )
    for kq, value in zip(key_questions(inspection.framework), values):
        Judgement.objects.create(
            review=review,
            key_question=kq,
            value=value,
            rationale=rationale if value == N else "",
        )
    return review


def completed_read(review, moderator, values, *, rationale="Second reader's reasons"):
    """A second read already completed, as `record_second_read` leaves it."""
    read, _ = ModerationRead.objects.get_or_create(
        review=review, defaults={"reason": ModerationRead.Reason.RANDOM}
    )
    read.moderator = moderator
    read.completed_at = timezone.now()
    read.save()
    for kq, value in zip(key_questions(review.sampled_case.inspection.framework), values):
        ModerationJudgement.objects.create(
            read=read, key_question=kq, value=value, rationale=rationale if value == N else ""
        )
    CaseReview.objects.filter(pk=review.pk).update(status=ReviewStatus.MODERATED)
    return read

"""The inspection lifecycle: order enforced with clear refusals; a published inspection frozen."""

import pytest
from django.db import transaction

from audit.inspections import lifecycle
from audit.inspections import services as inspection_services
from audit.inspections.lifecycle import InspectionPublished, TransitionRefused
from audit.models import (
    FROZEN_MODELS,
    AuditEvent,
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    ModerationRead,
    PromptAnswer,
    Resolution,
    ReviewStatus,
    SampledCase,
    StandardJudgement,
    ensure_not_published,
)
from audit.moderation import services as moderation
from audit.moderation.services import resolve_disagreement
from audit.reports import standard_ratings
from audit.scoring import importers
from audit.scoring import services as scoring_services
from standards.models import Framework, FrameworkStatus
from tests.audit.moderation_support import (
    N,
    S,
    completed_read,
    inspection_for,
    key_questions,
    published_framework,
    submitted_review,
)
from tests.factories import FrameworkFactory

P, F, M, PUB = (
    InspectionStatus.PLANNING,
    InspectionStatus.FIELDWORK,
    InspectionStatus.MODERATION,
    InspectionStatus.PUBLISHED,
)


@pytest.fixture
def lead(make_user):
    return make_user("lead", username="leigh")


@pytest.fixture
def assessor(make_user):
    return make_user("assessor", username="asha")


@pytest.fixture
def moderator(make_user):
    return make_user("moderator", username="mo")


@pytest.fixture
def framework(db):
    return published_framework()


def refusal(call, **kwargs) -> list[str]:
    with pytest.raises(TransitionRefused) as refused:
        call(**kwargs)
    return refused.value.messages


def status_of(inspection):
    return Inspection.objects.values_list("status", flat=True).get(pk=inspection.pk)


# Planning -> fieldwork -----------------------------------------------------------------------


def test_fieldwork_needs_sampled_cases_and_a_published_framework(lead, assessor):
    draft = FrameworkFactory(title="Draft framework", version="2030")
    inspection = inspection_for(draft, status=P, title="Wolverhampton 2026")
    assert refusal(lifecycle.start_fieldwork, inspection=inspection, by=lead) == [
        "Fieldwork cannot start: the framework version Draft framework (2030) is not published. "
        "Publish it first.",
        "Fieldwork cannot start: the inspection has no sampled cases. "
        "Draw or import a sample first.",
    ]
    Framework.objects.filter(pk=draft.pk).update(status=FrameworkStatus.PUBLISHED)
    submitted_review(inspection, assessor, [], status=ReviewStatus.NOT_STARTED)
    lifecycle.start_fieldwork(inspection=inspection, by=lead)
    assert status_of(inspection) == F
    assert inspection.status == F
    event = AuditEvent.objects.get(action=AuditEvent.Action.STATUS_CHANGED)
    assert event.detail == {"from": "planning", "to": "fieldwork"}


# Fieldwork -> moderation ---------------------------------------------------------------------


def test_moderation_waits_for_every_review_to_be_submitted(framework, lead, assessor):
    inspection = inspection_for(framework, status=F, title="Wolverhampton 2026")
    submitted_review(inspection, assessor, [S, S, S])
    draft = submitted_review(inspection, assessor, [S, S], status=ReviewStatus.IN_PROGRESS)
    submitted_review(inspection, assessor, [], status=ReviewStatus.NOT_STARTED)
    assert refusal(lifecycle.start_moderation, inspection=inspection, by=lead) == [
        "Moderation cannot start until fieldwork has ended: 2 of 3 sampled cases do not have a "
        "submitted review."
    ]
    SampledCase.objects.filter(inspection=inspection).exclude(review=draft).exclude(
        review__status=ReviewStatus.SUBMITTED
    ).delete()
    assert refusal(lifecycle.start_moderation, inspection=inspection, by=lead) == [
        "Moderation cannot start until fieldwork has ended: 1 of 2 sampled cases does not have "
        "a submitted review."
    ]
    CaseReview.objects.filter(pk=draft.pk).update(status=ReviewStatus.SUBMITTED)
    lifecycle.start_moderation(inspection=inspection, by=lead)
    assert status_of(inspection) == M


# Moderation -> published ---------------------------------------------------------------------


@pytest.fixture
def in_moderation(framework, lead, assessor, moderator):
    inspection = inspection_for(framework, status=F, title="Wolverhampton 2026", lead=lead)
    agreed = submitted_review(inspection, assessor, [S, S, S])
    disputed = submitted_review(inspection, assessor, [S, S, S])
    waiting = submitted_review(inspection, assessor, [S, S, S])
    completed_read(agreed, moderator, [S, S, S])
    completed_read(disputed, moderator, [N, N, S])
    ModerationRead.objects.create(review=waiting, reason=ModerationRead.Reason.LEAD_CHOICE)
    lifecycle.start_moderation(inspection=inspection, by=lead)
    inspection.refresh_from_db()
    inspection.disputed, inspection.waiting = disputed, waiting
    return inspection


def test_publication_waits_for_reads_and_resolutions(in_moderation, lead, moderator):
    inspection = in_moderation
    assert refusal(lifecycle.publish, inspection=inspection, by=lead) == [
        "The inspection cannot be published: 1 selected second read is not complete.",
        "The inspection cannot be published: 2 disagreements are not resolved.",
    ]
    completed_read(inspection.waiting, moderator, [S, S, S])
    first = Judgement.objects.get(review=inspection.disputed, key_question__code="2.1.1")
    resolve_disagreement(judgement=first, value=N, note="Agreed with moderator.", by=lead)
    assert refusal(lifecycle.publish, inspection=inspection, by=lead) == [
        "The inspection cannot be published: 1 disagreement is not resolved."
    ]
    assert lifecycle.blockers(inspection) == [
        "The inspection cannot be published: 1 disagreement is not resolved."
    ]
    second = Judgement.objects.get(review=inspection.disputed, key_question__code="2.1.2")
    resolve_disagreement(judgement=second, value=S, note="First read stands.", by=lead)
    assert lifecycle.blockers(inspection) == []
    lifecycle.publish(inspection=inspection, by=lead)
    inspection.refresh_from_db()
    assert inspection.status == PUB and inspection.published_at is not None


def test_publication_needs_a_moderation_sample(framework, lead, assessor):
    inspection = inspection_for(framework, status=M, title="Wolverhampton 2026")
    submitted_review(inspection, assessor, [S, S, S])
    assert refusal(lifecycle.publish, inspection=inspection, by=lead) == [
        "The inspection cannot be published: no reviews have been selected for moderation."
    ]


# Order ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, call, message",
    [
        (
            P,
            lifecycle.start_moderation,
            "Moderation can only start from fieldwork; Wolverhampton 2026 is in planning.",
        ),
        (
            P,
            lifecycle.publish,
            "An inspection can only be published from moderation; Wolverhampton 2026 is in "
            "planning.",
        ),
        (
            F,
            lifecycle.publish,
            "An inspection can only be published from moderation; "
            "Wolverhampton 2026 is in fieldwork.",
        ),
        (
            F,
            lifecycle.start_fieldwork,
            "Fieldwork can only start from planning; Wolverhampton 2026 is in fieldwork.",
        ),
        (
            M,
            lifecycle.start_fieldwork,
            "Fieldwork can only start from planning; Wolverhampton 2026 is in moderation.",
        ),
        (
            M,
            lifecycle.start_moderation,
            "Moderation can only start from fieldwork; Wolverhampton 2026 is in moderation.",
        ),
        (
            F,
            lifecycle.reopen_fieldwork,
            "Fieldwork can only be reopened from moderation; Wolverhampton 2026 is in fieldwork.",
        ),
        (
            P,
            lifecycle.reopen_fieldwork,
            "Fieldwork can only be reopened from moderation; Wolverhampton 2026 is in planning.",
        ),
    ],
)
def test_steps_out_of_order_are_refused(framework, lead, status, call, message):
    inspection = inspection_for(framework, status=status, title="Wolverhampton 2026")
    assert refusal(call, inspection=inspection, by=lead) == [message]
    assert status_of(inspection) == status


@pytest.mark.parametrize(
    "call",
    [
        lifecycle.start_fieldwork,
        lifecycle.start_moderation,
        lifecycle.publish,
        lifecycle.reopen_fieldwork,
        lifecycle.advance,
    ],
)
def test_nothing_moves_a_published_inspection(framework, lead, call):
    inspection = inspection_for(framework, status=PUB, title="Wolverhampton 2026")
    with pytest.raises(InspectionPublished) as refused:
        call(inspection=inspection, by=lead)
    assert refused.value.messages == ["Wolverhampton 2026 is published and cannot be changed."]
    assert status_of(inspection) == PUB


def test_lead_may_reopen_fieldwork_from_moderation(in_moderation, lead):
    lifecycle.reopen_fieldwork(inspection=in_moderation, by=lead)
    assert status_of(in_moderation) == F


def test_advance_takes_the_next_step(framework, lead, assessor):
    inspection = inspection_for(framework, status=P)
    submitted_review(inspection, assessor, [S, S, S])
    assert lifecycle.advance(inspection=inspection, by=lead).status == F
    assert lifecycle.advance(inspection=inspection, by=lead).status == M
    with pytest.raises(TransitionRefused, match="publication page"):
        lifecycle.advance(inspection=inspection, by=lead)
    assert status_of(inspection) == M


def test_stale_instance_cannot_skip_a_step(framework, lead, assessor):
    """The transition reads the stored status, not the caller's copy."""
    inspection = inspection_for(framework, status=F, title="Wolverhampton 2026")
    stale = Inspection.objects.get(pk=inspection.pk)
    stale.status = M
    assert refusal(lifecycle.publish, inspection=stale, by=lead) == [
        "An inspection can only be published from moderation; Wolverhampton 2026 is in fieldwork."
    ]


# A published inspection is frozen ------------------------------------------------------------


@pytest.fixture
def published(in_moderation, lead, moderator):
    inspection = in_moderation
    completed_read(inspection.waiting, moderator, [S, S, S])
    for judgement in Judgement.objects.filter(review=inspection.disputed).exclude(
        key_question__code="2.1.3"
    ):
        resolve_disagreement(judgement=judgement, value=N, note="Agreed.", by=lead)
    kq = key_questions(inspection.framework)[0]
    PromptAnswer.objects.create(review=inspection.disputed, prompt=kq.prompts.get(), value="yes")
    StandardJudgement.objects.create(
        inspection=inspection,
        provider=inspection.test_provider,
        standard=kq.standard,
        rating="good",
        rationale="Override agreed with the moderator.",
    )
    lifecycle.publish(inspection=inspection, by=lead)
    return Inspection.objects.get(pk=inspection.pk)


def test_ensure_not_published_reads_the_stored_status(published, framework):
    stale = Inspection.objects.get(pk=published.pk)
    stale.status = M
    with pytest.raises(InspectionPublished) as refused:
        ensure_not_published(stale)
    assert refused.value.inspection == stale
    assert refused.value.messages == ["Wolverhampton 2026 is published and cannot be changed."]
    assert stale.status == PUB
    ensure_not_published(inspection_for(framework, status=M))


def _writers(inspection, lead, moderator):
    """Every service that changes something in an inspection, called on it as if it were open."""
    review = CaseReview.objects.filter(sampled_case__inspection=inspection).first()
    read = ModerationRead.objects.filter(review__sampled_case__inspection=inspection).first()
    judgement = Judgement.objects.filter(review=read.review).first()
    rating = StandardJudgement.objects.get(inspection=inspection)
    rated = {"inspection": inspection, "provider": rating.provider, "standard": rating.standard}
    return {
        inspection_services.update_inspection: lambda: inspection_services.update_inspection(
            inspection=inspection,
            title="Renamed",
            framework=inspection.framework,
            providers=list(inspection.providers.all()),
            period_start=inspection.period_start,
            period_end=inspection.period_end,
        ),
        inspection_services.add_sample: lambda: inspection_services.add_sample(
            inspection=inspection, sample=None, user=lead
        ),
        inspection_services.assign_cases: lambda: inspection_services.assign_cases(
            inspection=inspection, sampled_case_ids=[], assessor=None, user=lead
        ),
        scoring_services.save_review: lambda: scoring_services.save_review(
            review=review, version=review.version, user=lead, facts={}
        ),
        scoring_services.submit_review: lambda: scoring_services.submit_review(
            review=review, version=review.version, user=lead
        ),
        scoring_services.return_review: lambda: scoring_services.return_review(
            review=review, user=lead, comment="Please look again."
        ),
        scoring_services.reopen_review: lambda: scoring_services.reopen_review(
            review=review, user=lead
        ),
        importers.import_reviews: lambda: importers.import_reviews(
            inspection=inspection, rows=iter(()), user=lead
        ),
        moderation.draw_moderation_sample: lambda: moderation.draw_moderation_sample(
            inspection=inspection, by=lead, seed=1
        ),
        moderation.select_for_moderation: lambda: moderation.select_for_moderation(
            review=review, by=lead
        ),
        moderation.assign_moderator: lambda: moderation.assign_moderator(
            reads=[read], moderator=moderator, by=lead
        ),
        moderation.record_second_read: lambda: moderation.record_second_read(
            read=read, by=moderator, judgements={}
        ),
        moderation.resolve_disagreement: lambda: moderation.resolve_disagreement(
            judgement=judgement, value=S, note="Agreed.", by=lead
        ),
        standard_ratings.record_standard_rating: lambda: standard_ratings.record_standard_rating(
            **rated, rating="good", rationale="Again.", user=lead
        ),
        standard_ratings.withdraw_standard_rating: lambda: (
            standard_ratings.withdraw_standard_rating(**rated, user=lead)
        ),
    }


WRITER_MODULES = (inspection_services, scoring_services, importers, moderation, standard_ratings)


def test_every_writer_refuses_a_published_inspection(published, make_user, moderator):
    """Each writer calls the one guard, which reads the stored status: an instance loaded before
    publication is refused too, with the same message, and nothing changes. The caller may
    otherwise do everything."""
    lead = make_user("lead", is_superuser=True)
    before = [list(Model.objects.order_by("pk").values()) for Model in FROZEN_MODELS]
    stale = Inspection.objects.get(pk=published.pk)
    stale.status = M
    writers = _writers(stale, lead, moderator)
    for writer, call in writers.items():
        stale.status = M
        with pytest.raises((InspectionPublished, importers.ImportFailed)) as refused:
            call()
        error = refused.value
        text = [e.message for e in error.errors] if hasattr(error, "errors") else error.messages
        assert text == ["Wolverhampton 2026 is published and cannot be changed."], writer
    assert [list(Model.objects.order_by("pk").values()) for Model in FROZEN_MODELS] == before


def test_the_writer_list_names_every_writer(published, lead, moderator):
    """A new public atomic service in a writer module must be added to the list above."""
    atomic = {
        function
        for module in WRITER_MODULES
        for name, function in vars(module).items()
        if callable(function)
        and not name.startswith("_")
        and getattr(function, "__module__", None) == module.__name__
        and hasattr(function, "__wrapped__")
    }
    creates_a_new_inspection = {inspection_services.create_inspection}
    assert atomic - creates_a_new_inspection == set(_writers(published, lead, moderator))


def frozen_rows(inspection):
    review = CaseReview.objects.filter(sampled_case__inspection=inspection).first()
    return [
        Inspection.objects.get(pk=inspection.pk),
        SampledCase.objects.filter(inspection=inspection).first(),
        review,
        Judgement.objects.filter(review__sampled_case__inspection=inspection).first(),
        PromptAnswer.objects.get(review__sampled_case__inspection=inspection),
        ModerationRead.objects.filter(review__sampled_case__inspection=inspection).first(),
        ModerationRead.objects.filter(review__sampled_case__inspection=inspection)
        .first()
        .judgements.first(),
        Resolution.objects.filter(judgement__review__sampled_case__inspection=inspection).first(),
        StandardJudgement.objects.get(inspection=inspection),
    ]


def test_every_row_of_a_published_inspection_refuses_updates(published):
    for row in frozen_rows(published):
        with pytest.raises(InspectionPublished, match="is published and cannot be changed"):
            row.save()


def test_every_row_of_a_published_inspection_refuses_deletion(published):
    counts = (Judgement.objects.count(), CaseReview.objects.count(), Resolution.objects.count())
    # A refused deletion rolls back its transaction, so each attempt gets its own.
    for row in frozen_rows(published):
        with pytest.raises(InspectionPublished), transaction.atomic():
            row.delete()
    with pytest.raises(InspectionPublished), transaction.atomic():
        Judgement.objects.filter(review__sampled_case__inspection=published).delete()
    assert (
        Judgement.objects.count(),
        CaseReview.objects.count(),
        Resolution.objects.count(),
    ) == counts


def test_the_guard_leaves_other_inspections_alone(published, framework, assessor):
    other = inspection_for(framework, status=F)
    review = submitted_review(other, assessor, [S, S, S])
    judgement = review.judgements.first()
    judgement.value = N
    judgement.save()
    review.delete()
    assert not CaseReview.objects.filter(pk=review.pk).exists()
    assert Judgement.objects.filter(review__sampled_case__inspection=published).exists()


def test_moderation_writes_are_refused_once_published(published, lead):
    judgement = Judgement.objects.filter(
        resolution__isnull=False, review__sampled_case__inspection=published
    ).first()
    with pytest.raises(InspectionPublished):
        resolve_disagreement(judgement=judgement, value=S, note="Changed my mind.", by=lead)


def test_a_published_inspection_can_be_loaded_as_history(framework, assessor):
    """New rows are the services' business: loading a past, published inspection still works."""
    past = inspection_for(framework, status=PUB, title="Wolverhampton 2019")
    review = submitted_review(past, assessor, [S, N, S])
    assert review.judgements.count() == 3

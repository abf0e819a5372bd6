"""Moderation services: selecting reviews, blind second reads, disagreements and resolution."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from audit.models import (
    AuditEvent,
    InspectionStatus,
    Judgement,
    ModerationRead,
    Resolution,
    ReviewStatus,
)
from audit.moderation.services import (
    EFFECTIVE_VALUE,
    ModerationRefused,
    assign_moderator,
    disagreements,
    draw_moderation_sample,
    moderation_target,
    record_second_read,
    resolve_disagreement,
    select_for_moderation,
)
from audit.reports import rollup
from audit.scoring.pairs import unresolved_disagreement_count
from tests.audit.moderation_support import (
    NA,
    N,
    S,
    completed_read,
    inspection_for,
    published_framework,
    submitted_review,
)
from tests.factories import ProviderFactory


@pytest.fixture
def framework(db):
    return published_framework()


@pytest.fixture
def people(make_user):
    provider = ProviderFactory()
    return {
        "provider": provider,
        "lead": make_user("lead", providers=[provider], first_name="Leigh", last_name="Lead"),
        "asha": make_user(
            "assessor", providers=[provider], username="asha", first_name="Asha", last_name="Khan"
        ),
        "ben": make_user(
            "assessor", providers=[provider], username="ben", first_name="Ben", last_name="Okafor"
        ),
        "mo": make_user("moderator", providers=[provider], first_name="Mo", last_name="Moderator"),
    }


@pytest.fixture
def inspection(framework, people):
    return inspection_for(framework, provider=people["provider"], lead=people["lead"])


def selected_crns(inspection, **filters):
    return set(
        ModerationRead.objects.filter(
            review__sampled_case__inspection=inspection, **filters
        ).values_list("review__sampled_case__case__crn", flat=True)
    )


# Selecting reviews ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "counted, share, expected",
    [
        (0, 10, 0),
        (1, 10, 1),
        (9, 10, 1),
        (10, 10, 1),
        (11, 10, 2),
        (25, 10, 3),
        (40, 10, 4),
        (7, Decimal("12.5"), 1),
        (8, 25, 2),
        (3, 100, 3),
    ],
)
def test_share_rounds_up_with_at_least_one(counted, share, expected):
    assert moderation_target(counted, share) == expected


def test_draw_takes_the_share_of_each_assessor_and_records_the_seed(inspection, people):
    for _ in range(25):
        submitted_review(inspection, people["asha"], [S, S, S])
    for _ in range(4):
        submitted_review(inspection, people["ben"], [S, S, S])
    submitted_review(inspection, people["ben"], [S, S, S], status=ReviewStatus.IN_PROGRESS)

    draw = draw_moderation_sample(inspection=inspection, by=people["lead"], seed=20260401)

    assert draw.seed == 20260401
    per_assessor = {d.assessor: (d.counted, d.target, len(d.selected)) for d in draw.assessors}
    assert per_assessor == {"Asha Khan": (25, 3, 3), "Ben Okafor": (4, 1, 1)}
    reads = ModerationRead.objects.filter(review__sampled_case__inspection=inspection)
    assert reads.count() == 4
    assert set(reads.values_list("selection_seed", flat=True)) == {20260401}
    assert set(reads.values_list("reason", flat=True)) == {ModerationRead.Reason.RANDOM}
    assert not reads.filter(review__status=ReviewStatus.IN_PROGRESS).exists()
    assert AuditEvent.objects.filter(detail__seed=20260401).exists()


def test_same_seed_draws_the_same_reviews(inspection, people):
    for _ in range(30):
        submitted_review(inspection, people["asha"], [S, S, S])
    first = draw_moderation_sample(inspection=inspection, by=people["lead"], seed=7)
    ModerationRead.objects.all().delete()
    again = draw_moderation_sample(inspection=inspection, by=people["lead"], seed=7)
    assert again.selected == first.selected
    assert len(first.selected) == 3
    ModerationRead.objects.all().delete()
    other = draw_moderation_sample(inspection=inspection, by=people["lead"], seed=8)
    assert set(other.selected) != set(first.selected)


def test_drawing_again_only_tops_up(inspection, people):
    for _ in range(9):
        submitted_review(inspection, people["asha"], [S, S, S])
    draw_moderation_sample(inspection=inspection, by=people["lead"], seed=1)
    assert len(selected_crns(inspection)) == 1
    assert draw_moderation_sample(inspection=inspection, by=people["lead"], seed=2).selected == []
    for _ in range(3):  # now 12 submitted: 10% rounds up to 2
        submitted_review(inspection, people["asha"], [S, S, S])
    topped = draw_moderation_sample(inspection=inspection, by=people["lead"], seed=3)
    assert len(topped.selected) == 1
    assert len(selected_crns(inspection)) == 2


def test_lead_choice_is_added_beyond_the_random_share(inspection, people):
    reviews = [submitted_review(inspection, people["asha"], [S, S, S]) for _ in range(5)]
    read = select_for_moderation(review=reviews[0], by=people["lead"])
    assert read.reason == ModerationRead.Reason.LEAD_CHOICE and read.selection_seed is None
    draw = draw_moderation_sample(inspection=inspection, by=people["lead"], seed=99)
    assert len(draw.selected) == 1  # the lead's choice does not count toward the random share
    assert reviews[0].sampled_case.case.crn not in draw.selected
    with pytest.raises(ModerationRefused, match="already selected for moderation"):
        select_for_moderation(review=reviews[0], by=people["lead"])


def test_only_submitted_reviews_can_be_chosen(inspection, people):
    draft = submitted_review(inspection, people["asha"], [S, S, S], status=ReviewStatus.IN_PROGRESS)
    with pytest.raises(ModerationRefused, match="is not submitted"):
        select_for_moderation(review=draft, by=people["lead"])


def test_selection_needs_a_lead_and_an_open_inspection(framework, people):
    planning = inspection_for(
        framework, provider=people["provider"], status=InspectionStatus.PLANNING
    )
    with pytest.raises(ModerationRefused, match="Only a lead can draw the moderation sample"):
        draw_moderation_sample(inspection=planning, by=people["mo"])
    with pytest.raises(
        ModerationRefused, match="during fieldwork or moderation; .* is in planning"
    ):
        draw_moderation_sample(inspection=planning, by=people["lead"])
    published = inspection_for(
        framework, provider=people["provider"], status=InspectionStatus.PUBLISHED
    )
    with pytest.raises(ValidationError, match="is published and cannot be changed"):
        draw_moderation_sample(inspection=published, by=people["lead"])


# Assigning moderators ------------------------------------------------------------------------


def test_assign_moderator_checks_role_own_work_and_scope(inspection, people, make_user):
    review = submitted_review(inspection, people["asha"], [S, S, S])
    read = select_for_moderation(review=review, by=people["lead"])
    assert assign_moderator(reads=[read], moderator=people["mo"], by=people["lead"]) == 1
    read.refresh_from_db()
    assert read.moderator == people["mo"]

    with pytest.raises(ModerationRefused, match="neither the moderator nor the lead role"):
        assign_moderator(reads=[read], moderator=people["ben"], by=people["lead"])
    asha_as_moderator = people["asha"]
    asha_as_moderator.groups.add(*people["mo"].groups.all())
    asha_as_moderator._role_names = None
    with pytest.raises(ModerationRefused, match="scored .* and cannot read it a second time"):
        assign_moderator(reads=[read], moderator=asha_as_moderator, by=people["lead"])
    elsewhere = make_user("moderator", providers=[ProviderFactory()])
    with pytest.raises(ModerationRefused, match="cannot see"):
        assign_moderator(reads=[read], moderator=elsewhere, by=people["lead"])
    read.refresh_from_db()
    assert read.moderator == people["mo"]  # nothing changed by the refusals


# Blind second reads --------------------------------------------------------------------------


@pytest.fixture
def assigned_read(inspection, people):
    review = submitted_review(inspection, people["asha"], [S, N, S], crn="X100001")
    read = select_for_moderation(review=review, by=people["lead"])
    assign_moderator(reads=[read], moderator=people["mo"], by=people["lead"])
    return read


def test_recording_a_second_read_completes_it_and_moderates_the_review(assigned_read, people):
    record_second_read(
        read=assigned_read,
        by=people["mo"],
        judgements={
            "2.1.1": (S, ""),
            "2.1.2": (N, "No analysis of risk to children."),
            "2.1.3": (NA, ""),
        },
    )
    assigned_read.refresh_from_db()
    assert assigned_read.completed_at is not None
    review = assigned_read.review
    review.refresh_from_db()
    assert review.status == ReviewStatus.MODERATED
    assert review.version == 1
    second = dict(assigned_read.judgements.values_list("key_question__code", "value"))
    assert second == {"2.1.1": S, "2.1.2": N, "2.1.3": NA}
    # The agreeing key questions need nothing more; only 2.1.3 is a disagreement.
    found = disagreements(assigned_read.review.sampled_case.inspection)
    assert [(d.crn, d.key_question.code, d.first_value, d.second_value) for d in found] == [
        ("X100001", "2.1.3", S, NA)
    ]
    assert found[0].is_applicability


def test_every_key_question_and_rationale_is_required(assigned_read, people):
    with pytest.raises(ModerationRefused) as refused:
        record_second_read(
            read=assigned_read,
            by=people["mo"],
            judgements={
                "2.1.1": (N, "  "),
                "2.1.3": (S, ""),
                "9.9.9": (S, ""),
            },
        )
    assert refused.value.message_dict == {
        "2.1.1": ["Enter a rationale for judging 2.1.1 not sufficient."],
        "2.1.2": ["Select a judgement for 2.1.2."],
        "9.9.9": ["9.9.9 is not a key question of this review."],
    }
    assigned_read.refresh_from_db()
    assert assigned_read.completed_at is None
    assert not assigned_read.judgements.exists()


def test_not_applicable_only_where_the_framework_allows(assigned_read, people):
    with pytest.raises(ModerationRefused) as refused:
        record_second_read(
            read=assigned_read,
            by=people["mo"],
            judgements={
                "2.1.1": (NA, ""),
                "2.1.2": (S, ""),
                "2.1.3": (S, ""),
            },
        )
    assert refused.value.message_dict == {"2.1.1": ["2.1.1 cannot be judged “na”."]}


def test_only_the_assigned_moderator_records_once(assigned_read, people):
    answers = {"2.1.1": (S, ""), "2.1.2": (S, ""), "2.1.3": (S, "")}
    with pytest.raises(ModerationRefused, match="Only the moderator assigned"):
        record_second_read(read=assigned_read, by=people["lead"], judgements=answers)
    record_second_read(read=assigned_read, by=people["mo"], judgements=answers)
    with pytest.raises(ModerationRefused, match="already complete"):
        record_second_read(read=assigned_read, by=people["mo"], judgements=answers)


def test_a_returned_review_cannot_be_moderated(assigned_read, people):
    type(assigned_read.review).objects.filter(pk=assigned_read.review_id).update(
        status=ReviewStatus.RETURNED
    )
    with pytest.raises(ModerationRefused, match="is returned: only a submitted review"):
        record_second_read(
            read=assigned_read,
            by=people["mo"],
            judgements={"2.1.1": (S, ""), "2.1.2": (S, ""), "2.1.3": (S, "")},
        )


# Disagreements and resolution ----------------------------------------------------------------


def test_disagreements_list_each_review_and_key_question(inspection, people):
    r1 = submitted_review(inspection, people["asha"], [S, S, S], crn="X200001")
    r2 = submitted_review(inspection, people["ben"], [N, S, NA], crn="X200002")
    completed_read(r1, people["mo"], [N, S, S])
    completed_read(r2, people["mo"], [N, N, S])
    incomplete = submitted_review(inspection, people["ben"], [S, S, S], crn="X200003")
    ModerationRead.objects.create(review=incomplete, reason=ModerationRead.Reason.RANDOM)

    found = disagreements(inspection)
    assert [(d.crn, d.key_question.code, d.kind) for d in found] == [
        ("X200001", "2.1.1", "Judgement"),
        ("X200002", "2.1.2", "Judgement"),
        ("X200002", "2.1.3", "Applicability"),
    ]
    assert unresolved_disagreement_count(inspection) == 3


def test_resolution_needs_a_note_and_a_disagreement(inspection, people):
    review = submitted_review(inspection, people["asha"], [S, S, S])
    completed_read(review, people["mo"], [N, S, S])
    first = Judgement.objects.get(review=review, key_question__code="2.1.1")
    agreeing = Judgement.objects.get(review=review, key_question__code="2.1.2")
    with pytest.raises(ModerationRefused) as refused:
        resolve_disagreement(judgement=first, value=N, note="   ", by=people["lead"])
    assert refused.value.message_dict == {"note": ["Enter a note explaining the resolution."]}
    with pytest.raises(ModerationRefused, match="agree on 2.1.2 .* nothing to resolve"):
        resolve_disagreement(judgement=agreeing, value=N, note="Why", by=people["lead"])
    with pytest.raises(ModerationRefused, match="Only a lead can resolve"):
        resolve_disagreement(judgement=first, value=N, note="Why", by=people["mo"])
    with pytest.raises(ModerationRefused) as refused:
        resolve_disagreement(judgement=first, value=NA, note="Why", by=people["lead"])
    assert refused.value.message_dict == {"value": ["Select the resolved judgement for 2.1.1."]}
    assert not Resolution.objects.exists()


def test_resolution_replaces_the_first_judgement_in_the_rollup(inspection, people):
    reviews = [submitted_review(inspection, people["asha"], [S, S, S]) for _ in range(4)]
    completed_read(reviews[0], people["mo"], [N, S, S])
    completed_read(reviews[1], people["mo"], [N, S, S])
    counted = Judgement.objects.filter(
        review__sampled_case__inspection=inspection,
        key_question__code="2.1.1",
        review__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.MODERATED],
    )

    def sufficient_by_own_query():
        return counted.annotate(effective=EFFECTIVE_VALUE).aggregate(
            n=Count("id", filter=Q(effective=S))
        )["n"]

    def sufficient_by_rollup():
        return rollup.rollup(inspection).whole.key_question("2.1.1").sufficient

    assert sufficient_by_own_query() == 4 and sufficient_by_rollup() == 4
    first = Judgement.objects.get(review=reviews[0], key_question__code="2.1.1")
    resolution = resolve_disagreement(
        judgement=first, value=N, note="Moderator is right: no risk analysis.", by=people["lead"]
    )
    assert resolution.resolved_by == people["lead"]
    assert sufficient_by_own_query() == 3 and sufficient_by_rollup() == 3
    # Both originals are kept.
    first.refresh_from_db()
    assert first.value == S
    assert reviews[0].moderation.judgements.get(key_question__code="2.1.1").value == N
    assert unresolved_disagreement_count(inspection) == 1
    # Resolving again changes the resolution, not the originals.
    resolve_disagreement(
        judgement=first, value=S, note="On reflection the first read stands.", by=people["lead"]
    )
    assert Resolution.objects.count() == 1
    assert sufficient_by_rollup() == 4
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RESOLVED).count() == 2

"""Reviews count toward the roll-up only once their inspection's fieldwork has started, and the
first review started moves a planning inspection into fieldwork by itself. The maintained counts
are compared with a recount made the long way from the base tables."""

import pytest
from django.db.models import Count, Q

from audit.accounts.roles import Role
from audit.counts.read import count_totals
from audit.counts.rebuild import differences
from audit.inspections import lifecycle
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    AuditEvent,
    CaseReview,
    CountKind,
    InspectionStatus,
    Judgement,
    ReviewStatus,
)
from audit.scoring import services
from tests.audit.moderation_support import (
    NA,
    N,
    S,
    inspection_for,
    published_framework,
    submitted_review,
)
from tests.audit.scoring_support import review_of, scoring_setup

pytestmark = pytest.mark.django_db

STARTED = [InspectionStatus.FIELDWORK, InspectionStatus.MODERATION]


def recount(inspections):
    """Reviews and sufficient judgements per inspection, counted from the reviews and their
    inspections' statuses (not through the contribution code)."""
    reviews = dict(
        CaseReview.objects.filter(
            sampled_case__inspection__in=inspections,
            status__in=COUNTED_REVIEW_STATUSES,
            sampled_case__inspection__status__in=STARTED,
        )
        .values_list("sampled_case__inspection_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sufficient = dict(
        Judgement.objects.filter(
            review__sampled_case__inspection__in=inspections,
            review__status__in=COUNTED_REVIEW_STATUSES,
            review__sampled_case__inspection__status__in=STARTED,
        )
        .values_list("review__sampled_case__inspection_id")
        .annotate(n=Count("pk", filter=Q(value=S)))
        .order_by()
    )
    return reviews, sufficient


def maintained(inspections):
    ids = [i.pk for i in inspections]
    reviews, sufficient = {}, {}
    for inspection, _, kind, _, _, value, total in count_totals(
        ids, [CountKind.REVIEWS.value, CountKind.KEY_QUESTION.value]
    ):
        if kind == CountKind.REVIEWS.value:
            reviews[inspection] = reviews.get(inspection, 0) + total
        elif value == S:
            sufficient[inspection] = sufficient.get(inspection, 0) + total
    return reviews, sufficient


def test_reviews_of_a_planning_inspection_count_once_fieldwork_starts(make_user):
    framework = published_framework()
    assessor = make_user(Role.ASSESSOR)
    lead = make_user(Role.LEAD)
    inspections = {
        status: inspection_for(framework, status=status)
        for status in [InspectionStatus.PLANNING, *STARTED]
    }
    patterns = [(S, S, NA), (S, N, S), (N, N, NA)]
    for inspection in inspections.values():
        for n in range(3):  # several reviews in every review status
            for status in ReviewStatus.values:
                submitted_review(inspection, assessor, patterns[n], status=status)
    every = list(inspections.values())
    reviews, sufficient = maintained(every)
    assert (reviews, sufficient) == recount(every)
    planning = inspections[InspectionStatus.PLANNING]
    assert planning.pk not in reviews  # submitted, but fieldwork has not started
    assert reviews[inspections[InspectionStatus.FIELDWORK].pk] == 6  # 3 submitted + 3 moderated
    assert differences() == []

    lifecycle.start_fieldwork(inspection=planning, by=lead)

    reviews, sufficient = maintained(every)
    assert (reviews, sufficient) == recount(every)
    assert reviews[planning.pk] == 6
    assert sufficient[planning.pk] == 2 * (2 + 2 + 0)
    assert differences() == []


def test_the_first_review_started_moves_the_inspection_into_fieldwork(hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=2)
    inspection, assessor = setup["inspection"], setup["assessor"]
    assert inspection.status == InspectionStatus.PLANNING

    review = review_of(inspection, "X000001")
    services.save_review(
        review=review, version=review.version, user=assessor, facts={"person_interviewed": "yes"}
    )

    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FIELDWORK
    moved = AuditEvent.objects.get(action=AuditEvent.Action.STATUS_CHANGED)
    assert moved.detail["to"] == InspectionStatus.FIELDWORK
    assert moved.user == assessor

    # The second review started leaves it where it is.
    review = review_of(inspection, "X000002")
    services.save_review(
        review=review, version=review.version, user=assessor, facts={"person_interviewed": "yes"}
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGED).count() == 1


def test_a_page_with_nothing_on_it_starts_nothing(hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    inspection, assessor = setup["inspection"], setup["assessor"]
    review = review_of(inspection, "X000001")
    services.save_review(review=review, version=review.version, user=assessor, facts={})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNING

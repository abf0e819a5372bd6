"""Reads about case reviews: the framework's standards, reviews with their answers (judged by
`audit.scoring.rules`), and who may open a review."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from audit.accounts.access import can_manage_inspection
from audit.accounts.roles import SCORE_REVIEWS, may
from audit.models import (
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    PromptAnswer,
    ReviewStatus,
)
from audit.scoring.rules import EDITABLE_STATUSES, ReviewState
from standards.models import KeyQuestion, RatedBy, Standard

# --- the framework, loaded once per page -------------------------------------------------------


def case_standards(framework) -> list[Standard]:
    """The framework's case-data standards with key questions and prompts: three queries."""
    return list(
        Standard.objects.filter(framework=framework, rated_by=RatedBy.CASE_DATA)
        .order_by("order", "code")
        .prefetch_related(
            Prefetch(
                "key_questions",
                queryset=KeyQuestion.objects.order_by("order", "code").prefetch_related("prompts"),
            )
        )
    )


def standard_by_code(standards, code) -> Standard | None:
    return next((s for s in standards if s.code == code), None)


def load_review_state(review: CaseReview, standards=None) -> ReviewState:
    """The review's answers and judgements: two queries (plus three for the framework)."""
    if standards is None:
        standards = case_standards(review.sampled_case.inspection.framework_id)
    answers = dict(PromptAnswer.objects.filter(review=review).values_list("prompt_id", "value"))
    judgements = {
        kq_id: (value, rationale)
        for kq_id, value, rationale in Judgement.objects.filter(review=review).values_list(
            "key_question_id", "value", "rationale"
        )
    }
    return ReviewState(review, standards, answers, judgements)


def review_states(reviews) -> dict[int, ReviewState]:
    """States for many reviews at once: two queries for the answers, three per framework."""
    reviews = list(reviews)
    if not reviews:
        return {}
    frameworks = {}
    for review in reviews:
        framework_id = review.sampled_case.inspection.framework_id
        if framework_id not in frameworks:
            frameworks[framework_id] = case_standards(framework_id)
    ids = [r.pk for r in reviews]
    answers = {pk: {} for pk in ids}
    for review_id, prompt_id, value in PromptAnswer.objects.filter(review_id__in=ids).values_list(
        "review_id", "prompt_id", "value"
    ):
        answers[review_id][prompt_id] = value
    judgements = {pk: {} for pk in ids}
    for review_id, kq_id, value, rationale in Judgement.objects.filter(
        review_id__in=ids
    ).values_list("review_id", "key_question_id", "value", "rationale"):
        judgements[review_id][kq_id] = (value, rationale)
    return {
        r.pk: ReviewState(
            r, frameworks[r.sampled_case.inspection.framework_id], answers[r.pk], judgements[r.pk]
        )
        for r in reviews
    }


# --- scoping -------------------------------------------------------------------------------------


# --- managing: the one rule for every page that changes an inspection or anything in it --------


def review_queryset() -> QuerySet:
    return CaseReview.objects.select_related(
        "sampled_case__case",
        "sampled_case__provider",
        "sampled_case__assessor",
        "sampled_case__inspection__framework",
        "sampled_case__inspection__lead",
    )


@dataclass
class ReviewAccess:
    review: CaseReview
    is_assessor: bool
    is_lead: bool

    @property
    def inspection(self) -> Inspection:
        return self.review.sampled_case.inspection

    @property
    def can_edit(self) -> bool:
        return (
            (self.is_assessor or self.is_lead)
            and not self.inspection.is_published
            and self.review.status in EDITABLE_STATUSES
        )

    @property
    def can_return(self) -> bool:
        return (
            self.is_lead
            and self.inspection.status in (InspectionStatus.PLANNING, InspectionStatus.FIELDWORK)
            and self.review.status == ReviewStatus.SUBMITTED
        )


def review_access(user, *, inspection_id: int, crn: str) -> ReviewAccess | None:
    """The review if the user is its assessor or leads its inspection; None otherwise (a 404).

    Moderators read blind and managers read reports, so neither opens a review here.
    """
    review = (
        review_queryset()
        .filter(sampled_case__inspection_id=inspection_id, sampled_case__case__crn=crn)
        .first()
    )
    if review is None or not user.is_authenticated:
        return None
    is_assessor = review.sampled_case.assessor_id == user.pk and may(user, SCORE_REVIEWS)
    is_lead = can_manage_inspection(user, review.sampled_case.inspection)
    if not (is_assessor or is_lead):
        return None
    return ReviewAccess(review, is_assessor, is_lead)


def assigned_reviews(user) -> QuerySet:
    """The reviews assigned to an assessor, newest inspection first."""
    if not may(user, SCORE_REVIEWS):
        return review_queryset().none()
    return (
        review_queryset()
        .filter(sampled_case__assessor=user)
        .order_by(
            "-sampled_case__inspection__period_end",
            "sampled_case__inspection_id",
            "sampled_case__case__crn",
        )
    )


def inspection_reviews(inspection) -> QuerySet:
    return (
        review_queryset()
        .filter(sampled_case__inspection=inspection)
        .order_by("sampled_case__case__crn")
    )


def review_status_counts(inspection) -> dict[str, int]:
    """Reviews of the inspection per status, grouped in the database. The ordering is cleared:
    an ORDER BY column would otherwise join the GROUP BY and split the groups."""
    return dict(
        CaseReview.objects.filter(sampled_case__inspection=inspection)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )


def scoring_started(inspection) -> bool:
    return (
        CaseReview.objects.filter(sampled_case__inspection=inspection)
        .exclude(status=ReviewStatus.NOT_STARTED)
        .exists()
    )

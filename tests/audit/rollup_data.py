"""Hand-built inspections for the roll-up and report tests."""

from __future__ import annotations

import itertools

from audit.counts.contribution import record_contribution_change
from audit.models import (
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    Resolution,
    ReviewStatus,
    SampledCase,
    StandardJudgement,
)
from cases.models import Case
from standards import models as std
from tests.factories import (
    DomainFactory,
    FrameworkFactory,
    InspectionFactory,
    KeyQuestionFactory,
    ProviderFactory,
    StandardFactory,
)

S, N, NA = "sufficient", "not_sufficient", "na"
_crn = itertools.count(1)


def small_framework():
    """Three standards, so the maximum score is 9: two case standards and one by judgement.

    2.1 has key questions 2.1.1 and 2.1.2; 2.2 has 2.2.1; 1.1 is rated by judgement.
    Score bands: 0-2 Inadequate, 3-4 Requires improvement, 5-7 Good, 8-9 Outstanding.
    """
    framework = FrameworkFactory()
    for rating, bound in [
        ("outstanding", 80),
        ("good", 65),
        ("requires_improvement", 50),
        ("inadequate", 0),
    ]:
        std.RatingBand.objects.create(framework=framework, rating=rating, lower_bound=bound)
    for rating, low, high in [
        ("inadequate", 0, 2),
        ("requires_improvement", 3, 4),
        ("good", 5, 7),
        ("outstanding", 8, 9),
    ]:
        std.ScoreBand.objects.create(
            framework=framework, rating=rating, min_score=low, max_score=high
        )
    org = DomainFactory(framework=framework, code="1", title="Organisational delivery")
    cases = DomainFactory(framework=framework, code="2", title="Case supervision")
    leadership = StandardFactory(
        domain=org, code="1.1", title="Leadership", rated_by=std.RatedBy.JUDGEMENT, order=1
    )
    assessment = StandardFactory(domain=cases, code="2.1", title="Assessment", order=2)
    planning = StandardFactory(domain=cases, code="2.2", title="Planning", order=3)
    kqs = {
        "2.1.1": KeyQuestionFactory(
            standard=assessment, code="2.1.1", order=1, wording="Assessment engages the person?"
        ),
        "2.1.2": KeyQuestionFactory(
            standard=assessment,
            code="2.1.2",
            order=2,
            lens=std.Lens.DESISTANCE,
            wording="Assessment on desistance?",
        ),
        "2.2.1": KeyQuestionFactory(
            standard=planning, code="2.2.1", order=1, wording="Planning engages the person?"
        ),
    }
    standards = {"1.1": leadership, "2.1": assessment, "2.2": planning}
    return framework, standards, kqs


def add_review(
    inspection,
    provider,
    answers: dict,
    *,
    status=ReviewStatus.SUBMITTED,
    resolutions: dict | None = None,
    case=None,
    **facts,
):
    """A sampled case with one review; `answers` maps key questions to judgement values."""
    if case is None:
        characteristics = {
            "sentence_type": "community_order",
            "rosh_level": "medium",
            "gender": "male",
        }
        characteristics.update({k: facts.pop(k) for k in list(facts) if k in CASE_FIELDS})
        case = Case.objects.create(
            crn=f"R{next(_crn):06d}", provider=provider, start_date="2026-02-01", **characteristics
        )
    sampled = SampledCase.objects.create(inspection=inspection, case=case, provider=provider)
    review = CaseReview.objects.create(sampled_case=sampled, status=status, **facts)
    for kq, value in answers.items():
        judgement = Judgement.objects.create(review=review, key_question=kq, value=value)
        if resolutions and kq in resolutions:
            Resolution.objects.create(
                judgement=judgement, value=resolutions[kq], note="Agreed with the moderator."
            )
    record_contribution_change(review_ids=[review.pk])
    return review


CASE_FIELDS = {"sentence_type", "rosh_level", "gender", "ethnicity", "practitioner_grade"}


def rate(inspection, provider, standard, rating, rationale="Evidence from fieldwork."):
    return StandardJudgement.objects.create(
        inspection=inspection,
        provider=provider,
        standard=standard,
        rating=rating,
        rationale=rationale,
    )


def inspection_of(framework, *providers, **kwargs):
    return InspectionFactory(framework=framework, providers=list(providers), **kwargs)


def provider(**kwargs):
    return ProviderFactory(**kwargs)


def bulk_reviews(inspection, provider, key_questions, count, *, start=0):
    """`count` submitted reviews with a judgement per key question, written with bulk_create.

    Every third judgement is not sufficient and every tenth not applicable, so the figures vary.
    """
    cases = Case.objects.bulk_create(
        Case(
            crn=f"B{inspection.id:03d}{provider.id:03d}{start + i:06d}",
            provider=provider,
            sentence_type=("licence", "community_order")[i % 2],
            start_date="2026-02-01",
            rosh_level=("low", "medium", "high")[i % 3],
            gender=("male", "female")[i % 2],
            ethnicity=("White", "Black", "Asian")[i % 3],
            practitioner_grade=("po", "pso")[i % 2],
        )
        for i in range(count)
    )
    sampled = SampledCase.objects.bulk_create(
        SampledCase(inspection=inspection, case=case, provider=provider) for case in cases
    )
    reviews = CaseReview.objects.bulk_create(
        CaseReview(
            sampled_case=s,
            status=ReviewStatus.SUBMITTED,
            rosh_screening_completed="yes",
            home_visit_needed="yes",
            home_visit_made=("yes", "no")[i % 2],
        )
        for i, s in enumerate(sampled)
    )
    judgements = []
    for i, review in enumerate(reviews):
        for k, kq in enumerate(key_questions):
            n = i + k
            value = NA if n % 10 == 0 else (N if n % 3 == 0 else S)
            judgements.append(Judgement(review=review, key_question=kq, value=value))
    Judgement.objects.bulk_create(judgements, batch_size=2000)
    record_contribution_change(review_ids=[r.pk for r in reviews])
    return reviews


def judged(inspection, unit, figures: dict, reviews: int):
    """`reviews` submitted reviews of cases of `unit`, written in bulk; `figures` maps a key
    question to (sufficient, applicable): the first cases sufficient, then not, the rest not
    applicable."""
    cases = Case.objects.bulk_create(
        Case(
            crn=f"P{next(_crn):07d}",
            provider=unit,
            sentence_type="community_order",
            start_date="2026-02-01",
            rosh_level="medium",
            gender="male",
        )
        for _ in range(reviews)
    )
    sampled = SampledCase.objects.bulk_create(
        SampledCase(inspection=inspection, case=case, provider=unit) for case in cases
    )
    written = CaseReview.objects.bulk_create(
        CaseReview(sampled_case=s, status=ReviewStatus.SUBMITTED) for s in sampled
    )
    judgements = []
    for kq, (sufficient, applicable) in figures.items():
        for i, review in enumerate(written):
            value = S if i < sufficient else (N if i < applicable else NA)
            judgements.append(Judgement(review=review, key_question=kq, value=value))
    Judgement.objects.bulk_create(judgements)
    record_contribution_change(review_ids=[r.pk for r in written])


def publish(*inspections):
    Inspection.objects.filter(id__in=[i.id for i in inspections]).update(
        status=InspectionStatus.PUBLISHED
    )

"""The demo inspection in fieldwork and its moderation, written through the services as people
would: a sample, assignment, saved and submitted reviews, second reads and resolutions.

Answers come from the shared case generator (audit/synthetic/cases.py). Each loader is
idempotent: it does nothing once its work is there, or before what it needs exists.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from audit.inspections import services as inspection_services
from audit.inspections.lifecycle import start_fieldwork
from audit.models import Inspection, Judgement, ModerationRead, ReviewStatus, User
from audit.moderation import services as moderation
from audit.scoring import services
from audit.scoring.selectors import case_standards, review_queryset
from audit.synthetic import cases as synthetic
from cases.models import Case, Sample
from standards.models import Framework, FrameworkStatus, JudgementValue

DEMO_INSPECTION_TITLE = "West Midlands PDUs case supervision audit, spring 2026"
# Left not started by the demo so docs/examples/reviews.csv imports into it.
DEMO_IMPORT_CRNS = ("X100114", "X200114", "X300114")

# The chance of good work in each PDU: Birmingham North strongest, Birmingham South weakest.
BASE_QUALITY = 0.72
PDU_DIFFERENCE = {"PDU-BHM-N": 0.06, "PDU-BHM-S": -0.09, "PDU-WOL": 0.0}


def demo_framework() -> Framework | None:
    """The newest published version of the HMIP case supervision framework."""
    return (
        Framework.objects.filter(code="hmip-case-supervision", status=FrameworkStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )


def _demo_page(standard, applicability, quality, rng):
    """Answers and judgements for one standard page, from the shared generator; answers that
    the page would refuse (not applicable where the prompt does not allow it) left blank."""
    key_questions = list(standard.key_questions.all())
    prompts = {kq.pk: list(kq.prompts.all()) for kq in key_questions}
    codes = {p.pk: p for kq in key_questions for p in prompts[kq.pk]}
    answers, judgements = {}, {}
    for kq, step in zip(key_questions, synthetic.plan(applicability, key_questions, prompts)):
        prompt_values, value, rationale = synthetic.judge(rng, quality, step)
        for prompt_id, prompt_value in prompt_values:
            prompt = codes[prompt_id]
            if prompt_value != synthetic.NA or prompt.allows_not_applicable:
                answers[prompt.code] = prompt_value
        judgements[kq.code] = (value, rationale)
    return answers, judgements


def _sample_and_assign(inspection, pdus, per_pdu, lead, assessors):
    """A systematic sample (every sixth case of each PDU's caseload, in CRN order), added to
    the inspection, fieldwork started and the cases split between the assessors."""
    chosen = []
    for pdu in pdus:
        crns = list(Case.objects.filter(provider=pdu).order_by("crn").values_list("pk", flat=True))
        chosen += crns[::6][:per_pdu]
    sample = Sample.objects.create(
        window_start=inspection.period_start,
        window_end=inspection.period_end,
        requested_size=len(chosen),
        seed=2026,
        caseload_size=Case.objects.filter(provider__in=pdus).count(),
        drawn_by="lead",
    )
    sample.providers.set(pdus)
    sample.cases.set(chosen)
    inspection_services.add_sample(inspection=inspection, sample=sample, user=lead)
    start_fieldwork(inspection=inspection, by=lead)
    sampled = list(inspection.sampled_cases.order_by("case__crn"))
    for index, assessor in enumerate(assessors):
        inspection_services.assign_cases(
            inspection=inspection,
            sampled_case_ids=[s.pk for s in sampled[index::2]],
            assessor=assessor,
            user=lead,
        )


def _work_on_review(review, standards, rng):
    """Most reviews scored and submitted, some part-scored, a few not started."""
    roll = rng.random()
    if review.sampled_case.case.crn in DEMO_IMPORT_CRNS or roll < 0.1:
        return  # not started
    user = review.sampled_case.assessor
    quality = BASE_QUALITY + PDU_DIFFERENCE.get(review.sampled_case.provider.code, 0)
    facts, applicability = synthetic.review_facts(rng, quality, review.sampled_case.case)
    review = services.save_review(review=review, version=review.version, user=user, facts=facts)
    pages = standards if roll >= 0.25 else standards[: rng.randrange(0, len(standards))]
    for standard in pages:
        answers, judgements = _demo_page(standard, applicability, quality, rng)
        review = services.save_review(
            review=review,
            version=review.version,
            user=user,
            standard_code=standard.code,
            answers=answers,
            judgements=judgements,
            standards=standards,
        )
    if roll >= 0.25:
        services.submit_review(
            review=review, version=review.version, user=user, standards=standards
        )


def load_inspection(pdus, *, per_pdu=20):
    """A fieldwork inspection of the demo PDUs: sampled cases split between the two demo
    assessors, most reviews submitted, some in progress, a few not started."""
    existing = Inspection.objects.filter(title=DEMO_INSPECTION_TITLE).first()
    if existing is not None:
        return existing
    framework = demo_framework()
    names = ["lead", "assessor", "assessor2", "moderator"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if framework is None or len(users) < 4:
        return None  # load_framework and load_users first
    lead, assessors = users["lead"], [users["assessor"], users["assessor2"]]
    rng = random.Random(2026)
    with transaction.atomic():
        inspection = inspection_services.create_inspection(
            title=DEMO_INSPECTION_TITLE,
            framework=framework,
            providers=pdus,
            lead=lead,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 5, 31),
            team=[users["moderator"], *assessors],
        )
        _sample_and_assign(inspection, pdus, per_pdu, lead, assessors)
        standards = case_standards(framework)
        reviews = (
            review_queryset()
            .filter(sampled_case__inspection=inspection)
            .order_by("sampled_case__case__crn")
        )
        for review in reviews:
            _work_on_review(review, standards, rng)
    return inspection


# --- moderation of the demo inspection -----------------------------------------------------------

DEMO_MODERATION_SEED = 20260401
MODERATOR_REASONS = [
    "Risk to the children in the household was not analysed; the screening was copied forward.",
    "The plan does not address the drinking that the assessment links to the offences.",
    "Contact was reduced without a recorded reason or a manager's agreement.",
    "The review did not respond to the new address or the police call-out in March.",
]
RESOLUTION_NOTES = [
    "Discussed with both readers: the second read is right, the evidence is not in the record.",
    "The first read stands: the case notes for 12 March show the missing analysis.",
]


def _record_second_reads(reads, moderator, rng):
    """Blind second reads, mostly agreeing with the first (all but the last two done)."""
    for read in reads[: max(1, len(reads) - 2)]:
        first = dict(
            Judgement.objects.filter(review=read.review).values_list("key_question__code", "value")
        )
        answers = {}
        for kq in moderation.moderation_key_questions(read.review):
            value = first.get(kq.code, JudgementValue.SUFFICIENT)
            answers[kq.code] = synthetic.second_read(rng, value, MODERATOR_REASONS)
        moderation.record_second_read(read=read, by=moderator, judgements=answers)


def _resolve_half(inspection, lead):
    """Every other disagreement resolved by the lead; the rest left to resolve."""
    for index, disagreement in enumerate(moderation.disagreements(inspection)):
        if index % 2:
            continue
        value = disagreement.second_value if index % 4 == 0 else disagreement.first_value
        moderation.resolve_disagreement(
            judgement=disagreement.judgement,
            value=value,
            note=RESOLUTION_NOTES[0 if value == disagreement.second_value else 1],
            by=lead,
        )


def load_moderation():
    """Second reads of the demo inspection: a seeded random share, one lead's choice, most reads
    completed by the demo moderator with a few disagreements, some of them resolved.

    Does nothing until the demo inspection has submitted reviews, or once it has any second read.
    """
    inspection = Inspection.objects.filter(title=DEMO_INSPECTION_TITLE).first()
    users = {u.username: u for u in User.objects.filter(username__in=["lead", "moderator"])}
    if inspection is None or len(users) < 2:
        return None
    if ModerationRead.objects.filter(review__sampled_case__inspection=inspection).exists():
        return inspection
    submitted = inspection.sampled_cases.filter(review__status=ReviewStatus.SUBMITTED)
    if not submitted.exists():
        return None
    lead, moderator = users["lead"], users["moderator"]
    rng = random.Random(DEMO_MODERATION_SEED)
    with transaction.atomic():
        draw = moderation.draw_moderation_sample(
            inspection=inspection, by=lead, seed=DEMO_MODERATION_SEED
        )
        extra = submitted.exclude(case__crn__in=draw.selected).order_by("case__crn").first()
        if extra is not None:
            moderation.select_for_moderation(review=extra.review, by=lead)
        reads = list(
            ModerationRead.objects.filter(review__sampled_case__inspection=inspection)
            .select_related("review__sampled_case__case", "review__sampled_case__inspection")
            .order_by("review__sampled_case__case__crn")
        )
        moderation.assign_moderator(reads=reads, moderator=moderator, by=lead)
        _record_second_reads(reads, moderator, rng)
        _resolve_half(inspection, lead)
    return inspection

"""Builders for the scoring tests: an inspection of one provider with sampled, assigned cases,
and complete answers for a review."""

from __future__ import annotations

import datetime

from audit.accounts.roles import Role
from audit.inspections import services as inspection_services
from audit.scoring import services
from audit.scoring.selectors import case_standards, review_queryset
from cases.models import Sample
from standards.models import Framework, FrameworkStatus
from tests.factories import (
    CaseFactory,
    FrameworkFactory,
    KeyQuestionFactory,
    PromptFactory,
    ProviderFactory,
    StandardFactory,
    add_default_bands,
)

# Case facts that make every 2018 question's applicability decidable.
COMPLETE_FACTS = {
    "rosh_screening_completed": "yes",
    "rosh_screening_on_time": "yes",
    "rosh_level_found": "medium",
    "full_risk_analysis_completed": "yes",
    "domestic_abuse_enquiries_needed": "yes",
    "domestic_abuse_enquiries_made": "yes",
    "domestic_abuse_reply_received": "yes",
    "domestic_abuse_reply_sufficient": "yes",
    "child_safeguarding_enquiries_needed": "no",
    "child_safeguarding_enquiries_made": "na",
    "home_visit_needed": "no",
    "home_visit_made": "na",
    "management_oversight_sufficient": "yes",
    "person_interviewed": "no",
}


def draw_sample(cases):
    sample = Sample.objects.create(
        window_start=datetime.date(2026, 1, 1),
        window_end=datetime.date(2026, 6, 30),
        requested_size=len(cases),
        seed=42,
        caseload_size=len(cases),
    )
    sample.providers.set({c.provider for c in cases})
    sample.cases.set(cases)
    return sample


def scoring_setup(framework, make_user, *, cases=3, crns=None, **case_fields):
    """A lead's inspection of one PDU with `cases` sampled cases (X000001...), or the cases
    named by `crns`, all assigned to one assessor."""
    provider = ProviderFactory(code="PDU-T", name="Test PDU")
    lead = make_user(Role.LEAD, providers=[provider], first_name="Leigh", last_name="Lead")
    assessor = make_user(
        Role.ASSESSOR, providers=[provider], first_name="Asha", last_name="Assessor"
    )
    crns = crns or [f"X{n:06d}" for n in range(1, cases + 1)]
    case_fields.setdefault("domestic_abuse_history", True)
    drawn = [CaseFactory(provider=provider, crn=crn, **case_fields) for crn in crns]
    inspection = inspection_services.create_inspection(
        title="Test PDU audit",
        framework=framework,
        providers=[provider],
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
        lead=lead,
    )
    inspection_services.add_sample(inspection=inspection, sample=draw_sample(drawn), user=lead)
    inspection_services.assign_cases(
        inspection=inspection,
        sampled_case_ids=list(inspection.sampled_cases.values_list("pk", flat=True)),
        assessor=assessor,
        user=lead,
    )
    return {
        "provider": provider,
        "lead": lead,
        "assessor": assessor,
        "inspection": inspection,
        "cases": drawn,
    }


def review_of(inspection, crn):
    return review_queryset().get(sampled_case__inspection=inspection, sampled_case__case__crn=crn)


def complete_answers(framework, *, not_sufficient=()):
    """(answers, judgements) per standard code: every prompt yes, every judgement sufficient."""
    pages = {}
    for standard in case_standards(framework):
        answers, judgements = {}, {}
        for kq in standard.key_questions.all():
            for prompt in kq.prompts.all():
                answers[prompt.code] = "yes"
            if kq.code in not_sufficient:
                judgements[kq.code] = ("not_sufficient", "Risk to the partner was not analysed.")
            else:
                judgements[kq.code] = ("sufficient", "")
        pages[standard.code] = (answers, judgements)
    return pages


def score_completely(review, user, framework, **kwargs):
    """Fill every page of a review through the services."""
    review = services.save_review(
        review=review, version=review.version, user=user, facts=COMPLETE_FACTS
    )
    standards = case_standards(framework)
    for code, (answers, judgements) in complete_answers(framework, **kwargs).items():
        review = services.save_review(
            review=review,
            version=review.version,
            user=user,
            standard_code=code,
            answers=answers,
            judgements=judgements,
            standards=standards,
        )
    return review


def big_framework(standards=4, key_questions=5, prompts=12):
    """A published framework far larger than HMIP's, for query-bound tests."""
    framework = FrameworkFactory()
    add_default_bands(framework)
    for s in range(1, standards + 1):
        standard = StandardFactory(
            domain__framework=framework, code=f"2.{s}", title=f"Standard {s}", order=s
        )
        for k in range(1, key_questions + 1):
            kq = KeyQuestionFactory(
                standard=standard,
                code=f"2.{s}.{k}",
                order=k,
                wording=f"Key question 2.{s}.{k}?",
                guidance="Look closely.",
            )
            for p in range(1, prompts + 1):
                rule = {"fact": "home_visit_needed", "equals": True} if p == prompts else {}
                PromptFactory(
                    key_question=kq,
                    code=f"2.{s}.{k}.{p}",
                    order=p,
                    wording=f"Prompt 2.{s}.{k}.{p}?",
                    applicability=rule,
                )
    Framework.objects.filter(pk=framework.pk).update(status=FrameworkStatus.PUBLISHED)
    framework.refresh_from_db()
    return framework

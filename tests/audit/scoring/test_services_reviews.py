"""Review services: saving pages, completeness, submission, return and reopen, published lock."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.accounts.roles import Role
from audit.inspections import services as inspection_services
from audit.models import (
    CaseReview,
    InspectionPublished,
    InspectionStatus,
    Judgement,
    ModerationRead,
    PromptAnswer,
    ReviewEvent,
    ReviewStatus,
)
from audit.scoring import services
from audit.scoring.rules import review_facts
from audit.scoring.selectors import load_review_state
from tests.audit.scoring_support import (
    COMPLETE_FACTS,
    complete_answers,
    review_of,
    score_completely,
    scoring_setup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(hmip_2018, make_user):
    return scoring_setup(hmip_2018, make_user, cases=2)


def test_review_facts_merge_the_case_record_with_what_the_assessor_found(setup):
    review = review_of(setup["inspection"], "X000001")
    facts = review_facts(review)
    assert facts["rosh_level"] == "medium"
    assert facts["mappa_eligible"] is False
    assert "home_visit_needed" not in facts
    review.rosh_level_found = "high"
    review.home_visit_needed = "yes"
    review.domestic_abuse_enquiries_needed = "no"
    review.child_safeguarding_enquiries_needed = "yes"
    review.mappa_category = 2
    review.full_risk_analysis_completed = "na"
    facts = review_facts(review)
    assert facts["rosh_level"] == "high"
    assert facts["home_visit_needed"] is True
    assert facts["domestic_abuse_enquiries_needed"] is False
    assert facts["child_safeguarding_enquiries_needed"] is True
    assert facts["mappa_eligible"] is True
    assert facts["full_risk_analysis_required"] is False


def test_first_save_starts_the_review_and_records_who(setup):
    review = review_of(setup["inspection"], "X000001")
    services.save_review(
        review=review, version=0, user=setup["assessor"], facts={"home_visit_needed": "yes"}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS
    assert review.version == 1
    assert review.started_at is not None
    latest = CaseReview.history.filter(id=review.pk).latest("history_date")
    assert latest.history_user == setup["assessor"]
    assert latest.home_visit_needed == "yes"


def test_questions_the_facts_rule_out_are_recorded_not_applicable(setup, hmip_2018):
    review = review_of(setup["inspection"], "X000001")
    review = services.save_review(
        review=review, version=0, user=setup["assessor"], facts={"home_visit_needed": "no"}
    )
    answers, judgements = complete_answers(hmip_2018)["2.3"]
    services.save_review(
        review=review,
        version=review.version,
        user=setup["assessor"],
        standard_code="2.3",
        answers=answers,
        judgements=judgements,
    )
    # 2.3.3.b applies only when a home visit was needed: a posted "yes" is not kept.
    assert PromptAnswer.objects.get(review=review, prompt__code="2.3.3.b").value == "na"
    assert PromptAnswer.objects.get(review=review, prompt__code="2.3.3.a").value == "yes"
    recorded = PromptAnswer.history.filter(review_id=review.pk).first()
    assert recorded.history_user == setup["assessor"]


def test_invalid_answers_are_refused_and_nothing_is_written(setup):
    review = review_of(setup["inspection"], "X000001")
    with pytest.raises(ValidationError, match="2.1.3.a"):
        # 2.1.3.a (RoSH screening) may not be answered not applicable.
        services.save_review(
            review=review,
            version=0,
            user=setup["assessor"],
            standard_code="2.1",
            answers={"2.1.1.a": "yes", "2.1.3.a": "na"},
        )
    assert not PromptAnswer.objects.exists()
    assert CaseReview.objects.get(pk=review.pk).version == 0
    with pytest.raises(ValidationError, match="2.1.1"):
        services.save_review(
            review=review_of(setup["inspection"], "X000001"),
            version=0,
            user=setup["assessor"],
            standard_code="2.1",
            judgements={"2.1.1": ("na", "")},
        )
    with pytest.raises(ValidationError, match="Unknown case facts"):
        services.save_review(
            review=review_of(setup["inspection"], "X000001"),
            version=0,
            user=setup["assessor"],
            facts={"favourite_colour": "blue"},
        )


def test_submission_lists_every_missing_answer(setup, hmip_2018):
    review = review_of(setup["inspection"], "X000001")
    review = services.save_review(
        review=review,
        version=0,
        user=setup["assessor"],
        facts={"rosh_screening_completed": "yes", "domestic_abuse_enquiries_needed": "yes"},
    )
    answers, judgements = complete_answers(hmip_2018, not_sufficient=["2.1.2"])["2.1"]
    judgements["2.1.2"] = ("not_sufficient", "   ")
    del judgements["2.1.3"]
    review = services.save_review(
        review=review,
        version=review.version,
        user=setup["assessor"],
        standard_code="2.1",
        answers=answers,
        judgements=judgements,
    )
    with pytest.raises(services.ReviewIncomplete) as refused:
        services.submit_review(review=review, version=review.version, user=setup["assessor"])
    messages = [p.message for p in refused.value.problems]
    assert "Select whether the RoSH screening was completed on time" in messages
    assert "Select the RoSH level you found in the record" in messages
    assert "Select whether domestic abuse enquiries were made with the police" in messages
    assert "Select whether a home visit was needed to manage the risk of harm" in messages
    assert "Give your reasons for judging 2.1.2 not sufficient" in messages
    assert "Select a judgement for 2.1.3" in messages
    assert "Select a judgement for 2.4.3" in messages
    assert not any("2.1.1" in m for m in messages)
    assert len([p for p in refused.value.problems if p.kind == "judgement"]) == 10
    # Evidence before judgement: every prompt of the other standards is still to answer.
    unanswered = [p.field for p in refused.value.problems if p.kind == "prompt"]
    assert "2.2.1.a" in unanswered and "Select an answer for 2.2.1.a" in messages
    assert not any(code.startswith("2.1.") for code in unanswered)
    assert CaseReview.objects.get(pk=review.pk).status == ReviewStatus.IN_PROGRESS
    assert not ReviewEvent.objects.exists()


def test_home_visit_fact_is_needed_because_a_prompt_depends_on_it(setup, hmip_2018):
    review = score_completely(
        review_of(setup["inspection"], "X000001"), setup["assessor"], hmip_2018
    )
    state = load_review_state(review)
    assert state.problems() == []
    review = services.save_review(
        review=review,
        version=review.version,
        user=setup["assessor"],
        facts={"home_visit_needed": "", "home_visit_made": "", "person_interviewed": "yes"},
    )
    problems = load_review_state(review).problems()
    assert [(p.section, p.field) for p in problems] == [("facts", "home_visit_needed")]


def test_complete_review_submits_and_is_then_locked(setup, hmip_2018):
    review = score_completely(
        review_of(setup["inspection"], "X000001"),
        setup["assessor"],
        hmip_2018,
        not_sufficient=["2.2.3"],
    )
    services.submit_review(review=review, version=review.version, user=setup["assessor"])
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.is_counted
    assert Judgement.objects.get(review=review, key_question__code="2.2.3").rationale
    with pytest.raises(services.ReviewLocked, match="submitted"):
        services.save_review(
            review=review,
            version=review.version,
            user=setup["assessor"],
            facts={"person_interviewed": "yes"},
        )
    with pytest.raises(services.ReviewLocked):
        services.submit_review(review=review, version=review.version, user=setup["assessor"])


def test_only_the_assessor_or_lead_may_save(setup, make_user):
    stranger = make_user(Role.ASSESSOR, providers=[setup["provider"]])
    with pytest.raises(PermissionDenied):
        services.save_review(
            review=review_of(setup["inspection"], "X000001"),
            version=0,
            user=stranger,
            facts={"home_visit_needed": "yes"},
        )
    assert CaseReview.objects.get(sampled_case__case__crn="X000001").version == 0


def test_return_needs_a_comment_and_a_lead(setup, hmip_2018):
    review = score_completely(
        review_of(setup["inspection"], "X000001"), setup["assessor"], hmip_2018
    )
    services.submit_review(review=review, version=review.version, user=setup["assessor"])
    with pytest.raises(ValidationError, match="Enter a comment"):
        services.return_review(review=review, user=setup["lead"], comment="  ")
    with pytest.raises(PermissionDenied):
        services.return_review(review=review, user=setup["assessor"], comment="Please redo")
    services.return_review(review=review, user=setup["lead"], comment="Check 2.3.3 again.")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED
    assert review.submitted_at is None
    with pytest.raises(services.ReviewLocked, match="Only a submitted review"):
        services.reopen_review(review=review, user=setup["lead"])
    # The returned review can be edited and submitted again.
    review = services.save_review(
        review=review,
        version=review.version,
        user=setup["assessor"],
        facts={"person_interviewed": "yes"},
    )
    assert review.status == ReviewStatus.RETURNED
    services.submit_review(review=review, version=review.version, user=setup["assessor"])
    assert CaseReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED


def test_a_moderated_review_cannot_be_reopened(setup, hmip_2018):
    review = score_completely(
        review_of(setup["inspection"], "X000001"), setup["assessor"], hmip_2018
    )
    services.submit_review(review=review, version=review.version, user=setup["assessor"])
    ModerationRead.objects.create(review=review, reason="random", completed_at=timezone.now())
    with pytest.raises(services.ReviewLocked, match="moderated"):
        services.reopen_review(review=review, user=setup["lead"])


def test_published_inspection_refuses_every_change(setup, hmip_2018):
    inspection = setup["inspection"]
    submitted = score_completely(review_of(inspection, "X000002"), setup["assessor"], hmip_2018)
    services.submit_review(review=submitted, version=submitted.version, user=setup["assessor"])
    type(inspection).objects.filter(pk=inspection.pk).update(status=InspectionStatus.PUBLISHED)
    inspection.refresh_from_db()
    review = review_of(inspection, "X000001")
    with pytest.raises(InspectionPublished, match="published"):
        services.save_review(review=review, version=0, user=setup["assessor"], facts=COMPLETE_FACTS)
    with pytest.raises(InspectionPublished, match="published"):
        services.submit_review(review=review, version=0, user=setup["assessor"])
    with pytest.raises(InspectionPublished, match="published"):
        services.return_review(
            review=review_of(inspection, "X000002"), user=setup["lead"], comment="Too late"
        )
    with pytest.raises(ValidationError, match="published"):
        inspection_services.assign_cases(
            inspection=inspection, sampled_case_ids=[review.sampled_case_id], assessor=None
        )
    assert review_of(inspection, "X000001").version == 0
    assert review_of(inspection, "X000002").status == ReviewStatus.SUBMITTED


def test_returning_waits_for_fieldwork_to_reopen_during_moderation(setup, hmip_2018):
    inspection = setup["inspection"]
    review = score_completely(review_of(inspection, "X000001"), setup["assessor"], hmip_2018)
    services.submit_review(review=review, version=review.version, user=setup["assessor"])
    type(inspection).objects.filter(pk=inspection.pk).update(status=InspectionStatus.MODERATION)
    with pytest.raises(services.ReviewLocked, match="reopen fieldwork"):
        services.return_review(
            review=review_of(inspection, "X000001"), user=setup["lead"], comment="Please look again"
        )
    assert review_of(inspection, "X000001").status == ReviewStatus.SUBMITTED

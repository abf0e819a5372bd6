"""The whole scoring journey through the web pages: a lead sets up and assigns, an assessor fills
every page, is refused while incomplete, submits; the lead returns and reopens."""

import re

import pytest
from django.urls import reverse

from audit.accounts.roles import Role
from audit.models import (
    AuditEvent,
    CaseReview,
    Inspection,
    Judgement,
    PromptAnswer,
    ReviewEvent,
    ReviewStatus,
    SampledCase,
)
from audit.scoring.forms import judgement_field_name, prompt_field_name, rationale_field_name
from tests.audit.scoring_support import COMPLETE_FACTS, complete_answers, draw_sample
from tests.factories import CaseFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def version_on(response) -> int:
    match = re.search(r'name="version" value="(\d+)"', response.content.decode())
    assert match, "the page carries the version it was loaded at"
    return int(match.group(1))


def standard_data(answers, judgements, version):
    data = {"version": version}
    for code, value in answers.items():
        data[prompt_field_name(code)] = value
    for code, (value, rationale) in judgements.items():
        data[judgement_field_name(code)] = value
        data[rationale_field_name(code)] = rationale
    return data


def review_url(name, inspection, crn, *extra):
    return reverse(f"audit:{name}", args=[inspection.pk, crn, *extra])


def test_lead_sets_up_assessor_scores_submits_lead_returns_and_reopens(
    client, django_user_model, hmip_2018, make_user
):
    provider = ProviderFactory(code="PDU-WOL", name="Wolverhampton")
    lead = make_user(Role.LEAD, providers=[provider], first_name="Leigh", last_name="Lead")
    assessor = make_user(
        Role.ASSESSOR, providers=[provider], first_name="Asha", last_name="Assessor"
    )
    cases = [
        CaseFactory(
            provider=provider,
            crn=f"W{n:06d}",
            domestic_abuse_history=True,
            child_safeguarding_concerns=False,
        )
        for n in range(1, 4)
    ]
    sample = draw_sample(cases)

    # The lead creates the inspection, adds the sample and assigns the cases.
    client.force_login(lead)
    response = client.post(
        reverse("audit:inspection_create"),
        {
            "title": "Wolverhampton audit",
            "framework": hmip_2018.pk,
            "providers": [provider.pk],
            "period_start_0": "1",
            "period_start_1": "1",
            "period_start_2": "2026",
            "period_end_0": "30",
            "period_end_1": "6",
            "period_end_2": "2026",
        },
    )
    inspection = Inspection.objects.get(title="Wolverhampton audit")
    assert response.status_code == 302
    assert inspection.lead == lead and inspection.framework == hmip_2018
    response = client.post(
        reverse("audit:inspection_add_sample", args=[inspection.pk]), {"sample": sample.pk}
    )
    assert response.status_code == 302
    assert (
        CaseReview.objects.filter(
            sampled_case__inspection=inspection, status=ReviewStatus.NOT_STARTED
        ).count()
        == 3
    )
    ids = list(SampledCase.objects.filter(inspection=inspection).values_list("pk", flat=True))
    response = client.post(
        reverse("audit:inspection_assign", args=[inspection.pk]),
        {"cases": ids, "assessor": assessor.pk},
    )
    assert response.status_code == 302
    assert set(SampledCase.objects.values_list("assessor", flat=True)) == {assessor.pk}
    assert assessor in inspection.team.all()

    # The assessor sees the cases and the task list.
    client.force_login(assessor)
    my_cases = client.get(reverse("audit:my_cases")).content.decode()
    assert "W000001" in my_cases and "Not started" in my_cases
    tasks = client.get(review_url("review_tasks", inspection, "W000001")).content.decode()
    assert "govuk-task-list" in tasks
    for title in [
        "Case facts",
        "2.1 Assessment",
        "2.2 Planning",
        "2.3 Implementation and delivery",
        "2.4 Reviewing",
    ]:
        assert title in tasks
    assert "Not yet started" in tasks

    # Case facts, then each standard.
    page = client.get(review_url("review_facts", inspection, "W000001"))
    response = client.post(
        review_url("review_facts", inspection, "W000001"),
        {**COMPLETE_FACTS, "version": version_on(page)},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url("review_standard", inspection, "W000001", "2.1")

    pages = complete_answers(hmip_2018)
    # 2.1: 2.1.3 judged not sufficient without a rationale: saved, but the page asks for it.
    answers, judgements = pages["2.1"]
    judgements = {**judgements, "2.1.3": ("not_sufficient", "")}
    page = client.get(review_url("review_standard", inspection, "W000001", "2.1"))
    html = page.content.decode()
    assert "2.1.3.e" in html and "Not applicable" in html  # no child safeguarding concerns
    assert prompt_field_name("2.1.3.e") + '"' not in html
    assert "govuk-details" in html  # guidance
    response = client.post(
        review_url("review_standard", inspection, "W000001", "2.1"),
        standard_data(answers, judgements, version_on(page)),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Give your reasons for judging 2.1.3 not sufficient" in html
    assert "#id_kq_2_1_3_rationale" in html
    assert "Your answers have been saved" in html
    review = CaseReview.objects.get(sampled_case__case__crn="W000001")
    assert Judgement.objects.get(review=review, key_question__code="2.1.3").value == (
        "not_sufficient"
    )
    assert review.status == ReviewStatus.IN_PROGRESS

    # 2.2 as a draft with 2.2.2 left unanswered; 2.3 and 2.4 complete.
    answers, judgements = pages["2.2"]
    judgements = {k: v for k, v in judgements.items() if k != "2.2.2"}
    page = client.get(review_url("review_standard", inspection, "W000001", "2.2"))
    response = client.post(
        review_url("review_standard_draft", inspection, "W000001", "2.2"),
        standard_data(answers, judgements, version_on(page)),
    )
    assert response.status_code == 302
    assert response["Location"] == review_url("review_tasks", inspection, "W000001")
    for code, next_page in [
        ("2.3", review_url("review_standard", inspection, "W000001", "2.4")),
        ("2.4", review_url("review_check", inspection, "W000001")),
    ]:
        page = client.get(review_url("review_standard", inspection, "W000001", code))
        response = client.post(
            review_url("review_standard", inspection, "W000001", code),
            standard_data(*pages[code], version_on(page)),
        )
        assert response.status_code == 302
        assert response["Location"] == next_page

    # Submitting the incomplete review is refused with each missing answer.
    check = client.get(review_url("review_check", inspection, "W000001"))
    assert "govuk-summary-list" in check.content.decode()
    response = client.post(
        review_url("review_check", inspection, "W000001"), {"version": version_on(check)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Give your reasons for judging 2.1.3 not sufficient" in html
    assert "Select a judgement for 2.2.2" in html
    assert (
        review_url("review_standard", inspection, "W000001", "2.2") + "?from=check#id_kq_2_2_2_0"
        in html
    )
    assert CaseReview.objects.get(pk=review.pk).status == ReviewStatus.IN_PROGRESS

    # Complete both, then submit.
    answers, judgements = pages["2.1"]
    judgements = {
        **judgements,
        "2.1.3": ("not_sufficient", "The partner's safety was not analysed."),
    }
    page = client.get(review_url("review_standard", inspection, "W000001", "2.1"))
    assert (
        client.post(
            review_url("review_standard", inspection, "W000001", "2.1"),
            standard_data(answers, judgements, version_on(page)),
        ).status_code
        == 302
    )
    page = client.get(review_url("review_standard", inspection, "W000001", "2.2"))
    assert (
        client.post(
            review_url("review_standard", inspection, "W000001", "2.2"),
            standard_data(*pages["2.2"], version_on(page)),
        ).status_code
        == 302
    )
    tasks = client.get(review_url("review_tasks", inspection, "W000001")).content.decode()
    assert tasks.count("Completed") == 5
    check = client.get(review_url("review_check", inspection, "W000001"))
    assert "The partner&#x27;s safety was not analysed." in check.content.decode()
    response = client.post(
        review_url("review_check", inspection, "W000001"), {"version": version_on(check)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:my_cases")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.submitted_by == assessor
    # Questions the case facts rule out are recorded as not applicable.
    assert PromptAnswer.objects.get(review=review, prompt__code="2.1.3.e").value == "na"
    assert PromptAnswer.objects.get(review=review, prompt__code="2.3.3.b").value == "na"
    assert ReviewEvent.objects.filter(review=review, kind="submitted", actor=assessor).exists()
    assert AuditEvent.objects.filter(action="submitted", object_id=str(review.pk)).exists()

    # Read-only to the assessor now.
    standard_page = review_url("review_standard", inspection, "W000001", "2.1")
    response = client.get(standard_page)
    assert response.status_code == 302
    assert response["Location"] == review_url("review_check", inspection, "W000001")
    response = client.post(
        standard_page, standard_data(answers, {"2.1.3": ("sufficient", "")}, review.version)
    )
    assert response.status_code == 302
    assert Judgement.objects.get(review=review, key_question__code="2.1.3").value == (
        "not_sufficient"
    )
    html = client.get(review_url("review_check", inspection, "W000001")).content.decode()
    assert "Submit review" not in html and ">Change<" not in html
    # The assessor sees the review, but returning it is the lead's: refused, saying who may.
    refused = client.get(review_url("review_return", inspection, "W000001"))
    assert refused.status_code == 403
    assert "Only the inspection’s lead (Leigh Lead)" in refused.content.decode()

    # The lead returns it: a comment is required.
    client.force_login(lead)
    response = client.post(review_url("review_return", inspection, "W000001"), {"comment": " "})
    assert response.status_code == 400
    assert "Enter a comment saying what the assessor should change" in response.content.decode()
    assert CaseReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED
    response = client.post(
        review_url("review_return", inspection, "W000001"),
        {"comment": "Say which victim work was missing in 2.1.3."},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED
    event = ReviewEvent.objects.get(review=review, kind="returned")
    assert event.actor == lead and event.comment == "Say which victim work was missing in 2.1.3."

    # The assessor sees the comment, changes the review and submits it again.
    client.force_login(assessor)
    tasks = client.get(review_url("review_tasks", inspection, "W000001")).content.decode()
    assert "Say which victim work was missing in 2.1.3." in tasks
    assert "Returned" in client.get(reverse("audit:my_cases")).content.decode()
    page = client.get(review_url("review_standard", inspection, "W000001", "2.1"))
    judgements = {**judgements, "2.1.3": ("not_sufficient", "No victim safety planning.")}
    assert (
        client.post(
            review_url("review_standard", inspection, "W000001", "2.1"),
            standard_data(answers, judgements, version_on(page)),
        ).status_code
        == 302
    )
    check = client.get(review_url("review_check", inspection, "W000001"))
    assert (
        client.post(
            review_url("review_check", inspection, "W000001"), {"version": version_on(check)}
        ).status_code
        == 302
    )
    assert CaseReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED

    # The lead reopens it.
    client.force_login(lead)
    response = client.post(
        review_url("review_reopen", inspection, "W000001"),
        {"comment": "Moderation found a missing prompt."},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS
    assert [e.kind for e in ReviewEvent.objects.filter(review=review)] == [
        "submitted",
        "returned",
        "submitted",
        "reopened",
    ]

    # The history shows each change to an answer, with who made it.
    history = client.get(review_url("review_history", inspection, "W000001")).content.decode()
    assert "2.1.3 Does assessment focus sufficiently on keeping other people safe?" in history
    assert "No victim safety planning." in history
    assert "Asha Assessor" in history
    assert "Was a home visit needed to manage the risk of harm?" in history

"""Two people saving the same review: the second is refused, nothing is lost, their input stays."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import CaseReview, Judgement, PromptAnswer
from audit.scoring import services
from tests.audit.scoring.test_review_flow import standard_data, version_on
from tests.audit.scoring_support import complete_answers, review_of, scoring_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(hmip_2018, make_user):
    return scoring_setup(hmip_2018, make_user, cases=1)


def test_second_session_is_refused_and_keeps_its_input(setup, hmip_2018):
    inspection, assessor, lead = setup["inspection"], setup["assessor"], setup["lead"]
    url = reverse("audit:review_standard", args=[inspection.pk, "X000001", "2.1"])
    first, second = Client(), Client()
    first.force_login(assessor)
    second.force_login(lead)
    loaded_first, loaded_second = first.get(url), second.get(url)
    assert version_on(loaded_first) == version_on(loaded_second) == 0

    answers, judgements = complete_answers(hmip_2018)["2.1"]
    saved = first.post(url, standard_data(answers, judgements, version_on(loaded_first)))
    assert saved.status_code == 302

    theirs = {**judgements, "2.1.1": ("not_sufficient", "Motivation was never explored.")}
    refused = second.post(
        url, standard_data({**answers, "2.1.1.a": "no"}, theirs, version_on(loaded_second))
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "govuk-error-summary" in html
    assert "This review was saved by Asha Assessor" in html
    assert "Nothing on this page has been saved" in html
    # Their typed input is still on the page...
    assert "Motivation was never explored." in html
    assert 'id="id_p_2_1_1_a_2"\n    value="no"\n    \n      checked="checked"' in html
    # ...and nothing of it was written: the first save stands.
    review = review_of(inspection, "X000001")
    assert review.version == 1  # the first save only
    assert Judgement.objects.get(review=review, key_question__code="2.1.1").value == "sufficient"
    assert PromptAnswer.objects.get(review=review, prompt__code="2.1.1.a").value == "yes"
    assert Judgement.history.filter(review_id=review.pk, value="not_sufficient").count() == 0

    # The re-rendered page carries the current version: saving again is a deliberate overwrite.
    assert version_on(refused) == review.version
    again = second.post(
        url, standard_data({**answers, "2.1.1.a": "no"}, theirs, version_on(refused))
    )
    assert again.status_code == 302
    assert Judgement.objects.get(review=review, key_question__code="2.1.1").rationale == (
        "Motivation was never explored."
    )


def test_stale_case_facts_are_refused_with_input_kept(setup):
    inspection, assessor = setup["inspection"], setup["assessor"]
    url = reverse("audit:review_facts", args=[inspection.pk, "X000001"])
    tab_one, tab_two = Client(), Client()
    tab_one.force_login(assessor)
    tab_two.force_login(assessor)
    one, two = tab_one.get(url), tab_two.get(url)
    draft = reverse("audit:review_facts_draft", args=[inspection.pk, "X000001"])
    assert (
        tab_one.post(draft, {"home_visit_needed": "yes", "version": version_on(one)}).status_code
        == 302
    )
    refused = tab_two.post(
        draft,
        {
            "home_visit_needed": "no",
            "person_interviewed": "yes",
            "version": version_on(two),
        },
    )
    assert refused.status_code == 409
    assert 'value="no"\n    \n      checked="checked"' in refused.content.decode()
    review = CaseReview.objects.get()
    assert review.home_visit_needed == "yes"
    assert review.person_interviewed == ""


def test_stale_save_in_the_service_writes_nothing(setup, hmip_2018):
    review = review_of(setup["inspection"], "X000001")
    assessor = setup["assessor"]
    answers, judgements = complete_answers(hmip_2018)["2.1"]
    services.save_review(
        review=review,
        version=0,
        user=assessor,
        standard_code="2.1",
        answers=answers,
        judgements=judgements,
    )
    history_before = PromptAnswer.history.count(), CaseReview.history.count()
    stale = review_of(setup["inspection"], "X000001")
    with pytest.raises(services.StaleReview) as refused:
        services.save_review(
            review=stale,
            version=0,
            user=assessor,
            standard_code="2.1",
            answers={"2.1.1.a": "no"},
            facts={"home_visit_needed": "yes"},
        )
    assert refused.value.current_version == 1
    assert (PromptAnswer.history.count(), CaseReview.history.count()) == history_before
    fresh = review_of(setup["inspection"], "X000001")
    assert fresh.home_visit_needed == "" and fresh.version == 1
    assert PromptAnswer.objects.get(review=fresh, prompt__code="2.1.1.a").value == "yes"


def test_submitting_a_version_that_changed_is_refused(setup, hmip_2018):
    from tests.audit.scoring_support import score_completely

    review = score_completely(
        review_of(setup["inspection"], "X000001"), setup["assessor"], hmip_2018
    )
    loaded = review.version
    services.save_review(
        review=review, version=loaded, user=setup["lead"], facts={"person_interviewed": "yes"}
    )
    with pytest.raises(services.StaleReview) as refused:
        services.submit_review(
            review=review_of(setup["inspection"], "X000001"), version=loaded, user=setup["assessor"]
        )
    assert review_of(setup["inspection"], "X000001").status == "in_progress"
    stale = refused.value
    lead = setup["lead"]
    assert stale.current_version == loaded + 1
    assert stale.saved_by == (lead.get_full_name() or lead.username)
    assert stale.saved_at is not None
    assert stale.what_happened.startswith(f"This review was saved by {stale.saved_by} on ")
    assert stale.what_happened.endswith("after you opened it. Nothing on this page has been saved.")
    assert str(stale) == (
        f"{stale.what_happened} Your answers are shown below: check them against the latest "
        "answers, then save again to replace the latest answers with yours."
    )


def test_stale_submission_says_what_happened_and_what_to_do(setup, hmip_2018):
    from tests.audit.scoring_support import score_completely

    inspection, assessor, lead = setup["inspection"], setup["assessor"], setup["lead"]
    review = score_completely(review_of(inspection, "X000001"), assessor, hmip_2018)
    loaded = review.version
    services.save_review(
        review=review, version=loaded, user=lead, facts={"person_interviewed": "yes"}
    )
    client = Client()
    client.force_login(assessor)
    url = reverse("audit:review_check", args=[inspection.pk, "X000001"])
    refused = client.post(url, {"version": loaded})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "This review was saved by " in html
    assert (
        "after you opened it. Nothing on this page has been saved. Check the answers below, "
        "then submit again." in html
    )
    assert "Your answers are shown below" not in html
    assert version_on(refused) == loaded + 1
    assert review_of(inspection, "X000001").status == "in_progress"

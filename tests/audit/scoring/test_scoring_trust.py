"""Scoring that assessors can trust: case facts that follow the framework's rules, a page saved
with nothing on it changing nothing, Change links that come back, answers held when the session
ended, and moderation feedback on the review."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import CaseReview, HeldSave, Resolution, ReviewStatus
from audit.scoring import held_saves, services
from audit.scoring.forms import CaseFactsForm
from standards.models import JudgementValue

from ..moderation_support import (
    N,
    S,
    completed_read,
    inspection_for,
    published_framework,
    submitted_review,
)
from ..scoring_support import COMPLETE_FACTS, review_of, scoring_setup
from .test_review_flow import version_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(hmip_2018, make_user):
    return scoring_setup(hmip_2018, make_user, cases=2)


def url(name, setup, *extra, crn="X000001"):
    return reverse(f"audit:{name}", args=[setup["inspection"].pk, crn, *extra])


def facts_post(client, setup, facts, *, draft=False, **extra):
    page = client.get(url("review_facts", setup))
    return client.post(
        url("review_facts_draft" if draft else "review_facts", setup) + extra.pop("query", ""),
        {**facts, "version": version_on(page), **extra},
    )


# --- case facts follow the framework's rules -----------------------------------------------------


def test_follow_up_questions_are_revealed_under_the_answer_they_follow(client, setup):
    client.force_login(setup["assessor"])
    html = client.get(url("review_facts", setup)).content.decode()
    # The on-time question sits inside the conditional content of "Yes, a screening was done".
    reveal = re.search(
        r'id="conditional_rosh_screening_completed_0">(.*?)</fieldset>\s*</div>\s*</div>',
        html,
        re.S,
    )
    assert reveal and 'name="rosh_screening_on_time"' in reveal.group(1)
    assert 'data-aria-controls="conditional_rosh_screening_completed_0"' in html
    assert 'data-aria-controls="conditional_home_visit_needed_0"' in html
    # A revealed question offers no "not applicable": it is asked only when it applies.
    assert 'name="home_visit_made" value="na"' not in html.replace("\n", " ")
    assert "rosh" not in re.sub(r"<[^>]+>|name=\"[^\"]*\"|id=\"[^\"]*\"", "", html).replace(
        "RoSH", ""
    ).replace("rosh_", "")


def test_answers_hidden_by_an_earlier_answer_are_dropped_and_contradictions_refused(client, setup):
    client.force_login(setup["assessor"])
    # Screening "no" hides its follow-ups: what they held is not kept.
    response = facts_post(
        client,
        setup,
        {**COMPLETE_FACTS, "rosh_screening_completed": "no"},
        draft=True,
    )
    assert response.status_code == 302
    review = review_of(setup["inspection"], "X000001")
    assert (review.rosh_screening_on_time, review.rosh_level_found) == ("na", "not_screened")
    assert review.full_risk_analysis_completed == ""
    # A level found of medium calls for a full analysis: "not applicable" is refused.
    response = facts_post(client, setup, {**COMPLETE_FACTS, "full_risk_analysis_completed": "na"})
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "The RoSH level you found is medium or above, so a full analysis of the risk of harm "
        "was required: select yes or no" in html
    )
    assert 'href="#id_full_risk_analysis_completed_1"' in html


def test_the_service_refuses_contradictory_facts_whoever_sends_them(setup):
    review = review_of(setup["inspection"], "X000001")
    with pytest.raises(services.ValidationError) as refused:
        services.save_review(
            review=review,
            version=review.version,
            user=setup["assessor"],
            facts={"rosh_screening_completed": "no", "rosh_screening_on_time": "yes"},
        )
    assert refused.value.message_dict == {
        "rosh_screening_on_time": [
            "No RoSH screening was completed, so do not answer whether the RoSH screening was "
            "completed on time"
        ]
    }
    assert review_of(setup["inspection"], "X000001").version == 0


def test_the_form_and_the_submit_check_use_the_same_words(setup, hmip_2018):
    form = CaseFactsForm(
        {**COMPLETE_FACTS, "home_visit_needed": "yes", "home_visit_made": "", "version": 0},
        rules=hmip_2018.fact_rules,
    )
    assert form.is_valid()  # a question left for later is no error on the page
    review = review_of(setup["inspection"], "X000001")
    services.save_review(review=review, version=0, user=setup["assessor"], facts=form.facts())
    state = services.load_review_state(review_of(setup["inspection"], "X000001"))
    assert [p.message for p in state.fact_problems()] == ["Select whether a home visit was made"]


# --- nothing given, nothing changed; Change comes back -------------------------------------------


def test_a_page_saved_with_no_answer_changes_nothing(client, setup):
    client.force_login(setup["assessor"])
    response = facts_post(client, setup, {}, draft=True)
    assert response.status_code == 302
    assert response["Location"] == url("review_tasks", setup)
    review = review_of(setup["inspection"], "X000001")
    assert (review.status, review.version, review.started_at) == (
        ReviewStatus.NOT_STARTED,
        0,
        None,
    )
    assert CaseReview.history.filter(id=review.pk).count() == 1  # created, nothing since
    tasks = client.get(response["Location"]).content.decode()
    assert "Nothing was saved: no question on that page was answered." in tasks
    page = client.get(url("review_standard", setup, "2.2"))
    response = client.post(url("review_standard", setup, "2.2"), {"version": version_on(page)})
    assert response["Location"] == url("review_standard", setup, "2.3")
    assert review_of(setup["inspection"], "X000001").status == ReviewStatus.NOT_STARTED


def test_change_links_on_check_answers_come_back_to_it(client, setup):
    client.force_login(setup["assessor"])
    facts_post(client, setup, COMPLETE_FACTS)
    check = client.get(url("review_check", setup)).content.decode()
    change = url("review_facts", setup) + "?from=check#id_home_visit_needed_0"
    assert f'href="{change}"' in check
    prompt_change = url("review_standard", setup, "2.1") + "?from=check#id_p_2_1_1_a_1"
    assert f'href="{prompt_change}"' in check
    # The page opened from there says where it goes, and goes there.
    page = client.get(url("review_facts", setup) + "?from=check")
    html = page.content.decode()
    assert "Save and return to check answers" in html
    # Each button posts to a URL of its own, both keeping where the page was opened from.
    assert f'action="{url("review_facts", setup)}?from=check"' in html
    assert f'formaction="{url("review_facts_draft", setup)}?from=check"' in html
    standard = client.get(url("review_standard", setup, "2.1")).content.decode()
    draft = url("review_standard_draft", setup, "2.1")
    # Three key questions: one "Save as draft" between each two and one under the form.
    assert standard.count(f'formaction="{draft}"') == 3
    response = facts_post(client, setup, COMPLETE_FACTS, query="?from=check")
    assert response["Location"] == url("review_check", setup)


# --- evidence before judgement -------------------------------------------------------------------


def test_a_judgement_without_its_prompts_leaves_the_standard_in_progress(client, setup):
    client.force_login(setup["assessor"])
    facts_post(client, setup, COMPLETE_FACTS)
    page = client.get(url("review_standard", setup, "2.1"))
    client.post(
        url("review_standard_draft", setup, "2.1"),
        {
            "version": version_on(page),
            "kq_2_1_1": "sufficient",
            "kq_2_1_2": "sufficient",
            "kq_2_1_3": "sufficient",
            "p_2_1_1_a": "yes",
        },
    )
    tasks = client.get(url("review_tasks", setup)).content.decode()
    assert "3 of 3 key questions judged; 1 of 13 prompts answered (12 still to answer)" in tasks
    standard = client.get(url("review_standard", setup, "2.1")).content.decode()
    assert "Standard 1 of 4" in standard
    assert "2 of 3 prompts unanswered" in standard  # 2.1.1 in the contents list
    assert "4 of 4 prompts unanswered" in standard or "of 4 prompts unanswered" in standard
    check = client.get(url("review_check", setup))
    html = check.content.decode()
    assert "Still to answer" in html
    assert "2.1 Assessment</a>: 12 prompts unanswered" in html
    response = client.post(url("review_check", setup), {"version": version_on(check)})
    html = response.content.decode()
    assert "Select an answer for 2.1.1.b" in html
    assert url("review_standard", setup, "2.1") + "?from=check#id_p_2_1_1_b_1" in html
    assert review_of(setup["inspection"], "X000001").status == ReviewStatus.IN_PROGRESS


def test_every_scoring_page_shows_the_case_in_a_summary_card(client, setup):
    client.force_login(setup["assessor"])
    case = setup["cases"][0]
    for name, extra in [
        ("review_tasks", ()),
        ("review_facts", ()),
        ("review_standard", ("2.3",)),
        ("review_check", ()),
    ]:
        html = client.get(url(name, setup, *extra)).content.decode()
        card = html[html.index("govuk-summary-card") :][:3000]
        assert case.get_sentence_type_display() in card, name
        assert case.get_rosh_level_display() in card and "MAPPA" in card, name
        assert case.start_date.strftime("%-d %B %Y") in card, name
        assert "Test PDU" in card, name


# --- answers held when the session ended ---------------------------------------------------------


def test_a_signed_out_save_is_held_under_a_cookie_never_in_the_address(client, setup):
    page_url = url("review_standard", setup, "2.1")
    response = client.post(
        page_url, {"version": 0, "kq_2_1_1": "not_sufficient", "kq_2_1_1_rationale": "Typed."}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "Typed" not in response["Location"]
    token = response.cookies[held_saves.COOKIE]
    assert token["httponly"] and token["samesite"] == "Lax"
    held = HeldSave.objects.get()
    assert (held.user, held.page, held.data["kq_2_1_1_rationale"]) == (None, "2.1", ["Typed."])
    assert "csrfmiddlewaretoken" not in held.data and token.value == held.token
    sign_in = client.get(response["Location"]).content.decode()
    assert "You were signed out before your answers were saved" in sign_in

    # Someone else signing in on that browser who may not change the review gets nothing.
    client.force_login(setup["lead"].__class__.objects.create(username="stranger"))
    assert client.get(page_url).status_code == 404
    assert HeldSave.objects.get().user is None
    # The assessor gets the answers back, and they become theirs.
    client.force_login(setup["assessor"])
    response = client.get(page_url)
    html = response.content.decode()
    assert "have not been saved yet" in html and "Typed." in html
    assert response.cookies[held_saves.COOKIE].value == ""  # the cookie is spent
    held = HeldSave.objects.get()
    assert held.user == setup["assessor"] and held.token != token.value
    client.cookies.pop(held_saves.COOKIE, None)
    assert "Typed." in client.get(page_url).content.decode()  # until the page is saved


def test_a_signed_out_save_as_draft_is_held_for_its_page(client, setup):
    client.post(url("review_facts_draft", setup), {"version": 0, "home_visit_needed": "yes"})
    assert HeldSave.objects.get().data["home_visit_needed"] == ["yes"]
    response = client.post(
        url("review_standard_draft", setup, "2.1") + "?from=check",
        {"version": 0, "kq_2_1_1": "not_sufficient", "kq_2_1_1_rationale": "Typed."},
    )
    page_url = url("review_standard", setup, "2.1") + "?from=check"
    assert response["Location"] == f"{reverse('login')}?next={quote(page_url)}"
    assert HeldSave.objects.get().page == "2.1"  # one browser's latest page is held
    client.force_login(setup["assessor"])
    assert "Typed." in client.get(page_url).content.decode()


def test_only_review_pages_are_held_and_not_for_long(client, setup, settings):
    # A signed-out post elsewhere is sent to sign in as ever, and nothing is kept.
    client.post(url("review_check", setup), {"version": 0})
    client.post(reverse("audit:my_cases"), {"x": "y"})
    client.post(url("review_facts", setup, crn="NOPE1"), {"version": 0})
    assert not HeldSave.objects.exists()
    client.post(url("review_facts", setup), {"version": 0, "home_visit_needed": "yes"})
    held = HeldSave.objects.get()
    HeldSave.objects.filter(pk=held.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.HELD_SAVE_MAX_AGE + 1)
    )
    client.force_login(setup["assessor"])
    html = client.get(url("review_facts", setup)).content.decode()
    assert "have not been saved yet" not in html
    assert held_saves.forget_old() == 1


def test_a_forged_signed_out_post_is_refused_by_the_csrf_check(setup):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(url("review_facts", setup), {"version": 0, "home_visit_needed": "yes"})
    assert response.status_code == 403
    assert not HeldSave.objects.exists()


def test_stay_signed_in_keeps_the_session(client, setup):
    client.force_login(setup["assessor"])
    response = client.post(reverse("session_extend"))
    assert response.status_code == 200 and response.json()["seconds"] > 0
    assert client.get(reverse("session_extend")).status_code == 405


def test_every_page_of_a_signed_in_user_carries_the_timeout_warning(client, setup, settings):
    client.force_login(setup["assessor"])
    html = client.get(reverse("audit:my_cases")).content.decode()
    assert 'id="timeout-warning"' in html
    assert f'data-session-seconds="{settings.SESSION_COOKIE_AGE}"' in html
    assert "js/timeout-warning" in html and "<script>" not in html  # no inline script (CSP)
    client.logout()
    assert 'id="timeout-warning"' not in client.get(reverse("login")).content.decode()


# --- moderation feedback -------------------------------------------------------------------------


def test_the_assessor_sees_the_second_read_and_the_resolution_once_moderated(
    client, make_user, django_assert_max_num_queries
):
    framework = published_framework()
    inspection = inspection_for(framework)
    assessor = make_user("assessor", providers=list(inspection.providers.all()))
    moderator = make_user("moderator", first_name="Mo", last_name="Derator")
    lead = inspection.lead
    review = submitted_review(inspection, assessor, [S, S, JudgementValue.NOT_APPLICABLE])
    crn = review.sampled_case.case.crn
    client.force_login(assessor)
    check = reverse("audit:review_check", args=[inspection.pk, crn])
    assert "Moderation feedback" not in client.get(check).content.decode()  # not yet

    completed_read(review, moderator, [S, N, JudgementValue.NOT_APPLICABLE])
    judgement = review.judgements.get(key_question__code="2.1.2")
    Resolution.objects.create(
        judgement=judgement, value=N, note="The plan ignores the drinking.", resolved_by=lead
    )
    html = client.get(check).content.decode()
    assert "Moderation feedback" in html
    assert "You disagreed on 1 of 3 key questions" in html
    assert "Second reader: <strong>Not sufficient</strong> – “Second reader&#x27;s reasons”" in html
    assert "The plan ignores the drinking." in html
    assert "Mo Derator" in html
    assert 'name="version"' not in html  # read-only: nothing to submit
    tasks = client.get(reverse("audit:review_tasks", args=[inspection.pk, crn])).content.decode()
    assert "See the moderation feedback" in tasks

    submitted_review(inspection, assessor, [S, S, S])  # no feedback on this one
    with django_assert_max_num_queries(30):
        my_cases = client.get(reverse("audit:my_cases")).content.decode()
    assert "1 of your reviews has moderation feedback" in my_cases
    assert my_cases.count('govuk-tag--yellow">Feedback</strong>') == 1

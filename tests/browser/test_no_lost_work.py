"""Nothing typed is lost: the timeout warning keeps a session alive, and a save made after the
session ended is kept on the server and put back in the page once the assessor signs in."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from audit.models import HeldSave, Judgement, ReviewStatus

from ..audit.scoring_support import COMPLETE_FACTS, review_of, scoring_setup

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CRN = "X000001"
# Long rationales, as assessors write them, with the characters that trip up naive code.
REASONS = {
    "2.1.1": "Motivation is asserted, not analysed: the assessment says “engaged well” twice "
    "but never looks at the two breaches in 2024 or what got in the way.\n\nSecond "
    "paragraph: diversity factors (shift work, literacy) are listed & not analysed.",
    "2.1.3": "Risk to the new partner was not analysed, despite two police call-outs <and> the "
    "children's services referral in March; the screening was copied forward.",
}


def standard_url(live_server, inspection, code):
    return f"{live_server.url}/inspections/{inspection.pk}/cases/{CRN}/standards/{code}/"


def answer_every_prompt(page):
    names = page.eval_on_selector_all(
        'input[type="radio"][name^="p_"]', "els => [...new Set(els.map(e => e.name))]"
    )
    for name in names:
        page.locator(f'input[name="{name}"][value="yes"]').check()


def test_a_save_after_the_session_ended_keeps_every_word_and_restores_it_after_sign_in(
    page, axe, sign_in, live_server, hmip_2018, make_user
):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    inspection, assessor = setup["inspection"], setup["assessor"]
    from audit.scoring import services

    review = review_of(inspection, CRN)
    services.save_review(review=review, version=review.version, user=assessor, facts=COMPLETE_FACTS)
    sign_in(page, assessor.username)
    page.goto(standard_url(live_server, inspection, "2.1"))
    answer_every_prompt(page)
    for code, text in REASONS.items():
        page.locator(f'input[name="kq_{code.replace(".", "_")}"][value="not_sufficient"]').check()
        page.locator(f"#id_kq_{code.replace('.', '_')}_rationale").fill(text)
    page.locator('input[name="kq_2_1_2"][value="sufficient"]').check()

    Session.objects.all().delete()  # the session ends on the server while the assessor types
    page.get_by_role("button", name="Save and continue").click()

    # The sign-in page says the answers are kept; nothing of them is in its address.
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_text("You were signed out before your answers were saved")).to_be_visible()
    assert "Motivation" not in page.url and "partner" not in page.url
    axe(page, "sign-in-answers-kept")
    assert HeldSave.objects.filter(user__isnull=True).count() == 1
    assert not Judgement.objects.filter(review__sampled_case__case__crn=CRN).exists()

    page.get_by_label("Username").fill(assessor.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()

    # Back on the page, with every word and every choice as it was typed.
    page.wait_for_url("**/standards/2.1/")
    expect(page.get_by_text("have not been saved yet")).to_be_visible()
    for code, text in REASONS.items():
        assert page.locator(f"#id_kq_{code.replace('.', '_')}_rationale").input_value() == text
    assert page.locator('input[name="kq_2_1_2"][value="sufficient"]').is_checked()
    assert page.locator('input[name="p_2_1_1_a"][value="yes"]').is_checked()
    axe(page, "answers-restored")

    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/standards/2.2/")
    saved = {
        code: text.replace("\r\n", "\n")
        for code, text in Judgement.objects.filter(review__sampled_case__case__crn=CRN).values_list(
            "key_question__code", "rationale"
        )
    }
    assert saved["2.1.1"] == REASONS["2.1.1"] and saved["2.1.3"] == REASONS["2.1.3"]
    assert not HeldSave.objects.exists()  # saved, so no longer held
    assert review_of(inspection, CRN).status == ReviewStatus.IN_PROGRESS


def test_the_timeout_warning_keeps_the_session_and_says_when_it_has_ended(
    page, axe, sign_in, live_server, settings, hmip_2018, make_user
):
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_TIMEOUT_WARNING = 6
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    sign_in(page, setup["assessor"].username)
    page.goto(f"{live_server.url}/my-cases/")

    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text("we will sign you out in")
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()  # a modal dialog takes focus
    axe(page, "timeout-warning")
    stay.click()
    expect(dialog).to_be_hidden()

    # The session was kept: after the original twelve seconds the user is still signed in.
    page.wait_for_timeout(7_000)
    expect(dialog).to_be_visible(timeout=10_000)  # the next warning
    page.keyboard.press("Escape")  # Escape stays signed in too
    expect(dialog).to_be_hidden()
    page.goto(f"{live_server.url}/my-cases/")
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()

    # Left alone, the time runs out and the dialog says so.
    ended = page.get_by_role("dialog", name="You have been signed out")
    expect(ended).to_be_visible(timeout=20_000)
    expect(ended.get_by_role("button", name="Close")).to_be_focused()
    axe(page, "timeout-ended")
    ended.get_by_role("button", name="Close").click()
    page.goto(f"{live_server.url}/my-cases/")
    page.wait_for_url("**/accounts/login/**")

"""An assessor scores a case with the keyboard alone: case facts, the four standards, the error
summary, check answers and submit. Every page passes axe."""

import pytest
from playwright.sync_api import expect

from audit.models import ReviewStatus
from standards.models import JudgementValue

from ..audit.scoring_support import COMPLETE_FACTS, review_of, scoring_setup
from . import keyboard
from .keyboard import choose, focused, press_enter_on, tab_to, type_into

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CRN = "X000001"
WEAK_FACTORS = "The assessment lists the factors but does not analyse how they link to offending."
PARTNER_RISK = "Risk to the new partner was not analysed, despite two police call-outs."


def radio_groups(page, prefix):
    """The names of the radio groups on the page starting with `prefix`, in page order."""
    return page.eval_on_selector_all(
        f'input[type="radio"][name^="{prefix}"]',
        "els => [...new Set(els.map(e => e.name))]",
    )


def answer_prompts(page):
    for name in radio_groups(page, "p_"):
        choose(page, name, "yes")


def save_and_continue(page):
    press_enter_on(page, page.get_by_role("button", name="Save and continue"))


def test_assessor_scores_a_case_with_the_keyboard_only(page, axe, hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=2)
    inspection, assessor = setup["inspection"], setup["assessor"]

    keyboard.sign_in(page, assessor.username)
    axe(page, "assessor-home")
    press_enter_on(
        page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="My cases")
    )
    expect(page.get_by_role("heading", name="My cases", level=1)).to_be_visible()
    axe(page, "my-cases")

    press_enter_on(page, page.get_by_role("link", name=CRN))
    expect(page.get_by_role("heading", name=f"Review of case {CRN}")).to_be_visible()
    axe(page, "review-tasks")

    # Straight to submit, with nothing answered: the check page refuses with an error summary.
    press_enter_on(page, page.get_by_role("link", name="Check answers and submit"))
    axe(page, "check-answers-empty")
    press_enter_on(page, page.get_by_role("button", name="Submit review"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        summary.get_by_role("link", name="Select whether a RoSH screening was completed")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Still to answer")).to_be_visible()
    axe(page, "check-answers-errors")
    assert review_of(inspection, CRN).status == ReviewStatus.NOT_STARTED

    # Its first link leads to the question on the case-facts page, opened from Check answers.
    press_enter_on(page, summary.get_by_role("link").first)
    assert page.url.endswith("/facts/?from=check#id_rosh_screening_completed_0")
    expect(page.locator("#id_rosh_screening_completed_0")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Save and return to check answers")).to_be_visible()
    axe(page, "case-facts")
    # From the task list instead, the pages follow one another.
    press_enter_on(
        page, page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=CRN)
    )
    press_enter_on(page, page.get_by_role("link", name="Case facts"))
    # Follow-up questions show only once the answer they follow is given.
    on_time = page.locator('input[name="rosh_screening_on_time"]').first
    expect(on_time).to_be_hidden()
    for name, value in COMPLETE_FACTS.items():
        if page.locator(f'input[name="{name}"][value="{value}"]').is_visible():
            choose(page, name, value)
    expect(on_time).to_be_visible()
    expect(page.locator('input[name="home_visit_made"]').first).to_be_hidden()
    axe(page, "case-facts-answered")
    save_and_continue(page)

    # 2.1 Assessment: the rationale is revealed only for "not sufficient".
    page.get_by_role("heading", name="2.1 Assessment", level=1).wait_for()
    axe(page, "standard-2.1")
    rationale = page.locator("#id_kq_2_1_1_rationale")
    expect(rationale).to_be_hidden()
    answer_prompts(page)
    choose(page, "kq_2_1_1", "not_sufficient")
    expect(rationale).to_be_visible()
    choose(page, "kq_2_1_1", "sufficient")
    expect(rationale).to_be_hidden()
    choose(page, "kq_2_1_1", "not_sufficient")
    expect(rationale).to_be_visible()
    assert page.locator("input[aria-expanded]").count() == 0
    assert page.locator("#id_kq_2_1_1_1").get_attribute("aria-controls") == (
        "conditional_kq_2_1_1_1"
    )
    axe(page, "standard-2.1-revealed")
    type_into(page, rationale, "No evidence the person's views were sought.")
    # 2.1.2 not sufficient without reasons, 2.1.3 left unanswered.
    choose(page, "kq_2_1_2", "not_sufficient")
    save_and_continue(page)

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    reasons = summary.get_by_role("link", name="Give your reasons for judging 2.1.2 not sufficient")
    judgement = summary.get_by_role("link", name="Select a judgement for 2.1.3")
    expect(reasons).to_be_visible()
    expect(judgement).to_be_visible()
    expect(page.locator("#id_kq_2_1_1_rationale")).to_have_value(
        "No evidence the person's views were sought."
    )
    axe(page, "standard-2.1-errors")

    # Each link in the summary moves focus to the field to fix.
    tab_to(page, reasons)
    page.keyboard.press("Enter")
    expect(page.locator("#id_kq_2_1_2_rationale")).to_be_focused()
    page.keyboard.type(WEAK_FACTORS)
    tab_to(page, judgement)  # back up the page with Shift+Tab
    page.keyboard.press("Enter")
    expect(page.locator("#id_kq_2_1_3_0")).to_be_focused()
    assert focused(page)["name"] == "kq_2_1_3"
    choose(page, "kq_2_1_3", "not_sufficient")
    type_into(page, page.locator("#id_kq_2_1_3_rationale"), PARTNER_RISK)
    save_and_continue(page)

    for code, title in [
        ("2.2", "Planning"),
        ("2.3", "Implementation and delivery"),
        ("2.4", "Reviewing"),
    ]:
        page.get_by_role("heading", name=f"{code} {title}", level=1).wait_for()
        axe(page, f"standard-{code}")
        answer_prompts(page)
        for name in radio_groups(page, "kq_"):
            choose(page, name, "na" if name == "kq_2_4_3" else "sufficient")
        save_and_continue(page)

    page.get_by_role("heading", name="Check your answers before submitting").wait_for()
    expect(page.get_by_text(PARTNER_RISK)).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    axe(page, "check-answers")
    press_enter_on(page, page.get_by_role("button", name="Submit review"))

    expect(page.get_by_role("heading", name="My cases", level=1)).to_be_visible()
    expect(page.get_by_text(f"Review of {CRN} submitted.")).to_be_visible()
    axe(page, "my-cases-submitted")

    review = review_of(inspection, CRN)
    assert review.status == ReviewStatus.SUBMITTED
    assert review.submitted_by == assessor
    assert review.rosh_level_found == "medium"
    judgements = {
        j.key_question.code: (j.value, j.rationale)
        for j in review.judgements.select_related("key_question")
    }
    assert len(judgements) == 12
    assert judgements["2.1.1"] == (
        JudgementValue.NOT_SUFFICIENT,
        "No evidence the person's views were sought.",
    )
    assert judgements["2.1.2"] == (JudgementValue.NOT_SUFFICIENT, WEAK_FACTORS)
    assert judgements["2.1.3"] == (JudgementValue.NOT_SUFFICIENT, PARTNER_RISK)
    assert judgements["2.4.3"][0] == JudgementValue.NOT_APPLICABLE
    assert judgements["2.2.1"] == (JudgementValue.SUFFICIENT, "")
    answers = dict(review.prompt_answers.values_list("prompt__code", "value"))
    # Every prompt that applies was answered yes; the two that do not are recorded as such.
    assert {code for code, value in answers.items() if value != "yes"} == {"2.1.3.e", "2.3.3.b"}
    assert answers["2.1.3.e"] == answers["2.3.3.b"] == "na"
    assert len(answers) == 52

"""The lead draws the moderation sample and assigns it; the moderator reads a case blind and then
sees both reads side by side; the lead resolves a disagreement. Every page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from audit.accounts.roles import Role
from audit.inspections.lifecycle import start_fieldwork
from audit.models import ModerationRead, Resolution
from audit.scoring import services
from audit.scoring.selectors import case_standards

from ..audit.scoring_support import review_of, score_completely, scoring_setup
from .keyboard import tab_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FIRST_REASON = "Risk to the partner was not analysed."  # scoring_support's rationale
SECOND_REASON = "Contingency plans for a rise in risk are missing from the plan."


def submitted_inspection(framework, make_user):
    """Three submitted reviews by one assessor; the first reader judged 2.1.3 not sufficient."""
    setup = scoring_setup(framework, make_user, cases=3)
    inspection, assessor = setup["inspection"], setup["assessor"]
    start_fieldwork(inspection=inspection, by=setup["lead"])
    standards = case_standards(framework)
    for case in setup["cases"]:
        review = score_completely(
            review_of(inspection, case.crn), assessor, framework, not_sufficient=("2.1.3",)
        )
        services.submit_review(
            review=review, version=review.version, user=assessor, standards=standards
        )
    setup["moderator"] = make_user(
        Role.MODERATOR, providers=[setup["provider"]], first_name="Mo", last_name="Moderator"
    )
    return setup


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_lead_and_moderator_moderate_a_review(page, axe, sign_in, hmip_2018, make_user):
    setup = submitted_inspection(hmip_2018, make_user)
    inspection = setup["inspection"]

    # The lead draws the random share and adds a review of their choice.
    sign_in(page, setup["lead"].username)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Moderation").click()
    axe(page, "moderation-index")
    page.get_by_role("link", name="Test PDU audit").click()
    expect(page.get_by_role("heading", name="Test PDU audit", level=1)).to_be_visible()
    axe(page, "moderation-inspection")
    page.get_by_label("Random seed (optional)").fill("20260401")
    page.get_by_role("button", name="Draw the moderation sample").click()
    expect(
        page.get_by_text("1 reviews selected for moderation with seed 20260401.")
    ).to_be_visible()
    drawn = ModerationRead.objects.get(review__sampled_case__inspection=inspection)
    drawn_crn = drawn.review.sampled_case.case.crn
    chosen_crn = next(c.crn for c in setup["cases"] if c.crn != drawn_crn)
    page.get_by_label("CRN of a submitted review").fill(chosen_crn)
    page.get_by_role("button", name="Add to the sample").click()
    expect(page.get_by_text(f"{chosen_crn} added to the moderation sample.")).to_be_visible()
    axe(page, "moderation-selected")

    # Assigning with nothing chosen is refused with an error summary.
    page.get_by_role("button", name="Assign", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name="Select at least one second read to assign.")
    ).to_be_visible()
    axe(page, "moderation-assign-errors")
    page.get_by_label(re.compile(rf"{drawn_crn} \(scored by")).check()
    page.get_by_label(re.compile(rf"{chosen_crn} \(scored by")).check()
    page.get_by_label("Moderator").select_option(label="Mo Moderator")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("2 second reads assigned to Mo Moderator.")).to_be_visible()
    axe(page, "moderation-assigned")
    sign_out(page)

    # The moderator reads the drawn case blind.
    sign_in(page, setup["moderator"].username)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Moderation").click()
    expect(page.get_by_role("table", name="Your second reads")).to_be_visible()
    axe(page, "moderation-my-reads")
    page.get_by_role("link", name=drawn_crn).click()
    expect(page.get_by_role("heading", name=f"Case {drawn_crn}")).to_be_visible()
    expect(page.get_by_text(FIRST_REASON)).to_have_count(0)  # blind: no first judgements
    axe(page, "second-read-blind")

    for radio in page.locator('input[type="radio"][value="sufficient"]').all():
        radio.check()
    rationale = page.locator("#id_rationale_2_2_3")
    expect(rationale).to_be_hidden()
    page.locator('input[name="kq_2_2_3"][value="not_sufficient"]').check()
    expect(rationale).to_be_visible()
    assert page.locator("input[aria-expanded]").count() == 0
    page.get_by_role("button", name="Submit second read").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    reasons = summary.get_by_role(
        "link", name="Enter a rationale for judging 2.2.3 not sufficient."
    )
    expect(reasons).to_be_visible()
    axe(page, "second-read-errors")
    tab_to(page, reasons)  # Enter on the link moves focus to the field
    page.keyboard.press("Enter")
    expect(rationale).to_be_focused()
    page.keyboard.type(SECOND_REASON)
    page.get_by_role("button", name="Submit second read").click()

    expect(page.get_by_text(f"Second read of {drawn_crn} recorded.")).to_be_visible()
    side_by_side = page.get_by_role("table", name="Both reads side by side")
    first_row = side_by_side.get_by_role("row", name=re.compile("^2.1.3 "))
    expect(first_row.get_by_role("cell").nth(0)).to_contain_text("Not sufficient")
    expect(first_row.get_by_role("cell").nth(0)).to_contain_text(FIRST_REASON)
    expect(first_row.get_by_role("cell").nth(1)).to_contain_text("Sufficient")
    expect(first_row.get_by_text("Disagree")).to_be_visible()
    expect(
        side_by_side.get_by_role("row", name=re.compile("^2.2.3 ")).get_by_role("cell").nth(1)
    ).to_contain_text(SECOND_REASON)
    expect(side_by_side.get_by_text("Agree", exact=True)).to_have_count(10)
    axe(page, "second-read-side-by-side")
    sign_out(page)

    # The lead sees the agreement statistics and resolves a disagreement.
    sign_in(page, setup["lead"].username)
    page.goto(f"/moderation/{inspection.pk}/")
    expect(page.get_by_text("Overall: 12 pairs, 83.3% agreement")).to_be_visible()
    axe(page, "moderation-agreement")
    page.get_by_role("link", name="View disagreements").click()
    expect(page.get_by_text("2 of 2 disagreements unresolved.")).to_be_visible()
    axe(page, "moderation-disagreements")
    page.get_by_role("link", name=f"Resolve 2.1.3 for {drawn_crn}").click()
    expect(page.get_by_role("heading", name="Resolve 2.1.3")).to_be_visible()
    axe(page, "moderation-resolve")
    page.get_by_role("button", name="Save resolution").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe(page, "moderation-resolve-errors")
    page.get_by_role("group", name="Resolved judgement").get_by_label("Not sufficient").check()
    page.get_by_label("Note").fill("The record shows no analysis of the risk to the partner.")
    page.get_by_role("button", name="Save resolution").click()
    expect(page.get_by_text(f"2.1.3 for {drawn_crn} resolved as not sufficient.")).to_be_visible()
    expect(page.get_by_text("1 of 2 disagreements unresolved.")).to_be_visible()
    axe(page, "moderation-resolved")

    resolution = Resolution.objects.get(judgement__review=drawn.review)
    assert resolution.judgement.key_question.code == "2.1.3"
    assert resolution.value == "not_sufficient"
    assert resolution.resolved_by == setup["lead"]
    drawn.refresh_from_db()
    assert drawn.moderator == setup["moderator"] and drawn.completed_at is not None

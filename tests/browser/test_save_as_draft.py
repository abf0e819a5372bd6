"""'Save as draft' on a review page posts to its own URL and comes back to the task list, from
the button under the form and from one between key questions, at full width and at 320 px."""

import pytest
from playwright.sync_api import expect

from audit.models import ReviewStatus

from ..audit.scoring_support import review_of, scoring_setup

pytestmark = pytest.mark.django_db(transaction=True)

CRN = "X000001"


def test_save_as_draft_from_the_facts_and_a_standard(page, axe, sign_in, hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    inspection, assessor = setup["inspection"], setup["assessor"]
    sign_in(page, assessor.username)

    page.goto(f"/inspections/{inspection.pk}/cases/{CRN}/facts/")
    page.locator('input[name="home_visit_needed"][value="yes"]').check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Case facts saved as a draft.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Review of case {CRN}")).to_be_visible()
    assert review_of(inspection, CRN).home_visit_needed == "yes"

    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/inspections/{inspection.pk}/cases/{CRN}/standards/2.1/")
        axe(page, f"standard-page-{width}")
        scrolls = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not scrolls, f"the page scrolls sideways at {width} px"
    # The first "Save as draft", after the first key question.
    page.locator('input[name="p_2_1_1_a"][value="yes"]').check()
    page.get_by_role("button", name="Save as draft").first.click()
    expect(page.get_by_text("2.1 Assessment saved as a draft.")).to_be_visible()
    review = review_of(inspection, CRN)
    assert review.status == ReviewStatus.IN_PROGRESS
    assert review.prompt_answers.get(prompt__code="2.1.1.a").value == "yes"

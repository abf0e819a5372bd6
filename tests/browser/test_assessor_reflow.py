"""No page of the assessor's journey scrolls sideways at 320 pixels wide (WCAG 1.4.10 reflow,
which axe does not check): wide tables scroll inside their own box, never the page."""

import pytest
from playwright.sync_api import expect

from audit.models import CaseReview, ReviewStatus

from .conftest import DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SIDEWAYS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def review_path(review, page=""):
    sampled = review.sampled_case
    return f"/inspections/{sampled.inspection_id}/cases/{sampled.case.crn}/{page}"


def test_no_page_of_the_assessors_journey_scrolls_sideways_at_320_pixels(
    page, axe, demo_data, live_server
):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/accounts/login/")
    pages = [("/accounts/login/", "sign-in")]
    page.get_by_label("Username").fill("assessor")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    mine = CaseReview.objects.filter(sampled_case__assessor__username="assessor")
    open_review = mine.filter(status=ReviewStatus.IN_PROGRESS).first()
    moderated = mine.filter(status=ReviewStatus.MODERATED).first()
    assert open_review is not None and moderated is not None
    pages += [
        ("/", "home"),
        ("/my-cases/", "my-cases"),
        (review_path(open_review), "tasks"),
        (review_path(open_review, "facts/"), "facts"),
        *[
            (review_path(open_review, f"standards/{code}/"), f"standard-{code}")
            for code in ("2.1", "2.2", "2.3", "2.4")
        ],
        (review_path(open_review, "check/"), "check-answers"),
        (review_path(open_review, "history/"), "history"),
        (review_path(moderated), "moderated-tasks"),
        (review_path(moderated, "check/"), "moderation-feedback"),
    ]
    too_wide = []
    for path, name in pages:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        width, visible = page.evaluate(SIDEWAYS)
        if width > visible:
            too_wide.append(f"{name} ({path}): {width} px wide in a {visible} px window")
        screenshot(page, f"reflow-320-{name}")
    assert too_wide == []
    axe(page, "moderation-feedback-320")

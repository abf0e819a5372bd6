"""The lead checks an inspection before publishing it and publishes it as partial with a reason;
the report says who published it; the assessor reads their notification. Every page passes axe
and reflows at 320 px."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit.models import NotificationKind
from audit.notifications.services import notify
from tests.audit.reports.test_publication import _inspection

from .conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def at_both_widths(page, name):
    """Full-page screenshots at 1280 and 320 px for the docs; nothing scrolls sideways."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        suffix = "" if width == 1280 else "-320"
        page.screenshot(path=str(DOCS / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_lead_publishes_as_partial_and_the_assessor_is_told(page, axe, sign_in, make_user):
    lead = make_user("lead", username="leigh", first_name="Leigh", last_name="Lead")
    assessor = make_user("assessor", username="asha", first_name="Asha", last_name="Assessor")
    moderator = make_user("moderator", username="mo")
    inspection = _inspection(
        lead,
        assessor,
        moderator,
        second=["sufficient"] * 2 + ["not_sufficient"],
        judgement_standard=True,
    )

    sign_in(page, "leigh")
    page.goto(f"/moderation/{inspection.pk}/")
    page.get_by_role("button", name="Publish inspection").click()
    expect(page.get_by_role("heading", name="Check before you publish")).to_be_visible()
    axe(page, "publish-check")
    at_both_widths(page, "publish-check")

    page.get_by_role("button", name="Publish as partial").click()
    expect(page.get_by_role("link", name=PARTIAL_ERROR_START)).to_be_visible()
    axe(page, "publish-check-error")
    page.get_by_label("Why publish with an incomplete overall rating?").fill(
        "Leadership is rated at the next inspection."
    )
    page.get_by_role("button", name="Publish as partial").click()
    expect(page.get_by_text("Wolverhampton 2026 is published.")).to_be_visible()
    expect(page.get_by_text("Published as partial")).to_be_visible()
    expect(page.get_by_text("by Leigh Lead")).to_be_visible()
    axe(page, "published-report")
    screenshot(page, "published-report")
    page.goto("/")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    axe(page, "home-lead")
    at_both_widths(page, "home-lead")
    page.get_by_role("button", name="Sign out").click()

    notify(
        recipients=[assessor],
        kind=NotificationKind.REVIEW_RETURNED,
        message="Your review of X123456 in Wolverhampton 2026 was returned by Leigh Lead: "
        "Add the risk assessment.",
        link="/my-cases/",
    )
    sign_in(page, "asha")
    header = page.get_by_role("navigation", name="Menu")
    expect(header.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    header.get_by_role("link", name="Notifications 1 unread").click()
    axe(page, "notifications")
    at_both_widths(page, "notifications")
    page.get_by_role("button", name="Open and mark as read").click()
    page.wait_for_url("**/my-cases/")
    page.goto("/")
    expect(page.get_by_role("heading", name="Your cases")).to_be_visible()
    axe(page, "home-assessor")
    expect(header.get_by_role("link", name="Notifications", exact=True)).to_be_visible()


PARTIAL_ERROR_START = "Enter why you are publishing with an incomplete overall rating"

"""An impossible or partial date on the league table's filters is named at its field and in the
error summary, in plain words, at 1,280 and 320 pixels; the page passes axe."""

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_league_filter_names_the_wrong_date(page, axe, sign_in, demo_data, live_server):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/league/")
    after = page.get_by_role("group", name="Inspections ending on or after")
    after.get_by_label("Day").fill("31")
    after.get_by_label("Month").fill("2")
    after.get_by_label("Year").fill("2026")
    before = page.get_by_role("group", name="Inspections ending on or before")
    before.get_by_label("Day").fill("1")
    before.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show league table").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a real earliest end date")
    expect(summary).to_contain_text("Latest end date must include a month")
    expect(after.locator(".govuk-error-message")).to_contain_text("Enter a real")
    assert after.get_by_label("Day").input_value() == "31"  # what was typed is kept
    assert "csrfmiddlewaretoken" not in page.url
    axe(page, "league-date-errors")
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "league-date-errors-320")

"""A manager records an improvement action from a report, its owner moves it to done, and the
next inspection's report shows the change: in a real browser, axe clean, at 1,280 and 320 px."""

import datetime
from pathlib import Path

from django.utils import timezone

from tests.audit.improvement.support import place
from tests.browser.conftest import screenshot

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PAGE_SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"


def _reflows(page, axe, name):
    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), f"{name} scrolls sideways at 320 px"
    axe(page, f"{name}-320")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_action_from_a_report_to_the_next_inspection(page, axe, sign_in, transactional_db):
    p = place()
    due = timezone.localdate() + datetime.timedelta(days=60)

    # The manager records an action on a finding of the spring report.
    sign_in(page, "manager")
    page.goto(f"/reports/inspections/{p.first.pk}/?provider=PDU-N")
    page.get_by_role(
        "link", name="Record an improvement action on a finding of this report"
    ).click()
    page.get_by_label("Finding").select_option("kq:2.1.1")
    page.get_by_label("What will change").fill(
        "Team managers check every assessment before it is signed off."
    )
    page.get_by_label("Owner").select_option(str(p.lead.pk))
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    axe(page, "improvement-action-form")
    _reflows(page, axe, "improvement-action-form")
    page.get_by_role("button", name="Record action").click()
    page.wait_for_url("**/improvement/*/")
    assert page.get_by_text("The action was recorded").is_visible()
    assert page.get_by_text("20 of 50 (40%)").is_visible()
    page.get_by_role("button", name="Sign out").click()

    # Its owner finds it on their home page and moves it to in progress, then done.
    sign_in(page, "lead")
    page.goto("/")
    mine = page.get_by_test_id("my-actions")
    assert "due" in mine.inner_text()
    axe(page, "improvement-home")
    mine.get_by_role("link").first.click()
    for state, note in [("In progress", "Checks begin."), ("Done", "Every assessment checked.")]:
        page.get_by_label(state, exact=True).check()
        page.get_by_label("Note").fill(note)
        page.get_by_role("button", name="Save the new state").click()
        assert page.get_by_text(f"The action is now {state.lower()}").is_visible()
    assert page.get_by_role("cell", name="Every assessment checked.").is_visible()
    axe(page, "improvement-action-done")
    _reflows(page, axe, "improvement-action-done")
    assert "Your improvement actions" not in page.goto("/").text()

    # The autumn report shows the figure it started from beside the new one.
    page.goto(f"/reports/inspections/{p.second.pk}/?provider=PDU-N")
    table = page.get_by_test_id("before-after")
    text = table.inner_text()
    assert "20 of 50 (40%)" in text and "35 of 50 (70%)" in text
    assert "Up 30 points: larger than chance would explain (z = 3.02)" in text
    assert "done" in text.lower()  # a badge, shown in capitals
    table.scroll_into_view_if_needed()
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    table.screenshot(path=str(DOCS_SCREENSHOTS / "improvement-before-after.png"))
    axe(page, "improvement-report-before-after")
    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    table.scroll_into_view_if_needed()
    screenshot(page, "improvement-report-before-after-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The provider page lists it, done.
    page.goto("/reports/providers/PDU-N/")
    page.locator("#improvement-actions").scroll_into_view_if_needed()
    assert page.get_by_test_id("action-counts").inner_text() == "0 open, 0 in progress, 1 done."
    axe(page, "improvement-provider-page")

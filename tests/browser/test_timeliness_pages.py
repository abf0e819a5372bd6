"""The timeliness screens at the sizes their users work at: the assessor's dates on the case facts
page (an error at the field, then saved) and the manager's focus measures with the timeliness
measures and their "not known" cases; axe clean, nothing scrolls sideways at 320 px."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit.models import CaseReview, Inspection, ReviewStatus
from audit.synthetic.demo import DEMO_INSPECTION_TITLE
from cases.models import Case

from .conftest import ARTIFACTS, DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_assessor_enters_case_dates_and_the_manager_sees_timeliness(page, axe, sign_in, demo_data):
    page.set_default_timeout(60_000)  # a shared, busy host
    sign_in(page, "assessor", DEMO_PASSWORD)
    review = CaseReview.objects.filter(
        sampled_case__assessor__username="assessor", status=ReviewStatus.IN_PROGRESS
    ).first()
    case = review.sampled_case.case
    page.goto(f"/inspections/{review.sampled_case.inspection_id}/cases/{case.crn}/facts/")
    dates = page.get_by_role("group", name="Dates in the case record")
    expect(dates).to_be_visible()
    before = case.start_date.replace(day=1) if case.start_date.day > 1 else None
    allocation = dates.get_by_role("group", name="Allocation date")
    if before is None:
        before = case.start_date.replace(year=case.start_date.year - 1)
    allocation.get_by_label("Day").fill(str(before.day))
    allocation.get_by_label("Month").fill(str(before.month))
    allocation.get_by_label("Year").fill(str(before.year))
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "is before the sentence or release date"
    )
    dates.scroll_into_view_if_needed()
    axe(page, "case-facts-dates-error-1280")
    shutil.copy(ARTIFACTS / "case-facts-dates-error-1280.png", DOCS / "case-facts-dates.png")
    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(SIDEWAYS)
    dates.scroll_into_view_if_needed()
    screenshot(page, "case-facts-dates-error-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    allocation.get_by_label("Day").fill(str(case.start_date.day))
    allocation.get_by_label("Month").fill(str(case.start_date.month))
    allocation.get_by_label("Year").fill(str(case.start_date.year))
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert Case.objects.get(pk=case.pk).allocation_date == case.start_date

    page.context.clear_cookies()
    sign_in(page, "manager", DEMO_PASSWORD)
    inspection = Inspection.objects.get(title=DEMO_INSPECTION_TITLE)
    page.goto(f"/reports/inspections/{inspection.id}/")
    table = page.get_by_role("table", name="Focus measures", exact=False)
    expect(table).to_contain_text("Allocated within 1 working day of sentence or release")
    expect(table.get_by_role("columnheader", name="Dates not known")).to_be_visible()
    table.scroll_into_view_if_needed()
    axe(page, "report-timeliness-1280")
    shutil.copy(ARTIFACTS / "report-timeliness-1280.png", DOCS / "report-timeliness.png")
    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(SIDEWAYS)
    table.scroll_into_view_if_needed()
    screenshot(page, "report-timeliness-320")

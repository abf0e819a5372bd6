"""The manager's breakdowns of the inspection report with timeliness by case characteristic, at
1280 and 320 px: axe clean, nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from audit.models import Inspection
from audit.synthetic.demo import DEMO_INSPECTION_TITLE

from .conftest import DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"


def test_manager_sees_timeliness_by_case_characteristic(page, axe, sign_in, demo_data):
    page.set_default_timeout(60_000)  # a shared, busy host
    sign_in(page, "manager", DEMO_PASSWORD)
    inspection = Inspection.objects.get(title=DEMO_INSPECTION_TITLE)
    page.goto(f"/reports/inspections/{inspection.id}/?by=sentence_type#breakdowns")
    table = page.get_by_role("table", name="Timeliness by sentence type", exact=False)
    expect(table).to_contain_text("Allocated within 1 working day of sentence or release")
    expect(table).to_contain_text("not known")
    page.get_by_role("heading", name="Breakdowns").scroll_into_view_if_needed()
    axe(page, "report-timeliness-breakdown-1280")
    table.scroll_into_view_if_needed()
    screenshot(page, "report-timeliness-breakdown-table-1280")
    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(SIDEWAYS)
    axe(page, "report-timeliness-breakdown-320")
    table.scroll_into_view_if_needed()
    screenshot(page, "report-timeliness-breakdown-table-320")
